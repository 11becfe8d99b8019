"""Coverage of state machine definitions: which states, transitions, Choice rules, Retriers and
Catchers the executions of a test session exercised.

Every item a definition offers is enumerated once per machine (from the compiled definition); each
finished execution's history is then read back (``trace``) and its visits counted against them.
Machines are told apart by their source file, or by their definition when built from JSON, so a
machine loaded by several tests is one entry.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from asl_engine.definition.pointers import resolve
from asl_engine.runtime.states.choice import ChoiceState
from asl_engine.testing import _engine
from asl_engine.testing.trace import DEFAULT_RULE, ExecutionTrace

if TYPE_CHECKING:
    from asl_engine.execution import Execution
    from asl_engine.runtime.compiler import CompiledMachine
    from asl_engine.runtime.starter import StartableMachine

KINDS = ("states", "transitions", "choice_rules", "retriers", "catchers")
KIND_LABELS = {
    "states": "state",
    "transitions": "transition",
    "choice_rules": "choice rule",
    "retriers": "retrier",
    "catchers": "catcher",
}


@dataclass
class Item:
    """One thing a definition can do, and how often the session's executions did it."""

    label: str
    data: dict[str, Any]
    hits: int = 0


@dataclass
class Ambiguous:
    """Choice rules that lead to the same state: the history shows that one of them was taken."""

    state: str
    rules: tuple[int | str, ...]
    next_state: str
    hits: int = 0


@dataclass
class MachineCoverage:
    key: str
    name: str
    source: str | None
    items: dict[str, dict[Any, Item]]
    executions: int = 0
    without_history: int = 0
    ambiguous: dict[tuple[str, tuple[int | str, ...]], Ambiguous] = field(default_factory=dict)
    unattributed: dict[str, int] = field(default_factory=lambda: {"retriers": 0, "catchers": 0})

    def covered(self, kind: str) -> int:
        return sum(1 for item in self.items[kind].values() if item.hits)

    def total(self, kind: str) -> int:
        return len(self.items[kind])

    @property
    def covered_all(self) -> int:
        return sum(self.covered(kind) for kind in KINDS)

    @property
    def total_all(self) -> int:
        return sum(self.total(kind) for kind in KINDS)

    @property
    def percent(self) -> float:
        return 100.0 * self.covered_all / self.total_all if self.total_all else 100.0

    def missing(self) -> Iterator[tuple[str, Item]]:
        for kind in KINDS:
            for item in self.items[kind].values():
                if not item.hits:
                    yield kind, item

    # -- counting ------------------------------------------------------------------------------------

    def record(self, trace: ExecutionTrace) -> None:
        items = self.items
        for visit in trace.visits:
            _hit(items["states"], visit.name)
            if visit.next_state is not None:
                _hit(items["transitions"], (visit.name, visit.next_state))
            if visit.state_type == "Choice":
                rules = trace.choice_rules_taken(visit)
                if len(rules) == 1:
                    _hit(items["choice_rules"], (visit.name, rules[0]))
                elif len(rules) > 1 and visit.next_state is not None:
                    key = (visit.name, tuple(rules))
                    entry = self.ambiguous.setdefault(key, Ambiguous(visit.name, tuple(rules), visit.next_state))
                    entry.hits += 1
            for retrier in trace.retriers_used(visit):
                if retrier is None:
                    self.unattributed["retriers"] += 1
                else:
                    _hit(items["retriers"], (visit.name, retrier))
            if visit.caught:
                catcher = trace.catcher_used(visit)
                if catcher is None:
                    self.unattributed["catchers"] += 1
                else:
                    _hit(items["catchers"], (visit.name, catcher))


def _hit(items: dict[Any, Item], key: Any) -> None:
    item = items.get(key)
    if item is not None:
        item.hits += 1


# -- what a definition offers ---------------------------------------------------------------------------


def machine_key(machine: StartableMachine) -> str:
    if machine.source:
        return "file:" + str(Path(machine.source).resolve())
    canonical = json.dumps(machine.compiled.definition, sort_keys=True, separators=(",", ":"), default=str)
    return "definition:" + hashlib.sha1(canonical.encode()).hexdigest()[:16]


def state_names_in_order(definition: dict[str, Any]) -> list[str]:
    """State names as they appear in the document, nested scopes right after their state."""
    names: list[str] = []

    def walk(scope: Any) -> None:
        states = scope.get("States") if isinstance(scope, dict) else None
        if not isinstance(states, dict):
            return
        for name, spec in states.items():
            names.append(name)
            if not isinstance(spec, dict):
                continue
            for branch in spec.get("Branches") or []:
                walk(branch)
            walk(spec.get("ItemProcessor") or spec.get("Iterator"))

    walk(definition)
    return names


