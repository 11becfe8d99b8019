"""``--profile CASE``: where our engine spends its time on one case.

cProfile's top 25 functions over one or more profiled runs (enough runs to fill about half a second,
so that W1's 5 ms are not lost in the timer's resolution), after one unprofiled warm-up run, plus the
time the cyclic garbage collector took during those runs: cProfile charges a collection to
whichever function happened to allocate when it started, which can make an innocent function look
expensive.
"""

from __future__ import annotations

import cProfile
import gc
import pstats
import sys
import time
from typing import Any

from benchmarks.cases import CASES, by_id, select
from benchmarks.checks import problem_with
from benchmarks.engines.ours import OursRunner

PROFILED_SECONDS = 0.5
MAX_PROFILED_RUNS = 100
TOP = 25


class CollectorClock:
    """Counts the cyclic garbage collector's passes and the time they take (``gc.callbacks``)."""

    def __init__(self) -> None:
        self.collections = 0
        self.seconds = 0.0
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.collections += 1
            self.seconds += time.perf_counter() - self._started

    def __enter__(self) -> CollectorClock:
        gc.callbacks.append(self)
        return self

    def __exit__(self, *exc_info: object) -> None:
        gc.callbacks.remove(self)


def profile(case_name: str, *, history: bool, sort: str, scale: float) -> int:
    case = by_id(case_name) if case_name.upper() in {c.id.upper() for c in CASES} else select(case_name)[0]
    loaded = case.load(scale)
    runner = OursRunner(loaded, history)
    warm_up_seconds, _ = runner.run_once()
    runs = max(1, min(MAX_PROFILED_RUNS, int(PROFILED_SECONDS / max(warm_up_seconds, 1e-6))))
    profiler = cProfile.Profile()
    problems = []
    with CollectorClock() as collector:
        started = time.perf_counter()
        for _ in range(runs):
            profiler.enable()
            execution = runner.execute()
            profiler.disable()
            problems.append(problem_with(runner.outcome(execution), loaded.expected))
        elapsed = time.perf_counter() - started
    problem = next((p for p in problems if p), None)
    mode = "history on" if history else "history off"
    print(
        f"{case.id} ({case.title}), our engine, {mode}: {runs} run(s) under the profiler, "
        f"{elapsed * 1000 / runs:.1f} ms each (unprofiled warm-up: {warm_up_seconds * 1000:.1f} ms)"
    )
    print(
        f"garbage collector: {collector.collections} collection(s), {collector.seconds * 1000 / runs:.1f} ms per run"
        " (charged by cProfile to whatever function was allocating)"
    )
    if problem:
        print(f"WRONG ANSWER: {problem}")
    pstats.Stats(profiler, stream=sys.stdout).strip_dirs().sort_stats(sort).print_stats(TOP)
    return 1 if problem else 0
