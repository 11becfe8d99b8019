"""What happened in an execution, as a short indented listing for failure messages.

Validate
Charge           retried 2x (Payment.Declined x2); caught Payment.Declined → Refund
Refund
execution FAILED: Refund.Failed: "no money"
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from asl_engine.testing.trace import ExecutionTrace, StateVisit, describe_error

if TYPE_CHECKING:
    from asl_engine.execution import Execution

MAX_LINES = 30


def short_json(value: Any, limit: int = 80) -> str:
    text = json.dumps(value, ensure_ascii=False, separators=(", ", ": "), default=repr)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _errors(errors: list[Any]) -> str:
    counted: dict[str, int] = {}
    for error in errors:
        counted[describe_error(error)] = counted.get(describe_error(error), 0) + 1
    return ", ".join(name if count == 1 else f"{name} x{count}" for name, count in counted.items())


def describe_visit(visit: StateVisit, trace: ExecutionTrace, running: bool) -> str:
    notes = []
    if visit.retries:
        notes.append(f"retried {visit.retries}x ({_errors(visit.attempt_errors)})")
    if visit.caught:
        notes.append(f"caught {describe_error(visit.caught_error)} → {visit.next_state or '?'}")
    elif visit.state_type == "Choice" and visit.next_state is not None:
        rules = trace.choice_rules_taken(visit)
        label = "Default" if rules == ["Default"] else f"Choices[{rules[0]}]" if len(rules) == 1 else "rule"
        notes.append(f"{label} → {visit.next_state}")
    elif visit.exited is None:
        if visit.failure is not None or not running:
            notes.append(f"failed: {describe_error(visit.failure)}" if visit.failure is not None else "interrupted")
        else:
            notes.append("running")
    prefix = f"[#{visit.iteration}] " if visit.iteration is not None else ""
    label = f"{'  ' * visit.depth}{prefix}{visit.name}"
    return f"{label:<28} {'; '.join(notes)}".rstrip()


def describe_outcome(execution: Execution) -> str:
    status = execution.status
    if status == "SUCCEEDED":
        return f"execution SUCCEEDED with output {short_json(execution.output)}"
    if status == "RUNNING":
        return "execution still RUNNING"
    text = f"execution {status}"
    if execution.error is not None:
        text += f": {execution.error}"
    if execution.cause:
        cause = execution.cause if len(execution.cause) <= 120 else execution.cause[:119] + "…"
        text += f": {cause}"
    return text


def describe_execution(execution: Execution, trace: ExecutionTrace | None = None, indent: str = "    ") -> str:
    """The listing of every state entered (indented under its Parallel/Map), then the outcome."""
    trace = trace or ExecutionTrace.of(execution)
    running = execution.status == "RUNNING"
    lines = [describe_visit(visit, trace, running) for visit in trace.visits]
    if len(lines) > MAX_LINES:
        head, tail = MAX_LINES * 2 // 3, MAX_LINES // 3
        lines = [*lines[:head], f"… {len(lines) - head - tail} more states …", *lines[-tail:]]
    if not lines:
        lines = ["(no state was entered)"]
    lines.append(describe_outcome(execution))
    return "\n".join(indent + line for line in lines)


def where_is(execution: Execution) -> str:
    """One line saying where a (possibly running) execution is."""
    if execution.status != "RUNNING":
        return describe_outcome(execution)
    trace = ExecutionTrace.of(execution)
    current = [visit.name for visit in trace.visits if visit.exited is None and visit.failure is None]
    if not current:
        return "is RUNNING"
    return f"is RUNNING, in {', '.join(dict.fromkeys(current))}"
