"""The engine, as the runner sees it: imported on first use, replaceable by fakes in tests.

The runner needs four things: ``StateMachine.from_json``, ``ValidationError`` (with
``.diagnostics``), ``DefinitionError`` and ``validate``. Importing them lazily keeps case loading,
classification, comparison and reporting usable (and testable) while the engine cannot be imported.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol


class ExecutionLike(Protocol):
    """What the runner reads from a finished execution."""

    @property
    def status(self) -> str: ...

    @property
    def output(self) -> Any: ...

    @property
    def error(self) -> str | None: ...

    @property
    def cause(self) -> str | None: ...

    @property
    def history(self) -> Sequence[Mapping[str, Any]]: ...


class MachineLike(Protocol):
    def execute(
        self, input: Any = None, *, mocks: Any = None, resources: Any = None, clock: Any = None, history: bool = True
    ) -> ExecutionLike: ...


class DiagnosticLike(Protocol):
    @property
    def code(self) -> str: ...

    @property
    def message(self) -> str: ...

    @property
    def location(self) -> str | None: ...

    @property
    def severity(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Engine:
    """The engine entry points the runner calls."""

    load: Callable[..., MachineLike]
    """``StateMachine.from_json(definition, machine_type=...)``."""
    validate: Callable[..., Sequence[DiagnosticLike]]
    validation_error: type[Exception]
    definition_error: type[Exception]


class EngineUnavailable(Exception):
    """The engine could not be imported; every case that needs it fails with this reason."""


def load_engine() -> Engine:
    """Import the engine now; raise EngineUnavailable with the import error in one line."""
    try:
        from asl_engine import StateMachine, validate
        from asl_engine.errors import DefinitionError, ValidationError
    except Exception as error:  # an engine half-written may fail with anything, not only ImportError
        raise EngineUnavailable(f"the engine cannot be imported: {type(error).__name__}: {error}") from error
    return Engine(
        load=StateMachine.from_json,
        validate=validate,
        validation_error=ValidationError,
        definition_error=DefinitionError,
    )
