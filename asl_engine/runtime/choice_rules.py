"""Choice branches per query language: when a rule matches and what the state then outputs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from asl_engine.language.choice import Predicate, compile_rule
from asl_engine.language.errors import EvaluationError, LocatedSyntaxError, PathNotFoundError
from asl_engine.runtime import failures
from asl_engine.runtime.dataflow import CompiledAssign, JsonPathFlow
from asl_engine.runtime.states.base import CompileError

if TYPE_CHECKING:
    from asl_engine.runtime.dataflow import DataFlow
    from asl_engine.runtime.frame import Frame


class ChoiceBranch(Protocol):
    next_state: str

    def matches(self, frame: Frame, raw_input: Any, data: Any) -> bool: ...

    def finish(self, frame: Frame, raw_input: Any, data: Any, flow: DataFlow) -> tuple[Any, dict[str, Any] | None]:
        """Output and assignments when this rule is the one taken (its Assign replaces the state's)."""
        ...


class JsonPathChoiceBranch:
    __slots__ = ("assign", "next_state", "predicate")

    def __init__(self, rule: Any, pointer: str) -> None:
        if not isinstance(rule, dict) or not isinstance(rule.get("Next"), str):
            raise CompileError(pointer, "A top-level Choice Rule needs a 'Next' state name")
        try:
            self.predicate: Predicate = compile_rule(rule, pointer)
        except LocatedSyntaxError as error:
            raise CompileError(error.pointer or pointer, error.message) from None
        self.next_state: str = rule["Next"]
        self.assign = CompiledAssign.from_spec(rule, pointer)

    def matches(self, frame: Frame, raw_input: Any, data: Any) -> bool:
        try:
            return self.predicate(data, frame)
        except PathNotFoundError as error:
            raise failures.from_path(frame, error) from None
        except EvaluationError as error:
            raise failures.from_evaluation(frame, error) from None

    def finish(self, frame: Frame, raw_input: Any, data: Any, flow: DataFlow) -> tuple[Any, dict[str, Any] | None]:
        assigned = self.assign.evaluate(frame, data) if self.assign is not None else None
        assert isinstance(flow, JsonPathFlow)
        return flow.apply_output_path(frame, data), assigned
