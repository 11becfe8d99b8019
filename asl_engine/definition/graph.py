"""The transition graph of a definition, and the checks that need it.

Nodes are states, identified by their JSON pointer (``/States/A``,
``/States/P/Branches/0/States/B``): pointers are unique even when a broken definition repeats a
state name. Each Parallel branch and Map item processor is its own scope. The graph is a
``networkx.MultiDiGraph`` (a ``DiGraph`` that keeps one edge per transition, so a Choice whose
rules and Default lead to the same state shows each of them).

What AWS reports, and we therefore report the same way [observed on AWS, quoted in public bug
reports of emulators and linters: localstack#12487, cfn-lint#4073/#4074, floci#2735]:

* a ``StartAt``/``Next``/``Default``/Choice ``Next``/Catch ``Next`` naming no state of its scope:
  ``MISSING_TRANSITION_TARGET: Missing 'Next' target: X`` (the word 'Next' for all of them);
* a state no transition names (and not ``StartAt``): ``MISSING_TRANSITION_TARGET: State "X" is not
  reachable.`` -- AWS's rule is "referenced by some other state", so it is an ERROR;
* a scope without any terminal state: ``MISSING_END_STATE: Workflow has no terminal state``
  (no location at the top level); it replaces the unreachable-state errors of that scope.

Our additions are WARNINGs: states referenced only from a part of the graph ``StartAt`` never
reaches (``UNREACHABLE_STATE``), and loops from which no terminal state can be reached
(``LOOP_WITHOUT_EXIT``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, NamedTuple

from asl_engine.definition import pointers, suggest
from asl_engine.definition.diagnostics import Diagnostic
from asl_engine.definition.vocabulary import JSONATA
from asl_engine.definition.walk import ScopeInfo, StateInfo, collect_scopes

if TYPE_CHECKING:
    import networkx as nx

# networkx (0.2 s to import) is imported by the two functions that use it, not here: validating a
# definition needs it only for a loop without exit, and building the whole graph is for drawing.

MISSING_TARGET = "MISSING_TRANSITION_TARGET"
TRANSITION_KINDS = frozenset({"next", "default", "choice", "catch"})
_RULE_TEXT_LIMIT = 60


class Transition(NamedTuple):
    """One ``Next``-like field: where it is written, what kind it is, and the state it names.

    A named tuple (immutable, made in one call) rather than a frozen dataclass, whose ``__init__``
    sets each field through ``object.__setattr__``: the validator makes one per transition."""

    source: StateInfo
    kind: str
    target: Any
    pointer: str
    label: str | None = None
    errors: tuple[str, ...] = ()


def transitions(state: StateInfo) -> Iterator[Transition]:
    """The state's outgoing transitions in document order (targets not checked).

    Their pointers are written with f-strings: the fixed tokens (``Next``, ``Choices``, an index)
    need no escaping, which ``pointers.join`` would look for in each."""
    fields = state.fields
    if "Next" in fields:
        yield Transition(state, "next", fields["Next"], f"{state.pointer}/Next")
    if state.type == "Choice":
        choices = fields.get("Choices")
        for index, rule in enumerate(choices if isinstance(choices, list) else []):
            if isinstance(rule, dict) and "Next" in rule:
                yield Transition(
                    state,
                    "choice",
                    rule["Next"],
                    f"{state.pointer}/Choices/{index}/Next",
                    rule_text(rule, state.query_language),
                )
        if "Default" in fields:
            yield Transition(state, "default", fields["Default"], f"{state.pointer}/Default", "Default")
    catchers = fields.get("Catch")
    if isinstance(catchers, list):
        for index, catcher in enumerate(catchers):
            if isinstance(catcher, dict) and "Next" in catcher:
                errors = catcher.get("ErrorEquals")
                names = tuple(str(name) for name in errors) if isinstance(errors, list) else ()
                yield Transition(
                    state,
                    "catch",
                    catcher["Next"],
                    f"{state.pointer}/Catch/{index}/Next",
                    ", ".join(names),
                    names,
                )


def is_terminal(state: StateInfo) -> bool:
    return state.type in ("Succeed", "Fail") or state.fields.get("End") is True


DEFAULT_MAX_ATTEMPTS = 3


def retriers(state: StateInfo) -> list[dict[str, Any]]:
    """The state's Retry entries, for drawing: their error names and ``MaxAttempts`` (3 when not given)."""
    found = []
    for retrier in state.get("Retry") if isinstance(state.get("Retry"), list) else []:
        if isinstance(retrier, dict):
            errors = retrier.get("ErrorEquals")
            attempts = retrier.get("MaxAttempts", DEFAULT_MAX_ATTEMPTS)
            found.append(
                {
                    "errors": [str(name) for name in errors] if isinstance(errors, list) else [],
                    "max_attempts": attempts if isinstance(attempts, int) else DEFAULT_MAX_ATTEMPTS,
                }
            )
    return found


