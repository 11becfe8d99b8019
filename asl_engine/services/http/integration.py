"""The HTTP task's row in the table: ``arn:aws:states:::http:invoke``, answered by local handlers or,
when ``[http]`` allows it, by the real endpoint."""

from __future__ import annotations

from asl_engine.services.http import config
from asl_engine.services.http.endpoints import HttpService
from asl_engine.services.http.tasks import HttpInvokeTask
from asl_engine.services.integration import Integration, Route

INVOKE = Route("service", "http", frozenset({"invoke"}), ("request-response",))

INTEGRATION: Integration[HttpService] = Integration(
    name="http",
    new_state=HttpService,
    routes=((INVOKE, lambda service, resource, account: HttpInvokeTask(service)),),
    section="http",
    configure=config.configure,
    outbox=lambda service: service.outbox(),
)
