"""TestState: one state (or a state of a machine) with an input, as AWS's TestState runs it."""

from __future__ import annotations

import asyncio

from asl_engine import StateMachine, TestStateError
from asl_engine.server.context import ServerContext
from asl_engine.server.errors import ServiceError
from asl_engine.server.operations.registry import Request, Response, operation


@operation("TestState")
async def test_state(context: ServerContext, request: Request) -> Response:
    """Runs on a worker thread: a state's task may call a local handler that takes its time."""
    try:
        result = await asyncio.to_thread(StateMachine.test_state_request, request, resources=context.resources)
    except TestStateError as error:
        raise ServiceError(error.code, error.message) from None
    return result.to_api()
