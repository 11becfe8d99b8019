"""History events as readers see them (the ``asl`` renderers, the console), and the state visit each
one belongs to: the one place that knows how a flat history nests into Parallel branches and Map
iterations."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from asl_engine.runtime.history import HistoryEvent


@dataclass(frozen=True, slots=True)
class EventView:
    """One history event with its payloads as JSON values (AWS ships them as JSON text)."""

    id: int
    previous_id: int
    timestamp: float
    """Epoch seconds, in the execution's clock (virtual time under ``--clock virtual``)."""
    type: str
    details: Mapping[str, Any]

    @property
    def name(self) -> str | None:
        name = self.details.get("name")
        return name if isinstance(name, str) else None

    @classmethod
    def of(cls, event: HistoryEvent) -> EventView:
        return cls(event.id, event.previous_event_id, event.timestamp, event.type, event.details or {})


_STATE_KINDS = {"ParallelState": "Parallel", "MapState": "Map", "MapIteration": "Map", "MapRun": "Map"}
BRANCH_FAILURES = ("ParallelStateFailed", "MapStateFailed")


def _kind(event_type: str) -> str | None:
    """The state type whose own bookkeeping events these are (``MapIterationStarted`` -> Map)."""
    return next((kind for prefix, kind in _STATE_KINDS.items() if event_type.startswith(prefix)), None)


def is_failure(event_type: str) -> bool:
    return event_type.endswith(("Failed", "TimedOut", "Aborted"))


@dataclass(eq=False, slots=True)
class Visit:
    """One entry into a state; ``parent`` is the Parallel or Map visit it runs inside."""

    name: str
    kind: str
    parent: Visit | None
    entered_at: float
    total: int | None = None
    done: int = 0
    distributed: bool = False
    children: list[Visit] = field(default_factory=list)


class StepTracker:
    """Attributes each event to the state visit it belongs to, one event at a time.

    A history is flat: Parallel branches and Map iterations interleave, linked only by
    ``previousEventId``. An event follows an event of its own visit, except where a branch or an
    iteration ends, when the next event belongs to the nearest enclosing Parallel or Map.
    """

    def __init__(self) -> None:
        self._owner: dict[int, Visit] = {}
        self._types: dict[int, str] = {}

    def visit_of(self, event_id: int) -> Visit | None:
        """The visit an event already added belongs to (None for execution-level events)."""
        return self._owner.get(event_id)

    def add(self, event: EventView) -> Visit | None:
        self._types[event.id] = event.type
        visit = self._attribute(event)
        if visit is not None:
            self._owner[event.id] = visit
        return visit

    def _attribute(self, event: EventView) -> Visit | None:
        event_type = event.type
        if event_type.startswith("Execution") or event_type.endswith("StateAborted"):
            return None  # aborts are recorded aside, linked to the failure that caused them
        previous_type = self._types.get(event.previous_id)
        owner = self._owner.get(event.previous_id)
        if event_type.endswith("StateEntered"):
            parent = None
            if previous_type in ("ParallelStateStarted", "MapIterationStarted"):
                parent = owner
            elif owner is not None:
                parent = owner.parent
            visit = Visit(event.name or "?", event_type[: -len("StateEntered")], parent, event.timestamp)
            if parent is not None:
                parent.children.append(visit)
            return visit
        if owner is None:
            return None
        if event.name is not None:  # *StateExited and MapIteration* carry their own state's name
            while owner is not None and owner.name != event.name:
                owner = owner.parent
            return owner
        kind = _kind(event_type)
        if kind is None or event_type.endswith("Started"):
            return owner
        ended = (previous_type or "").endswith("StateExited") or previous_type in BRANCH_FAILURES
        if owner.kind == kind and not ended:
            return owner
        enclosing = owner.parent
        while enclosing is not None and enclosing.kind != kind:
            enclosing = enclosing.parent
        return enclosing


def states_entered(events: Iterable[EventView]) -> list[str]:
    return [event.name or "?" for event in events if event.type.endswith("StateEntered")]
