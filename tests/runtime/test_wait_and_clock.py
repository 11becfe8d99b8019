"""Wait states and the virtual clock: no real sleeping, timestamps advance, AWS's error texts."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from asl_engine import RealClock, VirtualClock
from asl_engine.runtime.scheduler import Scheduler
from tests.conftest import machine

START = datetime(2024, 1, 1, tzinfo=UTC)


def test_wait_seconds_takes_no_real_time_but_advances_timestamps(monkeypatch: pytest.MonkeyPatch) -> None:
    sm = machine(
        {
            "W": {"Type": "Wait", "Seconds": 3600, "Next": "P"},
            "P": {"Type": "Pass", "Parameters": {"t.$": "$$.State.EnteredTime"}, "End": True},
        }
    )

    def no_real_waiting(self: Scheduler) -> None:
        raise AssertionError("a virtual clock must never wait in real time")

    monkeypatch.setattr(Scheduler, "_wait_real", no_real_waiting)
    ex = sm.execute(clock=VirtualClock(START))
    assert ex.output == {"t": "2024-01-01T01:00:00Z"}


def test_wait_timestamp_and_paths() -> None:
    sm = machine({"W": {"Type": "Wait", "TimestampPath": "$.until", "End": True}})
    ex = sm.execute({"until": "2024-01-02T00:00:00Z"}, clock=VirtualClock(START))
    assert ex.history[-1]["timestamp"] == datetime(2024, 1, 2, tzinfo=UTC)
    past = sm.execute({"until": "2000-01-01T00:00:00Z"}, clock=VirtualClock(START))
    assert past.history[-1]["timestamp"] == START


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (-1, "The SecondsPath parameter references a negative value: $.s == -1"),
        (1.5, "The SecondsPath parameter cannot be parsed as a long value: $.s == 1.5"),
        ("10", "The SecondsPath parameter cannot be parsed as a long value: $.s == 10"),
    ],
)
def test_seconds_path_errors(value: object, message: str) -> None:
    ex = machine({"W": {"Type": "Wait", "SecondsPath": "$.s", "End": True}}).execute({"s": value})
    assert ex.error == "States.Runtime"
    assert ex.cause == f"An error occurred while executing the state 'W' (entered at the event id #2). {message}"


def test_seconds_path_zero_and_missing() -> None:
    sm = machine({"W": {"Type": "Wait", "SecondsPath": "$.s", "End": True}})
    assert sm.execute({"s": 0}).status == "SUCCEEDED"
    missing = sm.execute({})
    assert missing.cause is not None and missing.cause.endswith(
        "The SecondsPath parameter does not reference an input value: $.s"
    )


def test_invalid_timestamp_path_value() -> None:
    ex = machine({"W": {"Type": "Wait", "TimestampPath": "$.t", "End": True}}).execute({"t": "2016-12-05 21:29:29Z"})
    assert ex.cause is not None and ex.cause.endswith(
        "The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: "
        "$.t == 2016-12-05 21:29:29Z"
    )


def test_wait_too_far_in_the_future() -> None:
    sm = machine({"W": {"Type": "Wait", "TimestampPath": "$.t", "End": True}})
    ok = sm.execute({"t": "2092-01-19T00:00:00Z"}, clock=VirtualClock(START))  # within 24,855 days
    assert ok.status == "SUCCEEDED"
    too_far = sm.execute({"t": "2092-01-21T00:00:00Z"}, clock=VirtualClock(START))
    assert too_far.cause is not None and too_far.cause.endswith("Wait state delay is too long.")


def test_real_clock_really_waits() -> None:
    sm = machine({"W": {"Type": "Wait", "Seconds": 1, "End": True}})
    ex = sm.execute(clock=RealClock())
    assert ex.status == "SUCCEEDED"
    entered, exited = (event["timestamp"] for event in ex.history if event["type"].startswith("WaitState"))
    assert (exited - entered).total_seconds() >= 1  # the clock's own readings: the Wait state spanned a second


def test_virtual_clock_can_be_advanced_manually() -> None:
    clock = VirtualClock(START)
    clock.advance(10)
    assert clock.now_datetime() == datetime(2024, 1, 1, 0, 0, 10, tzinfo=UTC)
    with pytest.raises(ValueError):
        clock.advance(-1)
