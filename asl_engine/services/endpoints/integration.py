"""The ``[endpoints]`` row of the table, first in it: the services routed to an endpoint are answered
there (through boto3), before any embedded service. Its routes match any service; their factories
decline (return None) the services that are not routed, which the embedded rows then answer."""

from __future__ import annotations

from typing import Any

from asl_engine.definition.arns import Pattern, ResourceRef
from asl_engine.services.endpoints import config
from asl_engine.services.endpoints.optimized import RemoteLambdaTask, optimized_handler
from asl_engine.services.endpoints.routing import Endpoints
from asl_engine.services.endpoints.sdk_task import RemoteSdkTask
from asl_engine.services.integration import Integration, Route

ANY_PATTERN: tuple[Pattern, ...] = ("request-response", "sync", "sync:2", "wait-for-task-token")
SDK = Route("aws-sdk", None, None, ("request-response", "wait-for-task-token"))
OPTIMIZED = Route("service", None, None, ANY_PATTERN)
FUNCTION_ARN = Route("lambda-function", "lambda")


def _sdk(endpoints: Endpoints, resource: ResourceRef, account: Any) -> Any:
    return RemoteSdkTask(endpoints, resource.service, resource.action) if endpoints.target(resource.service) else None


def _optimized(endpoints: Endpoints, resource: ResourceRef, account: Any) -> Any:
    if endpoints.target(resource.service) is None:
        return None
    return optimized_handler(endpoints, resource.service, resource.action, resource.pattern)


def _function(endpoints: Endpoints, resource: ResourceRef, account: Any) -> Any:
    return RemoteLambdaTask(endpoints, legacy=True) if endpoints.target("lambda") else None


INTEGRATION: Integration[Endpoints] = Integration(
    name="endpoints",
    new_state=Endpoints,
    routes=((SDK, _sdk), (OPTIMIZED, _optimized), (FUNCTION_ARN, _function)),
    section="endpoints",
    configure=config.configure,
    describe=lambda endpoints: f"endpoints={endpoints.targets()}" if endpoints.targets() else None,
)
