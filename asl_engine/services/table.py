"""The service integrations a local account (``Resources``) offers, one row each.

``Resources`` routes every Task resource through these rows (after the handlers registered with
``Resources.handler``), in this order, and ``load_resources`` reads one ``asl.toml`` section per row.
``[endpoints]`` comes first: a service routed to an endpoint is answered there, not locally. A new
integration is a package under ``asl_engine/services/`` and a row here (docs/architecture.md).
"""

from __future__ import annotations

from typing import Any

from asl_engine.services.activities.integration import INTEGRATION as ACTIVITIES
from asl_engine.services.apigateway.integration import INTEGRATION as APIGATEWAY
from asl_engine.services.dynamodb.integration import INTEGRATION as DYNAMODB
from asl_engine.services.endpoints.integration import INTEGRATION as ENDPOINTS
from asl_engine.services.events.integration import INTEGRATION as EVENTS
from asl_engine.services.glue.integration import INTEGRATION as GLUE
from asl_engine.services.http.integration import INTEGRATION as HTTP
from asl_engine.services.integration import Integration
from asl_engine.services.lambda_.integration import INTEGRATION as LAMBDA
from asl_engine.services.s3.integration import INTEGRATION as S3
from asl_engine.services.secretsmanager.integration import INTEGRATION as SECRETS_MANAGER
from asl_engine.services.sfn.integration import INTEGRATION as SFN
from asl_engine.services.sns.integration import INTEGRATION as SNS
from asl_engine.services.sqs.integration import INTEGRATION as SQS
from asl_engine.services.stepfunctions.integration import INTEGRATION as STEP_FUNCTIONS

INTEGRATIONS: tuple[Integration[Any], ...] = (
    ENDPOINTS,
    LAMBDA,
    GLUE,
    DYNAMODB,
    S3,
    STEP_FUNCTIONS,
    SFN,
    ACTIVITIES,
    SQS,
    SNS,
    EVENTS,
    SECRETS_MANAGER,
    APIGATEWAY,
    HTTP,
)

__all__ = [
    "ACTIVITIES",
    "APIGATEWAY",
    "DYNAMODB",
    "ENDPOINTS",
    "EVENTS",
    "GLUE",
    "HTTP",
    "INTEGRATIONS",
    "LAMBDA",
    "S3",
    "SECRETS_MANAGER",
    "SFN",
    "SNS",
    "SQS",
    "STEP_FUNCTIONS",
]
