"""Fail: ends the execution (or the enclosing branch/iteration) with an error and a cause."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from asl_engine.errors import StatesError
from asl_engine.language.errors import EvaluationError, PathNotFoundError
from asl_engine.language.template import TemplateError, compile_dynamic_value, to_json
from asl_engine.runtime import failures
from asl_engine.runtime.states.base import CompileError, StateNode, Transition

if TYPE_CHECKING:
    from asl_engine.runtime.compiler import CompileContext
    from asl_engine.runtime.frame import Frame

TextSource = Callable[["Frame", Any], "str | None"]


class FailState(StateNode):
    state_type = "Fail"
    __slots__ = ("cause", "error")

    def __init__(self, name: str, spec: dict[str, Any], pointer: str, context: CompileContext) -> None:
        super().__init__(name, spec, pointer, context)
        ql = self.query_language
        self.error = context.text_source(spec, "Error", pointer, ql) or _path_source(spec, "ErrorPath", pointer)
        self.cause = context.text_source(spec, "Cause", pointer, ql) or _path_source(spec, "CausePath", pointer)

    def run(self, frame: Frame, raw_input: Any) -> Transition:
        error = self.error(frame, raw_input) if self.error else None
        cause = self.cause(frame, raw_input) if self.cause else None
        raise StatesError(error, cause)


def _path_source(spec: dict[str, Any], field: str, pointer: str) -> TextSource | None:
    """ErrorPath/CausePath: a path, context path, variable or intrinsic that yields a string."""
    if field not in spec:
        return None
    try:
        evaluate = compile_dynamic_value(field, spec[field], f"{pointer}/{field}")
    except TemplateError as error:
        raise CompileError(f"{pointer}/{field}", error.message) from None

    def read(frame: Frame, raw_input: Any) -> str:
        try:
            value = evaluate(raw_input, frame)
        except EvaluationError as error:
            raise failures.from_evaluation(frame, error) from None
        except PathNotFoundError as error:
            raise failures.from_path(frame, error) from None
        if not isinstance(value, str):
            raise failures.runtime_error(
                frame, f"The value of the field '{field}' must be a string, but was: {to_json(value)}"
            )
        return value

    return read