def build_graph(document: dict[str, Any], scopes: list[ScopeInfo] | None = None) -> nx.MultiDiGraph:
    """The states as nodes and every resolvable transition as an edge (see module docstring).

    Node attributes: ``name``, ``type``, ``scope`` (the scope's pointer), ``pointer``, ``terminal``,
    ``start`` and ``query_language``. Edge attributes: ``kind`` (next, default, choice, catch,
    branch, processor), ``label`` (rule text, error names, "Default"...), ``errors`` and ``pointer``
    (where the transition is written). ``graph.graph["scopes"]`` maps each scope's pointer to its
    ``kind``, ``owner`` (the Parallel/Map node) and ``start`` node. Nodes also carry ``retriers``
    (see ``retriers``), for drawing.
    """
    import networkx as nx

    scopes = scopes if scopes is not None else collect_scopes(document)
    graph = nx.MultiDiGraph()
    scope_table: dict[str, dict[str, Any]] = {}
    graph.graph["scopes"] = scope_table
    nodes: list[tuple[str, dict[str, Any]]] = []
    edges: list[tuple[str, str, dict[str, Any]]] = []
    for scope in scopes:
        names = {state.name: state.pointer for state in scope.states}
        start_node = names.get(scope.start_at) if isinstance(scope.start_at, str) else None
        scope_table[scope.pointer] = {
            "kind": scope.kind,
            "owner": scope.owner.pointer if scope.owner else None,
            "start": start_node,
        }
        for state in scope.states:
            nodes.append(
                (
                    state.pointer,
                    {
                        "name": state.name,
                        "type": state.type,
                        "scope": scope.pointer,
                        "pointer": state.pointer,
                        "terminal": is_terminal(state),
                        "query_language": state.query_language,
                        "start": state.pointer == start_node,
                        "retriers": retriers(state),
                    },
                )
            )
            for transition in transitions(state):
                target = names.get(transition.target) if isinstance(transition.target, str) else None
                if target is not None:
                    edges.append(
                        (
                            state.pointer,
                            target,
                            {
                                "kind": transition.kind,
                                "label": transition.label,
                                "errors": list(transition.errors),
                                "pointer": transition.pointer,
                            },
                        )
                    )
        if scope.owner is not None and start_node is not None:
            kind = "branch" if scope.kind == "branch" else "processor"
            label = f"branch {scope.pointer.rsplit('/', 1)[-1]}" if kind == "branch" else "items"
            edges.append(
                (
                    scope.owner.pointer,
                    start_node,
                    {"kind": kind, "label": label, "errors": [], "pointer": scope.pointer},
                )
            )
    graph.add_nodes_from(nodes)
    graph.add_edges_from(edges)
    return graph


