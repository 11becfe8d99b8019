"""One adapter per engine measured: ours, the floor, moto, aws-local-stepfunctions.

Each Python adapter builds a runner for one case once (compiling or creating the machine outside
the timed region) and times one execution per ``run_once`` call, returning the elapsed seconds and
the execution's ``Outcome``. What is inside the timed region is said in each adapter.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from benchmarks.checks import Outcome


class Runner(Protocol):
    def run_once(self) -> tuple[float, Outcome]:
        """Run one execution; return (elapsed seconds of the timed region, what it returned)."""
        ...


LoadTimer = Callable[[str], float]
"""Loads (and validates, where the engine does) a definition from JSON text; returns seconds."""
