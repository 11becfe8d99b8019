"""Shared helpers for the test suite."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import settings

from asl_engine import StateMachine

# Property tests are deterministic (the same examples on every run, so a failure reproduces) and have
# no wall-clock deadline: on a loaded CI machine Hypothesis's default 200 ms per example failed tests
# whose code was fine. A test may still ask for more examples or its own settings.
settings.register_profile("asl-engine", deadline=None, derandomize=True)
settings.load_profile("asl-engine")


def machine(states: dict[str, Any], start: str | None = None, **top: Any) -> StateMachine:
    """A StateMachine from a States block (StartAt defaults to the first state)."""
    definition = {"StartAt": start or next(iter(states)), "States": states, **top}
    return StateMachine.from_json(definition)


@pytest.fixture
def make_machine() -> Any:
    return machine
