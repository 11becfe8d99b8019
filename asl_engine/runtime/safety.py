"""The engine's safety limits: what ends an execution that would otherwise never end.

AWS ends a runaway workflow by itself: a Standard execution at 25,000 history events (the engine
does too), an Express execution after five minutes. Locally, under a virtual clock no time passes
and, with ``history=False``, no event is counted, so a ``Choice`` -> ``Pass`` -> ``Choice`` loop
would run (and grow) until the machine gives out. These limits end it first, with a clear failure:

* ``max_transitions``: states entered by one execution (its branches and iterations included; a
  Distributed Map's child executions count their own). Reaching it fails the execution with
  ``States.Runtime``, a cause that names the limit and how to raise it.
* ``jsonata_steps``, ``jsonata_seconds``, ``jsonata_items``: the budget of each JSONata evaluation
  (``asl_engine.language.jsonata_budget``), reported as ``States.QueryEvaluationError``.

Between states the interpreter counts transitions and, every ``CHECK_EVERY`` of them, yields to the
scheduler: that is when a real clock's ``TimeoutSeconds`` fires and ``handle.stop()`` lands, even
in a loop of states that never wait. The count is the only per-transition cost.

Pass ``limits=SafetyLimits(...)`` to ``execute``/``start`` (nested executions inherit it), or use
``asl run --max-transitions N``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from asl_engine.errors import StatesError
from asl_engine.language.jsonata_budget import DEFAULT_BUDGET, EvaluationBudget

CHECK_EVERY: Final = 1024
"""Transitions between two checkpoints (a yield to the scheduler, a look at the limit)."""


@dataclass(frozen=True, slots=True)
class SafetyLimits:
    """Limits that end an execution which would otherwise never end (see the module)."""

    max_transitions: int = 1_000_000
    """States one execution may enter before it fails with States.Runtime."""
    jsonata_steps: int = DEFAULT_BUDGET.steps
    """Evaluation steps one JSONata expression may take."""
    jsonata_seconds: float = DEFAULT_BUDGET.seconds
    """Seconds (real time) one JSONata evaluation may take, regular expressions included."""
    jsonata_items: int = DEFAULT_BUDGET.items
    """Array items (and string characters by the 16) one JSONata evaluation may produce."""

    def __post_init__(self) -> None:
        for name in ("max_transitions", "jsonata_steps", "jsonata_items"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"SafetyLimits.{name} must be a positive integer, got {value!r}")
        seconds = self.jsonata_seconds
        if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not seconds > 0:
            raise ValueError(f"SafetyLimits.jsonata_seconds must be a positive number, got {seconds!r}")

    def jsonata_budget(self, deadline: float | None = None) -> EvaluationBudget:
        return EvaluationBudget(self.jsonata_steps, self.jsonata_seconds, self.jsonata_items, deadline)


DEFAULT_LIMITS: Final = SafetyLimits()


def transitions_exceeded(limit: int) -> StatesError:
    """The failure of an execution that entered ``limit`` states (never retried, never caught)."""
    return StatesError(
        "States.Runtime",
        f"The execution entered {limit:,} states, asl-engine's safety limit (SafetyLimits.max_transitions): "
        "a loop that never ends? Raise the limit with execute(..., limits=SafetyLimits(max_transitions=...)) "
        "or asl run --max-transitions N.",
    )
