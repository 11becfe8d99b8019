"""Running one state once, as AWS's TestState does: given input, variables and context object, a
mocked or real task result, and every stage of the data flow recorded.

``compile_state_under_test`` compiles the state afresh (see ``inspection``: the state classes and
data flows are the engine's own, with recording subclasses), and ``run_state_once`` runs it in a
one-state execution on a virtual clock:

* a Task state asks its handlers (a mocked response, or the ``resources`` given) exactly as in an
  execution; a Map or Parallel state with a mocked result computes its input stages (InputPath,
  ItemsPath, ItemSelector, MaxConcurrency, the tolerated failures; Parameters or Arguments) and
  takes the mock as the result of its branches or iterations, which do not run;
* the error of the one attempt goes to Retry and Catch as on AWS, without retrying: ``RETRIABLE``
  when a retrier would retry it, ``CAUGHT_ERROR`` (with the catcher's output and ``Next``) when a
  catcher takes it, else ``FAILED``;
* the variables visible after the state (its ``Assign`` applied) and the stages recorded make the
  inspection data, reported per state type and query language as AWS reports them.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from asl_engine.definition.arns import ResourceRef
from asl_engine.definition.diagnostics import Diagnostic
from asl_engine.definition.vocabulary import JSONATA
from asl_engine.errors import ConfigurationError, StatesError, ValidationError
from asl_engine.runtime.clock import Clock, VirtualClock
from asl_engine.runtime.compiler import CompiledMachine, CompiledScope
from asl_engine.runtime.frame import Frame, VariableScope
from asl_engine.runtime.handlers import HandlerSource, TaskHandler, TaskRequest
from asl_engine.runtime.inspection import InspectingCompileContext, Inspection, ProbePolicy
from asl_engine.runtime.json_text import to_json_text
from asl_engine.runtime.limits import payload_size
from asl_engine.runtime.run import ExecutionRun, Identity
from asl_engine.runtime.scheduler import Scheduler
from asl_engine.runtime.starter import ExecutionStarter
from asl_engine.runtime.states.base import CompileError, StateNode, Transition
from asl_engine.runtime.states.fail import FailState
from asl_engine.runtime.states.map_ import MapState
from asl_engine.runtime.states.parallel import ParallelState
from asl_engine.runtime.states.pass_ import PassState
from asl_engine.runtime.states.retrying import run_with_policy
from asl_engine.runtime.states.task import TaskState

SUCCEEDED, FAILED, RETRIABLE, CAUGHT_ERROR = "SUCCEEDED", "FAILED", "RETRIABLE", "CAUGHT_ERROR"

_JSONPATH_STAGES = {
    "Task": ("afterInputPath", "afterParameters", "result", "afterResultSelector", "afterResultPath"),
    "Parallel": ("afterInputPath", "afterParameters", "result", "afterResultSelector", "afterResultPath"),
    "Map": (
        "afterInputPath",
        "afterItemsPath",
        "afterItemSelector",
        "maxConcurrency",
        "toleratedFailureCount",
        "toleratedFailurePercentage",
        "afterResultSelector",
        "afterResultPath",
    ),
}
_JSONATA_STAGES = {
    "Task": ("afterArguments", "result"),
    "Parallel": ("afterArguments", "result"),
    "Map": ("maxConcurrency", "toleratedFailureCount", "toleratedFailurePercentage"),
}
_PASS_WITH_RESULT = ("result", "afterResultSelector", "afterResultPath")
_PASS_WITHOUT_RESULT = ("afterInputPath", "afterParameters", "afterResultSelector", "afterResultPath")
_ALWAYS = ("input", "variables", "errorDetails")


@dataclass(frozen=True, slots=True)
class StateMock:
    """What the state under test gets instead of doing its work: a result, or an error."""

    value: Any = None
    error: StatesError | None = None


@dataclass(slots=True)
class StateUnderTest:
    """One state compiled for a test, with the inspection its data flow records into."""

    node: StateNode
    machine: CompiledMachine
    inspection: Inspection


@dataclass(slots=True)
class SingleStateOutcome:
    status: str
    """SUCCEEDED, FAILED, RETRIABLE or CAUGHT_ERROR."""
    output: Any = None
    has_output: bool = False
    error: str | None = None
    cause: str | None = None
    next_state: str | None = None
    stages: dict[str, Any] = field(default_factory=dict)
    """The inspection data by stage (AWS's names), as AWS reports them for this state."""


def compile_state_under_test(
    name: str, spec: Any, pointer: str, *, query_language: str, machine_type: str
) -> StateUnderTest:
    """Compile one state (its Next need not exist); ``ValidationError`` lists what is wrong with it."""
    inspection = Inspection()
    context = InspectingCompileContext(query_language, machine_type, inspection, pointer)
    try:
        node = context.compile_state(name, spec, pointer)
    except CompileError as problem:
        context.problems.append(problem)
    if context.problems:
        raise ValidationError(
            [Diagnostic(problem.code, problem.message, problem.pointer or "/") for problem in context.problems]
        )
    scope = CompiledScope(name, {name: node}, "")
    machine = CompiledMachine(
        definition={"StartAt": name, "States": {name: spec}},
        top=scope,
        machine_type=machine_type,
        query_language=query_language,
        timeout_seconds=None,
        all_states={name: node},
    )
    return StateUnderTest(node, machine, inspection)


def run_state_once(
    state: StateUnderTest,
    input_value: Any,
    *,
    identity: Identity,
    handlers: Sequence[HandlerSource] = (),
    mock: StateMock | None = None,
    variables: Mapping[str, Any] | None = None,
    context: Mapping[str, Any] | None = None,
    context_state_name: str | None = None,
    execution_context: Mapping[str, Any] | None = None,
    retry_count: int = 0,
    clock: Clock | None = None,
    rng: random.Random | None = None,
    starter: ExecutionStarter | None = None,
) -> SingleStateOutcome:
    """Run ``state`` once on ``input_value``.

    ``context`` is the whole context object (``$$``) when given; otherwise the execution's own is
    used, with ``execution_context`` overriding members of ``$$.Execution`` and ``$$.State.Name``
    reading ``context_state_name`` when given. ``retry_count`` is how many retries the state has
    already had (``$$.State.RetryCount``, and what its retriers have used up).
    """
    node = state.node
    inspection = state.inspection
    clock = clock if clock is not None else VirtualClock()
    sources: list[HandlerSource] = list(handlers)
    if mock is not None and isinstance(node, TaskState):
        sources.insert(0, _MockedTask(node.name, mock))
    run = ExecutionRun(
        state.machine,
        identity,
        input_value,
        clock=clock,
        scheduler=Scheduler(clock, attach=True),
        handlers=sources,
        rng=rng if rng is not None else random.Random(),
        context_overrides={"Execution": dict(execution_context)} if execution_context else None,
        redrivable=False,
        starter=starter,
    )
    if isinstance(node, TaskState) and mock is None and run.find_handler(node.name, node.resource) is None:
        raise ConfigurationError(
            f"No mock or handler answers the Task state '{node.name}' (resource {node.resource.arn}): pass "
            "mock={'Return': ...} or {'Throw': {...}}, or resources= that answer it"
        )
    frame = _TestFrame(run, _scope(run, variables), context, context_state_name)
    frame.state_name = node.name
    frame.entered_time = clock.now()
    frame.retry_count = retry_count if node.retriable else None
    frame.last_output, frame.last_output_text = input_value, to_json_text(input_value)
    # As the first state of an execution: entered at event #2, after ExecutionStarted (AWS quotes the
    # id in States.Runtime causes).
    started = run.history.add("ExecutionStarted", 0, frame.entered_time, {"input": input_value})
    frame.state_cause_id = started
    frame.entered_event_id = frame.last_event_id = run.history.add_state(
        node.entered_type, started, frame.entered_time, node.name, "input", frame.last_output_text
    )
    inspection.record("input", input_value)
    if isinstance(node, FailState) and node.query_language != JSONATA:
        inspection.record("afterInputPath", input_value)
    policy = getattr(node, "policy", None)
    probe = ProbePolicy(policy, inspection, retry_count) if policy is not None else None
    if probe is not None:
        node.policy = probe  # type: ignore[attr-defined]  # the node was compiled for this test alone
    outcome = _run(run, _steps(node, frame, input_value, mock, probe))
    visible = frame.variables.visible()
    if visible:
        inspection.record("variables", visible)
    outcome.stages = _reported(node, inspection.ordered())
    if probe is not None and outcome.status == SUCCEEDED and probe.caught and probe.error is not None:
        outcome.status = CAUGHT_ERROR
        outcome.error, outcome.cause = probe.error.error, probe.error.cause
    elif probe is not None and outcome.status == FAILED and probe.retriable:
        outcome.status = RETRIABLE
    return outcome


def _steps(
    node: StateNode, frame: Frame, input_value: Any, mock: StateMock | None, probe: ProbePolicy | None
) -> Coroutine[Any, Any, Transition]:
    if mock is not None and isinstance(node, MapState | ParallelState) and probe is not None:
        attempt = _mocked_map(node, mock) if isinstance(node, MapState) else _mocked_parallel(node, mock)
        return run_with_policy(node, probe, frame, input_value, attempt)
    if node.blocking:
        return node.run_async(frame, input_value)  # type: ignore[return-value]
    return _sync(node, frame, input_value)


async def _sync(node: StateNode, frame: Frame, input_value: Any) -> Transition:
    return node.run(frame, input_value)


def _run(run: ExecutionRun, steps: Coroutine[Any, Any, Transition]) -> SingleStateOutcome:
    async def guarded() -> SingleStateOutcome:
        try:
            output, next_state = await steps
        except StatesError as error:
            return SingleStateOutcome(FAILED, error=error.error, cause=error.cause)
        return SingleStateOutcome(SUCCEEDED, output, True, next_state=next_state)

    task = run.scheduler.spawn(guarded(), "test-state")
    with run.clock.awaiting_result():
        run.scheduler.run_until(task.done_future)
    return task.done_future.result()


def _mocked_map(node: MapState, mock: StateMock) -> Callable[[Frame, Any], Coroutine[Any, Any, Any]]:
    async def attempt(frame: Frame, raw_input: Any) -> Any:
        inspection = _inspection_of(node)
        selected = node.flow.selected_input(frame, raw_input)
        if node.data.reader is None:
            items = node.items(frame, raw_input, selected)
            if node.query_language != JSONATA:
                inspection.record("afterItemsPath", items)
            if node.item_selector is not None:
                inspection.record(
                    "afterItemSelector",
                    [node.iteration_input(frame, raw_input, selected, index, item) for index, item in enumerate(items)],
                )
        inspection.record("maxConcurrency", node.max_concurrency(frame, raw_input, selected) or 0)
        count, percentage = node.tolerance(frame, raw_input, selected)
        if count is not None:
            inspection.record("toleratedFailureCount", count)
        if percentage is not None:
            inspection.record("toleratedFailurePercentage", float(percentage))
        return _mocked(mock)

    return attempt


def _mocked_parallel(node: ParallelState, mock: StateMock) -> Callable[[Frame, Any], Coroutine[Any, Any, Any]]:
    async def attempt(frame: Frame, raw_input: Any) -> Any:
        node.flow.effective_input(frame, raw_input)
        return _mocked(mock)

    return attempt


def _mocked(mock: StateMock) -> Any:
    if mock.error is not None:
        raise mock.error
    return mock.value


def _inspection_of(node: StateNode) -> Inspection:
    inspection: Inspection = node.flow.inspection  # type: ignore[attr-defined]
    return inspection


def _reported(node: StateNode, stages: dict[str, Any]) -> dict[str, Any]:
    """The stages AWS reports for this state type and query language (observed on AWS)."""
    kind = node.state_type
    if node.query_language == JSONATA:
        shown = _JSONATA_STAGES.get(kind, ())
    elif isinstance(node, PassState):
        shown = _PASS_WITH_RESULT if node.has_result else _PASS_WITHOUT_RESULT
    else:
        shown = _JSONPATH_STAGES.get(kind, ("afterInputPath",))
    allowed = set(shown) | set(_ALWAYS)
    return {stage: value for stage, value in stages.items() if stage in allowed}


def _scope(run: ExecutionRun, variables: Mapping[str, Any] | None) -> VariableScope:
    scope = VariableScope(values=dict(variables or {}))
    scope.sizes = {name: payload_size(value) for name, value in scope.values.items()}
    run.variable_bytes = scope.stored_bytes
    return scope


class _TestFrame(Frame):
    """The frame of the state under test: its context object is the one the test gives, if any."""

    __slots__ = ("given_context", "state_name_shown")

    def __init__(
        self,
        run: ExecutionRun,
        variables: VariableScope,
        given_context: Mapping[str, Any] | None,
        state_name_shown: str | None,
    ) -> None:
        super().__init__(run, variables, 0)
        self.given_context = dict(given_context) if given_context is not None else None
        self.state_name_shown = state_name_shown

    def context_at(
        self,
        entered_time: float,
        state_name: str,
        retry_count: int | None,
        task_token: str | None,
        map_item: dict[str, Any] | None,
    ) -> dict[str, Any]:
        if self.given_context is not None:
            return self.given_context
        context = super().context_at(entered_time, state_name, retry_count, task_token, map_item)
        if self.state_name_shown is not None:
            context["State"]["Name"] = self.state_name_shown
        return context


class _MockedTask:
    """Answers the Task state under test with its mocked response (a result or an error)."""

    __slots__ = ("mock", "state_name")

    mocks_task_states = True
    completes_callback = True
    """A mocked response is the task's final result, even for ``.waitForTaskToken`` and ``.sync``."""

    def __init__(self, state_name: str, mock: StateMock) -> None:
        self.state_name = state_name
        self.mock = mock

    def handler_for(self, state_name: str, resource: ResourceRef) -> TaskHandler | None:
        return self if state_name == self.state_name else None

    def __call__(self, request: TaskRequest) -> Any:
        return _mocked(self.mock)