def graph_diagnostics(scopes: list[ScopeInfo]) -> list[Diagnostic]:
    """Transition targets, reachability, terminal states, loops and machine-wide name uniqueness."""
    found: list[Diagnostic] = list(_duplicate_names(scopes))
    everywhere: dict[str, StateInfo] = {}
    for scope in scopes:
        for state in scope.states:
            everywhere.setdefault(state.name, state)
    budget = suggest.Budget()
    for scope in scopes:
        found.extend(_scope_diagnostics(scope, everywhere, budget))
    return found


def _scope_diagnostics(
    scope: ScopeInfo, everywhere: dict[str, StateInfo], budget: suggest.Budget
) -> Iterator[Diagnostic]:
    by_name = {state.name: state for state in scope.states}
    names = _Lazy(lambda: suggest.NameSuggester(by_name, budget))
    start = scope.start_at
    if isinstance(start, str) and scope.states and start not in by_name:
        yield _missing_target(start, pointers.join(scope.pointer, "StartAt"), scope, names, everywhere)
    referenced = {start} if isinstance(start, str) else set()
    successors: dict[str, list[str]] = {}
    for state in scope.states:
        targets = successors[state.name] = []
        for transition in transitions(state):
            if not isinstance(transition.target, str):
                continue
            referenced.add(transition.target)
            if transition.target in by_name:
                targets.append(transition.target)
            else:
                yield _missing_target(transition.target, transition.pointer, scope, names, everywhere)
    if not scope.states or not isinstance(start, str):
        return  # without StartAt (a schema error) reachability means nothing
    terminals = [state.name for state in scope.states if is_terminal(state)]
    if not terminals:
        yield Diagnostic(
            "MISSING_END_STATE",
            "Workflow has no terminal state",
            scope.pointer or None,
            suggestion='end at least one path with "End": true, a Succeed or a Fail state',
        )
        return
    for state in scope.states:
        if state.name not in referenced:
            yield Diagnostic(
                MISSING_TARGET,
                f'State "{state.name}" is not reachable.',
                state.pointer,
                suggestion="reference it from a Next, Default or Catch, or delete it",
            )
    if start not in by_name:
        return
    reachable = _closure([start], successors)
    for state in scope.states:
        if state.name not in reachable and state.name in referenced:
            yield Diagnostic(
                "UNREACHABLE_STATE",
                f"State '{state.name}' can never run: no path from StartAt '{start}' leads to it",
                state.pointer,
                "WARNING",
            )
    predecessors: dict[str, list[str]] = {name: [] for name in successors}
    for source, targets in successors.items():
        for target in targets:
            predecessors[target].append(source)
    can_finish = _closure(terminals, predecessors)
    stuck = [state for state in scope.states if state.name in reachable and state.name not in can_finish]
    if stuck:
        yield from _loops_without_exit(stuck, successors)


def _closure(seeds: list[str], edges: dict[str, list[str]]) -> set[str]:
    """Everything reachable from ``seeds`` (included) along ``edges``."""
    seen = set(seeds)
    pending = list(seeds)
    while pending:
        for following in edges.get(pending.pop(), ()):
            if following not in seen:
                seen.add(following)
                pending.append(following)
    return seen


def _loops_without_exit(stuck: list[StateInfo], successors: dict[str, list[str]]) -> Iterator[Diagnostic]:
    import networkx as nx

    names = {state.name for state in stuck}
    order = {state.name: index for index, state in enumerate(stuck)}
    pointer_of = {state.name: state.pointer for state in stuck}
    local = nx.DiGraph()
    local.add_nodes_from(names)
    local.add_edges_from((source, target) for source in names for target in successors[source] if target in names)
    for component in nx.strongly_connected_components(local):
        members = sorted(component, key=order.__getitem__)
        if len(members) == 1 and not local.has_edge(members[0], members[0]):
            continue
        listed = ", ".join(f"'{member}'" for member in members)
        yield Diagnostic(
            "LOOP_WITHOUT_EXIT",
            f"States {listed} form a loop that no path leaves for a terminal state",
            pointer_of[members[0]],
            "WARNING",
            suggestion="give the loop a way out: a Choice rule or Default leading to an end",
        )


