"""The ``context`` argument of a handler, shaped like the Python runtime's ``LambdaContext``.

Attribute names and types follow the runtime (``awslambdaric``): ``memory_limit_in_mb`` is a
string there, because the runtime reads it from an environment variable, and it is a string here.
Remaining time is measured on the execution's clock, so under a virtual clock it does not shrink
while the handler runs (virtual time stands still during a synchronous call).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from typing import Any


class Client:
    """``context.client_context.client``: the mobile client that made the call."""

    __slots__ = ("app_package_name", "app_title", "app_version_code", "app_version_name", "installation_id")

    def __init__(self, values: Mapping[str, Any]) -> None:
        self.installation_id = values.get("installation_id")
        self.app_title = values.get("app_title")
        self.app_version_name = values.get("app_version_name")
        self.app_version_code = values.get("app_version_code")
        self.app_package_name = values.get("app_package_name")


class ClientContext:
    """``context.client_context``: the decoded ``ClientContext`` parameter of an Invoke call."""

    __slots__ = ("client", "custom", "env")

    def __init__(self, values: Mapping[str, Any]) -> None:
        client = values.get("client")
        self.client = Client(client) if isinstance(client, Mapping) else None
        self.custom = values.get("custom")
        self.env = values.get("env")


def static_fields(
    function_name: str, function_version: str, invoked_function_arn: str, memory_limit_in_mb: int
) -> dict[str, Any]:
    """The attributes of a ``LambdaContext`` that are the same on every invocation of one function
    through one ARN, for ``LambdaContext.from_fields`` (in ``__init__``'s order, the per-invocation
    ones as placeholders, so ``vars(context)`` reads the same either way)."""
    return {
        "function_name": function_name,
        "function_version": function_version,
        "invoked_function_arn": invoked_function_arn,
        "memory_limit_in_mb": str(memory_limit_in_mb),
        "aws_request_id": "",
        "log_group_name": f"/aws/lambda/{function_name}",
        "log_stream_name": "",
        "identity": None,
        "client_context": None,
        "_deadline": 0.0,
        "_clock": None,
        "_log": None,
    }


class LambdaContext:
    """What the Lambda Python runtime passes as a handler's second argument."""

    def __init__(
        self,
        *,
        function_name: str,
        function_version: str,
        invoked_function_arn: str,
        memory_limit_in_mb: int,
        aws_request_id: str,
        log_group_name: str,
        log_stream_name: str,
        deadline: float,
        clock: Callable[[], float],
        client_context: ClientContext | None = None,
    ) -> None:
        self.function_name = function_name
        self.function_version = function_version
        self.invoked_function_arn = invoked_function_arn
        self.memory_limit_in_mb = str(memory_limit_in_mb)
        self.aws_request_id = aws_request_id
        self.log_group_name = log_group_name
        self.log_stream_name = log_stream_name
        self.identity = None
        self.client_context = client_context
        self._deadline = deadline
        self._clock = clock
        self._log: io.StringIO | None = None
        """Made when the handler first logs (most never do)."""

    @classmethod
    def from_fields(
        cls,
        fields: Mapping[str, Any],
        *,
        aws_request_id: str,
        log_stream_name: str,
        deadline: float,
        clock: Callable[[], float],
        client_context: ClientContext | None,
    ) -> LambdaContext:
        """A context whose attributes fixed for a function (its name, version, ARN, memory, log group,
        as ``static_fields`` gives them) are copied in one step: every invocation makes one."""
        context = cls.__new__(cls)
        context.__dict__.update(fields)
        context.aws_request_id = aws_request_id
        context.log_stream_name = log_stream_name
        context.client_context = client_context
        context._deadline = deadline
        context._clock = clock
        return context

    def __repr__(self) -> str:
        return (
            f"LambdaContext(function_name={self.function_name!r}, aws_request_id={self.aws_request_id!r}, "
            f"invoked_function_arn={self.invoked_function_arn!r})"
        )

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds left before the function (or the Task around it) times out."""
        return max(0, int((self._deadline - self._clock()) * 1000))

    def log(self, message: str) -> None:
        """Write to the invocation's log (returned as ``LogResult`` when the caller asks for ``LogType: Tail``)."""
        if self._log is None:
            self._log = io.StringIO()
        self._log.write(str(message))

    @property
    def logged(self) -> str:
        return "" if self._log is None else self._log.getvalue()
