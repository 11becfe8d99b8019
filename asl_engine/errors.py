"""The exception hierarchy of asl-engine.

Two families live here and they must not be confused:

* ``AslEngineError`` and its subclasses are *our* errors: the definition could not be read or is
  invalid, an argument was wrong, a resource is not configured. They are raised to the caller.
* ``StatesError`` is a *Step Functions* error (``States.Runtime``, ``States.TaskFailed``, a Lambda's
  ``errorType``...). It travels inside an execution, is matched by Retry/Catch, and when unhandled
  ends the execution as FAILED with that error and cause. It is never raised out of ``execute``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol


class Finding(Protocol):
    """What a ``ValidationError`` needs of each of its diagnostics (an ``asl_engine.definition``
    ``Diagnostic``, which this module, below every other, cannot import)."""

    @property
    def severity(self) -> str: ...

    def format(self, source: str | None = None) -> str: ...


class AslEngineError(Exception):
    """Base class of every error asl-engine raises to its caller."""


class DefinitionError(AslEngineError):
    """A definition could not be loaded at all (missing file, unreadable text)."""


class ValidationError(DefinitionError):
    """A definition was read but AWS would reject it; ``diagnostics`` (``Diagnostic`` objects) say where and why."""

    def __init__(self, diagnostics: Sequence[Finding], source: str | None = None) -> None:
        self.diagnostics: list[Any] = list(diagnostics)
        self.source = source
        errors = [d for d in diagnostics if d.severity == "ERROR"]
        head = f"{source}: " if source else ""
        lines = [f"{head}invalid state machine definition ({len(errors)} error(s))"]
        lines.extend(f"  {d.format()}" for d in errors)
        super().__init__("\n".join(lines))


class ConfigurationError(AslEngineError):
    """The engine was configured inconsistently (e.g. a mock for a state that does not exist)."""


class StatesError(Exception):
    """A Step Functions error raised inside an execution.

    ``error`` is the error name as AWS reports it; ``cause`` the cause text (``None`` when AWS
    reports none; a Fail state may even omit the error). ``States.Runtime`` errors are never retried
    or caught, as on AWS.
    """

    __slots__ = ("cause", "error")

    def __init__(self, error: str | None, cause: str | None = None) -> None:
        super().__init__(error, cause)
        self.error = error
        self.cause = cause

    def __str__(self) -> str:
        name = self.error or "(no error name)"
        return f"{name}: {self.cause}" if self.cause else name

    def __repr__(self) -> str:
        return f"StatesError({self.error!r}, {self.cause!r})"
