"""The outcome rules of asl_engine/console/outcomes.py, on histories the engine records in AWS's
GetExecutionHistory shape (the engine's histories are checked against AWS's by the conformance suite)."""

from __future__ import annotations

import json
from typing import Any

from asl_engine import StateMachine
from asl_engine.console.outcomes import read_execution
from asl_engine.services import Resources

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:Work"


def outcomes(definition: dict[str, Any], events: list[dict[str, Any]]) -> dict[str, tuple[str, int]]:
    del definition
    reading = read_execution(events)
    return {name: (state.outcome, state.entered) for name, state in reading.states.items()}


def run(definition: dict[str, Any], input: Any = None, **options: Any) -> list[dict[str, Any]]:
    return StateMachine.from_json(definition).execute(input if input is not None else {}, **options).history


def task(**extra: Any) -> dict[str, Any]:
    return {"Type": "Task", "Resource": LAMBDA, **extra}


def test_retried_then_succeeded() -> None:
    definition = {
        "StartAt": "Work",
        "States": {"Work": task(Retry=[{"ErrorEquals": ["Busy"], "IntervalSeconds": 1}], End=True)},
    }
    busy = {"Throw": {"Error": "Busy", "Cause": "try later"}}
    events = run(definition, mocks={"Work": [busy, busy, {"Return": {"ok": True}}]})
    reading = read_execution(events)
    assert outcomes(definition, events) == {"Work": ("retried", 1)}
    assert reading.states["Work"].retries == 2


def test_caught_failed_and_not_reached() -> None:
    definition = {
        "StartAt": "Work",
        "States": {
            "Work": task(
                Retry=[{"ErrorEquals": ["Busy"], "MaxAttempts": 1}],
                Catch=[{"ErrorEquals": ["States.ALL"], "Next": "Handle"}],
                Next="Never",
            ),
            "Never": {"Type": "Pass", "End": True},
            "Handle": {"Type": "Pass", "Next": "Give up"},
            "Give up": {"Type": "Fail", "Error": "GaveUp"},
        },
    }
    events = run(definition, mocks={"Work": [{"Throw": {"Error": "Busy", "Cause": "no"}}] * 3})
    reading = read_execution(events)
    assert outcomes(definition, events) == {"Work": ("caught", 1), "Handle": ("succeeded", 1), "Give up": ("failed", 1)}
    assert reading.states["Work"].retries == 1  # two failures: one retried, one caught
    assert "Never" not in reading.states


def test_uncaught_task_failure_and_a_state_failing_without_an_event_of_its_own() -> None:
    failing_task = {"StartAt": "Work", "States": {"Work": task(End=True)}}
    events = run(failing_task, mocks={"Work": [{"Throw": {"Error": "Boom", "Cause": "no"}}]})
    assert outcomes(failing_task, events) == {"Work": ("failed", 1)}
    bad_path = {"StartAt": "Read", "States": {"Read": {"Type": "Pass", "InputPath": "$.missing", "End": True}}}
    events = run(bad_path, {"present": 1})
    assert [event["type"] for event in events][-2:] == ["PassStateEntered", "ExecutionFailed"]
    assert outcomes(bad_path, events) == {"Read": ("failed", 1)}


def test_loops_count_visits_and_keep_the_worst_outcome() -> None:
    definition = {
        "StartAt": "Count",
        "States": {
            "Count": {"Type": "Pass", "Parameters": {"n.$": "States.MathAdd($.n, 1)"}, "Next": "Again?"},
            "Again?": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.n", "NumericLessThan": 4, "Next": "Count"}],
                "Default": "Done",
            },
            "Done": {"Type": "Succeed"},
        },
    }
    events = run(definition, {"n": 0})
    assert outcomes(definition, events) == {
        "Count": ("succeeded", 4),
        "Again?": ("succeeded", 4),
        "Done": ("succeeded", 1),
    }
    reading = read_execution(events)
    assert reading.states["Count"].counts == {"succeeded": 4}


