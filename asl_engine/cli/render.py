"""How executions look to people: the history table, the live trace and the progress line.

Everything here reads history events, never the interpreter, so the same renderers serve a live
execution (``asl run --trace``), a finished one (``asl run --history``) and a file saved earlier or
fetched from AWS (``asl history``). The two facts an event stream cannot give a progress display
(when the next timer fires, how far a Distributed Map's child executions are) come from
``EngineProbe``, the one place that looks inside a running execution.
"""

from __future__ import annotations

import itertools
import json
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO, TYPE_CHECKING, Any

import click

from asl_engine.definition.pointers import resolve
from asl_engine.language.timestamps import parse_timestamp

if TYPE_CHECKING:
    from asl_engine import StateMachine
    from asl_engine.handle import ExecutionHandle
    from asl_engine.runtime.history import HistoryEvent

# -- events as the renderers see them ----------------------------------------------------------------


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
_BRANCH_FAILURES = ("ParallelStateFailed", "MapStateFailed")


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
        ended = (previous_type or "").endswith("StateExited") or previous_type in _BRANCH_FAILURES
        if owner.kind == kind and not ended:
            return owner
        enclosing = owner.parent
        while enclosing is not None and enclosing.kind != kind:
            enclosing = enclosing.parent
        return enclosing


# -- short texts ---------------------------------------------------------------------------------------


def compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)


