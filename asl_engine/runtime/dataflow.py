"""How a state turns its input into an effective input, and its result into its output.

The two query languages process data differently, but every state type needs the same two steps,
so each state holds one ``DataFlow`` compiled for its language:

* JSONPath: InputPath -> Parameters -> (work) -> Assign(result) -> ResultSelector -> ResultPath
  (into the raw input) -> OutputPath.
* JSONata: Arguments -> (work) -> Assign and Output, evaluated side by side.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final, Protocol

from asl_engine.language.errors import EvaluationError, ExpressionSyntaxError, PathNotFoundError
from asl_engine.language.jsonpath import CompiledPath, ResultPathError, compile_path, compile_reference_path, set_at
from asl_engine.language.template import CompiledTemplate, TemplateError, compile_template
from asl_engine.runtime import failures
from asl_engine.runtime.states.base import CompileError

if TYPE_CHECKING:
    from asl_engine.runtime.frame import Frame


class DataFlow(Protocol):
    passes_input: bool
    """The effective input is the raw input itself (no InputPath, Parameters or Arguments), whatever
    the frame: a state that asks for it more than once (a Task's attempts) may ask once."""

    def effective_input(self, frame: Frame, raw_input: Any) -> Any:
        """The state's effective input (task parameters, branch input, Choice/Wait data)."""
        ...

    def selected_input(self, frame: Frame, raw_input: Any) -> Any:
        """The input after InputPath only (JSONPath); the raw input under JSONata."""
        ...

    def finish(self, frame: Frame, raw_input: Any, result: Any) -> tuple[Any, dict[str, Any] | None]:
        """The state's output and the variables it assigns, from its raw input and result."""
        ...


_ABSENT: Final = object()


def compile_optional_path(spec: dict[str, Any], field: str, pointer: str, *, reference: bool = False) -> Any:
    """``_ABSENT`` when the field is missing, ``None`` when it is JSON null, else a CompiledPath."""
    if field not in spec:
        return _ABSENT
    text = spec[field]
    if text is None:
        return None
    if not isinstance(text, str):
        raise CompileError(f"{pointer}/{field}", f"The value of '{field}' must be a JSONPath string or null")
    try:
        return compile_reference_path(text) if reference else compile_path(text)
    except ExpressionSyntaxError as error:
        raise CompileError(
            f"{pointer}/{field}", f"The value of '{field}' is not a valid JSONPath: {error.message}"
        ) from None


def compile_optional_template(
    spec: dict[str, Any], field: str, pointer: str, *, any_value: bool = False
) -> CompiledTemplate | None:
    """A payload template; ``any_value`` for the fields AWS accepts as any JSON value (``Parameters``,
    ``ItemSelector``, ``BatchInput``: see docs/validation.md), where an array's objects are templates
    too and a string, number, boolean or null is the value itself. Others must be objects."""
    if field not in spec:
        return None
    value = spec[field]
    if not any_value and not isinstance(value, dict):
        raise CompileError(f"{pointer}/{field}", f"The value of '{field}' must be a JSON object")
    try:
        return compile_template(value)
    except TemplateError as error:
        raise CompileError(f"{pointer}/{field}{error.pointer}", error.message) from None


class CompiledAssign:
    """A JSONPath ``Assign``: a payload template whose top-level keys are variable names."""

    __slots__ = ("template",)

    def __init__(self, template: CompiledTemplate) -> None:
        self.template = template

    @classmethod
    def from_spec(cls, spec: dict[str, Any], pointer: str) -> CompiledAssign | None:
        template = compile_optional_template(spec, "Assign", pointer)
        return cls(template) if template is not None else None

    def evaluate(self, frame: Frame, value: Any) -> dict[str, Any]:
        try:
            assigned: dict[str, Any] = self.template.evaluate(value, frame)
        except (PathNotFoundError, EvaluationError) as error:
            raise _as_states_error(frame, error) from None
        return assigned


def _as_states_error(frame: Frame, error: Exception) -> Exception:
    if isinstance(error, PathNotFoundError):
        return failures.from_path(frame, error)
    if isinstance(error, EvaluationError):
        return failures.from_evaluation(frame, error)
    return error


class JsonPathFlow:
    """The JSONPath processing of one state; fields a state type lacks are simply absent."""

    __slots__ = (
        "assign",
        "input_path",
        "output_path",
        "parameters",
        "passes_input",
        "result_is_output",
        "result_path",
        "result_selector",
    )

    def __init__(self, spec: dict[str, Any], pointer: str, *, parameters_field: str | None = "Parameters") -> None:
        # Each field is looked for here before its compiler is called: most states have two or
        # three of the six, and a call that finds nothing costs as much as a short compilation.
        self.input_path: Any = compile_optional_path(spec, "InputPath", pointer) if "InputPath" in spec else _ABSENT
        self.output_path: Any = compile_optional_path(spec, "OutputPath", pointer) if "OutputPath" in spec else _ABSENT
        self.result_path: Any = (
            compile_optional_path(spec, "ResultPath", pointer, reference=True) if "ResultPath" in spec else _ABSENT
        )
        if isinstance(self.result_path, CompiledPath) and self.result_path.root != "input":
            raise CompileError(f"{pointer}/ResultPath", "ResultPath must refer to the state input ('$...')")
        self.parameters = (
            compile_optional_template(spec, parameters_field, pointer, any_value=True)
            if parameters_field and parameters_field in spec
            else None
        )
        self.result_selector = (
            compile_optional_template(spec, "ResultSelector", pointer) if "ResultSelector" in spec else None
        )
        self.assign = CompiledAssign.from_spec(spec, pointer) if "Assign" in spec else None
        self.passes_input = self.input_path is _ABSENT and self.parameters is None
        self.result_is_output = (
            self.assign is None
            and self.result_selector is None
            and self.result_path is _ABSENT
            and self.output_path is _ABSENT
        )
        """No field after the result: the result is the output (spares the hot path four checks)."""

    def selected_input(self, frame: Frame, raw_input: Any) -> Any:
        path = self.input_path
        if path is _ABSENT:
            return raw_input
        if path is None:
            return {}
        try:
            return path.get(raw_input, frame)
        except PathNotFoundError as error:
            raise failures.from_path(frame, error) from None

    # The hot path: ``effective_input``, ``finish`` and ``place_result`` do each step inline (a call
    # per step would cost every state). ``apply_parameters``, ``select_result`` and
    # ``apply_result_path`` are the same steps one at a time, for callers that watch each stage
    # (TestState's ``InspectingJsonPathFlow``); tests/teststate holds the two ways to the same values.

    def effective_input(self, frame: Frame, raw_input: Any) -> Any:
        selected = raw_input if self.input_path is _ABSENT else self.selected_input(frame, raw_input)
        if self.parameters is None:
            return selected
        try:
            return self.parameters.evaluate(selected, frame)
        except (PathNotFoundError, EvaluationError) as error:
            raise _as_states_error(frame, error) from None

    def finish(self, frame: Frame, raw_input: Any, result: Any) -> tuple[Any, dict[str, Any] | None]:
        if self.result_is_output:
            return result, None
        assigned = self.assign.evaluate(frame, result) if self.assign is not None else None
        if self.result_selector is not None:
            try:
                result = self.result_selector.evaluate(result, frame)
            except (PathNotFoundError, EvaluationError) as error:
                raise _as_states_error(frame, error) from None
        return self.place_result(frame, raw_input, result, self.result_path), assigned

    def place_result(self, frame: Frame, raw_input: Any, result: Any, result_path: Any) -> Any:
        """ResultPath then OutputPath; shared with Catchers, which bring their own ResultPath."""
        if result_path is _ABSENT:
            combined = result
        elif result_path is None:
            combined = raw_input
        else:
            try:
                combined = set_at(raw_input, result_path, result)
            except ResultPathError as error:
                raise failures.runtime_error(frame, f"Invalid path '{error.path}' : {error.detail}") from None
        return self.apply_output_path(frame, combined)

    def apply_parameters(self, frame: Frame, selected: Any) -> Any:
        """Parameters (when the state has them) applied to the input InputPath selected."""
        if self.parameters is None:
            return selected
        try:
            return self.parameters.evaluate(selected, frame)
        except (PathNotFoundError, EvaluationError) as error:
            raise _as_states_error(frame, error) from None

    def select_result(self, frame: Frame, result: Any) -> Any:
        """ResultSelector (when the state has one) applied to the raw result."""
        if self.result_selector is None:
            return result
        try:
            return self.result_selector.evaluate(result, frame)
        except (PathNotFoundError, EvaluationError) as error:
            raise _as_states_error(frame, error) from None

    def apply_result_path(self, frame: Frame, raw_input: Any, result: Any, result_path: Any) -> Any:
        """``result`` placed into the raw input as ``result_path`` says (absent: the result itself)."""
        if result_path is _ABSENT:
            return result
        if result_path is None:
            return raw_input
        try:
            return set_at(raw_input, result_path, result)
        except ResultPathError as error:
            raise failures.runtime_error(frame, f"Invalid path '{error.path}' : {error.detail}") from None

    def apply_output_path(self, frame: Frame, value: Any) -> Any:
        path = self.output_path
        if path is _ABSENT:
            return value
        if path is None:
            return {}
        try:
            return path.get(value, frame)
        except PathNotFoundError as error:
            raise failures.from_path(frame, error) from None


ABSENT = _ABSENT
__all__ = [
    "ABSENT",
    "CompiledAssign",
    "DataFlow",
    "JsonPathCatcherFlow",
    "JsonPathFlow",
    "compile_optional_path",
    "compile_optional_template",
]


class JsonPathCatcherFlow:
    """A JSONPath Catcher: Assign from the error output, then its ResultPath into the raw input.

    The state's own OutputPath is *not* applied on this path (observed on AWS).
    """

    __slots__ = ("assign", "result_path")

    def __init__(self, spec: dict[str, Any], pointer: str) -> None:
        self.result_path = compile_optional_path(spec, "ResultPath", pointer, reference=True)
        self.assign = CompiledAssign.from_spec(spec, pointer)

    def catch_output(
        self, frame: Frame, raw_input: Any, error_output: dict[str, Any]
    ) -> tuple[Any, dict[str, Any] | None]:
        assigned = self.assign.evaluate(frame, error_output) if self.assign is not None else None
        path = self.result_path
        if path is _ABSENT:
            return error_output, assigned
        if path is None:
            return raw_input, assigned
        try:
            return set_at(raw_input, path, error_output), assigned
        except ResultPathError as error:
            raise failures.runtime_error(frame, f"Invalid path '{error.path}' : {error.detail}") from None
