"""Map: runs its item processor once per item; the result is the list of outputs, in item order.

Inline mode records every iteration in the execution's history (``MapIteration*`` events) and runs
at most 40 iterations at once, as AWS does. Distributed mode runs each item as a child execution
with a history of its own; the parent shows ``MapRun*`` events, and failures up to the tolerated
threshold do not fail the state. Only a Distributed Map reads its items from S3 (``ItemReader``),
batches them (``ItemBatcher``) and exports its results (``ResultWriter``): see ``distributed_map``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from asl_engine.language.errors import PathNotFoundError
from asl_engine.language.template import to_json
from asl_engine.runtime import failures
from asl_engine.runtime.dataflow import compile_optional_path
from asl_engine.runtime.failures import EvaluationFailure
from asl_engine.runtime.map_data import MapDataFeatures, compile_map_data
from asl_engine.runtime.map_data.fields import template_source
from asl_engine.runtime.path_numbers import integer_value, number_value, shown
from asl_engine.runtime.retry import RetryPolicy, compile_catchers, compile_retriers
from asl_engine.runtime.states.base import CompileError, StateNode, Transition
from asl_engine.runtime.states.distributed_map import run_distributed
from asl_engine.runtime.states.inline_map import InlineIterations, UnrecordedStep, unrecorded_steps
from asl_engine.runtime.states.retrying import StateFailure, run_with_policy

if TYPE_CHECKING:
    from asl_engine.runtime.compiler import CompileContext, CompiledScope
    from asl_engine.runtime.frame import Frame

ValueSource = Callable[["Frame", Any, Any], Any]
"""(frame, raw input, selected input) -> a value computed at run time."""


class MapState(StateNode):
    state_type = "Map"
    share_variables: ClassVar[bool] = True
    """Let iterations that never assign read the Map's variable scope directly (tests turn it off)."""
    aborted_type = "MapStateAborted"
    blocking = True
    retriable = True
    __slots__ = (
        "data",
        "distributed",
        "item_selector",
        "items",
        "iterations_never_block",
        "iterations_share_variables",
        "label",
        "max_concurrency",
        "policy",
        "processor",
        "tolerated_count",
        "tolerated_percentage",
        "unrecorded_steps",
    )

    def __init__(self, name: str, spec: dict[str, Any], pointer: str, context: CompileContext) -> None:
        super().__init__(name, spec, pointer, context)
        processor_field = "ItemProcessor" if "ItemProcessor" in spec else "Iterator"
        processor = spec.get(processor_field)
        if not isinstance(processor, dict):
            raise CompileError(pointer, "A Map state needs an 'ItemProcessor' (or the legacy 'Iterator')")
        config = processor.get("ProcessorConfig") or {}
        self.distributed = config.get("Mode") == "DISTRIBUTED"
        self.processor: CompiledScope = context.compile_scope(processor, f"{pointer}/{processor_field}")
        self.iterations_never_block = self.processor.never_blocks
        self.unrecorded_steps: dict[str, UnrecordedStep] = unrecorded_steps(self.processor)
        """The processor's plain states as ``InlineIterations.run_unrecorded`` reads them, by name."""
        self.iterations_share_variables = self.share_variables and not assigns_variables(processor)
        """No state of the processor assigns a variable: an iteration's variable scope would stay empty,
        so its frame reads the Map's scope itself instead of an empty one in front of it (no
        ``VariableScope`` per item; ``run_child_scope`` releases only a scope the frame owns)."""
        self.label: str | None = spec.get("Label")
        ql = self.query_language
        self.items: ValueSource = context.map_items_source(spec, pointer, ql)
        self.item_selector: Callable[[Frame, Any, Any], Any] | None = context.item_selector(spec, pointer, ql)
        self.max_concurrency: ValueSource = context.integer_source(spec, "MaxConcurrency", pointer, ql, minimum=0)
        self.tolerated_count: ValueSource = context.integer_source(spec, "ToleratedFailureCount", pointer, ql)
        self.tolerated_percentage: ValueSource = context.number_source(spec, "ToleratedFailurePercentage", pointer, ql)
        self.data: MapDataFeatures = compile_map_data(spec, pointer, ql, distributed=self.distributed)
        self.policy = RetryPolicy(
            compile_retriers(spec.get("Retry"), f"{pointer}/Retry"),
            compile_catchers(spec.get("Catch"), f"{pointer}/Catch", context, self.flow, ql),
        )

    async def run_async(self, frame: Frame, raw_input: Any) -> Transition:
        return await run_with_policy(self, self.policy, frame, raw_input, self._attempt)

    async def _attempt(self, frame: Frame, raw_input: Any) -> Any:
        try:
            selected = self.flow.selected_input(frame, raw_input)
            if self.distributed:
                return await run_distributed(self, frame, raw_input, selected)
            items = self.items(frame, raw_input, selected)
            max_concurrency = self.max_concurrency(frame, raw_input, selected) or 0
            started = frame.record("MapStateStarted", {"length": len(items)})
            self.tolerance(frame, raw_input, selected)
            if self.item_selector is None:
                inputs = list(items)  # each item is its iteration's input (``iteration_input``)
            else:
                inputs = [
                    self.iteration_input(frame, raw_input, selected, index, item) for index, item in enumerate(items)
                ]
        except EvaluationFailure as error:  # recorded EvaluationFailed: MapStateFailed follows (if final)
            raise StateFailure(error, frame.last_event_id) from None
        return await InlineIterations(self, frame, inputs).run(max_concurrency, started)

    def tolerance(self, frame: Frame, raw_input: Any, selected: Any) -> tuple[int | None, float | None]:
        """``ToleratedFailureCount`` and ``ToleratedFailurePercentage``, checked as AWS checks them."""
        tolerated_count = self.tolerated_count(frame, raw_input, selected)
        if tolerated_count is not None and tolerated_count < 0:
            raise failures.runtime_error(frame, "ToleratedFailureCount cannot be negative.")
        tolerated_percentage = self.tolerated_percentage(frame, raw_input, selected)
        if tolerated_percentage is not None and not 0 <= tolerated_percentage <= 100:
            raise failures.runtime_error(frame, "ToleratedFailurePercentage must be between 0 and 100.")
        return tolerated_count, tolerated_percentage

    def iteration_input(
        self, frame: Frame, raw_input: Any, selected: Any, index: int, item: Any, source: str | None = None
    ) -> Any:
        """One item through the ItemSelector, which alone sees ``$$.Map.Item`` (with ``Source`` in a
        Distributed Map: ``STATE_DATA`` or the S3 URI the item was read from)."""
        if self.item_selector is None:
            return item
        frame.map_item = (
            {"Index": index, "Value": item} if source is None else {"Index": index, "Value": item, "Source": source}
        )
        try:
            return self.item_selector(frame, raw_input, selected)
        finally:
            frame.map_item = None


