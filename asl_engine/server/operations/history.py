"""GetExecutionHistory: pages of events, oldest or newest first, with or without the execution's data."""

from __future__ import annotations

from typing import Any

from asl_engine.server.context import ServerContext
from asl_engine.server.operations.paging import with_page
from asl_engine.server.operations.registry import Request, Response, operation

_DATA_FIELDS = frozenset({"input", "output", "parameters", "result", "assignedVariables"})


def without_data(event: dict[str, Any]) -> dict[str, Any]:
    """``includeExecutionData: false``: the events keep their details but not the payloads."""
    stripped = {}
    for key, value in event.items():
        if key.endswith("EventDetails") and isinstance(value, dict):
            value = {field: item for field, item in value.items() if field not in _DATA_FIELDS}
        stripped[key] = value
    return stripped


@operation("GetExecutionHistory")
async def get_execution_history(context: ServerContext, request: Request) -> Response:
    events = context.executions.history(request["executionArn"])
    if request.get("reverseOrder"):
        events = list(reversed(events))
    if request.get("includeExecutionData") is False:
        events = [without_data(event) for event in events]
    return with_page({}, "events", events, request)
