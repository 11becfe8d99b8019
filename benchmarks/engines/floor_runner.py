"""The floor interpreter (``benchmarks/floor.py``), compiled once; timed: ``execute`` alone."""

from __future__ import annotations

import json
from time import perf_counter

from benchmarks.cases import LoadedCase
from benchmarks.checks import Outcome
from benchmarks.floor import FloorMachine


class FloorRunner:
    def __init__(self, loaded: LoadedCase, history: bool) -> None:
        self.machine = FloorMachine(loaded.definition)
        self.input = loaded.input
        self.history = history

    def run_once(self) -> tuple[float, Outcome]:
        started = perf_counter()
        execution = self.machine.execute(self.input, history=self.history)
        elapsed = perf_counter() - started
        transitions = None if execution.history is None else len(execution.history)
        return elapsed, Outcome(
            execution.status, execution.output, execution.error, execution.cause, transitions=transitions
        )


def time_load(definition_text: str) -> float:
    """Parse and compile (the floor validates nothing beyond what it supports)."""
    started = perf_counter()
    FloorMachine(json.loads(definition_text))
    return perf_counter() - started
