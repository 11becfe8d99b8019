"""Timing and memory: the measurement of one case on one engine with history on or off.

Timing: one untimed warm-up run, then N timed samples, each after ``gc.collect()`` (so garbage
from an earlier sample is not charged to the next); the median sample is reported. A workload
faster than ``min_sample_s`` (20 ms) is executed k times per sample, k chosen from the warm-up so
that a sample lasts about that long, and the sample is the mean of its k executions: a 0.3 ms
workload timed 5 times would mostly measure noise. Every execution is timed alone and checked.
Peers may stop early once their samples have used the time budget (at least one always counts),
since moto needs seconds to minutes per run; the number of samples is reported with the median.

Memory: peak RSS of the fresh process that ran the case, warm-up included, and the same reading
taken just before the warm-up ("base": interpreter, libraries, machine and input loaded). Read from
``VmHWM`` in ``/proc/self/status``, the high-water mark of this process image. Not
``getrusage(RUSAGE_SELF).ru_maxrss``: on Linux it keeps the parent's peak across fork and exec, so a
worker started by a 300 MB parent would report at least 300 MB whatever it did (measured here).
Where there is no /proc, ru_maxrss is the fallback. Not tracemalloc: it would slow the runs it
measures and miss memory outside Python's allocator.
"""

from __future__ import annotations

import gc
import math
import resource
import statistics
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from benchmarks.checks import Outcome, problem_with
from benchmarks.generate import Expected


@dataclass
class Measurement:
    case: str
    engine: str
    history: str
    """"on" or "off"."""
    times_ms: list[float] = field(default_factory=list)
    """One entry per sample: the mean time of its executions."""
    executions_per_sample: int = 1
    rss_base_mb: float | None = None
    rss_peak_mb: float | None = None
    problem: str | None = None
    """Why there is no timing: a wrong answer, a crash, a timeout. Never set together with a median."""
    timed_out_after_s: float | None = None
    cold_ms: float | None = None
    """Load measurements: the first load in the process."""
    events: int | None = None
    """History events one execution recorded (our engine and the floor, history on)."""
    version: str | None = None
    note: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None and bool(self.times_ms)

    @property
    def median_ms(self) -> float | None:
        return statistics.median(self.times_ms) if self.ok else None

    @property
    def runs(self) -> int:
        return len(self.times_ms)

    def to_json(self) -> dict[str, Any]:
        document = asdict(self)
        document["median_ms"] = self.median_ms
        return document

    @classmethod
    def from_json(cls, document: dict[str, Any]) -> Measurement:
        fields = {name: document[name] for name in cls.__dataclass_fields__ if name in document}
        return cls(**fields)


RunOnce = Callable[[], tuple[float, Outcome]]


MIN_SAMPLE_S = 0.02
MAX_EXECUTIONS_PER_SAMPLE = 1000


@dataclass
class Timing:
    times_ms: list[float]
    """Per sample: mean milliseconds of one execution."""
    executions_per_sample: int = 1
    problem: str | None = None
    """The first wrong answer (no sample after it is kept)."""
    events: int | None = None
    """History events the last execution recorded (engines that report them)."""


def time_runs(
    run_once: RunOnce,
    expected: Expected,
    *,
    runs: int,
    budget_s: float | None = None,
    warm_up: Callable[[], object] | None = None,
    min_sample_s: float | None = MIN_SAMPLE_S,
) -> Timing:
    """Warm up, then time ``runs`` samples; stop at the first wrong answer or when the budget is spent.

    ``warm_up`` replaces the warm-up run of the workload itself (for peers too slow to run it twice);
    samples are then single executions, as they are when ``min_sample_s`` is None.
    """
    executions = 1
    if warm_up is None:
        elapsed, outcome = run_once()
        problem = problem_with(outcome, expected)
        if problem is not None:
            return Timing([], problem=f"warm-up run: {problem}")
        if min_sample_s is not None:
            executions = max(1, min(MAX_EXECUTIONS_PER_SAMPLE, math.ceil(min_sample_s / max(elapsed, 1e-9))))
    else:
        warm_up()
    timing = Timing([], executions)
    spent = 0.0
    for _ in range(runs):
        gc.collect()
        total = 0.0
        for _ in range(executions):
            elapsed, outcome = run_once()
            problem = problem_with(outcome, expected)
            if problem is not None:
                timing.problem = problem
                return timing
            total += elapsed
            timing.events = outcome.events
        timing.times_ms.append(total * 1000 / executions)
        spent += total
        if budget_s is not None and spent >= budget_s:
            break
    return timing


def time_loads(load: Callable[[], float], runs: int) -> tuple[float, list[float]]:
    """The first (cold) load and ``runs`` more, in milliseconds."""
    cold = load() * 1000
    times = []
    for _ in range(runs):
        gc.collect()
        times.append(load() * 1000)
    return cold, times


def peak_rss_mb() -> float:
    """This process image's peak resident set size so far, in MiB."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024  # kB
    except (OSError, ValueError, IndexError):
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
