"""The one-line progress display of ``asl run`` on a terminal, and what it asks the engine.

The two facts an event stream cannot give a progress display (when the next timer fires, how far a
Distributed Map's child executions are) come from ``EngineProbe``, the one place that looks inside
a running execution.
"""

from __future__ import annotations

import itertools
import shutil
import threading
import time
from typing import TYPE_CHECKING

from asl_engine.cli.render.events import BRANCH_FAILURES, EventView, StepTracker, Visit
from asl_engine.cli.render.terminal import TerminalWriter
from asl_engine.cli.render.text import format_duration, shorten
from asl_engine.cli.render.waits import WaitDeadline

if TYPE_CHECKING:
    from asl_engine.handle import ExecutionHandle, MapRunProgress
    from asl_engine.runtime.history import HistoryEvent


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

    def map_run(self, map_name: str) -> MapRunProgress | None:
        """How far the latest Map Run of the Distributed Map ``map_name`` is (items read, children ended)."""
        return self._handle.map_run_progress(map_name)


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
            elif event_type in BRANCH_FAILURES or event_type in ("ParallelStateSucceeded", "MapStateSucceeded"):
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
            if visit.kind == "Map" and visit.distributed and self._probe is not None:
                parts.append(f"{visit.name} {_map_run_text(self._probe.map_run(visit.name))}")
            elif visit.kind == "Map" and visit.total is not None:
                parts.append(f"{visit.name} {visit.done}/{visit.total}")
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


def _map_run_text(progress: MapRunProgress | None) -> str:
    """``reading items: 1200 so far`` until the reader is done, then ``40/3000`` (children ended / total),
    with the item count when an ItemBatcher made fewer children than items."""
    if progress is None:
        return "starting"
    if progress.total is None:
        return f"reading items: {progress.items_read} so far"
    text = f"{progress.ended}/{progress.total}"
    if progress.total != progress.items_read:
        text += f" batches ({progress.items_read} items)"
    return text


def _inside_map(visit: Visit) -> bool:
    parent = visit.parent
    while parent is not None:
        if parent.kind == "Map":
            return True
        parent = parent.parent
    return False
