"""``History.add_pair`` (a task's Scheduled and Started events in one step) against ``add`` twice.

Where it records, the rows, ids and counters are those of two ``add`` calls; where two ``add`` calls
would stop at the event limit or must reach a listener, it records nothing and says so (None), and
the caller goes one event at a time. Whole histories of Tasks are compared with the general paths
by ``test_lone_execution.py``, ``test_mock_answers.py`` and the conformance cases.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from asl_engine import StateMachine, VirtualClock
from asl_engine.runtime.history import History, HistoryEvent, HistoryLimitReached

SCHEDULED = {"resource": "arn:aws:lambda:us-east-1:123456789012:function:F", "input": {"a": 1}}


def _two_adds(history: History, previous: int, started: dict[str, Any] | None) -> int:
    first = history.add("LambdaFunctionScheduled", previous, 10.0, SCHEDULED)
    history.add("LambdaFunctionStarted", first, 10.5, started)
    return first


@given(
    record=st.booleans(),
    before=st.integers(0, 6),
    back=st.integers(0, 3),
    started=st.sampled_from([None, {"resourceType": "lambda", "resource": "invoke"}]),
    limit=st.one_of(st.none(), st.integers(1, 12)),
)
def test_a_pair_is_two_adds_or_nothing(
    record: bool, before: int, back: int, started: dict[str, Any] | None, limit: int | None
) -> None:
    paired, general = History(record, None, limit), History(record, None, limit)
    for history in (paired, general):
        for event in range(before):
            if history.last_id + 1 == limit:
                break
            history.add("PassStateEntered", event, 1.0, None)
    previous = max(0, paired.last_id - back)
    first = paired.add_pair(
        "LambdaFunctionScheduled", SCHEDULED, "LambdaFunctionStarted", started, previous, 10.0, 10.5
    )
    if first is None:
        # Only at the limit: nothing recorded, the caller adds one at a time.
        assert limit is not None and paired.last_id + 1 <= limit <= paired.last_id + 2
        assert paired.rows() == general.rows() and paired.last_id == general.last_id
        with pytest.raises(HistoryLimitReached):
            _two_adds(general, previous, started)
        return
    assert first == _two_adds(general, previous, started)
    assert paired.rows() == general.rows()
    assert paired.last_id == general.last_id == first + 1
    assert [event.to_dict() for event in paired] == [event.to_dict() for event in general]


def test_a_listened_history_takes_its_events_one_at_a_time() -> None:
    heard: list[HistoryEvent] = []
    history = History(listeners=[heard.append])
    assert history.add_pair("TaskScheduled", {}, "TaskStarted", {}, 0, 1.0, 1.0) is None
    assert history.last_id == 0 and not heard


@pytest.mark.parametrize("extra_states", range(3))
@pytest.mark.parametrize("offset", range(-1, 4))
def test_a_task_reaching_the_event_limit_fails_as_before(
    extra_states: int, offset: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The limit falling on a task's Scheduled or Started event (or near it): the execution fails with
    the same events either way (pairing refused by ``add_pair`` itself, or never tried)."""
    states: dict[str, Any] = {}
    names = [f"P{index}" for index in range(extra_states)]
    for index, name in enumerate(names):
        states[name] = {"Type": "Pass", "Next": names[index + 1] if index + 1 < len(names) else "T"}
    states["T"] = {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:F", "End": True}
    machine = StateMachine.from_json({"StartAt": names[0] if names else "T", "States": states})
    # Offset 0: the limit is the task's Scheduled event; 1: its Started event.
    monkeypatch.setattr("asl_engine.runtime.run.HISTORY_EVENT_LIMIT", 2 * extra_states + 3 + offset)

    def run() -> list[dict[str, Any]]:
        execution = machine.execute(
            {}, mocks={"T": [{"Return": {"ok": True}}]}, seed=1, name="x", clock=VirtualClock(1_700_000_000)
        )
        assert execution.status == ("SUCCEEDED" if offset > 3 else "FAILED")
        return [event.to_dict() for event in execution.events]

    paired = run()
    monkeypatch.setattr(History, "add_pair", lambda self, *args: None)
    assert paired == run()