def assigns_variables(scope: dict[str, Any]) -> bool:
    """Whether any state of a ``States`` block may assign a variable in that block's scope: an
    ``Assign`` key anywhere in a state (on the state, a Choice rule, a Catcher; a data key of that
    name counts too, erring on the safe side), not inside the nested blocks, which have scopes of
    their own."""
    states = scope.get("States")
    if not isinstance(states, dict):
        return True
    return any(_has_assign(state, nested_blocks=True) for state in states.values())


def _has_assign(node: Any, nested_blocks: bool = False) -> bool:
    if isinstance(node, dict):
        for key, member in node.items():
            if key == "Assign":
                return True
            if nested_blocks and key in ("ItemProcessor", "Iterator", "Branches"):
                continue
            if _has_assign(member):
                return True
        return False
    if isinstance(node, list):
        return any(_has_assign(member) for member in node)
    return False


# -- JSONPath sources for Map fields --------------------------------------------------------------------


def jsonpath_items_source(spec: dict[str, Any], pointer: str) -> ValueSource:
    path = compile_optional_path(spec, "ItemsPath", pointer, reference=True)

    def items(frame: Frame, raw_input: Any, selected: Any) -> list[Any]:
        if path is None or not hasattr(path, "get"):
            value = selected
        else:
            try:
                value = path.get(selected, frame)
            except PathNotFoundError as error:
                raise failures.from_path(frame, error) from None
        if not isinstance(value, list):
            where = path.text if hasattr(path, "text") else "$"
            raise failures.runtime_error(
                frame, f"Invalid path '{where}': The Map state's items must be a JSON array, but was: {to_json(value)}"
            )
        return value

    return items


def jsonpath_item_selector(spec: dict[str, Any], pointer: str) -> Callable[[Frame, Any, Any], Any] | None:
    return template_source(spec, "ItemSelector" if "ItemSelector" in spec else "Parameters", pointer, any_value=True)


def jsonpath_number_source(
    spec: dict[str, Any], field: str, pointer: str, *, integer: bool, minimum: float | None = None
) -> ValueSource:
    """``Field`` (a literal) or ``FieldPath`` (read from the selected input), else None."""
    if field in spec:
        value = spec[field]
        if isinstance(value, bool) or not isinstance(value, int | float) or (integer and not isinstance(value, int)):
            raise CompileError(f"{pointer}/{field}", f"'{field}' must be {'an integer' if integer else 'a number'}")
        if minimum is not None and value < minimum:
            raise CompileError(f"{pointer}/{field}", f"'{field}' must be at least {minimum}")
        return lambda frame, raw, selected: value
    path_field = f"{field}Path"
    if path_field not in spec:
        return lambda frame, raw, selected: None
    path = compile_optional_path(spec, path_field, pointer, reference=True)
    kind = "integer" if integer else "float"

    def from_path(frame: Frame, raw: Any, selected: Any) -> Any:
        try:
            value = path.get(selected, frame)
        except PathNotFoundError as error:
            raise failures.from_path(frame, error) from None
        number = integer_value(value) if integer else number_value(value)
        if number is None:
            raise failures.runtime_error(
                frame,
                f'The {path_field} field refers to value "{shown(value)}" which is not a valid {kind}: {path.text}',
            )
        return number

    return from_path
