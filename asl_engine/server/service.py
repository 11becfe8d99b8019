"""``StepFunctionsService``: the Step Functions API as Python calls, the one interface the HTTP layer
and the console use.

``await service.call("ListExecutions", {"stateMachineArn": ...})`` takes and returns botocore's JSON
shapes (timestamps as epoch seconds), checks the request against botocore's model first, and
raises ``ServiceError`` with AWS's code and message for anything AWS would refuse.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from asl_engine import AslEngineError, ConfigurationError
from asl_engine.server.catalog import Catalog
from asl_engine.server.context import ServerContext
from asl_engine.server.errors import ServiceError
from asl_engine.server.model import check_request, operation_names, request_shapes
from asl_engine.server.operations import OPERATIONS
from asl_engine.server.protocol import wire_shape
from asl_engine.server.runner import Executions
from asl_engine.server.settings import ServerSettings
from asl_engine.services import Resources, load_resources
from asl_engine.store import Store, StoreError, open_store

__all__ = ["ServiceError", "StepFunctionsService"]

log = logging.getLogger("asl_engine.server")

_ENGINE_ERRORS: dict[str, str] = {
    "ExecutionAlreadyExists": "ExecutionAlreadyExists",
    "ExecutionDoesNotExist": "ExecutionDoesNotExist",
    "StateMachineDoesNotExist": "StateMachineDoesNotExist",
    "ExecutionNotRedrivable": "ExecutionNotRedrivable",
    "TaskDoesNotExist": "TaskDoesNotExist",
    "TaskTimedOut": "TaskTimedOut",
    "InvalidOutput": "InvalidOutput",
    "InvalidToken": "InvalidToken",
    "ActivityDoesNotExist": "ActivityDoesNotExist",
    "InvalidExecutionInput": "InvalidExecutionInput",
}
"""The engine's exceptions that are API errors, by class name: the API code they answer with."""


class StepFunctionsService:
    """The Step Functions API of one local account (region and account from the settings)."""

    def __init__(self, settings: ServerSettings, *, resources: Resources | None = None) -> None:
        self.settings = settings
        self.store: Store | None = open_store(settings.store) if settings.store is not None else None
        if resources is None:
            resources = load_resources(settings.resources) if settings.resources is not None else Resources()
        self.resources = resources
        catalog = Catalog(settings.region, settings.account, self.store)
        self.context = ServerContext(
            settings, catalog, Executions(settings, catalog, resources, self.store), resources, self.store
        )
        self.context.restore_activities()
        self._resumed = False
        request_shapes()  # the request checks, compiled now rather than on the first call

    async def start(self) -> None:
        """Resume the store's unfinished executions (called once the event loop runs)."""
        if not self._resumed:
            self._resumed = True
            resumed = await self.context.executions.resume()
            if resumed:
                log.info("resumed %d unfinished execution(s) from %s", resumed, self.settings.store)

    def close(self) -> None:
        if self.store is not None:
            self.store.close()

    async def call(self, operation: str, request: Mapping[str, Any]) -> dict[str, Any]:
        """Answer one API call: ``operation`` is the ``X-Amz-Target`` suffix (``"StartExecution"``)."""
        handler = OPERATIONS.get(operation)
        if handler is None or operation not in operation_names():
            if operation in operation_names():
                message = f"{operation} is not supported by asl serve (docs/server.md lists the operations it answers)"
                raise ServiceError("UnknownOperationException", message)
            raise ServiceError("UnknownOperationException", f"Unknown operation: {operation}")
        check_request(operation, request)
        try:
            response = await handler(self.context, request)
        except ServiceError:
            raise
        except (AslEngineError, StoreError) as error:
            code = _ENGINE_ERRORS.get(type(error).__name__)
            if code is None:
                if isinstance(error, ConfigurationError):
                    raise ServiceError("ValidationException", str(error)) from None
                raise
            raise ServiceError(code, str(error)) from None
        return wire_shape(response)  # type: ignore[no-any-return]
