"""Our engine against the floor interpreter, in alternating pairs (issue 20's "within 2x of the floor").

``python -m benchmarks.run`` measures each engine in a process of its own, one after the other:
our engine's samples and the floor's are taken a minute or so apart. On a machine whose speed
drifts (this VM runs the same pure-Python loop up to 2x slower from one minute to the next, see
docs/performance.md), the ratio of two such medians moves by more than the engines differ: the
seventh round read W3c1 at 3.59x the floor in one run and 2.16x half an hour later, with the
floor's own W3c1 at 30.3 ms in the first and 53.3 ms in the second, for the same work.

Here both engines run in one process, execution by execution in turn (ours then the floor, then
the floor then ours, so neither always goes first), each after ``gc.collect()``, each checked
against the case's expected result. Each pair gives a ratio taken within a fraction of a second,
when the machine ran at one speed; the median of the pairs' ratios is the figure checked against
the target. Times are each runner's own (``execute`` alone, wall clock), as in ``benchmarks.run``,
which stays the suite's table; this is the ratio it cannot measure well on a drifting machine.

    python -m benchmarks.floor_pairs --only W1,W2,W3,W3c1,W4 --pairs 15 --history on
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from benchmarks.cases import CASES, Case
from benchmarks.checks import Outcome, problem_with
from benchmarks.engines.floor_runner import FloorRunner
from benchmarks.engines.ours import OursRunner
from benchmarks.generate import Expected
from benchmarks.targets import FLOOR_GOAL

RunOnce = Callable[[], tuple[float, Outcome]]


@dataclass
class PairedResult:
    case: str
    history: str
    ours_wall_ms: list[float]
    floor_wall_ms: list[float]

    @property
    def wall_ratios(self) -> list[float]:
        return [ours / floor for ours, floor in zip(self.ours_wall_ms, self.floor_wall_ms, strict=True)]

    @property
    def ratio(self) -> float:
        """The median of the pairs' wall-time ratios: the figure the target is checked on."""
        return statistics.median(self.wall_ratios)

    def line(self) -> str:
        walls = self.wall_ratios
        return (
            f"{self.case:<5} history {self.history:<3}: ours {statistics.median(self.ours_wall_ms):.1f} ms, "
            f"floor {statistics.median(self.floor_wall_ms):.1f} ms (medians of {len(walls)}); "
            f"paired ratio median {self.ratio:.2f}x (range {min(walls):.2f}-{max(walls):.2f})"
        )

    def verdict(self) -> str:
        status = "met" if self.ratio <= FLOOR_GOAL else "MISSED"
        return (
            f"  {self.case} vs floor (history {self.history}): {self.ratio:.2f}x the floor, median of paired "
            f"ratios (target <= {FLOOR_GOAL:g}x the floor's time): {status}"
        )

    def to_json(self) -> dict[str, object]:
        document: dict[str, object] = asdict(self)
        document["ratio"] = self.ratio
        return document


class WrongAnswer(Exception):
    """An engine's result differs from the case's expected one: no ratio is worth reporting."""


def timed(run_once: RunOnce, expected: Expected, engine: str) -> float:
    """One execution after a collection: the runner's own timing of ``execute`` alone (what
    ``benchmarks.run`` times), in milliseconds; its answer checked."""
    gc.collect()
    wall_s, outcome = run_once()
    problem = problem_with(outcome, expected)
    if problem is not None:
        raise WrongAnswer(f"{engine}: {problem}")
    return wall_s * 1000


def measure_pairs(
    ours: RunOnce, floor: RunOnce, expected: Expected, *, pairs: int, case: str, history: str
) -> PairedResult:
    """One warm-up execution each, then ``pairs`` pairs, the order swapped every pair."""
    timed(ours, expected, "ours")
    timed(floor, expected, "floor")
    result = PairedResult(case, history, [], [])
    for index in range(pairs):
        if index % 2 == 0:
            mine, theirs = timed(ours, expected, "ours"), timed(floor, expected, "floor")
        else:
            theirs, mine = timed(floor, expected, "floor"), timed(ours, expected, "ours")
        result.ours_wall_ms.append(mine)
        result.floor_wall_ms.append(theirs)
    return result


def floor_cases(only: str | None) -> list[Case]:
    cases = [case for case in CASES if case.floor]
    if only is None:
        return cases
    wanted = {name.strip().upper() for name in only.split(",") if name.strip()}
    chosen = [case for case in cases if case.id.upper() in wanted or case.workload.upper() in wanted]
    unknown = wanted - {case.id.upper() for case in cases} - {case.workload.upper() for case in cases}
    if unknown:
        names = ", ".join(sorted(unknown))
        known = ", ".join(case.id for case in cases)
        raise SystemExit(f"floor_pairs: no floor case named {names} (the floor runs {known})")
    return chosen


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.floor_pairs", description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="cases or workloads, comma-separated (default: every floor case, W1-W4)")
    parser.add_argument("--pairs", type=int, default=15, help="timed pairs per case, after one warm-up each (15)")
    parser.add_argument("--history", default="on", help="on, off or on,off (default on: the issue's target)")
    parser.add_argument("--scale", type=float, default=1.0, help="workload size factor (tests use tiny ones)")
    parser.add_argument("--json", type=Path, help="write every sample as JSON")
    args = parser.parse_args(argv)
    if args.pairs < 1:
        parser.error("--pairs must be 1 or more")
    modes = [mode.strip() for mode in args.history.split(",")]
    if not modes or any(mode not in ("on", "off") for mode in modes):
        parser.error("--history takes on, off or on,off")
    results: list[PairedResult] = []
    failures: list[str] = []
    for case in floor_cases(args.only):
        loaded = case.load(args.scale)
        for mode in modes:
            history = mode == "on"
            ours, floor = OursRunner(loaded, history), FloorRunner(loaded, history)
            try:
                result = measure_pairs(
                    ours.run_once, floor.run_once, loaded.expected, pairs=args.pairs, case=case.id, history=mode
                )
            except WrongAnswer as error:
                failures.append(f"  {case.id} (history {mode}): {error}")
                print(f"{case.id:<5} history {mode:<3}: {error}", flush=True)
                continue
            results.append(result)
            print(result.line(), flush=True)
    print("\ntargets:")
    for result in results:
        print(result.verdict())
    for failure in failures:
        print(failure + ": not comparable")
    if args.json is not None:
        args.json.write_text(json.dumps([result.to_json() for result in results], indent=2), encoding="utf-8")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
