from __future__ import annotations

from typing import Any

from asl_engine.conformance.verdict import outcome_problems
from asl_engine.conformance.wildcards import Wildcards

W = Wildcards(["111111111111"])


def problems(
    expected: dict[str, Any],
    status: str = "FAILED",
    output: Any = None,
    error: str | None = None,
    cause: str | None = None,
) -> list[str]:
    return outcome_problems(expected, status, output, error, cause, W)


def test_a_different_status_is_the_only_problem_reported_and_shows_the_failure() -> None:
    assert problems({"status": "SUCCEEDED", "output": 1}, "FAILED", None, "States.Runtime", "boom") == [
        "status: expected SUCCEEDED, got FAILED (States.Runtime: boom)"
    ]


def test_output_must_match_on_success() -> None:
    assert problems({"status": "SUCCEEDED", "output": {"a": 1.0}}, "SUCCEEDED", {"a": 1}) == []
    assert problems({"status": "SUCCEEDED", "output": {"a": True}}, "SUCCEEDED", {"a": 1}) == [
        "output differs at $.a: expected true, got 1"
    ]


def test_error_must_be_equal_and_cause_must_match() -> None:
    expected = {"status": "FAILED", "error": "E", "cause": "at 111111111111 on date"}
    assert problems(expected, error="E", cause="at 123456789012 on 2024-01-01T00:00:00Z") == []
    assert problems(expected, error="F", cause="at 123456789012 on 2024-01-01T00:00:00Z") == [
        'error: expected "E", got "F"'
    ]
    assert problems(expected, error="E", cause="elsewhere")[0].startswith("cause: expected 'at 111111111111")
    assert problems(expected, error="E") == ['cause: expected "at 111111111111 on date", got none']


def test_when_aws_recorded_no_cause_the_engine_must_give_none() -> None:
    assert problems({"status": "FAILED"}) == []
    assert problems({"status": "FAILED"}, cause="x") == ['cause: AWS reported none, got "x"']
    assert problems({"status": "FAILED"}, error="E") == ['error: expected null, got "E"']


def test_json_causes_compare_as_json_values() -> None:
    expected = {
        "status": "FAILED",
        "error": "Exception",
        "cause_is_json": True,
        "cause": {"errorMessage": "m", "requestId": "<uuid:1>", "n": 1},
    }
    assert problems(expected, error="Exception", cause='{"n": 1.0, "requestId": "x-1", "errorMessage": "m"}') == []
    assert problems(expected, error="Exception", cause='{"n": 2, "requestId": "x", "errorMessage": "m"}') == [
        "cause differs at cause.n: expected 1, got 2"
    ]
    assert problems(expected, error="Exception", cause="not json")[0].startswith("cause: expected JSON")
    textual = {**expected, "cause": '{"a": 1}'}
    assert problems(textual, error="Exception", cause='{"a":1}') == []


def test_timed_out_executions_compare_error_and_cause_too() -> None:
    assert problems({"status": "TIMED_OUT"}, "TIMED_OUT", error="States.Timeout") == [
        'error: expected null, got "States.Timeout"'
    ]
