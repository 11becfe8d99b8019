"""History checks: does the engine's history take the same path as AWS's?

``states_entered`` (the names of the states entered) and ``history_event_types`` (the
GetExecutionHistory event types), for the cases whose recording has them. A case whose history
differs fails; each check also has its own rate and floor. Both compare as sequences, or as
multisets when the definition has a Parallel or Map state, whose branches and iterations interleave
in an order AWS does not promise. Recordings edited by localstack's Parallel normaliser are compared
with the engine's event types after the same edit (``parallel_snapshots``).
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from asl_engine.conformance.parallel_snapshots import as_snapshot_tool_stores, normalised_by_snapshot_tool

STATES_ENTERED = "states_entered"
HISTORY_EVENT_TYPES = "history_event_types"
METRICS = (STATES_ENTERED, HISTORY_EVENT_TYPES)


@dataclass(frozen=True, slots=True)
class MetricResult:
    passed: bool
    detail: str | None = None
    expected: tuple[str, ...] = ()
    """On a difference: what the recording has, and what the engine gave (for ``-v``)."""
    actual: tuple[str, ...] = ()


def event_types(history: Sequence[Mapping[str, Any]]) -> list[str]:
    return [str(event.get("type")) for event in history]


def states_entered(history: Sequence[Mapping[str, Any]]) -> list[str]:
    names = []
    for event in history:
        if str(event.get("type", "")).endswith("StateEntered"):
            details = event.get("stateEnteredEventDetails") or {}
            names.append(str(details.get("name")))
    return names


def actual_metric(name: str, history: Sequence[Mapping[str, Any]]) -> list[str]:
    return states_entered(history) if name == STATES_ENTERED else event_types(history)


def compare_metric(
    name: str, expected: Sequence[str], history: Sequence[Mapping[str, Any]], machine: Any
) -> MetricResult:
    """One history check of an execution against its recording."""
    actual = actual_metric(name, history)
    if name == HISTORY_EVENT_TYPES and normalised_by_snapshot_tool(expected):
        actual = as_snapshot_tool_stores(actual)
    result = compare_names(expected, actual, unordered=has_parallel_or_map(machine))
    if result.passed:
        return result
    return MetricResult(False, result.detail, tuple(expected), tuple(actual))


def compare_names(expected: Sequence[str], actual: Sequence[str], *, unordered: bool) -> MetricResult:
    """Sequence (or multiset) equality, with a one-line description of the first divergence."""
    if unordered:
        missing = Counter(expected) - Counter(actual)
        extra = Counter(actual) - Counter(expected)
        if not missing and not extra:
            return MetricResult(True)
        parts = []
        if missing:
            parts.append("missing " + _counted(missing))
        if extra:
            parts.append("extra " + _counted(extra))
        return MetricResult(False, "; ".join(parts) + " (compared as a multiset)")
    if list(expected) == list(actual):
        return MetricResult(True)
    index = next(
        (i for i, (e, a) in enumerate(zip(expected, actual, strict=False)) if e != a), min(len(expected), len(actual))
    )
    want = expected[index] if index < len(expected) else "(end)"
    got = actual[index] if index < len(actual) else "(end)"
    return MetricResult(
        False, f"at #{index}: expected {want}, got {got} ({len(expected)} expected, {len(actual)} actual)"
    )


def sequence_diff(expected: Sequence[str], actual: Sequence[str], context: int = 2) -> list[str]:
    """Where two sequences differ, with ``context`` equal items around each change: ``  x`` in both,
    ``- x`` only in ``expected``, ``+ x`` only in ``actual``, ``...`` between distant changes."""
    rows: list[str] = []
    matcher = difflib.SequenceMatcher(a=list(expected), b=list(actual), autojunk=False)
    for group in matcher.get_grouped_opcodes(context):
        if rows:
            rows.append("...")
        for tag, first, last, other_first, other_last in group:
            if tag == "equal":
                rows.extend(f"  {item}" for item in expected[first:last])
            else:
                rows.extend(f"- {item}" for item in expected[first:last])
                rows.extend(f"+ {item}" for item in actual[other_first:other_last])
    return rows


def has_parallel_or_map(machine: Any) -> bool:
    """Whether the machine has a Parallel or Map state (nested states only exist inside those)."""
    if not isinstance(machine, Mapping) or not isinstance(machine.get("States"), Mapping):
        return False
    return any(
        isinstance(state, Mapping) and state.get("Type") in ("Parallel", "Map") for state in machine["States"].values()
    )


def _counted(counter: Counter[str]) -> str:
    items = sorted(counter.items())
    shown = ", ".join(f"{count} {name}" if count > 1 else name for name, count in items[:4])
    return shown + (f", +{len(items) - 4} more" if len(items) > 4 else "")
