"""API Gateway's row in the table: ``arn:aws:states:::apigateway:invoke`` (request-response and
``.waitForTaskToken``), answered by the account's local API routes, and the ``[apigateway]`` section."""

from __future__ import annotations

from asl_engine.services.apigateway import config
from asl_engine.services.apigateway.apis import ApiGatewayService
from asl_engine.services.apigateway.tasks import InvokeTask
from asl_engine.services.integration import Integration, Route

INVOKE = Route("service", "apigateway", frozenset({"invoke"}), ("request-response", "wait-for-task-token"))

INTEGRATION: Integration[ApiGatewayService] = Integration(
    name="apigateway",
    new_state=ApiGatewayService,
    routes=((INVOKE, lambda service, resource, account: InvokeTask(service)),),
    section="apigateway",
    configure=config.configure,
    outbox=lambda service: service.outbox(),
)
