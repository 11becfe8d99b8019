"""Retry fields are range-checked as AWS checks them, and a growing interval is capped: a Retry
with ``BackoffRate: 1e300`` validated, then the run died with OverflowError."""

from __future__ import annotations

import itertools
import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asl_engine import SafetyLimits, StateMachine, StatesError, validate
from asl_engine.runtime.retry import MAX_RETRY_INTERVAL_SECONDS, Retrier


def _task(retry: dict[str, Any]) -> dict[str, Any]:
    return {
        "StartAt": "T",
        "States": {
            "T": {
                "Type": "Task",
                "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f",
                "Retry": [{"ErrorEquals": ["States.ALL"], **retry}],
                "End": True,
            }
        },
    }


@pytest.mark.parametrize(
    "retry",
    [
        {"IntervalSeconds": 0},
        {"IntervalSeconds": 100_000_000},
        {"IntervalSeconds": 1.5},
        {"MaxAttempts": -1},
        {"MaxAttempts": 100_000_000},
        {"BackoffRate": 0.5},
        {"MaxDelaySeconds": 0},
        {"MaxDelaySeconds": 31_622_401},
        {"JitterStrategy": "HALF"},
    ],
)
def test_out_of_range_retry_fields_are_refused(retry: dict[str, Any]) -> None:
    errors = [d for d in validate(_task(retry)) if d.severity == "ERROR"]
    assert errors and all(d.location and d.location.startswith("/States/T/Retry/0") for d in errors)


def test_a_huge_backoff_is_capped_and_the_run_goes_on() -> None:
    definition = _task({"IntervalSeconds": 99_999_999, "BackoffRate": 1e300, "MaxAttempts": 5})
    assert [d for d in validate(definition) if d.severity == "ERROR"] == []
    execution = StateMachine.from_json(definition).execute({}, mocks={"T": [{"Throw": {"Error": "E"}}] * 6})
    assert (execution.status, execution.error) == ("FAILED", "E")
    started = [event["timestamp"] for event in execution.history if event["type"] == "LambdaFunctionScheduled"]
    assert len(started) == 6
    gaps = [(later - earlier).total_seconds() for earlier, later in itertools.pairwise(started)]
    assert gaps == [pytest.approx(99_999_999, abs=1)] * 5  # IntervalSeconds, then grown no further


def test_without_max_delay_an_interval_grows_up_to_366_days() -> None:
    retrier = Retrier(("States.ALL",), 10, 99, 1e300, None, False)
    assert [retrier.delay(n, random.Random(0)) for n in (1, 2, 3, 50)] == [10, MAX_RETRY_INTERVAL_SECONDS] + [
        MAX_RETRY_INTERVAL_SECONDS
    ] * 2
    assert Retrier(("States.ALL",), 3, 5, 2.0, 10, False).delay(4, random.Random(0)) == 10


@settings(max_examples=300, deadline=None)
@given(
    interval=st.integers(1, 99_999_999),
    backoff=st.one_of(st.floats(1.0, 1e308), st.integers(1, 10**6)),
    retry_number=st.integers(1, 99_999_999),
    max_delay=st.one_of(st.none(), st.integers(1, 31_622_400)),
    jitter=st.booleans(),
)
def test_property_the_interval_is_finite_and_capped(
    interval: int, backoff: float, retry_number: int, max_delay: int | None, jitter: bool
) -> None:
    retrier = Retrier(("States.ALL",), interval, 3, backoff, max_delay, jitter)
    delay = retrier.delay(retry_number, random.Random(0))
    assert 0 <= delay <= (max(MAX_RETRY_INTERVAL_SECONDS, interval) if max_delay is None else max_delay)


def test_endless_retries_end_at_the_transition_limit() -> None:
    definition = _task({"IntervalSeconds": 1, "BackoffRate": 1, "MaxAttempts": 99_999_999})
    execution = StateMachine.from_json(definition).execute(
        {}, mocks={"T": [{"Throw": {"Error": "E"}}]}, history=False, limits=SafetyLimits(max_transitions=500)
    )
    assert (execution.status, execution.error) == ("FAILED", "States.Runtime")
    assert isinstance(StatesError("States.Runtime", execution.cause), StatesError)
