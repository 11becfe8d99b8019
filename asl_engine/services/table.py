"""The service integrations a local account (``Resources``) offers, one row each.

``Resources`` routes every Task resource through these rows (after the handlers registered with
``Resources.handler``), and ``load_resources`` reads one ``asl.toml`` section per row, in this order.
A new integration is a package under ``asl_engine/services/`` and a row here (docs/architecture.md).
"""

from __future__ import annotations

from typing import Any

from asl_engine.services.dynamodb.integration import INTEGRATION as DYNAMODB
from asl_engine.services.glue.integration import INTEGRATION as GLUE
from asl_engine.services.integration import Integration
from asl_engine.services.lambda_.integration import INTEGRATION as LAMBDA
from asl_engine.services.s3.integration import INTEGRATION as S3
from asl_engine.services.stepfunctions.integration import INTEGRATION as STEP_FUNCTIONS

INTEGRATIONS: tuple[Integration[Any], ...] = (LAMBDA, GLUE, DYNAMODB, S3, STEP_FUNCTIONS)

__all__ = ["DYNAMODB", "GLUE", "INTEGRATIONS", "LAMBDA", "S3", "STEP_FUNCTIONS"]
