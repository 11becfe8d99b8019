"""Shared helpers for the test suite."""

from __future__ import annotations

from typing import Any

import pytest

from asl_engine import StateMachine


def machine(states: dict[str, Any], start: str | None = None, **top: Any) -> StateMachine:
    """A StateMachine from a States block (StartAt defaults to the first state)."""
    definition = {"StartAt": start or next(iter(states)), "States": states, **top}
    return StateMachine.from_json(definition)


@pytest.fixture
def make_machine() -> Any:
    return machine