class _Lazy:
    """A ``NameSuggester`` made on first use (most scopes have no missing target)."""

    def __init__(self, make: Callable[[], suggest.NameSuggester]) -> None:
        self._make = make
        self._made: suggest.NameSuggester | None = None

    def get(self) -> suggest.NameSuggester:
        if self._made is None:
            self._made = self._make()
        return self._made


def _missing_target(
    target: str, where: str, scope: ScopeInfo, names: _Lazy, everywhere: dict[str, StateInfo]
) -> Diagnostic:
    elsewhere = everywhere.get(target)
    hint: str | None
    if elsewhere is not None and elsewhere.scope is not scope:
        hint = (
            f"'{target}' is a state of {elsewhere.scope.describe()} ({elsewhere.pointer}); a transition "
            "cannot enter or leave a Parallel branch or a Map item processor"
        )
    else:
        hint = names.get().did_you_mean(target)
    return Diagnostic(MISSING_TARGET, f"Missing 'Next' target: {target}", where, suggestion=hint)


def _duplicate_names(scopes: list[ScopeInfo]) -> Iterator[Diagnostic]:
    """State names are unique in the whole machine, nested branches and processors included."""
    first: dict[str, StateInfo] = {}
    for scope in scopes:
        for state in scope.states:
            earlier = first.setdefault(state.name, state)
            if earlier is not state:
                yield Diagnostic(
                    "DUPLICATE_STATE_NAME",
                    f"Duplicate State name: {state.name}",
                    state.pointer,
                    suggestion=f"the name is already used at {earlier.pointer}",
                )


# -- short rule texts for labels -----------------------------------------------------------------

_OPERATORS = {
    "Equals": "==",
    "LessThan": "<",
    "GreaterThan": ">",
    "LessThanEquals": "<=",
    "GreaterThanEquals": ">=",
}
_TESTS = {
    "IsNull": "is null",
    "IsPresent": "is present",
    "IsNumeric": "is numeric",
    "IsString": "is a string",
    "IsBoolean": "is a boolean",
    "IsTimestamp": "is a timestamp",
}


def rule_text(rule: dict[str, Any], query_language: str) -> str:
    """A short human rendering of a Choice rule, e.g. ``$.x == 1`` or ``$count > 3``."""
    text = _rule_text(rule, query_language)
    return text if len(text) <= _RULE_TEXT_LIMIT else text[: _RULE_TEXT_LIMIT - 1] + "…"


def _rule_text(rule: Any, query_language: str) -> str:
    if not isinstance(rule, dict):
        return "?"
    if query_language == JSONATA or "Condition" in rule:
        condition = rule.get("Condition")
        if isinstance(condition, str):
            return condition.removeprefix("{%").removesuffix("%}").strip()
        return json.dumps(condition)
    for junction in ("And", "Or"):
        if isinstance(rule.get(junction), list):
            parts = [_rule_text(item, query_language) for item in rule[junction]]
            return f" {junction.lower()} ".join(f"({part})" if " " in part else part for part in parts)
    if "Not" in rule:
        return f"not ({_rule_text(rule['Not'], query_language)})"
    variable = rule.get("Variable", "?")
    for key, value in rule.items():
        if key in ("Variable", "Next", "Comment", "Assign"):
            continue
        if key in _TESTS:
            return f"{variable} {_TESTS[key]}" if value is not False else f"not ({variable} {_TESTS[key]})"
        if key == "StringMatches":
            return f"{variable} matches {json.dumps(value)}"
        base = key.removesuffix("Path")
        for suffix in sorted(_OPERATORS, key=len, reverse=True):
            if base.endswith(suffix):
                shown = value if key.endswith("Path") else json.dumps(value)
                return f"{variable} {_OPERATORS[suffix]} {shown}"
    return str(variable)
