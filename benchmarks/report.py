"""The results as a text table (stdout), a Markdown section (docs/performance.md) and JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.cases import LOAD_CASE_ID, Case
from benchmarks.measure import Measurement
from benchmarks.targets import TargetResult, find, summary

COLUMNS = (
    "case",
    "engine",
    "history",
    "samples",
    "median ms",
    "transitions/s",
    "peak RSS MB",
    "base RSS MB",
    "vs ours",
)
RIGHT_ALIGNED = {"samples", "median ms", "transitions/s", "peak RSS MB", "base RSS MB", "vs ours"}
LEGEND = (
    "samples: timed samples after one warm-up run; 5x40 = 5 samples of 40 executions each (fast workloads)."
    " median ms: one execution, median of the samples. transitions/s: states entered per second."
    " RSS: peak resident memory of the measuring process; base = before the warm-up."
    " vs ours: this engine's time / our engine's (with history on, for peers, which always record)."
)


@dataclass
class Report:
    command: str
    machine: dict[str, str]
    cases: list[Case]
    measurements: list[Measurement]
    targets: list[TargetResult]
    skipped: dict[tuple[str, str], str]
    engine_names: dict[str, str]
    transitions: dict[str, int] = field(default_factory=dict)
    """Case id -> states entered (from expected.json, checked against our history-on runs)."""

    def rows(self) -> tuple[list[list[str]], list[str]]:
        """Table rows and the footnotes their failed cells point to."""
        rows: list[list[str]] = []
        notes: list[str] = []
        for measurement in self.measurements:
            peer_run = measurement.engine in ("alsf", "moto") and measurement.history == "on"
            reference = find(self.measurements, measurement.case, "ours", "on" if peer_run else measurement.history)
            median = measurement.median_ms
            if median is None:
                notes.append(
                    f"{measurement.case} {self.engine_names.get(measurement.engine, measurement.engine)}: "
                    f"{measurement.problem or 'no timing'}"
                )
                median_cell = f"failed [{len(notes)}]"
            else:
                median_cell = _ms(median)
            transitions = self.transitions.get(measurement.case)
            rate = "" if median is None or not transitions else _rate(transitions / (median / 1000))
            ratio = ""
            if median is not None and reference is not None and reference.median_ms:
                ratio = _ratio(median / reference.median_ms)
            case = "load 1k" if measurement.case == LOAD_CASE_ID else measurement.case
            rows.append(
                [
                    case,
                    self.engine_names.get(measurement.engine, measurement.engine),
                    measurement.history,
                    _samples(measurement),
                    median_cell,
                    rate,
                    _mb(measurement.rss_peak_mb),
                    _mb(measurement.rss_base_mb),
                    ratio,
                ]
            )
        return rows, notes

    def text(self) -> str:
        rows, notes = self.rows()
        widths = [
            max(len(column), *(len(row[index]) for row in rows)) if rows else len(column)
            for index, column in enumerate(COLUMNS)
        ]

        def line(cells: Sequence[str]) -> str:
            return "  ".join(
                cell.rjust(width) if column in RIGHT_ALIGNED else cell.ljust(width)
                for cell, width, column in zip(cells, widths, COLUMNS, strict=True)
            ).rstrip()

        parts = [line(COLUMNS), line(["-" * width for width in widths]), *(line(row) for row in rows)]
        parts.extend(f"[{index}] {note}" for index, note in enumerate(notes, 1))
        parts.append(LEGEND)
        parts.append("")
        parts.append(f"Targets ({summary(self.targets)}):")
        parts.extend(f"  {result.line()}" for result in self.targets)
        if self.skipped:
            parts.append("")
            parts.append("Not run:")
            parts.extend(f"  {line}" for line in self._skip_lines())
        return "\n".join(parts)

    def markdown(self) -> str:
        rows, notes = self.rows()
        parts = [
            f"Command: `{self.command}`",
            "",
            "Machine: " + "; ".join(f"{key} {value}" for key, value in self.machine.items()),
            "",
            "| " + " | ".join(COLUMNS) + " |",
            "| " + " | ".join("---:" if column in RIGHT_ALIGNED else "---" for column in COLUMNS) + " |",
            *("| " + " | ".join(row) + " |" for row in rows),
        ]
        if notes:
            parts.append("")
            parts.extend(f"{index}. {note}" for index, note in enumerate(notes, 1))
        parts.extend(["", LEGEND])
        parts.extend(["", f"Targets ({summary(self.targets)}):", ""])
        parts.extend(f"- {result.line()}" for result in self.targets)
        if self.skipped:
            parts.extend(["", "Not run:", ""])
            parts.extend(f"- {line}" for line in self._skip_lines())
        return "\n".join(parts) + "\n"

    def to_json(self) -> dict[str, Any]:
        return {
            "command": self.command,
            "machine": self.machine,
            "cases": {
                case.id: {
                    "title": case.title,
                    "machine_type": case.machine_type,
                    "transitions": self.transitions.get(case.id),
                }
                for case in self.cases
            },
            "measurements": [measurement.to_json() for measurement in self.measurements],
            "targets": [vars(result) for result in self.targets],
            "skipped": [
                {"case": case, "engine": engine, "reason": reason} for (case, engine), reason in self.skipped.items()
            ],
        }

    def write_json(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_json(), indent=2) + "\n", encoding="utf-8")

    def _skip_lines(self) -> list[str]:
        """One line per engine and reason, listing the cases it covers."""
        grouped: dict[tuple[str, str], list[str]] = {}
        for (case, engine), reason in self.skipped.items():
            grouped.setdefault((engine, reason), []).append(case)
        return [
            f"{self.engine_names.get(engine, engine)} on {', '.join(cases)}: {reason}"
            for (engine, reason), cases in grouped.items()
        ]


def _ms(value: float) -> str:
    if value < 10:
        return f"{value:.2f}"
    if value < 1000:
        return f"{value:.1f}"
    return f"{value:,.0f}"


def _samples(measurement: Measurement) -> str:
    count = measurement.runs
    return str(count) if measurement.executions_per_sample == 1 else f"{count}x{measurement.executions_per_sample}"


def _rate(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:.2g}"


def _ratio(value: float) -> str:
    if value < 10:
        return f"{value:.2f}x"
    if value < 1000:
        return f"{value:.1f}x"
    return f"{value:,.0f}x"


def _mb(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"
