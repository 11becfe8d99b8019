"""Execution history shaped like GetExecutionHistory.

Performance notes, because history is recorded on every transition:

* State events (the bulk of any history) are stored as flat tuples holding the payload's JSON
  text, never the payload object. The text is computed once anyway (the 256 KiB quota is measured
  on it) and a state's output text doubles as the next state's input text. Tuples of strings and
  numbers are not tracked by Python's cyclic garbage collector, and the payload objects are free to
  be collected, so a long history does not slow the interpreter down.
* ``HistoryEvent`` objects (what tools and tests read) are built only when somebody reads the
  history or listens to it.

Event ids are always counted, even with recording off, because AWS's error causes quote them
("entered at the event id #2"); a Standard execution fails past 25,000 events, as on AWS.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, Final

from asl_engine.errors import StatesError
from asl_engine.runtime.json_text import to_json_text
from asl_engine.runtime.payload_meter import LazyText, payload_text

# Detail members that carry a JSON value and are serialized to text, each with its ``*Details``
# companion ({"truncated": false}) as AWS returns them.
_JSON_FIELDS = {"input": "inputDetails", "output": "outputDetails"}
_JSON_ONLY_FIELDS = ("parameters",)

_DETAILS_MEMBER: dict[str, str] = {}


def details_member(event_type: str) -> str:
    """``TaskStateEntered`` -> ``stateEnteredEventDetails`` (AWS groups state events by kind)."""
    member = _DETAILS_MEMBER.get(event_type)
    if member is None:
        if event_type.endswith("StateEntered"):
            member = "stateEnteredEventDetails"
        elif event_type.endswith("StateExited"):
            member = "stateExitedEventDetails"
        else:
            member = event_type[0].lower() + event_type[1:] + "EventDetails"
        _DETAILS_MEMBER[event_type] = member
    return member


@functools.lru_cache(maxsize=1024)
def format_timestamp(epoch_seconds: float) -> str:
    """ISO-8601 with milliseconds, UTC, as the context object shows times (``...T10:04:42.001Z``)."""
    moment = datetime.fromtimestamp(epoch_seconds, UTC)
    millis = round(moment.microsecond / 1000)
    if millis == 1000:
        moment = datetime.fromtimestamp(int(epoch_seconds) + 1, UTC)
        millis = 0
    # isoformat is C code and ten times cheaper than strftime; it pads the year to four digits as
    # strftime does for every year this engine can be asked about (1000-9999).
    base = moment.isoformat(timespec="seconds")[:19]
    return f"{base}.{millis:03d}Z" if millis else f"{base}Z"


StatePart = tuple[str, str, "str | LazyText", "dict[str, Any] | None"]
"""(state name, "input" or "output", the payload's JSON text, assigned variables or None)."""

ROW_WIDTH: Final = 6
"""Slots per recorded event: type, previousEventId (None when it is the event just before), timestamp,
then three that depend on the kind of event (see ``History``)."""

EXECUTION_END_EVENTS = frozenset({"ExecutionSucceeded", "ExecutionFailed", "ExecutionTimedOut", "ExecutionAborted"})
"""The events that end an execution: its last, whatever the history's limit (``HistoryLimitReached``)."""

_ITERATION_EVENTS = frozenset(
    {"MapIterationStarted", "MapIterationSucceeded", "MapIterationFailed", "MapIterationAborted"}
)


class _Marker:
    """The type of ``_ITERATION`` and ``SHARED``: each pickled as a reference to its module's name for
    it, so rows sent from another process (a Distributed Map child's, ``rows``) still hold the one
    marker ``is`` compares with."""

    __slots__ = ("_name",)

    def __init__(self, name: str) -> None:
        self._name = name

    def __reduce__(self) -> str:
        return self._name


_ITERATION = _Marker("_ITERATION")
"""Marks the row of an inline Map iteration's event, whose details are kept as (Map name, index)."""

SHARED: Final = _Marker("SHARED")
"""Marks the row of an event (not a state event) whose details dict other rows hold too (a retried
Task's attempts, ``TaskState._run_in_rows``): each reader gets a copy of it, so that a change made to
one event's details never shows in another's."""


class HistoryEvent:
    """One event; ``details`` holds JSON values (payloads parsed back from their text on first use)."""

    __slots__ = ("_details", "_state", "id", "previous_event_id", "timestamp", "type")

    def __init__(
        self,
        event_id: int,
        previous_event_id: int,
        timestamp: float,
        event_type: str,
        details: dict[str, Any] | None,
        state: StatePart | None = None,
    ) -> None:
        self.id = event_id
        self.previous_event_id = previous_event_id
        self.timestamp = timestamp
        self.type = event_type
        self._details = details
        self._state = state

    def __repr__(self) -> str:
        return f"<{self.id} {self.type} prev={self.previous_event_id}>"

    @property
    def details(self) -> dict[str, Any] | None:
        if self._details is None and self._state is not None:
            name, key, text, assigned = self._state
            details: dict[str, Any] = {"name": name, key: json.loads(payload_text(text))}
            if assigned:
                details["assignedVariables"] = assigned
            self._details = details
        return self._details

    @property
    def state_name(self) -> str | None:
        if self._state is not None:
            return self._state[0]
        return self._details.get("name") if self._details else None

    def to_dict(self) -> dict[str, Any]:
        """The AWS GetExecutionHistory shape; JSON payloads become JSON text."""
        event: dict[str, Any] = {
            "id": self.id,
            "previousEventId": self.previous_event_id,
            "timestamp": datetime.fromtimestamp(self.timestamp, UTC),
            "type": self.type,
        }
        if self._state is not None:
            name, key, text, assigned = self._state
            state_details: dict[str, Any] = {
                "name": name,
                key: payload_text(text),
                _JSON_FIELDS[key]: {"truncated": False},
            }
            if assigned:
                state_details["assignedVariables"] = {var: to_json_text(value) for var, value in assigned.items()}
                state_details["assignedVariablesDetails"] = {"truncated": False}
            event[details_member(self.type)] = state_details
        elif self._details is not None:
            details: dict[str, Any] = {}
            for key, value in self._details.items():
                if key in _JSON_FIELDS:
                    details[key] = to_json_text(value)
                    details[_JSON_FIELDS[key]] = {"truncated": False}
                elif key in _JSON_ONLY_FIELDS:
                    details[key] = to_json_text(value)
                elif key == "assignedVariables":
                    details[key] = {name: to_json_text(v) for name, v in value.items()}
                    details["assignedVariablesDetails"] = {"truncated": False}
                else:
                    details[key] = value
            event[details_member(self.type)] = details
        return event


EventListener = Callable[[HistoryEvent], None]


class HistoryLimitReached(StatesError):
    """Raised (once) when a Standard execution records its 25,000th event: the execution fails.

    Unless that event ends the execution (``EXECUTION_END_EVENTS``): an execution whose own end is
    the 25,000th event ended within the limit and keeps its outcome."""

    def __init__(self, limit: int) -> None:
        super().__init__("States.Runtime", f"The execution reached the maximum number of history events ({limit:,}).")


class History:
    """The events of one execution, in id order, plus the id counter every event draws from.

    Recorded events live in one flat list, ``ROW_WIDTH`` slots per event, rather than a tuple per
    event: tuples that survive are tracked (and re-scanned) by the cyclic garbage collector, which on
    a 40,000-event history cost more than the interpreter itself; a flat list of strings and numbers
    is one object to it. A row is ``(type, previous, timestamp, a, b, c)``:

    * a state event: ``a`` the state's name, ``b`` its payload text (input for ``*Entered``, output
      for ``*Exited``), ``c`` the assigned variables or None;
    * an inline Map iteration's event (details ``{"index": i, "name": map}``): ``a`` the Map's name,
      ``b`` the index, ``c`` ``_ITERATION``;
    * any other event: ``a`` its details (or None), ``b`` None, ``c`` None (or ``SHARED``: other rows
      hold the same details dict, and readers get a copy).

    ``previous`` is None when it is the id just before the event's own (most events), which keeps
    no integer alive for it. The compact rows are what lets a Map of 100,000 items keep its 400,000
    events in about 100 bytes each, payload texts included (docs/performance.md, "Memory").
    """

    __slots__ = ("_own_rows", "_slots", "last_id", "limit", "listeners", "record", "state_rows", "wants_text")

    _routes_rows = False
    """True for a subclass that routes events through its own ``add`` (``RecordedHistory``): set by
    ``__init_subclass__``, read once per history (not per event)."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._routes_rows = cls.add is not History.add

    def __init__(
        self, record: bool = True, listeners: list[EventListener] | None = None, limit: int | None = None
    ) -> None:
        slots: list[Any] = []
        self._slots = slots
        self.record = record
        self.last_id = 0
        self.limit = limit
        own_rows = not type(self)._routes_rows
        self._own_rows = own_rows
        """False for a subclass that routes events through its own ``add`` (``RecordedHistory``)."""
        # Without listeners, the shared empty tuple: an execution nobody listens to makes no list.
        self.listeners: Sequence[EventListener] = listeners or ()
        self.wants_text = record or bool(listeners)
        """Whether state events need their payload text (recording, or someone listening)."""
        self.state_rows: list[Any] | None = slots if record and own_rows and not listeners else None
        """The rows to which the state loop (``run_states``) and ``StateNode.exit`` append state events
        themselves, ``add_state`` written out on the hottest path; None when every event must go
        through ``add_state`` (not recorded, listened to, or routed by a subclass). Listeners are
        fixed when the history is made."""

    def add(
        self,
        event_type: str,
        previous_event_id: int,
        timestamp: float,
        details: dict[str, Any] | None = None,
        visit: int = 0,
    ) -> int:
        """Record an event. ``visit`` is the id of the StateEntered event of the state visit that
        records it (0 for execution-level events): a durable execution's journal keeps it so that a
        redrive can tell which visits ended unsuccessfully; the in-memory history ignores it."""
        event_id = self.last_id = self.last_id + 1
        if self.record:
            if event_type in _ITERATION_EVENTS:
                self._keep(event_id, event_type, previous_event_id, timestamp, details)
            else:  # ``_keep``, written out for the usual event
                previous = None if previous_event_id == event_id - 1 else previous_event_id
                self._slots += (event_type, previous, timestamp, details, None, None)
        if self.listeners:
            self._notify(HistoryEvent(event_id, previous_event_id, timestamp, event_type, details))
        if event_id == self.limit and event_type not in EXECUTION_END_EVENTS:
            raise HistoryLimitReached(event_id)
        return event_id

    def add_pair(
        self,
        first_type: str,
        first_details: dict[str, Any] | None,
        second_type: str,
        second_details: dict[str, Any] | None,
        previous_event_id: int,
        first_time: float,
        second_time: float,
    ) -> int | None:
        """Two ordinary events in a row, the second caused by the first (a task's ``*Scheduled`` and
        ``*Started``), in one step: the first's id. None, with nothing recorded, when they must go one
        at a time through ``add`` (the rows are routed by a subclass, somebody listens, or the event
        limit is one of them)."""
        first_id = self.last_id + 1
        limit = self.limit
        if not self._own_rows or self.listeners or (limit is not None and first_id <= limit <= first_id + 1):
            return None
        self.last_id = first_id + 1
        if self.record:
            self._slots += (
                first_type,
                None if previous_event_id == first_id - 1 else previous_event_id,
                first_time,
                first_details,
                None,
                None,
                second_type,
                None,
                second_time,
                second_details,
                None,
                None,
            )
        return first_id

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
        """A ``*StateEntered`` (key "input") or ``*StateExited`` (key "output") event (``visit``: the
        Exited event's StateEntered id, see ``add``)."""
        event_id = self.last_id = self.last_id + 1
        if self.record:
            self._slots += (
                event_type,
                None if previous_event_id == event_id - 1 else previous_event_id,
                timestamp,
                name,
                text,
                assigned,
            )
        if self.listeners:
            self._notify(
                HistoryEvent(event_id, previous_event_id, timestamp, event_type, None, (name, key, text, assigned))
            )
        if event_id == self.limit:
            raise HistoryLimitReached(event_id)
        return event_id

    def add_iteration(
        self, event_type: str, previous_event_id: int, timestamp: float, map_name: str, index: int, visit: int = 0
    ) -> int:
        """An inline Map iteration's event (``MapIterationStarted``...: details ``{"index", "name"}``),
        recorded as its row without making the details dict that ``add`` would take apart again."""
        if not self._own_rows or self.listeners:
            return self.add(event_type, previous_event_id, timestamp, {"index": index, "name": map_name}, visit)
        event_id = self.last_id = self.last_id + 1
        if self.record:
            previous = None if previous_event_id == event_id - 1 else previous_event_id
            self._slots += (event_type, previous, timestamp, map_name, index, _ITERATION)
        if event_id == self.limit:
            raise HistoryLimitReached(event_id)
        return event_id

    def add_iteration_handover(
        self,
        map_name: str,
        ended: int,
        ended_last_event_id: int,
        succeeded_at: float,
        started: int,
        started_at: float,
        visit: int = 0,
    ) -> tuple[int, int]:
        """Iteration ``ended`` succeeded and iteration ``started`` takes its slot: ``MapIterationSucceeded``
        then ``MapIterationStarted``, both linked to the ended iteration's last event, as two
        ``add_iteration`` calls record them (in one append when the rows are this history's own)."""
        succeeded_id = self.last_id + 1
        limit = self.limit
        if self.state_rows is None or (limit is not None and succeeded_id <= limit <= succeeded_id + 1):
            return (
                self.add_iteration("MapIterationSucceeded", ended_last_event_id, succeeded_at, map_name, ended, visit),
                self.add_iteration("MapIterationStarted", ended_last_event_id, started_at, map_name, started, visit),
            )
        self.last_id = started_id = succeeded_id + 1
        self.state_rows += (
            "MapIterationSucceeded",
            None if ended_last_event_id == succeeded_id - 1 else ended_last_event_id,
            succeeded_at,
            map_name,
            ended,
            _ITERATION,
            "MapIterationStarted",
            ended_last_event_id,  # never the event just before (that is the MapIterationSucceeded)
            started_at,
            map_name,
            started,
            _ITERATION,
        )
        return succeeded_id, started_id

    def _keep(
        self, event_id: int, event_type: str, previous_event_id: int, timestamp: float, details: dict[str, Any] | None
    ) -> None:
        """Append the row of an event that is not a state event."""
        previous = None if previous_event_id == event_id - 1 else previous_event_id
        if details is not None and event_type in _ITERATION_EVENTS and len(details) == 2:
            index, map_name = details.get("index"), details.get("name")
            if type(index) is int and type(map_name) is str:
                self._slots += (event_type, previous, timestamp, map_name, index, _ITERATION)
                return
        self._slots += (event_type, previous, timestamp, details, None, None)

    def _keep_state(
        self,
        event_id: int,
        event_type: str,
        previous_event_id: int,
        timestamp: float,
        name: str,
        text: str | LazyText,
        assigned: dict[str, Any] | None,
    ) -> None:
        """Append the row of a state event (``add_state`` does the same inline, on the hot path)."""
        previous = None if previous_event_id == event_id - 1 else previous_event_id
        self._slots += (event_type, previous, timestamp, name, text, assigned)

    def count(self) -> int:
        """Events counted so far (recorded or not)."""
        return self.last_id

    def rows(self) -> list[Any]:
        """The recorded rows (``ROW_WIDTH`` slots per event), to pack a finished history (a Distributed
        Map child's) or send it from another process; not to be changed."""
        return self._slots

    @classmethod
    def restored(cls, rows: list[Any]) -> History:
        """A finished history from its ``rows``."""
        history = cls()
        history._slots = history.state_rows = rows
        history.last_id = len(rows) // ROW_WIDTH
        return history

    def _notify(self, event: HistoryEvent) -> None:
        for listener in self.listeners:
            listener(event)

    @property
    def events(self) -> list[HistoryEvent]:
        return list(self)

    def events_after(self, count: int) -> list[HistoryEvent]:
        """The events after the first ``count`` (a reader that has those already takes only the new ones)."""
        return list(self.iter_after(count))

    def __len__(self) -> int:
        return len(self._slots) // ROW_WIDTH

    def __iter__(self) -> Iterator[HistoryEvent]:
        """The events one at a time, made as they are taken (a long history is never all objects at once)."""
        return self.iter_after(0)

    def iter_after(self, count: int) -> Iterator[HistoryEvent]:
        """The events after the first ``count``, one at a time."""
        slots = self._slots
        for index, start in enumerate(range(count * ROW_WIDTH, len(slots), ROW_WIDTH), start=count + 1):
            event_type, previous, timestamp, a, b, c = slots[start : start + ROW_WIDTH]
            if previous is None:
                previous = index - 1
            if c is _ITERATION:
                yield HistoryEvent(index, previous, timestamp, event_type, {"index": b, "name": a})
            elif b is None:
                yield HistoryEvent(index, previous, timestamp, event_type, a if c is None else dict(a))
            else:
                key = "input" if event_type.endswith("StateEntered") else "output"
                yield HistoryEvent(index, previous, timestamp, event_type, None, (a, key, b, c))
