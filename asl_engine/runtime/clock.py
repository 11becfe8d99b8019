"""Time, kept behind one small interface so that executions never read the wall clock directly.

Under a ``VirtualClock`` Wait states, retry intervals and timeouts take no real time, yet
timestamps in history, ``$$.State.EnteredTime`` and Timestamp comparisons advance exactly as if
they had. The scheduler moves virtual time forward only when every piece of work is blocked on a
timer (the way Temporal's test environment skips time), or when a test calls ``advance``.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime


class Clock:
    """A source of the current time, in epoch seconds."""

    virtual: bool = False

    def now(self) -> float:
        raise NotImplementedError

    def now_datetime(self) -> datetime:
        return datetime.fromtimestamp(self.now(), UTC)


class RealClock(Clock):
    """Wall-clock time: Wait states really wait."""

    virtual = False

    def now(self) -> float:
        return time.time()


class VirtualClock(Clock):
    """Time that only moves when the engine (or the test) moves it.

    ``start`` defaults to the current wall-clock time rounded to the millisecond, so timestamps look
    real; pass a fixed ``datetime`` (or epoch seconds) for byte-identical histories across runs.

    ``advance`` from a test thread is deterministic: the executions using this clock move through
    every timer that falls due on the way, in order, each at its exact due time, and ``advance``
    returns only once they have caught up.
    """

    virtual = True

    def __init__(self, start: datetime | float | None = None) -> None:
        if start is None:
            start = round(time.time(), 3)
        elif isinstance(start, datetime):
            if start.tzinfo is None:
                start = start.replace(tzinfo=UTC)
            start = start.timestamp()
        self._now = float(start)
        self._target = self._now
        self._changed = threading.Condition()
        self._drivers: dict[int, threading.Condition] = {}

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        """Move time forward by ``seconds``; due timers fire on the way, each at its due time."""
        if seconds < 0:
            raise ValueError("a clock cannot go backwards")
        with self._changed:
            when = max(self._target, self._now) + seconds
        self.advance_to(when)

    def advance_to(self, when: float) -> None:
        with self._changed:
            if when <= self._target:
                return
            self._target = when
            drivers = [c for thread_id, c in self._drivers.items() if thread_id != threading.get_ident()]
            if not self._drivers or threading.get_ident() in self._drivers:
                self._now = max(self._now, when)
        for condition in drivers:
            with condition:
                condition.notify_all()
        if drivers:
            with self._changed:
                self._changed.wait_for(lambda: self._now >= when or not self._drivers)

    # -- used by the scheduler driving executions on this clock ---------------------------------------

    def _pending_target(self) -> float | None:
        """Where a test asked time to go, if the executions have not got there yet."""
        target = self._target
        return target if target > self._now else None

    def _move_to(self, when: float) -> None:
        with self._changed:
            if when > self._now:
                self._now = when
                self._target = max(self._target, when)
            self._changed.notify_all()

    def _subscribe(self, condition: threading.Condition) -> None:
        with self._changed:
            self._drivers[threading.get_ident()] = condition

    def _unsubscribe(self, condition: threading.Condition) -> None:
        with self._changed:
            self._drivers.pop(threading.get_ident(), None)
            if not self._drivers:
                self._now = max(self._now, self._target)
            self._changed.notify_all()
