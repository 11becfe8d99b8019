"""Waiting in real time: the deadlines of Wait states written in the definition, and the hint that
``--clock virtual`` would skip a long Wait or retry interval."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from asl_engine.cli.render.events import BRANCH_FAILURES, EventView, StepTracker, Visit, is_failure
from asl_engine.cli.render.terminal import TerminalWriter
from asl_engine.cli.render.text import format_duration
from asl_engine.definition.pointers import resolve
from asl_engine.language.timestamps import parse_timestamp

if TYPE_CHECKING:
    from asl_engine import StateMachine
    from asl_engine.cli.render.progress import EngineProbe
    from asl_engine.runtime.history import HistoryEvent


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


LONG_WAIT_SECONDS = 10.0
"""A real-clock Wait or retry interval longer than this gets the ``--clock virtual`` hint."""

_RETRYING_KINDS = ("Task", "Parallel", "Map")
_WAIT, _RETRY = "wait", "retry"


class LongWaitNotice:
    """Says once, on stderr, that ``--clock virtual`` would skip a long real-clock Wait or retry interval.

    A history listener notes what waits on time: a Wait state entered and not yet exited, or a Task,
    Parallel or Map state whose latest event is a failure (it is between attempts, or about to be
    caught). ``check``, called from the main thread while the execution runs, says it once the
    execution's next timer is more than ``threshold`` seconds away (``wait_deadline`` gives a Wait's
    end exactly when the definition fixes it).
    """

    def __init__(
        self,
        writer: TerminalWriter,
        *,
        wait_deadline: WaitDeadline | None = None,
        threshold: float | None = None,
    ) -> None:
        self._writer = writer
        self._wait_deadline = wait_deadline
        self._threshold = LONG_WAIT_SECONDS if threshold is None else threshold
        self._lock = threading.Lock()
        self._tracker = StepTracker()
        self._waiting: dict[int, tuple[Visit, str]] = {}
        self.said = False

    def __call__(self, event: HistoryEvent) -> None:
        self.observe(EventView.of(event))

    def observe(self, event: EventView) -> None:
        with self._lock:
            visit = self._tracker.add(event)
            if visit is None:
                return
            event_type = event.type
            if event_type == "WaitStateEntered":
                self._waiting[id(visit)] = (visit, _WAIT)
            elif event_type.endswith("StateExited"):
                self._forget(visit)
            elif event_type in BRANCH_FAILURES or event_type in ("ParallelStateSucceeded", "MapStateSucceeded"):
                for child in visit.children:
                    self._forget(child)
                if event_type in BRANCH_FAILURES:
                    self._waiting[id(visit)] = (visit, _RETRY)
            elif visit.kind in _RETRYING_KINDS:
                if is_failure(event_type):
                    self._waiting[id(visit)] = (visit, _RETRY)
                else:  # the next attempt has started
                    self._waiting.pop(id(visit), None)

    def _forget(self, visit: Visit) -> None:
        self._waiting.pop(id(visit), None)
        for child in visit.children:
            self._forget(child)

    def check(self, probe: EngineProbe) -> None:
        if self.said or probe.virtual:
            return
        with self._lock:
            waiting = list(self._waiting.values())
        if not waiting:
            return
        now = probe.now()
        for visit, why in waiting:
            due = self._wait_deadline(visit.name, visit.entered_at) if why == _WAIT and self._wait_deadline else None
            if due is None:
                due = probe.next_timer()
            if due is not None and due - now > self._threshold:
                self.said = True
                self._writer.line(_hint(visit.name, why, due - now))
                return


def _hint(state: str, why: str, seconds: float) -> str:
    waiting = (
        f"the Wait state '{state}' waits {format_duration(seconds)}"
        if why == _WAIT
        else f"'{state}' is retried in {format_duration(seconds)}"
    )
    return (
        f"note: {waiting} in real time; --clock virtual skips Wait states and retry intervals "
        "(timestamps still advance as if they had passed)"
    )
