"""Summarising results: pass rates per category and feature tag, metrics, failures, floors.

``summarise`` computes; ``format_text`` and ``to_json`` present. Rates are percentages of the cases
run in that group (skipped cases are counted apart and never lower a rate).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from asl_engine.conformance.classify import HANDLERS, MALFORMED, MOCKED_NOT_REPLAYABLE, RUN_CATEGORIES
from asl_engine.conformance.floors import FloorCheck
from asl_engine.conformance.metrics import METRICS, sequence_diff
from asl_engine.conformance.results import FAILED, SKIPPED, CaseResult

HIGHLIGHTED_TAGS = ("JSONata", "Assign")


@dataclass(frozen=True, slots=True)
class Tally:
    passed: int = 0
    total: int = 0

    @property
    def rate(self) -> float | None:
        return 100.0 * self.passed / self.total if self.total else None

    def add(self, passed: bool) -> Tally:
        return Tally(self.passed + passed, self.total + 1)

    def to_json(self) -> dict[str, Any]:
        rate = self.rate
        return {"passed": self.passed, "total": self.total, "rate": None if rate is None else round(rate, 2)}


@dataclass(slots=True)
class Summary:
    categories: dict[str, Tally] = field(default_factory=dict)
    features: dict[str, Tally] = field(default_factory=dict)
    metrics: dict[str, Tally] = field(default_factory=dict)
    skipped: Counter[str] = field(default_factory=Counter)
    malformed: int = 0
    floors: list[FloorCheck] = field(default_factory=list)
    metric_floors: list[FloorCheck] = field(default_factory=list)
    seconds: float = 0.0
    case_seconds: float = 0.0

    @property
    def floors_met(self) -> bool:
        checks = (*self.floors, *self.metric_floors)
        return self.malformed == 0 and all(check.met for check in checks)


def summarise(results: Sequence[CaseResult], floors: Mapping[str, float], seconds: float = 0.0) -> Summary:
    summary = Summary(
        categories={category: Tally() for category in RUN_CATEGORIES},
        metrics={name: Tally() for name in METRICS},
        seconds=seconds,
    )
    for result in results:
        if result.outcome == SKIPPED:
            reason = result.reason or "skipped"
            summary.skipped[f"handlers: {reason}" if result.category == HANDLERS else reason] += 1
            continue
        if result.category == MALFORMED:
            summary.malformed += 1
            continue
        summary.case_seconds += result.seconds
        summary.categories[result.category] = summary.categories[result.category].add(result.passed)
        if result.category == HANDLERS:
            continue  # the same case was counted once already, through mocks
        for tag in result.features:
            summary.features[tag] = summary.features.get(tag, Tally()).add(result.passed)
        for name, metric in result.metrics.items():
            summary.metrics[name] = summary.metrics[name].add(metric.passed)
    summary.floors = [
        FloorCheck(category, summary.categories[category].rate, floors.get(category, 0.0))
        for category in RUN_CATEGORIES
    ]
    summary.metric_floors = [FloorCheck(name, summary.metrics[name].rate, floors.get(name, 0.0)) for name in METRICS]
    return summary


def format_text(results: Sequence[CaseResult], summary: Summary, *, verbose: bool = False) -> str:
    """The human report: (per case when verbose,) failures, feature tags, metrics, then the categories."""
    lines: list[str] = []
    if verbose:
        lines.extend(_case_lines(results))
        lines.append("")
    failures = [result for result in results if result.outcome == FAILED]
    if failures:
        lines.append(f"failures ({len(failures)})")
        lines.extend(f"  [{result.category}] {result.case_id}: {result.reason}" for result in failures)
        lines.append("")
    if summary.features:
        lines.append("by feature tag")
        width = max(len(tag) for tag in summary.features)
        lines.extend(f"  {_rate_line(tag, summary.features[tag], width)}" for tag in sorted(summary.features))
        lines.append("")
    lines.append("history checks (a case whose history differs fails)")
    for check in summary.metric_floors:
        mark = "" if check.met else "  BELOW FLOOR"
        lines.append(f"  {_rate_line(check.name, summary.metrics[check.name], 20)}  (floor {check.floor:.1f}%){mark}")
    lines.append("")
    run = sum(tally.total for tally in summary.categories.values())
    elapsed = f" in {summary.seconds:.2f} s" if summary.seconds else ""
    lines.append(
        f"{run} cases run, {sum(summary.skipped.values())} skipped{elapsed} ({summary.case_seconds:.2f} s in cases)"
    )
    for check in summary.floors:
        tally = summary.categories[check.name]
        mark = "" if check.met else "  BELOW FLOOR"
        lines.append(f"{_rate_line(check.name, tally, 22)}  (floor {check.floor:.1f}%){mark}")
    for tag in HIGHLIGHTED_TAGS:
        lines.append(_rate_line(f"tag {tag}", summary.features.get(tag, Tally()), 22))
    if summary.skipped:
        lines.append(f"{MOCKED_NOT_REPLAYABLE:<22}  {sum(summary.skipped.values())} skipped:")
        lines.extend(f"  {count:>4}  {reason}" for reason, count in _skip_groups(summary.skipped))
    if summary.malformed:
        lines.append(f"{MALFORMED:<22}  {summary.malformed} case file(s) could not be read (see failures)")
    lines.append(
        "floors met"
        if summary.floors_met
        else "FAILED: below a floor" + (" or malformed case files" if summary.malformed else "")
    )
    return "\n".join(lines)


def to_json(results: Sequence[CaseResult], summary: Summary) -> dict[str, Any]:
    """The machine-readable report (``--json FILE``)."""
    return {
        "floors_met": summary.floors_met,
        "seconds": round(summary.seconds, 3),
        "categories": {
            check.name: {**summary.categories[check.name].to_json(), "floor": check.floor, "met": check.met}
            for check in summary.floors
        },
        "skipped": {"total": sum(summary.skipped.values()), "reasons": dict(summary.skipped.most_common())},
        "malformed": summary.malformed,
        "highlighted_tags": {tag: summary.features.get(tag, Tally()).to_json() for tag in HIGHLIGHTED_TAGS},
        "features": {tag: summary.features[tag].to_json() for tag in sorted(summary.features)},
        "metrics": {
            check.name: {**summary.metrics[check.name].to_json(), "floor": check.floor, "met": check.met}
            for check in summary.metric_floors
        },
        "cases": [result.to_json() for result in results],
    }


def _rate_line(label: str, tally: Tally, width: int) -> str:
    rate = tally.rate
    shown = "   n/a" if rate is None else f"{rate:5.1f}%"
    return f"{label:<{width}}  {tally.passed:>4}/{tally.total:<4} {shown}"


def _case_lines(results: Sequence[CaseResult]) -> list[str]:
    lines = []
    for result in results:
        mark = {"passed": "PASS", "failed": "FAIL", "skipped": "SKIP"}[result.outcome]
        line = f"{mark}  [{result.category}] {result.case_id}  ({result.seconds * 1000:.1f} ms)"
        if result.reason:
            line += f"\n        {result.reason}"
        for extra in result.problems[1:]:
            line += f"\n        {extra}"
        for name, metric in result.metrics.items():
            if metric.passed:
                continue
            text = f"{name}: {metric.detail}"
            if text not in result.problems:
                line += f"\n        {text}"
            diff = sequence_diff(metric.expected, metric.actual)
            if diff:
                line += f"\n        {name} (- recorded on AWS, + the engine's):"
                line += "".join(f"\n          {row}" for row in diff)
        lines.append(line)
    return lines


def _skip_groups(skipped: Counter[str]) -> list[tuple[str, int]]:
    """Skip reasons grouped by their words before the parenthesised detail, largest group first."""
    groups: Counter[str] = Counter()
    for reason, count in skipped.items():
        groups[reason.split(" (", 1)[0]] += count
    return groups.most_common()
