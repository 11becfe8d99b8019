"""Is an engine's answer right? Every timed run passes through here: a wrong answer is a failed run."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from benchmarks.generate import Expected

JSON = Any


@dataclass(frozen=True)
class Outcome:
    """What one execution returned, in the same terms for every engine."""

    status: str
    output: JSON = None
    error: str | None = None
    cause: str | None = None
    transitions: int | None = None
    """States entered, when the engine's history was recorded and read."""
    events: int | None = None
    """History events recorded, when the engine's history was recorded and read."""
    virtual_seconds: float | None = None
    """Start-to-stop time on the engine's virtual clock, when it has one."""


def problem_with(outcome: Outcome, expected: Expected) -> str | None:
    """None when the outcome is the expected one; otherwise one line saying what differs."""
    if outcome.status != expected.status:
        detail = f" ({outcome.error}: {_clip(outcome.cause)})" if outcome.error else ""
        return f"status {outcome.status}{detail}, expected {expected.status}"
    if expected.status == "SUCCEEDED" and _canonical(outcome.output) != _canonical(expected.output):
        return f"wrong output {_clip(_canonical(outcome.output))}, expected {_clip(_canonical(expected.output))}"
    if expected.error is not None and outcome.error != expected.error:
        return f"error {outcome.error!r} ({_clip(outcome.cause)}), expected {expected.error!r}"
    if (
        outcome.transitions is not None
        and expected.transitions is not None
        and outcome.transitions != expected.transitions
    ):
        return f"{outcome.transitions} states entered, expected {expected.transitions}"
    if (
        outcome.virtual_seconds is not None
        and expected.virtual_seconds is not None
        and abs(outcome.virtual_seconds - expected.virtual_seconds) > 1e-6
    ):
        return f"spanned {outcome.virtual_seconds} s of virtual time, expected {expected.virtual_seconds}"
    return None


def _canonical(value: JSON) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _clip(text: str | None, limit: int = 80) -> str:
    if text is None:
        return "None"
    return text if len(text) <= limit else text[: limit - 3] + "..."
