"""Pass: passes its input (or a fixed ``Result``) to its output, transforming it on the way."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from asl_engine.language.errors import EvaluationError, PathNotFoundError
from asl_engine.language.jsonpath import CompiledPath
from asl_engine.language.template import compile_template
from asl_engine.runtime.dataflow import ABSENT, JsonPathFlow
from asl_engine.runtime.json_text import object_text_writer, shaped_text_writer
from asl_engine.runtime.states.base import StateNode, Transition, evaluation_guard
from asl_engine.runtime.text_bounds import SAME, chained, path_bound, template_bound

if TYPE_CHECKING:
    from asl_engine.language.template import CompiledTemplate
    from asl_engine.runtime.compiler import CompileContext
    from asl_engine.runtime.frame import Frame


class PassState(StateNode):
    state_type = "Pass"
    specialise: ClassVar[bool] = True
    """Compile the plain JSONPath Pass to its one step (``tests/runtime/test_state_fast_paths.py``
    turns this off to compare whole histories with the general path)."""

    __slots__ = ("has_result", "plain", "plain_output_path", "plain_parameters", "result")

    def __init__(self, name: str, spec: dict[str, Any], pointer: str, context: CompileContext) -> None:
        super().__init__(name, spec, pointer, context)
        self.has_result = "Result" in spec
        self.result = spec.get("Result")
        flow = self.flow
        # The common Pass (W1-W3): JSONPath, no InputPath, no Result, nothing after the effective
        # input but an OutputPath (no ResultPath, ResultSelector or Assign): its output is its
        # Parameters applied to its input (or its input), then its OutputPath. ``run`` then skips the
        # data flow's generic steps.
        self.plain = (
            self.specialise
            and type(flow) is JsonPathFlow  # not a subclass watching each step (TestState)
            and not self.has_result
            and flow.input_path is ABSENT
            and flow.assign is None
            and flow.result_selector is None
            and flow.result_path is ABSENT
        )
        self.plain_parameters: CompiledTemplate | None = flow.parameters if self.plain else None  # type: ignore[attr-defined]
        self.plain_output_path: Any = flow.output_path if self.plain else ABSENT  # type: ignore[attr-defined]
        if self.plain:
            self.plain_output = _one_step(self.plain_parameters, self.plain_output_path)
            writer = _writer_for(self.plain_parameters) if self.plain_output_path is ABSENT else None
            if writer is not None:
                self.plain_text = writer
            self.plain_size = chained(
                SAME if self.plain_parameters is None else template_bound(self.plain_parameters.source),
                SAME if self.plain_output_path is ABSENT else path_bound(self.plain_output_path),
            )
        elif self.specialise and type(flow) is JsonPathFlow and flow.assign is None:
            # No variables to assign: ``run_plain_states`` exits it. A result placed at ``$.field``
            # of the input, and nothing else (W1's Pass), is one copy of the input with one key set.
            self.plain_output = self._placed_step(flow) or self.output_of

    def run(self, frame: Frame, raw_input: Any) -> Transition:
        if self.plain:
            parameters = self.plain_parameters
            if parameters is None:
                output = raw_input
            else:
                try:
                    output = parameters.evaluate(raw_input, frame)
                except (PathNotFoundError, EvaluationError) as error:
                    raise evaluation_guard(frame, error) from None
            if self.plain_output_path is not ABSENT:
                output = self.flow.apply_output_path(frame, output)  # type: ignore[attr-defined]
            self.exit(frame, output, None)
            return output, self.next_state
        flow = self.flow
        result = self.result if self.has_result else flow.effective_input(frame, raw_input)
        output, assigned = flow.finish(frame, raw_input, result)
        self.exit(frame, output, assigned)
        return output, self.next_state

    def _placed_step(self, flow: JsonPathFlow) -> Callable[[Any, Frame], Any] | None:
        """``output_of`` for a Pass whose only fields after its result are a ``ResultPath`` of one
        input field (no InputPath, ResultSelector or OutputPath): ``set_at``'s copy of an object
        with that key set, written out; any other input goes to ``output_of`` (which fails it the
        data flow's way, after the Parameters). None for every other Pass."""
        result_path = flow.result_path
        if (
            flow.input_path is not ABSENT
            or flow.result_selector is not None
            or flow.output_path is not ABSENT
            or not isinstance(result_path, CompiledPath)
        ):
            return None
        key = result_path.top_field
        if key is None:
            return None
        general = self.output_of
        if self.has_result:
            result = self.result

            def place_result(value: Any, frame: Frame) -> Any:
                if type(value) is not dict:
                    return general(value, frame)
                output = value.copy()
                output[key] = result
                return output

            return place_result
        if flow.parameters is None:

            def place_input(value: Any, frame: Frame) -> Any:
                if type(value) is not dict:
                    return general(value, frame)
                output = value.copy()
                output[key] = value
                return output

            return place_input
        build = flow.parameters.evaluate

        def place_parameters(value: Any, frame: Frame) -> Any:
            if type(value) is not dict:
                return general(value, frame)
            output = value.copy()
            output[key] = build(value, frame)
            return output

        return place_parameters

    def output_of(self, raw_input: Any, frame: Frame) -> Any:
        """The output of a JSONPath Pass without Assign: ``run`` up to ``exit`` (``plain_output``)."""
        flow: JsonPathFlow = self.flow  # type: ignore[assignment]
        result = self.result if self.has_result else flow.effective_input(frame, raw_input)
        return flow.finish(frame, raw_input, result)[0]


def _one_step(parameters: CompiledTemplate | None, output_path: Any) -> Callable[[Any, Frame], Any]:
    """A plain Pass as one call, ``(input, frame) -> output``: its Parameters, then its OutputPath
    (``run_states`` calls it and maps what it raises with ``evaluation_guard``, as ``run`` does)."""
    build = parameters.evaluate if parameters is not None else None
    if output_path is ABSENT:
        return build if build is not None else _same
    read: Callable[[Any, Frame], Any] = _nothing if output_path is None else output_path.get
    if build is None:
        return read
    return lambda value, frame: read(build(value, frame), frame)


def _writer_for(parameters: CompiledTemplate | None) -> Callable[[dict[str, Any]], str] | None:
    """The text writer of the objects a Parameters template builds (their keys are the template's, in
    its order): ``object_text_writer`` for one or two fields that all change, ``shaped_text_writer``
    for constant fields around one or two that change."""
    if parameters is None or type(parameters.source) is not dict:
        return None
    members = [
        (key[:-2], False, None)
        if key.endswith(".$") and len(key) > 2
        else (key, compile_template(value).constant, value)
        for key, value in parameters.source.items()
    ]
    if not any(constant for _, constant, _ in members):
        return object_text_writer([key for key, _, _ in members])
    return shaped_text_writer(members)


def _same(value: Any, frame: Frame) -> Any:
    return value


def _nothing(value: Any, frame: Frame) -> Any:
    return {}  # ``OutputPath: null``
