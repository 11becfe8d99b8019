from __future__ import annotations

from typing import Any

import pytest

from asl_engine.conformance.classify import MOCKED, MOCKED_NOT_REPLAYABLE, classify

from .fakes import make_case

LAMBDA_RESULTS = [
    {"event": "LambdaFunctionScheduled", "state": "T", "resource": "arn"},
    {"event": "LambdaFunctionStarted", "state": "T"},
    {"event": "LambdaFunctionSucceeded", "state": "T", "output": {"ok": True}},
]


def mocked(**overrides: Any) -> Any:
    return make_case(category="mocked", **{"task_results": LAMBDA_RESULTS, **overrides})


def test_self_contained_and_validation_cases_run_as_they_are() -> None:
    assert classify(make_case()).category == "self_contained"
    validation = make_case(category="validation", expected={"validate_result": "OK"})
    assert classify(validation).category == "validation"


def test_a_mocked_case_with_only_results_and_resource_creation_is_replayable() -> None:
    case = mocked(
        setup_calls=[
            {"call": "fixture:create_lambda_function"},
            {"call": "aws_client.sns.subscribe"},
            {"call": "aws_client.sqs.get_queue_attributes"},
            {"call": "aws_client.sns.delete_topic"},
        ],
        task_results=[
            *LAMBDA_RESULTS,
            {"event": "TaskSubmitted", "state": "U", "output": {}},
            {"event": "TaskFailed", "state": "U", "error": "E", "cause": "c"},
        ],
    )
    assert classify(case).category == MOCKED
    assert classify(case).skip_reason is None


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"external_actions": ["sfn_activity_consumer"]}, "needs an activity worker (sfn_activity_consumer)"),
        ({"external_actions": ["sqs_send_task_success_state_machine"]}, "needs an external task-token answer"),
        ({"external_actions": ["something_else"]}, "needs an external action during the execution (something_else)"),
        (
            {"unresolved": ["«op4759:fixture_create_lambda_function__[CreateFunctionResponse][Fun»"]},
            "needs a value the recording hid (fixture_create_lambda_function)",
        ),
        (
            {"setup_calls": [{"call": "aws_client.s3.upload_file"}]},
            "needs S3 data put during setup that the runner cannot replay (s3.upload_file)",
        ),
        (
            {"setup_calls": [{"call": "aws_client.s3.put_object", "kwargs": {"Bucket": "b", "Key": "k"}}]},
            "needs S3 data put during setup that the runner cannot replay (s3.put_object)",
        ),
        ({"setup_calls": [{"call": "aws_client.dynamodb.put_item"}]}, "needs dynamodb data put during setup"),
        (
            {"task_results": [{"event": "TaskTimedOut", "state": "T", "error": "States.Timeout"}]},
            "needs a task timeout (TaskTimedOut in state 'T')",
        ),
        ({"task_results": [{"event": "TaskHeartbeat", "state": "T"}]}, "needs real task behaviour (TaskHeartbeat"),
        ({"task_results": [{"event": "TaskSucceeded", "state": "T"}]}, "has no output"),
        (
            {"task_results": [{"event": "TaskSucceeded", "state": None, "output": 1}]},
            "the recording does not say which state a task result belongs to",
        ),
        ({"task_results": []}, "needs task results the recording lacks (it has no history)"),
    ],
)
def test_mocked_cases_that_need_real_behaviour_are_skipped_with_the_reason(
    overrides: dict[str, Any], reason: str
) -> None:
    classification = classify(mocked(**overrides))
    assert classification.category == MOCKED_NOT_REPLAYABLE
    assert classification.skip_reason is not None and reason in classification.skip_reason


def test_no_task_results_is_fine_when_the_recorded_history_shows_none_were_needed() -> None:
    case = mocked(
        task_results=[],
        expected={
            "status": "FAILED",
            "error": "States.Runtime",
            "history_event_types": ["ExecutionStarted", "ExecutionFailed"],
        },
    )
    assert classify(case).category == MOCKED


def test_s3_objects_put_with_a_text_body_are_replayed_not_skipped() -> None:
    put = {"call": "aws_client.s3.put_object", "kwargs": {"Bucket": "b", "Key": "k", "Body": "a,b"}}
    case = mocked(
        setup_calls=[{"call": "fixture:s3_create_bucket"}, put],
        task_results=[],
        expected={"status": "SUCCEEDED", "history_event_types": ["ExecutionStarted"]},
    )
    assert classify(case).category == MOCKED
