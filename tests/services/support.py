"""Helpers for the resources tests: one-state machines and fixed clocks."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from asl_engine import StateMachine, VirtualClock

START = datetime(2024, 1, 1, tzinfo=UTC)


def task_machine(resource: str, **fields: Any) -> StateMachine:
    """A machine whose only state, ``Call``, is a Task on ``resource``."""
    return StateMachine.from_json(
        {"StartAt": "Call", "States": {"Call": {"Type": "Task", "Resource": resource, "End": True, **fields}}}
    )


def clock() -> VirtualClock:
    return VirtualClock(START)


def events(execution: Any, event_type: str) -> list[dict[str, Any]]:
    """The details of every ``event_type`` event in the history."""
    member = event_type[0].lower() + event_type[1:] + "EventDetails"
    return [event.get(member, {}) for event in execution.history if event["type"] == event_type]


def submitted_output(execution: Any) -> Any:
    (submitted,) = events(execution, "TaskSubmitted")
    return json.loads(submitted["output"])
