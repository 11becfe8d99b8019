"""Secrets Manager's row in the table: ``arn:aws:states:::aws-sdk:secretsmanager:<action>`` for the
actions it emulates, and the ``[secretsmanager]`` section."""

from __future__ import annotations

from asl_engine.services.integration import Integration, Route
from asl_engine.services.secretsmanager import config
from asl_engine.services.secretsmanager.secrets import SecretsManagerService
from asl_engine.services.secretsmanager.tasks import ACTIONS, SecretsManagerTask

SDK = Route("aws-sdk", "secretsmanager", ACTIONS, ("request-response", "wait-for-task-token"))

INTEGRATION: Integration[SecretsManagerService] = Integration(
    name="secretsmanager",
    new_state=SecretsManagerService,
    routes=((SDK, lambda service, resource, account: SecretsManagerTask(service, resource.action)),),
    section="secretsmanager",
    configure=config.configure,
    describe=lambda service: f"secretsmanager={service.names()}" if service.names() else None,
)
