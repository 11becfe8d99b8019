"""Issue 7's and issue 20's targets, checked against one run's measurements.

* every workload at least 5x faster than aws-local-stepfunctions and 100x faster than moto
  (our engine with history on, as both peers always record theirs);
* W1-W4 within 2x of the floor (issue 20; it was 3x), with history on and with history off;
* loading + validating the 1,000-state definition under 50 ms (median of loads, each one
  parsing, validating and compiling: the cache of loaded definitions is emptied before each);
* W7 (100,000 iterations, history on) at a peak RSS of 100 MiB or less, with the memory per
  recorded history event reported: (peak - base) / events.

The targets issue 20 adds outside this run have their own scripts: ``import_time.py``,
``repeat_load.py`` and ``pytest_overhead.py``.

A peer that timed out still gives a lower bound (its timeout); a peer that gave a wrong answer or
crashed gives no ratio at all ("not comparable").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from benchmarks.cases import LOAD_CASE_ID, Case
from benchmarks.measure import Measurement

PEER_GOALS: tuple[tuple[str, float], ...] = (("alsf", 5.0), ("moto", 100.0))
FLOOR_GOAL = 2.0
LOAD_GOAL_MS = 50.0
MEMORY_CASE, MEMORY_GOAL_MB = "W7", 100.0

MET, MISSED, NOT_MEASURED, NOT_COMPARABLE = "met", "MISSED", "not measured", "not comparable"


@dataclass(frozen=True)
class TargetResult:
    subject: str
    goal: str
    status: str
    detail: str

    def line(self) -> str:
        return f"{self.subject}: {self.detail} (target {self.goal}): {self.status}"


def find(measurements: Sequence[Measurement], case: str, engine: str, history: str) -> Measurement | None:
    for measurement in measurements:
        if (measurement.case, measurement.engine, measurement.history) == (case, engine, history):
            return measurement
    return None


def evaluate(
    cases: Sequence[Case],
    engines: Sequence[str],
    measurements: Sequence[Measurement],
    skipped: dict[tuple[str, str], str],
    peer_names: dict[str, str],
) -> list[TargetResult]:
    """Every target that applies to the cases and engines that were selected, in table order."""
    results: list[TargetResult] = []
    load = find(measurements, LOAD_CASE_ID, "ours", "-")
    if load is not None:
        results.append(_load_target(load))
    if "ours" not in engines:
        return results
    for case in cases:
        ours = find(measurements, case.id, "ours", "on")
        for peer, goal in PEER_GOALS:
            if peer not in engines:
                continue
            subject = f"{case.id} vs {peer_names.get(peer, peer)}"
            reason = skipped.get((case.id, peer))
            if reason is not None:
                results.append(TargetResult(subject, f">= {goal:g}x faster", NOT_MEASURED, reason))
                continue
            results.append(_peer_target(subject, goal, ours, find(measurements, case.id, peer, "on")))
        if case.id == MEMORY_CASE:
            results.append(_memory_target(find(measurements, case.id, "ours", "on")))
        if case.floor and "floor" in engines:
            for history in ("on", "off"):
                pair = find(measurements, case.id, "ours", history), find(measurements, case.id, "floor", history)
                if pair != (None, None):  # this history mode was run
                    results.append(_floor_target(case.id, history, *pair))
    return results


def _load_target(load: Measurement) -> TargetResult:
    subject, goal = "load + validate 1,000 states", f"< {LOAD_GOAL_MS:g} ms"
    median = load.median_ms
    if median is None:
        return TargetResult(subject, goal, NOT_MEASURED, load.problem or "no timing")
    if median < LOAD_GOAL_MS:
        return TargetResult(subject, goal, MET, f"{median:.1f} ms, {LOAD_GOAL_MS / median:.1f}x under")
    return TargetResult(subject, goal, MISSED, f"{median:.1f} ms, over by {median / LOAD_GOAL_MS:.2f}x")


def _memory_target(ours: Measurement | None) -> TargetResult:
    subject, goal = f"{MEMORY_CASE} peak RSS (history on)", f"<= {MEMORY_GOAL_MB:g} MiB"
    if ours is None or ours.rss_peak_mb is None or ours.problem is not None:
        return TargetResult(subject, goal, NOT_MEASURED, (ours and ours.problem) or "not run")
    peak = ours.rss_peak_mb
    per_event = ""
    if ours.events and ours.rss_base_mb is not None:
        per_event = f", {(peak - ours.rss_base_mb) * 2**20 / ours.events:,.0f} bytes per history event over the base"
    status = MET if peak <= MEMORY_GOAL_MB else MISSED
    return TargetResult(subject, goal, status, f"{peak:.1f} MiB{per_event}")


def _peer_target(subject: str, goal: float, ours: Measurement | None, peer: Measurement | None) -> TargetResult:
    wanted = f">= {goal:g}x faster"
    if ours is None or ours.median_ms is None:
        return TargetResult(subject, wanted, NOT_MEASURED, "our engine has no timing for this case")
    if peer is None:
        return TargetResult(subject, wanted, NOT_MEASURED, "peer not run")
    if peer.median_ms is not None:
        speedup = peer.median_ms / ours.median_ms
        if speedup >= goal:
            return TargetResult(subject, wanted, MET, f"{speedup:,.1f}x faster")
        return TargetResult(subject, wanted, MISSED, f"{speedup:,.2f}x faster, short by {goal / speedup:.2f}x")
    if peer.timed_out_after_s is not None:
        bound = peer.timed_out_after_s * 1000 / ours.median_ms
        status = MET if bound >= goal else NOT_MEASURED
        return TargetResult(subject, wanted, status, f"peer timed out: at least {bound:,.0f}x faster")
    return TargetResult(subject, wanted, NOT_COMPARABLE, f"peer {peer.problem}")


def _floor_target(case: str, history: str, ours: Measurement | None, floor: Measurement | None) -> TargetResult:
    subject, goal = f"{case} vs floor (history {history})", f"<= {FLOOR_GOAL:g}x the floor's time"
    if ours is None or floor is None or ours.median_ms is None or floor.median_ms is None:
        missing = [m.problem for m in (ours, floor) if m is not None and m.problem] or ["not run"]
        return TargetResult(subject, goal, NOT_MEASURED, missing[0])
    ratio = ours.median_ms / floor.median_ms
    if ratio <= FLOOR_GOAL:
        return TargetResult(subject, goal, MET, f"{ratio:.2f}x the floor")
    return TargetResult(subject, goal, MISSED, f"{ratio:.2f}x the floor, over by {ratio / FLOOR_GOAL:.2f}x")


def summary(results: Sequence[TargetResult]) -> str:
    counts = {
        status: sum(1 for result in results if result.status == status)
        for status in (MET, MISSED, NOT_MEASURED, NOT_COMPARABLE)
    }
    return ", ".join(f"{count} {status}" for status, count in counts.items() if count) or "none"
