"""Task states with mocked results: history shapes, Retry timing under the virtual clock, Catch."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

from asl_engine import StateMachine, VirtualClock
from tests.conftest import machine

LAMBDA_INVOKE = "arn:aws:states:::lambda:invoke"
START = datetime(2024, 1, 1, tzinfo=UTC)


def task(**fields: Any) -> dict[str, Any]:
    return {"Type": "Task", "Resource": LAMBDA_INVOKE, **fields}


def throw(error: str, cause: str = "") -> dict[str, Any]:
    return {"Throw": {"Error": error, "Cause": cause}}


def event_types(ex: Any) -> list[str]:
    return [e["type"] for e in ex.history]


def test_mocked_result_flows_through_result_selector_and_path() -> None:
    sm = machine(
        {
            "T": task(
                Parameters={"FunctionName": "f", "Payload.$": "$"},
                ResultSelector={"p.$": "$.Payload"},
                ResultPath="$.out",
                End=True,
            )
        }
    )
    ex = sm.execute({"a": 1}, mocks={"T": [{"Return": {"Payload": {"ok": True}, "StatusCode": 200}}]})
    assert ex.output == {"a": 1, "out": {"p": {"ok": True}}}
    assert event_types(ex) == [
        "ExecutionStarted",
        "TaskStateEntered",
        "TaskScheduled",
        "TaskStarted",
        "TaskSucceeded",
        "TaskStateExited",
        "ExecutionSucceeded",
    ]
    scheduled = ex.history[2]["taskScheduledEventDetails"]
    assert scheduled["resourceType"] == "lambda" and scheduled["resource"] == "invoke"
    assert scheduled["parameters"] == '{"FunctionName":"f","Payload":{"a":1}}'


def test_legacy_lambda_arn_records_lambda_function_events() -> None:
    arn = "arn:aws:lambda:us-east-1:123456789012:function:Greeter"
    ex = machine({"T": {"Type": "Task", "Resource": arn, "TimeoutSeconds": 5, "End": True}}).execute(
        {"x": 1}, mocks={"T": [{"Return": "hi"}]}
    )
    assert event_types(ex)[2:5] == ["LambdaFunctionScheduled", "LambdaFunctionStarted", "LambdaFunctionSucceeded"]
    assert ex.history[2]["lambdaFunctionScheduledEventDetails"] == {
        "resource": arn,
        "input": '{"x":1}',
        "inputDetails": {"truncated": False},
        "timeoutInSeconds": 5,
    }
    assert ex.output == "hi"


def test_retry_intervals_follow_backoff_under_virtual_clock() -> None:
    sm = machine(
        {
            "T": task(
                Retry=[{"ErrorEquals": ["Boom"], "IntervalSeconds": 3, "BackoffRate": 2, "MaxAttempts": 3}], End=True
            )
        }
    )
    ex = sm.execute(
        clock=VirtualClock(START), mocks={"T": [throw("Boom"), throw("Boom"), throw("Boom"), {"Return": 1}]}
    )
    assert ex.status == "SUCCEEDED"
    scheduled = [e["timestamp"] for e in ex.history if e["type"] == "TaskScheduled"]
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(scheduled)]
    assert gaps == [3, 6, 12]


def test_max_delay_and_exhausted_retrier_falls_to_catch() -> None:
    sm = machine(
        {
            "T": task(
                Retry=[
                    {
                        "ErrorEquals": ["Boom"],
                        "IntervalSeconds": 10,
                        "BackoffRate": 10,
                        "MaxAttempts": 2,
                        "MaxDelaySeconds": 15,
                    }
                ],
                Catch=[{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Handled"}],
                End=True,
            ),
            "Handled": {"Type": "Pass", "End": True},
        }
    )
    ex = sm.execute({"in": 1}, clock=VirtualClock(START), mocks={"T": [throw("Boom", "c")] * 3})
    assert ex.output == {"in": 1, "error": {"Error": "Boom", "Cause": "c"}}
    scheduled = [e["timestamp"] for e in ex.history if e["type"] == "TaskScheduled"]
    assert [(b - a).total_seconds() for a, b in itertools.pairwise(scheduled)] == [10, 15]


def test_max_attempts_zero_never_retries_and_first_matching_retrier_wins() -> None:
    sm = machine(
        {
            "T": task(
                Retry=[{"ErrorEquals": ["Boom"], "MaxAttempts": 0}, {"ErrorEquals": ["States.ALL"], "MaxAttempts": 5}],
                End=True,
            )
        }
    )
    ex = sm.execute(mocks={"T": [throw("Boom"), {"Return": 1}]})
    assert (ex.status, ex.error) == ("FAILED", "Boom")


def test_retry_counters_persist_per_retrier_across_errors() -> None:
    sm = machine({"T": task(Retry=[{"ErrorEquals": ["A", "B"], "MaxAttempts": 2, "IntervalSeconds": 1}], End=True)})
    ex = sm.execute(mocks={"T": [throw("A"), throw("B"), throw("A"), {"Return": 1}]})
    assert (ex.status, ex.error) == ("FAILED", "A")


def test_retry_count_in_context_object() -> None:
    sm = machine(
        {
            "T": task(
                Parameters={"attempt.$": "$$.State.RetryCount"},
                Retry=[{"ErrorEquals": ["States.ALL"], "MaxAttempts": 2}],
                End=True,
            )
        }
    )
    ex = sm.execute(mocks={"T": [throw("X"), throw("X"), {"Return": 0}]})
    params = [e["taskScheduledEventDetails"]["parameters"] for e in ex.history if e["type"] == "TaskScheduled"]
    assert params == ['{"attempt":0}', '{"attempt":1}', '{"attempt":2}']


def test_task_failed_matches_everything_but_timeout() -> None:
    states = {
        "T": task(Catch=[{"ErrorEquals": ["States.TaskFailed"], "Next": "C"}], End=True),
        "C": {"Type": "Pass", "End": True},
    }
    ex = machine(states).execute(mocks={"T": [throw("Custom.Error", "x")]})
    assert ex.output == {"Error": "Custom.Error", "Cause": "x"}
    ex = machine(states).execute(mocks={"T": [throw("States.Timeout")]})
    assert (ex.status, ex.error) == ("FAILED", "States.Timeout")


def test_catch_skips_output_path_and_result_selector() -> None:
    sm = machine(
        {
            "T": task(
                ResultSelector={"x.$": "$.nope"},
                OutputPath="$.nope",
                ResultPath="$.r",
                Catch=[{"ErrorEquals": ["States.ALL"], "Next": "C"}],
                End=True,
            ),
            "C": {"Type": "Pass", "End": True},
        }
    )
    ex = sm.execute({"a": 1}, mocks={"T": [throw("E", "cause")]})
    assert ex.output == {"Error": "E", "Cause": "cause"}
    assert event_types(ex)[-4:] == ["TaskStateExited", "PassStateEntered", "PassStateExited", "ExecutionSucceeded"]


def test_runtime_errors_are_never_caught() -> None:
    sm = machine(
        {
            "T": task(
                Parameters={"x.$": "$.missing"}, Catch=[{"ErrorEquals": ["States.Runtime"], "Next": "C"}], End=True
            ),
            "C": {"Type": "Pass", "End": True},
        }
    )
    ex = sm.execute({}, mocks={"T": [{"Return": 1}]})
    assert (ex.status, ex.error) == ("FAILED", "States.Runtime")
    assert event_types(ex) == ["ExecutionStarted", "TaskStateEntered", "ExecutionFailed"]


def test_oversized_task_result_is_catchable() -> None:
    sm = machine(
        {"T": task(Catch=[{"ErrorEquals": ["States.ALL"], "Next": "C"}], End=True), "C": {"Type": "Pass", "End": True}}
    )
    ex = sm.execute(mocks={"T": [{"Return": "x" * 300_000}]})
    assert ex.output == {
        "Error": "States.DataLimitExceeded",
        "Cause": (
            "The state/task 'lambda' returned a result with a size exceeding the maximum number of bytes service limit."
        ),
    }


def test_timeout_seconds_path_and_missing_path() -> None:
    sm = machine({"T": task(TimeoutSecondsPath="$.t", End=True)})
    ex = sm.execute({"t": 7}, mocks={"T": [{"Return": 1}]})
    assert ex.history[2]["taskScheduledEventDetails"]["timeoutInSeconds"] == 7
    ex = sm.execute({}, mocks={"T": [{"Return": 1}]})
    assert ex.cause is not None and ex.cause.endswith("Invalid path '$.t' : No results for path: $['t']")


def test_unanswered_task_fails_clearly() -> None:
    ex = machine({"T": task(End=True)}).execute()
    assert ex.error == "States.Runtime"
    assert ex.cause is not None and "No mock or handler answers the Task state 'T'" in ex.cause


def test_mocks_in_invocation_ranges_and_exhaustion() -> None:
    sm = machine({"T": task(Retry=[{"ErrorEquals": ["E"], "MaxAttempts": 5, "IntervalSeconds": 1}], End=True)})
    ex = sm.execute(mocks={"T": {"0-1": throw("E"), "2": {"Return": "done"}}})
    assert ex.output == "done"
    ex = sm.execute(mocks={"T": [throw("E")]})
    assert ex.error == "States.Runtime" and "defines only 1 response" in (ex.cause or "")


def test_mocks_for_unknown_states_are_rejected() -> None:
    import pytest

    from asl_engine import ConfigurationError

    with pytest.raises(ConfigurationError, match="Nope"):
        machine({"T": task(End=True)}).execute(mocks={"Nope": []})


def test_execution_timeout_under_virtual_clock() -> None:
    sm = StateMachine.from_json(
        {"TimeoutSeconds": 5, "StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 60, "End": True}}}
    )
    ex = sm.execute(clock=VirtualClock(START))
    assert ex.status == "TIMED_OUT" and ex.error is None
    assert ex.history[-1]["type"] == "ExecutionTimedOut"
    assert (ex.history[-1]["timestamp"] - START).total_seconds() == 5


def test_catch_output_of_a_cause_less_failure_is_null_but_timeouts_give_empty_string() -> None:
    sm = machine(
        {"T": task(Catch=[{"ErrorEquals": ["States.ALL"], "Next": "C"}], End=True), "C": {"Type": "Pass", "End": True}}
    )
    ex = sm.execute(mocks={"T": [{"Throw": {}}]})
    assert ex.output == {"Error": None, "Cause": None}


def test_activity_without_a_worker_does_not_exist() -> None:
    arn = "arn:aws:states:us-east-1:123456789012:activity:Approve"
    ex = machine({"A": {"Type": "Task", "Resource": arn, "End": True}}).execute({})
    assert ex.error == "States.Runtime"
    assert ex.cause == (
        f"An error occurred while executing the state 'A' (entered at the event id #2). "
        f"The activity {arn} does not exist."
    )
    assert [e["type"] for e in ex.history] == ["ExecutionStarted", "TaskStateEntered", "ExecutionFailed"]


def test_express_sync_start_has_no_redrive_count() -> None:
    definition = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {"e.$": "$$.Execution"}, "End": True}}}
    express = StateMachine.from_json(definition, machine_type="EXPRESS")
    assert "RedriveCount" not in express.execute(start_mode="sync").output["e"]
    assert express.execute().output["e"]["RedriveCount"] == 0
    assert ":express:" in express.execute().output["e"]["Id"]
