"""Local Lambda functions: Python handlers registered under function names, and how names resolve.

A function is registered under a name (``ProcessOrder``), optionally with a qualifier
(``ProcessOrder:prod``, answering only that alias or version) or as a full ARN (then only that
region and account match). An invocation finds it by any form Lambda accepts: the name, the name
with a qualifier, a partial ARN or a full ARN. An unqualified registration answers every
qualifier, since a local function has no separate versions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from asl_engine.errors import ConfigurationError
from asl_engine.services.lambda_.names import FunctionRef, InvalidFunctionName, parse_function_name

LambdaHandler = Callable[[Any, Any], Any]
"""``handler(event, context)``: an ordinary Lambda handler."""

DEFAULT_TIMEOUT_SECONDS = 3.0
"""Lambda's default function timeout."""
DEFAULT_MEMORY_MB = 128
MAX_TIMEOUT_SECONDS = 900.0


@dataclass(frozen=True, slots=True)
class LambdaFunction:
    """A registered function: its handler and the configuration Lambda would hold for it."""

    name: str
    handler: LambdaHandler
    timeout: float = DEFAULT_TIMEOUT_SECONDS
    memory_size: int = DEFAULT_MEMORY_MB
    qualifier: str | None = None
    region: str | None = None
    account: str | None = None

    def answers(self, ref: FunctionRef) -> bool:
        """Whether an invocation of ``ref`` reaches this registration (region/account when pinned)."""
        if self.region is not None and ref.region is not None and ref.region != self.region:
            return False
        return not (self.account is not None and ref.account is not None and ref.account != self.account)


class LambdaFunctions:
    """The functions of one ``Resources``, by name."""

    def __init__(self) -> None:
        self._exact: dict[str, LambdaFunction] = {}
        self._by_name: dict[str, list[LambdaFunction]] = {}
        self._found: dict[tuple[FunctionRef, str | None], LambdaFunction | None] = {}
        """``find``'s answers (every Task invocation asks), forgotten when a function is added."""

    def __len__(self) -> int:
        return len(self._exact)

    def names(self) -> list[str]:
        return list(self._exact)

    def add(
        self,
        key: str,
        handler: LambdaHandler,
        *,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        memory_size: int = DEFAULT_MEMORY_MB,
    ) -> LambdaFunction:
        if not isinstance(key, str) or not key:
            raise ConfigurationError(f"a Lambda function name must be a non-empty string, got {key!r}")
        if not callable(handler):
            raise ConfigurationError(f"the handler of Lambda function {key!r} must be callable, got {handler!r}")
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not 0 < timeout <= MAX_TIMEOUT_SECONDS:
            raise ConfigurationError(
                f"Lambda function {key!r}: timeout must be between 1 and {int(MAX_TIMEOUT_SECONDS)} seconds, "
                f"got {timeout!r}"
            )
        if isinstance(memory_size, bool) or not isinstance(memory_size, int) or not 128 <= memory_size <= 10240:
            raise ConfigurationError(
                f"Lambda function {key!r}: memory_size must be an integer between 128 and 10240 MB, got {memory_size!r}"
            )
        try:
            ref: FunctionRef | None = parse_function_name(key)
        except InvalidFunctionName:
            ref = None  # reachable only by this exact string (e.g. names recorded with placeholders)
        function = LambdaFunction(
            ref.name if ref else key,
            handler,
            float(timeout),
            memory_size,
            ref.qualifier if ref else None,
            ref.region if ref else None,
            ref.account if ref else None,
        )
        self._exact[key] = function
        self._found.clear()
        if ref is not None:
            same = [
                f
                for f in self._by_name.get(ref.name, [])
                if (f.qualifier, f.region, f.account) != (function.qualifier, function.region, function.account)
            ]
            self._by_name[ref.name] = [*same, function]
        return function

    def registrations(self) -> list[tuple[str, LambdaFunction]]:
        """Every registration with the key it was registered under, in registration order."""
        return list(self._exact.items())

    def find_exact(self, key: str) -> LambdaFunction | None:
        return self._exact.get(key)

    def find(self, ref: FunctionRef, qualifier: str | None) -> LambdaFunction | None:
        """The registration answering ``ref`` invoked with ``qualifier``: qualified ones first."""
        key = (ref, qualifier)
        if key not in self._found:
            self._found[key] = self._find(ref, qualifier)
        return self._found[key]

    def _find(self, ref: FunctionRef, qualifier: str | None) -> LambdaFunction | None:
        candidates = [f for f in self._by_name.get(ref.name, ()) if f.answers(ref)]
        for function in candidates:
            if function.qualifier is not None and function.qualifier == qualifier:
                return function
        for function in candidates:
            if function.qualifier is None:
                return function
        return None
