"""A retried mocked Task's attempts share their details dicts in the history's rows
(``TaskState._run_in_rows``: the Scheduled and Started details while the input is the same, the
Failed details while the error is); a row marked ``SHARED`` hands every reader a copy, so a change
to one event's details shows in no other event, nor in the history read again."""

from __future__ import annotations

from typing import Any

from asl_engine import StateMachine
from asl_engine.runtime.history import SHARED, History
from asl_engine.runtime.map_run.packing import pack_history, unpack_history
from benchmarks.generate import w5_retry_wait

_TASK = {
    "StartAt": "Call",
    "States": {
        "Call": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1, "MaxAttempts": 3}],
            "End": True,
        }
    },
}


def _executions() -> list[Any]:
    w5 = w5_retry_wait()
    lambda_events = StateMachine.from_json(w5.definition).execute(w5.input, mocks=w5.mocks)
    failures = [{"Throw": {"Error": "E", "Cause": "c"}}] * 3
    task_events = StateMachine.from_json(_TASK).execute({"a": 1}, mocks={"Call": [*failures, {"Return": 1}]})
    return [lambda_events, task_events]


def test_a_change_to_one_events_details_shows_in_no_other() -> None:
    for execution in _executions():
        before = execution.history
        for kind in ("Scheduled", "Failed"):
            events = execution.events
            attempts = [index for index, event in enumerate(events) if event.type.endswith(kind)]
            assert len(attempts) >= 3
            changed = events[attempts[0]].details
            assert changed is not None
            assert all(events[index].details is not changed for index in attempts[1:])
            changed["changed"] = True
            again = execution.events
            assert all("changed" not in (again[index].details or {}) for index in attempts)
        assert [event.to_dict() for event in execution.events] == before


def test_the_marker_survives_a_trip_to_another_process() -> None:
    for execution in _executions():
        rows = execution._run.history.rows()
        assert any(slot is SHARED for slot in rows)
        restored = History.restored(unpack_history(pack_history(rows)))
        assert any(slot is SHARED for slot in restored.rows())
        assert [event.to_dict() for event in restored] == [event.to_dict() for event in execution.events]