def offered_items(compiled: CompiledMachine) -> dict[str, dict[Any, Item]]:
    items: dict[str, dict[Any, Item]] = {kind: {} for kind in KINDS}
    definition = compiled.definition
    for name in state_names_in_order(definition):
        node = compiled.all_states.get(name)
        if node is None:
            continue
        items["states"][name] = Item(name, {"state": name, "type": node.state_type})
        spec = _spec(definition, node.pointer)
        edges: dict[str, list[str]] = {}
        if node.next_state is not None:
            edges.setdefault(node.next_state, []).append("Next")
        if isinstance(node, ChoiceState):
            choices = spec.get("Choices") or []
            for index, branch in enumerate(node.branches):
                edges.setdefault(branch.next_state, []).append(f"Choices[{index}]")
                rule = choices[index] if index < len(choices) else {}
                condition = describe_rule(rule)
                items["choice_rules"][(name, index)] = Item(
                    f"{name} Choices[{index}] {condition} → {branch.next_state}",
                    {"state": name, "rule": index, "next": branch.next_state, "condition": condition},
                )
            default = node.default
            if default is not None:
                edges.setdefault(default, []).append("Default")
                items["choice_rules"][(name, DEFAULT_RULE)] = Item(
                    f"{name} Default → {default}", {"state": name, "rule": DEFAULT_RULE, "next": default}
                )
        policy = getattr(node, "policy", None)
        if policy is not None:
            for index, retrier in enumerate(policy.retriers):
                errors = list(retrier.error_equals)
                items["retriers"][(name, index)] = Item(
                    f"{name} Retry[{index}] {errors}", {"state": name, "retrier": index, "error_equals": errors}
                )
            for index, catcher in enumerate(policy.catchers):
                errors = list(catcher.error_equals)
                edges.setdefault(catcher.next_state, []).append(f"Catch[{index}]")
                items["catchers"][(name, index)] = Item(
                    f"{name} Catch[{index}] {errors} → {catcher.next_state}",
                    {"state": name, "catcher": index, "error_equals": errors, "next": catcher.next_state},
                )
        for target, via in edges.items():
            items["transitions"][(name, target)] = Item(
                f"{name} → {target} ({', '.join(via)})", {"from": name, "to": target, "via": via}
            )
    return items


def _spec(definition: dict[str, Any], pointer: str) -> dict[str, Any]:
    try:
        spec = resolve(definition, pointer)
    except (LookupError, ValueError):
        return {}
    return spec if isinstance(spec, dict) else {}


_RULE_KEYS = frozenset({"Variable", "Next", "Assign", "Output", "Comment", "And", "Or", "Not", "Condition"})


def describe_rule(rule: Any, limit: int = 48) -> str:
    """A short reading of a Choice rule: ``$.kind StringEquals "gift"``, ``And(2 rules)``, a JSONata condition."""
    text = _rule_text(rule)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _rule_text(rule: Any) -> str:
    if not isinstance(rule, dict):
        return "?"
    if "Condition" in rule:
        return str(rule["Condition"])
    for combinator in ("And", "Or"):
        if isinstance(rule.get(combinator), list):
            return f"{combinator}({', '.join(_rule_text(r) for r in rule[combinator])})"
    if "Not" in rule:
        return f"Not({_rule_text(rule['Not'])})"
    comparators = [key for key in rule if key not in _RULE_KEYS]
    if not comparators:
        return "?"
    operator = comparators[0]
    return f"{rule.get('Variable', '?')} {operator} {json.dumps(rule[operator], default=str)}"


# -- the session's collector ---------------------------------------------------------------------------


class CoverageCollector:
    """Counts every execution it is shown; thread-safe (handles report from their own threads)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.machines: dict[str, MachineCoverage] = {}
        self.errors: list[str] = []
        """Executions that could not be read back (a bug here, never the test's fault): shown in the report."""

    def register(self, machine: StartableMachine) -> MachineCoverage:
        """Make a machine part of the report even if no execution runs it (it then shows 0%)."""
        key = machine_key(machine)
        with self._lock:
            coverage = self.machines.get(key)
            if coverage is None:
                coverage = MachineCoverage(key, machine.name, machine.source, offered_items(machine.compiled))
                self.machines[key] = coverage
            return coverage

    def observe(self, machine: StartableMachine, execution: Execution) -> None:
        """An execution finished: count what it did (the observer ``asl_engine.observers`` calls).

        The engine swallows whatever an observer raises; a failure is kept here instead, so the
        report can say that some executions were not counted and why.
        """
        try:
            self._observe(machine, execution)
        except Exception as error:
            with self._lock:
                self.errors.append(f"{machine.name}: {type(error).__name__}: {error}")

    def _observe(self, machine: StartableMachine, execution: Execution) -> None:
        coverage = self.register(machine)
        traces = []
        if execution.events:
            traces.append(ExecutionTrace(execution.events, machine.compiled))
        traces.extend(
            ExecutionTrace(child.events, machine.compiled)
            for child in _engine.child_executions(execution)
            if child.events
        )
        with self._lock:
            coverage.executions += 1
            if not execution.events:
                coverage.without_history += 1
            for trace in traces:
                coverage.record(trace)

    def report(self) -> list[MachineCoverage]:
        with self._lock:
            return sorted(self.machines.values(), key=lambda m: (m.source or "~", m.name))
