"""The scopes and states of a definition, in document order, tolerant of malformed parts.

A *scope* is one ``States`` block: the machine itself, a Parallel branch or a Map item processor.
Every check that needs "each state, with its scope and effective query language" walks this list
instead of re-deriving it, so the rules agree on those facts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

from asl_engine.definition import pointers
from asl_engine.definition.vocabulary import JSONPATH, QUERY_LANGUAGES

ScopeKind = Literal["machine", "branch", "processor"]
_NO_FIELDS: Mapping[str, Any] = MappingProxyType({})


@dataclass(slots=True, eq=False)
class StateInfo:
    name: str
    spec: Any
    """The state's object as written (may not even be an object in a broken definition)."""
    pointer: str
    scope: ScopeInfo
    query_language: str
    """The effective query language: the state's own, else the machine's."""
    type: str | None = None
    """``Type`` when it is a string, else None."""
    fields: Mapping[str, Any] = field(init=False, repr=False)
    """``spec`` when it is an object, else an empty mapping: ``state.fields.get(key)`` is what
    ``get`` does, without a Python call (the rules and the graph ask it about every state)."""

    def __post_init__(self) -> None:
        self.fields = self.spec if isinstance(self.spec, dict) else _NO_FIELDS

    def get(self, key: str, default: Any = None) -> Any:
        return self.fields.get(key, default)


@dataclass(slots=True, eq=False)
class ScopeInfo:
    pointer: str
    """``""`` for the machine, else the pointer of the branch / processor object."""
    spec: dict[str, Any]
    kind: ScopeKind
    owner: StateInfo | None
    states: list[StateInfo] = field(default_factory=list)

    @property
    def start_at(self) -> Any:
        return self.spec.get("StartAt")

    @property
    def states_pointer(self) -> str:
        return pointers.join(self.pointer, "States")

    def describe(self) -> str:
        if self.owner is None:
            return "the top level"
        what = "a branch of Parallel" if self.kind == "branch" else "the item processor of Map"
        return f"{what} state '{self.owner.name}'"


def machine_query_language(document: dict[str, Any]) -> str:
    value = document.get("QueryLanguage")
    return value if value in QUERY_LANGUAGES else JSONPATH


def collect_scopes(document: dict[str, Any]) -> list[ScopeInfo]:
    """Every scope, parents before children, states in document order."""
    default = machine_query_language(document)
    scopes: list[ScopeInfo] = []
    pending: list[ScopeInfo] = [ScopeInfo("", document, "machine", None)]
    while pending:
        scope = pending.pop(0)
        scopes.append(scope)
        nested: list[ScopeInfo] = []
        states = scope.spec.get("States")
        if not isinstance(states, dict):
            continue
        prefix = scope.states_pointer
        for name, spec in states.items():
            own = state_type = None
            if isinstance(spec, dict):
                own, state_type = spec.get("QueryLanguage"), spec.get("Type")
            state = StateInfo(
                name,
                spec,
                f"{prefix}/{pointers.escape(name)}",
                scope,
                own if own in QUERY_LANGUAGES else default,
                state_type if isinstance(state_type, str) else None,
            )
            scope.states.append(state)
            nested.extend(_child_scopes(state))
        pending[:0] = nested
    return scopes


def _child_scopes(state: StateInfo) -> list[ScopeInfo]:
    if state.type == "Parallel":
        branches = state.get("Branches")
        if isinstance(branches, list):
            return [
                ScopeInfo(pointers.join(state.pointer, "Branches", index), branch, "branch", state)
                for index, branch in enumerate(branches)
                if isinstance(branch, dict)
            ]
    elif state.type == "Map":
        for key in ("ItemProcessor", "Iterator"):
            processor = state.get(key)
            if isinstance(processor, dict):
                return [ScopeInfo(pointers.join(state.pointer, key), processor, "processor", state)]
    return []


def all_states(scopes: list[ScopeInfo]) -> list[StateInfo]:
    return [state for scope in scopes for state in scope.states]
