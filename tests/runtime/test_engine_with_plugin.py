"""Engine behaviour checked through the project's own pytest plugin (fixtures, virtual clock, assertions)."""

from __future__ import annotations

from typing import Any

from asl_engine.testing import assert_caught, assert_path, assert_retried

WAITING_MAP = {
    "StartAt": "Fan",
    "States": {
        "Fan": {
            "Type": "Map",
            "MaxConcurrency": 2,
            "End": True,
            "ItemProcessor": {
                "StartAt": "Sleep",
                "States": {"Sleep": {"Type": "Wait", "SecondsPath": "$", "End": True}},
            },
        },
    },
}


def finish_times(execution: Any) -> list[float]:
    start = execution.history[0]["timestamp"]
    return [(e["timestamp"] - start).total_seconds() for e in execution.history if e["type"] == "WaitStateExited"]


def test_concurrent_executions_on_one_clock_interleave_deterministically(asl_machine: Any, asl_env: Any) -> None:
    machine = asl_machine(WAITING_MAP)
    runs = [asl_env.start(machine, delays) for delays in ([30, 10, 20], [5, 50], [15])]
    asl_env.wait_all()
    # MaxConcurrency 2: the third item starts when the 10 s one ends, so both remaining ones end at 30 s.
    assert [finish_times(run.result()) for run in runs] == [[10, 30, 30], [5, 50], [15]]


def test_retry_back_off_costs_no_real_time(asl_machine: Any, asl_env: Any, asl_mocks: Any) -> None:
    machine = asl_machine(
        {
            "StartAt": "Call",
            "States": {
                "Call": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::lambda:invoke",
                    "End": True,
                    "Retry": [{"ErrorEquals": ["Flaky"], "IntervalSeconds": 600, "BackoffRate": 3, "MaxAttempts": 3}],
                }
            },
        }
    )
    for _ in range(3):
        asl_mocks.raises("Call", "Flaky", "try again")
    asl_mocks.returns("Call", {"ok": True})
    execution = asl_env.execute(machine, {})
    assert_retried(execution, "Call", 3)
    elapsed = execution.history[-1]["timestamp"] - execution.history[0]["timestamp"]
    assert elapsed.total_seconds() == 600 + 1800 + 5400


def test_catch_routes_to_its_next_state(asl_machine: Any, asl_env: Any, asl_mocks: Any) -> None:
    machine = asl_machine(
        {
            "StartAt": "Call",
            "States": {
                "Call": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::lambda:invoke",
                    "Next": "Done",
                    "Catch": [{"ErrorEquals": ["Boom"], "ResultPath": "$.error", "Next": "Handle"}],
                },
                "Handle": {"Type": "Pass", "End": True},
                "Done": {"Type": "Succeed"},
            },
        }
    )
    asl_mocks.raises("Call", "Boom", "bad")
    execution = asl_env.execute(machine, {"id": 1})
    assert_caught(execution, "Call", error="Boom", by="Handle")
    assert_path(execution, ["Call", "Handle"])
