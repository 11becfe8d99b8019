"""An execution alone on a clock of its own runs without the clock's coordination; the history must
not show it (``Scheduler.run_alone``, issue 20).

``StateMachine.execute`` without ``clock=`` makes a fresh ``VirtualClock`` nobody else holds, and
skips to each timer itself instead of registering with the clock. Each machine here runs both ways
from the same start time: without ``clock=`` (the lone path, its clock made at ``START``) and with
``clock=VirtualClock(START)`` (the general path: a caller's clock is always coordinated). Status,
output, error, cause and the whole history must be identical; the lone path must also really have
been taken (its clock never had a driver registered) wherever nothing required the general one.
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import asl_engine.machine
from asl_engine import StateMachine, VirtualClock
from asl_engine.runtime.safety import CHECK_EVERY
from asl_engine.runtime.scheduler import Scheduler
from benchmarks.generate import w5_retry_wait
from tests import recorded

START = datetime(2025, 1, 1, tzinfo=UTC)


class _LoneClock(VirtualClock):
    """The clock ``execute`` makes for itself, at ``START``, counting the drivers that register."""

    made: list[_LoneClock] = []

    def __init__(self) -> None:
        super().__init__(START)
        self.subscriptions = 0
        _LoneClock.made.append(self)

    def _subscribe(self, key: int, condition: Any) -> None:
        self.subscriptions += 1
        super()._subscribe(key, condition)


@pytest.fixture
def lone_clock(monkeypatch: pytest.MonkeyPatch) -> type[_LoneClock]:
    monkeypatch.setattr(asl_engine.machine, "VirtualClock", _LoneClock)
    _LoneClock.made = []
    return _LoneClock


class _TaskCount:
    """Counts the execution tasks the scheduler makes (``spawn`` or ``adopt`` of the main coroutine):
    none while ``Scheduler.drive_alone`` runs an execution by itself to its end."""

    made = 0

    def __enter__(self) -> _TaskCount:
        self._patch = pytest.MonkeyPatch()
        spawn, adopt = Scheduler.spawn, Scheduler.adopt

        def counting_spawn(scheduler: Scheduler, coro: Any, name: str = "task") -> Any:
            _TaskCount.made += name == "execution"
            return spawn(scheduler, coro, name)

        def counting_adopt(scheduler: Scheduler, coro: Any, request: Any, name: str = "task") -> Any:
            _TaskCount.made += name == "execution"
            return adopt(scheduler, coro, request, name)

        self._patch.setattr(Scheduler, "spawn", counting_spawn)
        self._patch.setattr(Scheduler, "adopt", counting_adopt)
        _TaskCount.made = 0
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._patch.undo()


def run_both(machine: StateMachine, value: Any, **options: Any) -> tuple[Any, Any, bool]:
    """(lone-path view, general-path view, whether the lone path ran without registering)."""
    lone_view, general_view, alone, _ = run_both_counting(machine, value, **options)
    return lone_view, general_view, alone


def run_both_counting(machine: StateMachine, value: Any, **options: Any) -> tuple[Any, Any, bool, bool]:
    """``run_both``, and whether the lone execution ran without a task (``drive_alone`` to its end)."""
    _LoneClock.made = []
    with _TaskCount():
        lone = machine.execute(value, name="e", seed=7, **options)
        taskless = _TaskCount.made == 0
    general = machine.execute(value, name="e", seed=7, clock=VirtualClock(START), **options)
    clocks = _LoneClock.made
    assert len(clocks) == 1
    return _view(lone), _view(general), clocks[0].subscriptions == 0, taskless


def _view(execution: Any) -> tuple[Any, ...]:
    return (execution.status, execution.output, execution.error, execution.cause, execution.history)


SELF_CONTAINED = recorded.case_files("self_contained")


@pytest.mark.parametrize(
    "case_file", recorded.parameters("self_contained", SELF_CONTAINED), ids=lambda p: getattr(p, "stem", p)
)
def test_recorded_cases_give_the_same_history_both_ways(case_file: Path | None, lone_clock: type[_LoneClock]) -> None:
    if case_file is None:
        recorded.require("self_contained")
        return  # pragma: no cover - require skips (or fails in CI)
    loaded = recorded.self_contained_run(case_file)
    if loaded is None:
        return
    machine, value, start_mode = loaded
    lone, general, alone = run_both(machine, value, start_mode=start_mode)
    assert lone == general
    assert alone


# -- small machines: Pass, Wait, Choice, mocked Tasks with retries, Parallel and Map ---------------------------

_WAIT = st.builds(lambda seconds: {"Type": "Wait", "Seconds": seconds}, st.integers(0, 90))
_PASS = st.builds(lambda value: {"Type": "Pass", "Result": value, "ResultPath": "$.last"}, st.integers(0, 9))


def _task(failures: int, interval: int) -> dict[str, Any]:
    return {
        "Type": "Task",
        "Resource": "arn:aws:lambda:us-east-1:123456789012:function:work",
        "ResultPath": "$.task",
        "Retry": [{"ErrorEquals": ["Boom"], "IntervalSeconds": interval, "BackoffRate": 2, "MaxAttempts": 3}],
        "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.caught", "Next": "{next}"}],
    }


_TASK = st.builds(_task, st.integers(0, 4), st.integers(1, 5))
_PARALLEL = st.builds(
    lambda a, b: {
        "Type": "Parallel",
        "ResultPath": "$.branches",
        "Branches": [
            {"StartAt": "A{i}", "States": {"A{i}": {"Type": "Wait", "Seconds": a, "End": True}}},
            {"StartAt": "B{i}", "States": {"B{i}": {"Type": "Wait", "Seconds": b, "End": True}}},
        ],
    },
    st.integers(0, 5),
    st.integers(0, 5),
)
_MAP = st.builds(
    lambda seconds, limit: {
        "Type": "Map",
        "ItemsPath": "$.items",
        "MaxConcurrency": limit,
        "ResultPath": "$.mapped",
        "ItemProcessor": {"StartAt": "W{i}", "States": {"W{i}": {"Type": "Wait", "Seconds": seconds, "End": True}}},
    },
    st.integers(0, 3),
    st.integers(0, 2),
)
_CHOICE = st.builds(
    lambda limit: {
        "Type": "Choice",
        "Choices": [{"Variable": "$.last", "NumericGreaterThan": limit, "Next": "{next}"}],
        "Default": "{next}",
    },
    st.integers(0, 9),
)


@st.composite
def machines(draw: st.DrawFn) -> tuple[dict[str, Any], int]:
    kinds = draw(st.lists(st.one_of(_WAIT, _PASS, _TASK, _PARALLEL, _MAP, _CHOICE), min_size=1, max_size=6))
    states: dict[str, Any] = {}
    for index, spec in enumerate(kinds):
        name, following = f"S{index}", f"S{index + 1}" if index + 1 < len(kinds) else "Done"
        spec = json.loads(json.dumps(spec).replace("{next}", following).replace("{i}", str(index)))
        if spec["Type"] != "Choice":
            spec["Next"] = following
        states[name] = spec
    states["Done"] = {"Type": "Succeed"}
    failures = draw(st.integers(0, 4))
    definition: dict[str, Any] = {"StartAt": "S0", "States": states}
    timeout = draw(st.sampled_from([None, 5, 60, 3600]))
    if timeout is not None:
        definition["TimeoutSeconds"] = timeout
    return definition, failures


@settings(max_examples=80, deadline=None, derandomize=True)
@given(machines(), st.sampled_from(["STANDARD", "EXPRESS"]))
def test_small_machines_give_the_same_history_both_ways(
    generated: tuple[dict[str, Any], int], machine_type: str
) -> None:
    definition, failures = generated
    throws = [{"Throw": {"Error": "Boom", "Cause": f"attempt {n}"}} for n in range(failures)]
    tasks = [name for name, spec in definition["States"].items() if spec["Type"] == "Task"]
    mocks = {name: [*throws, {"Return": {"ok": True}}] for name in tasks}
    machine = StateMachine.from_json(definition, machine_type=machine_type)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(asl_engine.machine, "VirtualClock", _LoneClock)
        lone, general, alone, taskless = run_both_counting(machine, {"items": [1, 2, 3], "last": 5}, mocks=mocks)
    assert lone == general
    assert alone
    kinds = {spec["Type"] for spec in definition["States"].values()}
    if "TimeoutSeconds" not in definition and not kinds & {"Parallel", "Map"}:
        assert taskless  # waits and retries were clock jumps: the execution never became a task


# -- without a task: Scheduler.drive_alone (a lone execution with no TimeoutSeconds) -----------------------


def test_retries_and_waits_run_without_a_task_and_record_the_same_history(lone_clock: type[_LoneClock]) -> None:
    """W5 itself (benchmarks/generate.py): a mocked Task failing three times under a Retry, then a Wait."""
    w5 = w5_retry_wait()
    machine = StateMachine.from_json(w5.definition)
    lone, general, alone, taskless = run_both_counting(machine, w5.input, mocks=w5.mocks)
    assert lone == general
    assert lone[:2] == ("SUCCEEDED", {"ok": True})
    assert alone and taskless
    assert lone_clock.made[0].now() - START.timestamp() == 1 + 2 + 4 + 60  # the clock jumped to each timer


def test_a_long_loop_passes_its_checkpoints_without_a_task(lone_clock: type[_LoneClock]) -> None:
    """The transition checkpoint (a pause every CHECK_EVERY states) goes on at once when alone."""
    definition = {
        "StartAt": "Count",
        "States": {
            "Count": {"Type": "Pass", "Parameters": {"n.$": "States.MathAdd($.n, 1)"}, "Next": "More?"},
            "More?": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.n", "NumericLessThan": CHECK_EVERY, "Next": "Count"}],
                "Default": "Done",
            },
            "Done": {"Type": "Succeed"},
        },
    }
    lone, general, alone, taskless = run_both_counting(StateMachine.from_json(definition), {"n": 0})
    assert lone == general
    assert lone[:2] == ("SUCCEEDED", {"n": CHECK_EVERY})
    assert alone and taskless


def test_a_timeout_or_a_parallel_makes_the_execution_a_task(lone_clock: type[_LoneClock]) -> None:
    """A TimeoutSeconds needs a watchdog task beside the execution; a Parallel's branches are tasks."""
    waiting = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 5, "End": True}}}
    timed = StateMachine.from_json({**waiting, "TimeoutSeconds": 3})
    lone, general, _, taskless = run_both_counting(timed, {})
    assert lone == general and lone[0] == "TIMED_OUT"
    assert not taskless
    other = {"StartAt": "V", "States": {"V": {"Type": "Wait", "Seconds": 7, "End": True}}}
    parallel = StateMachine.from_json(
        {"StartAt": "P", "States": {"P": {"Type": "Parallel", "Branches": [waiting, other], "End": True}}}
    )
    lone, general, alone, taskless = run_both_counting(parallel, {})
    assert lone == general and lone[0] == "SUCCEEDED"
    assert alone and not taskless


