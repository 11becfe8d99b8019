"""The coverage report: a table for the terminal and a JSON document for tools."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from asl_engine.testing.coverage import KIND_LABELS, KINDS, MachineCoverage

REPORT_VERSION = 1
_COLUMNS = ("States", "Transitions", "Choice rules", "Retriers", "Catchers")


def total_percent(machines: Sequence[MachineCoverage]) -> float:
    covered = sum(m.covered_all for m in machines)
    total = sum(m.total_all for m in machines)
    return 100.0 * covered / total if total else 100.0


def _display_source(source: str | None, root: Path | None) -> str:
    if not source:
        return "built from JSON"
    path = Path(source).resolve()
    if root is not None:
        try:
            return os.path.relpath(path, root)
        except ValueError:
            pass
    return str(path)


def text_report(
    machines: Sequence[MachineCoverage],
    root: Path | None = None,
    show_missing: bool = True,
    errors: Sequence[str] = (),
) -> str:
    executions = sum(m.executions for m in machines)
    width = min(max([len("State machine"), *(len(m.name) for m in machines)]), 40)
    header = f"{'State machine':<{width}}  " + "  ".join(f"{c:>12}" for c in _COLUMNS) + f"  {'Cover':>6}"
    lines = [
        f"asl-engine coverage: {len(machines)} state machine{'s' if len(machines) != 1 else ''}, "
        f"{executions} execution{'s' if executions != 1 else ''}",
        header,
        "-" * len(header),
    ]
    for machine in machines:
        cells = "  ".join(f"{f'{machine.covered(k)}/{machine.total(k)}':>12}" for k in KINDS)
        lines.append(f"{machine.name[:width]:<{width}}  {cells}  {machine.percent:>5.1f}%")
    totals = "  ".join(
        f"{f'{sum(m.covered(k) for m in machines)}/{sum(m.total(k) for m in machines)}':>12}" for k in KINDS
    )
    lines.append("-" * len(header))
    lines.append(f"{'TOTAL':<{width}}  {totals}  {total_percent(machines):>5.1f}%")
    if errors:
        lines.append(f"asl-engine could not read {len(errors)} execution(s), which are not counted; first: {errors[0]}")
    if show_missing:
        details = [_details(machine, root) for machine in machines]
        details = [d for d in details if d]
        if details:
            lines.append("")
            lines.append("Not covered:")
            lines.extend(line for block in details for line in block)
    return "\n".join(lines)


def _details(machine: MachineCoverage, root: Path | None) -> list[str]:
    block = []
    for kind, item in machine.missing():
        block.append(f"    {KIND_LABELS[kind]:<12}{item.label}")
    for entry in machine.ambiguous.values():
        rules = " / ".join(f"Choices[{r}]" if isinstance(r, int) else r for r in entry.rules)
        block.append(
            f"    note        {entry.state}: {rules} all go to {entry.next_state}; taken {entry.hits}x, "
            "but the history cannot tell which rule matched"
        )
    for kind, count in machine.unattributed.items():
        if count:
            block.append(f"    note        {count} {kind[:-1]} use(s) could not be tied to a {KIND_LABELS[kind]}")
    if machine.without_history:
        block.append(
            f"    note        {machine.without_history} execution(s) ran with history=False and were not counted"
        )
    if not block:
        return []
    return [f"  {machine.name} ({_display_source(machine.source, root)})", *block]


def json_report(
    machines: Sequence[MachineCoverage], root: Path | None = None, errors: Sequence[str] = ()
) -> dict[str, Any]:
    document: dict[str, Any] = {"version": REPORT_VERSION, "machines": [], "errors": list(errors)}
    for machine in machines:
        entry: dict[str, Any] = {
            "name": machine.name,
            "source": _display_source(machine.source, root) if machine.source else None,
            "executions": machine.executions,
            "executions_without_history": machine.without_history,
            "percent": round(machine.percent, 2),
        }
        for kind in KINDS:
            entry[kind] = {
                "covered": machine.covered(kind),
                "total": machine.total(kind),
                "items": [{**item.data, "hits": item.hits} for item in machine.items[kind].values()],
            }
        entry["choice_rules"]["ambiguous"] = [
            {"state": a.state, "rules": list(a.rules), "next": a.next_state, "hits": a.hits}
            for a in machine.ambiguous.values()
        ]
        entry["retriers"]["unattributed"] = machine.unattributed["retriers"]
        entry["catchers"]["unattributed"] = machine.unattributed["catchers"]
        document["machines"].append(entry)
    document["totals"] = {
        "covered": sum(m.covered_all for m in machines),
        "total": sum(m.total_all for m in machines),
        "percent": round(total_percent(machines), 2),
        **{
            kind: {"covered": sum(m.covered(kind) for m in machines), "total": sum(m.total(kind) for m in machines)}
            for kind in KINDS
        },
    }
    return document


def write_json_report(
    path: str | Path, machines: Sequence[MachineCoverage], root: Path | None = None, errors: Sequence[str] = ()
) -> None:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(json_report(machines, root, errors), indent=2) + "\n", encoding="utf-8")
