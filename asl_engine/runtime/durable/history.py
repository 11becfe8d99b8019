"""``RecordedHistory``: an execution's history whose every event also goes to its journal.

It is the in-memory ``History`` (the same rows, ids and listeners) with one difference: each event
passes through the recorder first, which appends it to the journal of a live run, or checks it
against the recorded event of a replay (and supplies its id). Subclassing keeps the ordinary
history free of any durability check on its hot path.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from asl_engine.runtime.history import (
    EXECUTION_END_EVENTS,
    EventListener,
    History,
    HistoryEvent,
    HistoryLimitReached,
)

if TYPE_CHECKING:
    from asl_engine.runtime.durable.journal import EventRow
    from asl_engine.runtime.durable.recorder import Recorder
    from asl_engine.runtime.payload_meter import LazyText


class RecordedHistory(History):
    __slots__ = ("recorder", "stream")

    def __init__(
        self,
        recorder: Recorder,
        stream: int = 0,
        listeners: list[EventListener] | None = None,
        limit: int | None = None,
    ) -> None:
        super().__init__(record=True, listeners=listeners, limit=limit)
        self.recorder = recorder
        self.stream = stream

    def add(
        self,
        event_type: str,
        previous_event_id: int,
        timestamp: float,
        details: dict[str, Any] | None = None,
        visit: int = 0,
    ) -> int:
        event_id, timestamp, live = self.recorder.event(
            self, event_type, previous_event_id, timestamp, None, None, None, details, visit
        )
        self.last_id = event_id
        self._keep(event_id, event_type, previous_event_id, timestamp, details)
        if live and self.listeners:
            self._notify(HistoryEvent(event_id, previous_event_id, timestamp, event_type, details))
        if event_id == self.limit and event_type not in EXECUTION_END_EVENTS:
            raise HistoryLimitReached(event_id)
        return event_id

    def add_state(
        self,
        event_type: str,
        previous_event_id: int,
        timestamp: float,
        name: str,
        key: str,
        text: str | LazyText,
        assigned: dict[str, Any] | None = None,
        visit: int = 0,
    ) -> int:
        event_id, timestamp, live = self.recorder.event(
            self, event_type, previous_event_id, timestamp, name, key, text, assigned, visit
        )
        self.last_id = event_id
        self._keep_state(event_id, event_type, previous_event_id, timestamp, name, text, assigned)
        if live and self.listeners:
            state = (name, key, text, assigned)
            self._notify(HistoryEvent(event_id, previous_event_id, timestamp, event_type, None, state))
        if event_id == self.limit:
            raise HistoryLimitReached(event_id)
        return event_id

    def insert(self, row: EventRow) -> None:
        """Put a recorded event in the history as it is, without the engine producing it (a redrive's
        record of work that is run again)."""
        self.last_id = row.event_id
        details, state = _parts(row)
        if state is not None:
            name, _, text, assigned = state
            self._keep_state(row.event_id, row.type, row.previous_id, row.timestamp, name, text, assigned)
        else:
            self._keep(row.event_id, row.type, row.previous_id, row.timestamp, details)


def events_from_rows(rows: list[EventRow]) -> list[HistoryEvent]:
    """History events as engine objects, from recorded rows (a stored execution's history, or a page of it)."""
    return [HistoryEvent(row.event_id, row.previous_id, row.timestamp, row.type, *_parts(row)) for row in rows]


def _parts(row: EventRow) -> tuple[dict[str, Any] | None, tuple[str, str, str, dict[str, Any] | None] | None]:
    """(details, state part) of a recorded row, as ``History`` keeps them."""
    if row.name is not None:
        key = "input" if row.type.endswith("StateEntered") else "output"
        assigned = json.loads(row.details) if row.details else None
        return None, (row.name, key, row.payload_text() or "", assigned)
    return (json.loads(row.details) if row.details else None), None
