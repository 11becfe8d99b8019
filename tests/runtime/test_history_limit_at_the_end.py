"""The 25,000-event limit of a Standard execution when the event that reaches it ends the execution.

The limit fails an execution that is still running when its history reaches the limit (the next
event, ``ExecutionFailed``, says so). An execution whose own end is the limit's event has ended
within it: it keeps its outcome. Before, ``execute`` raised ``HistoryLimitReached`` out of the
engine there, on every path. The limit is lowered here (it is read when a run is made) so that
a two-state machine reaches it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from asl_engine import Execution, StateMachine, open_store
from asl_engine.runtime.clock import VirtualClock

TWO_PASSES = StateMachine.from_json(
    '{"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": {"a": 1}, "Next": "B"},'
    ' "B": {"Type": "Pass", "End": true}}}'
)
"""Six events: ExecutionStarted, two Entered/Exited pairs, ExecutionSucceeded."""

PASS_THEN_FAIL = StateMachine.from_json(
    '{"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "F"},'
    ' "F": {"Type": "Fail", "Error": "Mine", "Cause": "on purpose"}}}'
)
"""Five events: ExecutionStarted, A's pair, FailStateEntered, ExecutionFailed."""


def _direct(machine: StateMachine, tmp: Any) -> Execution:
    return machine.execute({"x": 1})


def _coroutine(machine: StateMachine, tmp: Any) -> Execution:
    return machine.execute({"x": 1}, clock=VirtualClock(0))


def _started(machine: StateMachine, tmp: Any) -> Execution:
    return machine.start({"x": 1}).wait(timeout=30)


def _durable(machine: StateMachine, tmp: Any) -> Execution:
    with open_store(tmp / "executions.db") as store:
        execution = machine.execute({"x": 1}, store=store)
    return execution


WAYS: dict[str, Callable[[StateMachine, Any], Execution]] = {
    "direct": _direct,
    "coroutine": _coroutine,
    "started": _started,
    "durable": _durable,
}


@pytest.fixture
def limit(monkeypatch: pytest.MonkeyPatch) -> Callable[[int], None]:
    def lower(events: int) -> None:
        monkeypatch.setattr("asl_engine.runtime.run.HISTORY_EVENT_LIMIT", events)

    return lower


@pytest.mark.parametrize("way", WAYS)
def test_a_success_that_is_the_limits_event_stands(way: str, limit: Callable[[int], None], tmp_path: Any) -> None:
    limit(6)
    execution = WAYS[way](TWO_PASSES, tmp_path)
    assert execution.status == "SUCCEEDED"
    assert execution.output == {"a": 1}
    assert [event["type"] for event in execution.history][-1] == "ExecutionSucceeded"
    assert len(execution.history) == 6


@pytest.mark.parametrize("way", WAYS)
def test_a_failure_that_is_the_limits_event_keeps_its_error(
    way: str, limit: Callable[[int], None], tmp_path: Any
) -> None:
    limit(5)
    execution = WAYS[way](PASS_THEN_FAIL, tmp_path)
    assert (execution.status, execution.error, execution.cause) == ("FAILED", "Mine", "on purpose")
    assert len(execution.history) == 5


@pytest.mark.parametrize("way", WAYS)
def test_one_event_earlier_the_limit_still_fails_the_execution(
    way: str, limit: Callable[[int], None], tmp_path: Any
) -> None:
    limit(5)
    execution = WAYS[way](TWO_PASSES, tmp_path)
    assert (execution.status, execution.error) == ("FAILED", "States.Runtime")
    assert execution.cause == "The execution reached the maximum number of history events (5)."
    assert [event["type"] for event in execution.history][-2:] == ["PassStateExited", "ExecutionFailed"]