def test_a_failed_branch_cancels_its_sibling_and_the_parallel_is_caught() -> None:
    definition = {
        "StartAt": "Both",
        "States": {
            "Both": {
                "Type": "Parallel",
                "Branches": [
                    {"StartAt": "Fails", "States": {"Fails": task(End=True)}},
                    {
                        "StartAt": "Slow",
                        "States": {
                            "Slow": {"Type": "Wait", "Seconds": 60, "Next": "After"},
                            "After": {"Type": "Pass", "End": True},
                        },
                    },
                ],
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Recover"}],
                "End": True,
            },
            "Recover": {"Type": "Pass", "End": True},
        },
    }
    events = run(definition, mocks={"Fails": [{"Throw": {"Error": "Boom", "Cause": "no"}}]})
    assert outcomes(definition, events) == {
        "Both": ("caught", 1),
        "Fails": ("failed", 1),
        "Slow": ("cancelled", 1),
        "Recover": ("succeeded", 1),
    }


def test_inline_map_iterations_and_their_states() -> None:
    definition = {
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "ItemProcessor": {"StartAt": "Item", "States": {"Item": {"Type": "Pass", "End": True}}},
                "End": True,
            }
        },
    }
    events = run(definition, [10, 20, 30])
    reading = read_execution(events)
    assert outcomes(definition, events) == {"Each": ("succeeded", 1), "Item": ("succeeded", 3)}
    assert reading.map_iterations == [
        {
            "state": "Each",
            "enteredEventId": 2,
            "iterations": [{"index": index, "status": "SUCCEEDED"} for index in range(3)],
        }
    ]
    assert {reading.steps[event["id"]] for event in events if event["type"].startswith("MapIteration")} == {"Each"}


CALLBACK = {
    "StartAt": "Prepare",
    "States": {
        "Prepare": {"Type": "Pass", "Next": "Approve"},
        "Approve": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
            "Parameters": {
                "FunctionName": "Ask",
                "Payload": {"input.$": "$", "Callback": {"TaskToken.$": "$$.Task.Token"}},
            },
            "End": True,
        },
    },
}


def _callback_resources() -> Resources:
    resources = Resources()
    resources.lambda_function("Ask", lambda event, context: None)
    return resources


def test_a_task_waiting_for_its_token_is_running_and_pending() -> None:
    handle = StateMachine.from_json(CALLBACK).start({"order": 1}, resources=_callback_resources())
    token = handle.wait_for_task_token("Approve")
    reading = read_execution(handle.execution.history)
    assert {name: state.outcome for name, state in reading.states.items()} == {
        "Prepare": "succeeded",
        "Approve": "running",
    }
    [pending] = reading.pending_callbacks
    assert (pending.state, pending.token_candidates) == ("Approve", (token,))
    assert pending.resource == "lambda:invoke.waitForTaskToken"
    handle.send_task_success(token, {"ok": True})
    finished = handle.wait(10)
    reading = read_execution(finished.history)
    assert reading.pending_callbacks == []
    assert reading.states["Approve"].outcome == "succeeded"
    assert json.loads(json.dumps(reading.to_json()))["pendingCallbacks"] == []


def test_a_stopped_execution_cancels_the_state_it_was_in() -> None:
    handle = StateMachine.from_json(CALLBACK).start({}, resources=_callback_resources())
    handle.wait_for_task_token("Approve")
    handle.stop("Stopped", "by the test")
    stopped = handle.wait(10)
    assert stopped.status == "ABORTED"
    reading = read_execution(stopped.history)
    assert reading.states["Approve"].outcome == "cancelled"
    assert reading.pending_callbacks == []


def test_timestamps_as_epoch_seconds_read_the_same() -> None:
    definition = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}
    events = run(definition)
    as_numbers = [{**event, "timestamp": event["timestamp"].timestamp()} for event in events]
    assert read_execution(as_numbers).to_json() == read_execution(events).to_json()
