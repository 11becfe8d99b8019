"""Definition -> compiled machine: every path, template, rule and expression parsed exactly once.

The compiler knows, for each field, which language it is written in; it is therefore also where
expression syntax is checked (the validator calls ``compile_machine`` for that). Problems are
collected per state so one run reports them all, each with the JSON pointer of the field at fault.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from asl_engine.definition.diagnostics import Diagnostic
from asl_engine.definition.vocabulary import JSONATA, JSONPATH, STATE_TYPES, TYPE_VALUES_MESSAGE
from asl_engine.errors import ValidationError
from asl_engine.runtime import jsonata_flow
from asl_engine.runtime.choice_rules import ChoiceBranch, JsonPathChoiceBranch
from asl_engine.runtime.dataflow import DataFlow, JsonPathCatcherFlow, JsonPathFlow
from asl_engine.runtime.retry import CatcherFlow
from asl_engine.runtime.states.base import CompileError, StateNode
from asl_engine.runtime.states.choice import ChoiceState
from asl_engine.runtime.states.fail import FailState
from asl_engine.runtime.states.map_ import (
    MapState,
    ValueSource,
    jsonpath_item_selector,
    jsonpath_items_source,
    jsonpath_number_source,
)
from asl_engine.runtime.states.parallel import ParallelState
from asl_engine.runtime.states.pass_ import PassState
from asl_engine.runtime.states.succeed import SucceedState
from asl_engine.runtime.states.task import SecondsSource, TaskState, jsonpath_seconds_source
from asl_engine.runtime.states.wait import WaitState, WaitUntil, jsonpath_wait_source

_NODES_BY_TYPE: dict[str, type[StateNode]] = {
    node.state_type: node
    for node in (PassState, TaskState, ChoiceState, WaitState, SucceedState, FailState, ParallelState, MapState)
}
STATE_NODES: dict[str, type[StateNode]] = {state_type: _NODES_BY_TYPE[state_type] for state_type in STATE_TYPES}
"""The class compiling each state ``Type`` of ``definition.vocabulary.STATE_TYPES`` (one for each)."""

# States whose JSONPath ``Parameters`` is the effective input (Map's Parameters selects items instead).
_PARAMETERS_AS_INPUT = frozenset({"Pass", "Task", "Parallel"})
# JSONata: states with ``Arguments``, and states whose ``Output`` defaults to (and sees) the result.
_ARGUMENTS_STATES = frozenset({"Task", "Parallel"})
_RESULT_STATES = frozenset({"Task", "Parallel", "Map"})


PlainStep = tuple[
    "Callable[[Any, Any], Any] | None",
    "Callable[[Any, Any], tuple[str, Any]] | None",
    "Callable[[Any], str]",
    "str | None",
    str,
    str,
]
"""A plain state as the direct iteration loop reads it: (``plain_output``, ``plain_choice``,
``plain_text``, ``next_state``, ``entered_type``, ``exited_type``)."""


@dataclass(slots=True)
class CompiledScope:
    """One ``States`` block: the top level, a Parallel branch or a Map item processor."""

    start_at: str
    states: dict[str, StateNode]
    pointer: str
    plain_steps: dict[str, PlainStep] = field(init=False)
    """The plain states (``StateNode.plain_output`` or ``plain_choice``) by name, as what the direct
    iteration loop (``InlineIterations.run_directly``) reads of each, in one lookup."""

    def __post_init__(self) -> None:
        self.plain_steps = {
            name: (
                node.plain_output,
                node.plain_choice,
                node.plain_text,
                node.next_state,
                node.entered_type,
                node.exited_type,
            )
            for name, node in self.states.items()
            if node.plain_output is not None or node.plain_choice is not None
        }

    @property
    def never_blocks(self) -> bool:
        """No state here ever suspends (only Pass, Choice, Succeed, Fail): the scope runs to its end
        in one step, so a Map can run such iterations without a scheduler task each."""
        return not any(node.blocking for node in self.states.values())


@dataclass(slots=True)
class CompiledMachine:
    definition: dict[str, Any]
    top: CompiledScope
    machine_type: str
    query_language: str
    timeout_seconds: float | None
    all_states: dict[str, StateNode] = field(default_factory=dict)
    """Every state in the machine by name (names are unique machine-wide)."""


class CompileContext:
    """Compilation settings and the per-language factories the state classes call back into."""

    def __init__(self, query_language: str, machine_type: str) -> None:
        self.query_language = query_language
        self.machine_type = machine_type
        self.problems: list[CompileError] = []
        self.all_states: dict[str, StateNode] = {}

    # -- structure -----------------------------------------------------------------------------------

    def compile_scope(self, spec: Any, pointer: str) -> CompiledScope:
        if not isinstance(spec, dict):
            raise CompileError(pointer, "Expected an object with 'StartAt' and 'States'")
        states_spec = spec.get("States")
        start_at = spec.get("StartAt")
        if not isinstance(states_spec, dict):
            raise CompileError(pointer, "These fields are required: [States]")
        if not isinstance(start_at, str):
            raise CompileError(pointer, "These fields are required: [StartAt]")
        states: dict[str, StateNode] = {}
        prefix = f"{pointer}/States/"
        for name, state_spec in states_spec.items():
            state_pointer = prefix + (_escape(name) if "~" in name or "/" in name else name)
            try:
                node = self.compile_state(name, state_spec, state_pointer)
            except CompileError as problem:
                self.problems.append(problem)
                continue
            states[name] = node
            self.all_states[name] = node
        scope = CompiledScope(start_at, states, pointer)
        self._check_transitions(scope, states_spec)
        return scope

    def compile_state(self, name: str, spec: Any, pointer: str) -> StateNode:
        if not isinstance(spec, dict):
            raise CompileError(pointer, "A state must be a JSON object")
        state_type = spec.get("Type")
        cls = STATE_NODES.get(state_type)  # type: ignore[arg-type]
        if cls is None:
            raise CompileError(f"{pointer}/Type", TYPE_VALUES_MESSAGE)
        return cls(name, spec, pointer, self)

    def _check_transitions(self, scope: CompiledScope, states_spec: dict[str, Any]) -> None:
        """Every transition must land in the same scope: the interpreter relies on it."""
        names = states_spec.keys()
        if scope.start_at not in names:
            self.problems.append(
                CompileError(
                    f"{scope.pointer}/StartAt",
                    'The value of "StartAt" property must be the name of an existing state.',
                )
            )
        for node in scope.states.values():
            # Where each target is written (after the state's pointer), made only for a missing one.
            targets: list[tuple[str, str]] = []
            if node.next_state is not None:
                targets.append(("/Next", node.next_state))
            if isinstance(node, ChoiceState):
                targets.extend((f"/Choices/{i}/Next", b.next_state) for i, b in enumerate(node.branches))
                if node.default is not None:
                    targets.append(("/Default", node.default))
            policy = getattr(node, "policy", None)
            if policy is not None:
                targets.extend((f"/Catch/{i}/Next", c.next_state) for i, c in enumerate(policy.catchers))
            for where, target in targets:
                if target not in names:
                    self.problems.append(CompileError(node.pointer + where, f"Missing 'Next' target: {target}"))

    # -- per-language pieces -------------------------------------------------------------------------

    def query_language_of(self, spec: dict[str, Any]) -> str:
        return spec.get("QueryLanguage") or self.query_language

    def dataflow_for(self, node: StateNode, spec: dict[str, Any]) -> DataFlow:
        if node.query_language == JSONATA:
            return jsonata_flow.JsonataFlow(
                spec,
                node.pointer,
                has_arguments=node.state_type in _ARGUMENTS_STATES,
                uses_result=node.state_type in _RESULT_STATES,
            )
        parameters = "Parameters" if node.state_type in _PARAMETERS_AS_INPUT else None
        return JsonPathFlow(spec, node.pointer, parameters_field=parameters)

    def catcher_flow(self, spec: dict[str, Any], pointer: str, query_language: str) -> CatcherFlow:
        if query_language == JSONATA:
            return jsonata_flow.JsonataCatcherFlow(spec, pointer)  # type: ignore[return-value]
        return JsonPathCatcherFlow(spec, pointer)  # type: ignore[return-value]

    def choice_branch(self, rule: Any, pointer: str, query_language: str) -> ChoiceBranch:
        if query_language == JSONATA:
            index = pointer.rsplit("/", 1)[-1]
            return jsonata_flow.JsonataChoiceBranch(rule, pointer, f"Choices[{index}]")
        return JsonPathChoiceBranch(rule, pointer)

    def wait_source(self, spec: dict[str, Any], pointer: str, query_language: str) -> WaitUntil:
        if query_language == JSONATA:
            return jsonata_flow.wait_source(spec, pointer)
        return jsonpath_wait_source(spec, pointer)

    def seconds_source(self, spec: dict[str, Any], field: str, pointer: str, query_language: str) -> SecondsSource:
        if query_language == JSONATA:
            return jsonata_flow.number_source(spec, field, pointer, integer=True, positive=True)
        return jsonpath_seconds_source(spec, field, pointer)

    def text_source(
        self, spec: dict[str, Any], field: str, pointer: str, query_language: str = JSONPATH
    ) -> Callable[[Any, Any], str | None] | None:
        """A Fail state's ``Error``/``Cause``: a literal string (or, in JSONata, an expression)."""
        if query_language == JSONATA:
            return jsonata_flow.text_source(spec, field, pointer)
        if field not in spec:
            return None
        value = spec[field]
        if not isinstance(value, str):
            raise CompileError(f"{pointer}/{field}", f"'{field}' must be a string")
        return lambda frame, raw: value

    def map_items_source(self, spec: dict[str, Any], pointer: str, query_language: str) -> ValueSource:
        if query_language == JSONATA:
            return jsonata_flow.items_source(spec, pointer)
        return jsonpath_items_source(spec, pointer)

    def item_selector(self, spec: dict[str, Any], pointer: str, query_language: str) -> Callable[..., Any] | None:
        if query_language == JSONATA:
            return jsonata_flow.item_selector(spec, pointer)
        return jsonpath_item_selector(spec, pointer)

    def integer_source(
        self, spec: dict[str, Any], field: str, pointer: str, query_language: str, minimum: float | None = None
    ) -> ValueSource:
        if query_language == JSONATA:
            return jsonata_flow.number_source(spec, field, pointer, integer=True, minimum=-(2**63))
        return jsonpath_number_source(spec, field, pointer, integer=True, minimum=minimum)

    def number_source(self, spec: dict[str, Any], field: str, pointer: str, query_language: str) -> ValueSource:
        if query_language == JSONATA:
            return jsonata_flow.number_source(spec, field, pointer, integer=False, minimum=-(2**63))
        return jsonpath_number_source(spec, field, pointer, integer=False)


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def compile_machine(document: dict[str, Any], *, machine_type: str = "STANDARD") -> CompiledMachine:
    """Compile a definition; raise ``ValidationError`` listing every problem found."""
    if not isinstance(document, dict):
        raise ValidationError([Diagnostic("SCHEMA_VALIDATION_FAILED", "Definition must be a valid JSON object", None)])
    query_language = document.get("QueryLanguage") or JSONPATH
    context = CompileContext(query_language, machine_type)
    try:
        top = context.compile_scope(document, "")
    except CompileError as problem:
        context.problems.append(problem)
        top = None
    if context.problems or top is None:
        raise ValidationError(
            [Diagnostic(problem.code, problem.message, problem.pointer or "/") for problem in context.problems]
        )
    timeout = document.get("TimeoutSeconds")
    return CompiledMachine(
        definition=document,
        top=top,
        machine_type=machine_type,
        query_language=query_language,
        timeout_seconds=float(timeout) if isinstance(timeout, int | float) and not isinstance(timeout, bool) else None,
        all_states=context.all_states,
    )