def test_a_task_waiting_for_a_token_hands_over_to_the_coordinated_path(lone_clock: type[_LoneClock]) -> None:
    """Work outside the scheduler (a token answered from another thread) needs the clock's
    coordination: the lone path hands over, and the history is the general path's."""
    definition = {
        "StartAt": "Approve",
        "States": {
            "Approve": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "Parameters": {"QueueUrl": "q", "MessageBody": {"token.$": "$$.Task.Token"}},
                "Next": "Later",
            },
            "Later": {"Type": "Wait", "Seconds": 10, "End": True},
        },
    }
    machine = StateMachine.from_json(definition)

    def queue(request: Any) -> dict[str, Any]:
        callbacks = request.environment.callbacks
        token = request.task_token
        threading.Timer(0.01, lambda: callbacks.send_task_success(token, {"approved": True})).start()
        return {"MessageId": "1"}

    lone, general, alone = run_both(machine, {}, resources=[_Answering(queue)])
    assert lone == general
    assert (lone[0], lone[1]) == ("SUCCEEDED", {"approved": True})
    assert not alone


class _Answering:
    """A handler source answering every task with ``handler``."""

    def __init__(self, handler: Any) -> None:
        self.handler = handler

    def handler_for(self, state_name: str, resource: Any) -> Any:
        return self.handler
