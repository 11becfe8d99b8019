"""The table of operations: one ``@operation`` per Step Functions API operation the server answers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from asl_engine.server.context import ServerContext

Request = Mapping[str, Any]
Response = dict[str, Any]
Operation = Callable[[ServerContext, Request], Awaitable[Response]]

OPERATIONS: dict[str, Operation] = {}


def operation(name: str) -> Callable[[Operation], Operation]:
    def register(function: Operation) -> Operation:
        OPERATIONS[name] = function
        return function

    return register
