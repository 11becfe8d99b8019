"""The history table of ``asl run --history`` and ``asl history``, like the AWS console's."""

from __future__ import annotations

from collections.abc import Sequence

import click

from asl_engine.cli.render.events import EventView, StepTracker, is_failure
from asl_engine.cli.render.text import compact, format_duration, shorten


def history_table(events: Sequence[EventView], *, width: int | None = None, color: bool = False) -> str:
    """A table of events (id, type, state, time since start, key detail), like the AWS console's.

    ``width`` trims the detail column to fit a terminal; None keeps every detail whole (for files
    and pipes, where grep should find everything).
    """
    if not events:
        return "(no events)\n"
    tracker = StepTracker()
    start = events[0].timestamp
    rows = []
    for event in events:
        visit = tracker.add(event)
        step = visit.name if visit is not None else ""
        rows.append(
            (str(event.id), event.type, step, format_duration(max(event.timestamp - start, 0.0)), summarize(event))
        )
    headers = ("ID", "TYPE", "STEP", "ELAPSED", "DETAILS")
    widths = [max(len(headers[column]), *(len(row[column]) for row in rows)) for column in range(4)]
    lines = [_table_line(headers, widths, width, color, header=True)]
    lines.extend(_table_line(row, widths, width, color) for row in rows)
    return "\n".join(lines) + "\n"


def _table_line(row: Sequence[str], widths: Sequence[int], width: int | None, color: bool, header: bool = False) -> str:
    cells = [row[0].rjust(widths[0]), row[1].ljust(widths[1]), row[2].ljust(widths[2]), row[3].rjust(widths[3])]
    prefix = "  ".join(cells) + "  "
    detail = row[4] if width is None else shorten(row[4], width - len(prefix))
    if color:
        if header:
            return click.style((prefix + detail).rstrip(), bold=True)
        if is_failure(row[1]):
            return click.style((prefix + detail).rstrip(), fg="red")
    return (prefix + detail).rstrip()


def summarize(event: EventView) -> str:
    """The one detail of an event worth a glance: its error, its payload, its resource, its index."""
    details = event.details
    if "error" in details or "cause" in details:
        error, cause = details.get("error"), details.get("cause")
        return ": ".join(str(part) for part in (error, cause) if part is not None)
    parts: list[str] = []
    if "resourceType" in details:
        parts.append(f"{details['resourceType']}:{details.get('resource', '')}")
    elif "resource" in details:
        parts.append(str(details["resource"]))
    if "length" in details:
        parts.append(f"{details['length']} items")
    if "index" in details:
        parts.append(f"item {details['index']}")
    if "mapRunArn" in details:
        parts.append(str(details["mapRunArn"]))
    for payload in ("parameters", "input", "output"):
        if payload in details:
            parts.append(compact(details[payload]))
            break
    if details.get("assignedVariables"):
        parts.append("assigned " + compact(details["assignedVariables"]))
    return "  ".join(parts)