def shorten(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters, ending in an ellipsis when cut."""
    if width <= 0:
        return ""
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def format_duration(seconds: float) -> str:
    """``0.4 ms``, ``250 ms``, ``1.25 s``, ``2 min 05 s``, ``3 h 02 min``: precise when short, readable when long."""
    if seconds < 0.01:
        return f"{seconds * 1000:.1f} ms".replace(".0 ms", " ms")
    if seconds < 1:
        return f"{round(seconds * 1000)} ms"
    if seconds < 60:
        return f"{seconds:.2f} s".replace(".00 s", " s")
    minutes, secs = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


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


# -- the history table ---------------------------------------------------------------------------------


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


# -- the live trace ------------------------------------------------------------------------------------


class TerminalWriter:
    """Writes whole lines to one stream, keeping an optional status line at the bottom.

    The trace writes from the execution's thread while the progress display redraws from the main
    thread; both go through here so that a status line is cleared before a line is printed.
    """

    def __init__(self, stream: IO[str], *, status_enabled: bool = False) -> None:
        self.stream = stream
        self.status_enabled = status_enabled
        self._lock = threading.Lock()
        self._status = ""

    def line(self, text: str) -> None:
        with self._lock:
            if self._status:
                self.stream.write("\r\x1b[K")  # the next status() draws it again, up to date
                self._status = ""
            self.stream.write(text + "\n")
            self.stream.flush()

    def status(self, text: str) -> None:
        if not self.status_enabled:
            return
        with self._lock:
            if text == self._status:
                return
            self.stream.write("\r\x1b[K" + text)
            self._status = text
            self.stream.flush()

    def clear_status(self) -> None:
        with self._lock:
            if self._status:
                self.stream.write("\r\x1b[K")
                self.stream.flush()
                self._status = ""


class _LineSink:
    """The "logger" structlog hands its rendered lines to."""

    def __init__(self, writer: TerminalWriter) -> None:
        self._writer = writer

    def msg(self, message: str) -> None:
        self._writer.line(message)

    info = msg


class TraceListener:
    """A history listener that logs every event through structlog as it is recorded.

    ``console`` renders aligned, coloured key=value lines for people; otherwise each event is one
    JSON object per line (payloads as JSON values, not text) for ``jq`` and log shippers.
    """

    def __init__(self, writer: TerminalWriter, *, console: bool, color: bool = False, payload_width: int = 160) -> None:
        self._console = console
        self._payload_width = payload_width
        self._tracker = StepTracker()
        import structlog  # only --trace needs it, and it costs ~90 ms at startup (it imports asyncio)

        renderer: Any
        if console:
            renderer = structlog.dev.ConsoleRenderer(colors=color, sort_keys=False, pad_event_to=28)
        else:
            renderer = structlog.processors.JSONRenderer(ensure_ascii=False, default=str)
        self._log = structlog.wrap_logger(
            _LineSink(writer),
            processors=[_event_first, renderer],
            context_class=dict,
            wrapper_class=structlog.make_filtering_bound_logger(0),
        )

    def __call__(self, event: HistoryEvent) -> None:
        self.log(EventView.of(event))

    def log(self, event: EventView) -> None:
        visit = self._tracker.add(event)
        fields: dict[str, Any] = {"timestamp": _iso(event.timestamp), "id": event.id}
        if visit is not None:
            fields["state"] = visit.name
        for key, value in event.details.items():
            if key == "name":
                continue
            if self._console and not isinstance(value, int | float | bool):
                text = value if isinstance(value, str) and key not in _PAYLOAD_KEYS else compact(value)
                value = _Shown(shorten(text, self._payload_width))
            fields[key] = value
        self._log.info(event.type, **fields)


_PAYLOAD_KEYS = ("input", "output", "parameters")


class _Shown:
    """A value the console renderer prints as it is: no quotes around JSON text or messages."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text


def _event_first(logger: Any, method: str, event_dict: MutableMapping[str, Any]) -> Mapping[str, Any]:
    """JSON lines read best with the event type first (structlog appends it last)."""
    return {"event": event_dict.pop("event"), **event_dict}


def _iso(epoch_seconds: float) -> str:
    return datetime.fromtimestamp(epoch_seconds, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# -- progress ------------------------------------------------------------------------------------------


class EngineProbe:
    """Live facts about a running execution that its events do not carry."""

    def __init__(self, handle: ExecutionHandle) -> None:
        self._handle = handle

    def now(self) -> float:
        return self._handle.clock.now()

    @property
    def virtual(self) -> bool:
        return self._handle.clock.virtual

    def next_timer(self) -> float | None:
        """When the earliest pending timer (a Wait, a retry interval, a timeout) is due, in clock time."""
        return self._handle.next_timer()

    def waiting_for_token(self, state_name: str) -> bool:
        return state_name in self._handle.task_tokens().values()

    def distributed_done(self, map_name: str) -> int | None:
        """How many child executions of the latest Map Run of ``map_name`` have ended."""
        progress = self._handle.map_run_progress(map_name)
        return None if progress is None else progress[0]


WaitDeadline = Callable[[str, float], "float | None"]
"""(Wait state name, when it was entered) -> when it ends, if the definition fixes it."""


def static_wait_deadlines(machine: StateMachine) -> WaitDeadline:
    """Deadlines of the Wait states whose ``Seconds`` or ``Timestamp`` is written in the definition.

    Those need no engine internals and stay exact when several Waits run side by side; a Wait
    computed at run time (``SecondsPath``, JSONata) falls back on the execution's next timer.
    """
    fixed: dict[str, tuple[bool, float]] = {}
    for name, node in machine.compiled.all_states.items():
        if node.state_type != "Wait":
            continue
        try:
            spec = resolve(machine.definition, node.pointer)
        except (LookupError, ValueError):
            continue
        seconds, timestamp = spec.get("Seconds"), spec.get("Timestamp")
        if isinstance(seconds, int) and not isinstance(seconds, bool):
            fixed[name] = (True, float(seconds))
        elif (instant := parse_timestamp(timestamp)) is not None:
            fixed[name] = (False, instant.epoch)

    def deadline(name: str, entered_at: float) -> float | None:
        found = fixed.get(name)
        if found is None:
            return None
        relative, value = found
        return entered_at + value if relative else value

    return deadline


_SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"


class ProgressDisplay:
    """A one-line summary of a running execution on a terminal: Maps' items, Waits' time left.

    It listens to history events (on the execution's thread) and is drawn from the main thread by
    ``tick``; nothing shows during the first ``delay`` seconds, so quick runs do not flicker.
    """

    def __init__(
        self, writer: TerminalWriter, *, wait_deadline: WaitDeadline | None = None, delay: float = 0.3
    ) -> None:
        self._writer = writer
        self._wait_deadline = wait_deadline
        self._delay = delay
        self._lock = threading.Lock()
        self._tracker = StepTracker()
        self._active: dict[int, Visit] = {}
        self._started = time.monotonic()
        self._spinner = itertools.cycle(_SPINNER)
        self._probe: EngineProbe | None = None

    def attach(self, probe: EngineProbe) -> None:
        self._probe = probe

    def __call__(self, event: HistoryEvent) -> None:
        self.observe(EventView.of(event))

    def observe(self, event: EventView) -> None:
        with self._lock:
            visit = self._tracker.add(event)
            if visit is None:
                return
            event_type = event.type
            if event_type.endswith("StateEntered"):
                self._active[id(visit)] = visit
            elif event_type.endswith("StateExited"):
                self._close(visit)
            elif event_type == "MapStateStarted":
                visit.total = int(event.details.get("length", 0))
            elif event_type == "MapRunStarted":
                visit.distributed = True
            elif event_type.startswith("MapIteration") and event_type != "MapIterationStarted":
                visit.done += 1
            elif event_type in _BRANCH_FAILURES or event_type in ("ParallelStateSucceeded", "MapStateSucceeded"):
                for child in visit.children:
                    self._close(child)

    def _close(self, visit: Visit) -> None:
        self._active.pop(id(visit), None)
        for child in visit.children:
            self._close(child)

    def tick(self) -> None:
        elapsed = time.monotonic() - self._started
        if elapsed < self._delay:
            return
        line = f"{next(self._spinner)} {format_duration(elapsed)}"
        parts = self.describe()
        if parts:
            line += "  " + " · ".join(parts)
        self._writer.status(shorten(line, shutil.get_terminal_size((80, 24)).columns - 1))

    def describe(self) -> list[str]:
        """What is going on right now, innermost Maps summarizing their iterations."""
        with self._lock:
            visits = list(self._active.values())
        parts = []
        for visit in visits:
            if _inside_map(visit):
                continue
            if visit.kind == "Map" and visit.total is not None:
                done = visit.done
                if visit.distributed and self._probe is not None:
                    done = self._probe.distributed_done(visit.name) or 0
                parts.append(f"{visit.name} {done}/{visit.total}")
            elif visit.kind == "Wait":
                parts.append(f"{visit.name} {self._time_left(visit)}")
            elif visit.kind == "Task":
                waiting = self._probe is not None and self._probe.waiting_for_token(visit.name)
                parts.append(f"{visit.name} {'waiting for its task token' if waiting else 'running'}")
        return parts

    def _time_left(self, visit: Visit) -> str:
        probe = self._probe
        if probe is None or probe.virtual:
            return "waiting"
        due = self._wait_deadline(visit.name, visit.entered_at) if self._wait_deadline is not None else None
        if due is None:
            due = probe.next_timer()
        if due is None:
            return "waiting"
        return f"{format_duration(max(due - probe.now(), 0.0))} left"

    def finish(self) -> None:
        self._writer.clear_status()


def _inside_map(visit: Visit) -> bool:
    parent = visit.parent
    while parent is not None:
        if parent.kind == "Map":
            return True
        parent = parent.parent
    return False


def states_entered(events: Iterable[EventView]) -> list[str]:
    return [event.name or "?" for event in events if event.type.endswith("StateEntered")]


def describe_path(names: Sequence[str], limit: int = 40) -> str:
    """``A → B → Item (100 times) → C``: repeats folded, long paths cut to their end."""
    folded = [
        name if count == 1 else f"{name} ({count} times)"
        for name, count in ((name, len(list(group))) for name, group in itertools.groupby(names))
    ]
    if len(folded) > limit:
        return f"… ({len(folded) - limit} earlier) → " + " → ".join(folded[-limit:])
    return " → ".join(folded)
