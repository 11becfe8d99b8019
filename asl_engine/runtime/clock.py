"""Time, kept behind one small interface so that executions never read the wall clock directly.

Under a ``VirtualClock`` Wait states, retry intervals and timeouts take no real time, yet
timestamps in history, ``$$.State.EnteredTime`` and Timestamp comparisons advance exactly as if
they had. The scheduler moves virtual time forward only when every piece of work is blocked on a
timer (the way Temporal's test environment skips time), or when a test calls ``advance``.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime

_LAZY_LOCK = threading.Lock()
"""Guards the first use of a clock's condition, which several threads may reach at once."""


class Clock:
    """A source of the current time, in epoch seconds."""

    virtual: bool = False

    def now(self) -> float:
        raise NotImplementedError

    def awaiting_result(self) -> contextlib.AbstractContextManager[None]:
        """Mark that a caller blocks on an execution's result (virtual clocks skip time only then)."""
        return contextlib.nullcontext()

    def now_datetime(self) -> datetime:
        return datetime.fromtimestamp(self.now(), UTC)


class RealClock(Clock):
    """Wall-clock time: Wait states really wait.

    Times are whole milliseconds, the precision of AWS's history timestamps, so a history saved as
    JSON and read back gives exactly the times (and elapsed durations) the live run reported.
    """

    virtual = False

    def now(self) -> float:
        return time.time_ns() // 1_000_000 / 1000


class VirtualClock(Clock):
    """Time that only moves when the engine (or the test) moves it.

    ``start`` defaults to the current wall-clock time in whole milliseconds (as ``RealClock`` reads
    it), so timestamps look real; pass a fixed ``datetime`` (or epoch seconds) for byte-identical
    histories across runs.

    Several executions may share one clock, each driven by its own scheduler (and thread). Time then
    skips only when *every* one of them is idle, to the earliest timer among them, so executions on
    one clock interleave exactly as they would in real time. ``advance`` from a test thread is
    deterministic too: the executions walk through every timer that falls due on the way, in order,
    each at its exact due time, and ``advance`` returns once they have caught up.

    As in Temporal's test environment, time skips by itself only while somebody waits for a result
    (``execute``, or ``ExecutionHandle.wait``): executions started in the background do not race ahead
    of executions started a moment later.
    """

    virtual = True

    MOVED = "moved"
    WAIT = "wait"
    STUCK = "stuck"

    def __init__(self, start: datetime | float | None = None) -> None:
        now: float
        if start is None:
            # Whole milliseconds from the integer clock: ``round(time.time(), 3)`` formats the float in
            # decimal, four times the cost, on every execution that makes its own clock. A float
            # already (no ``float()`` call).
            now = time.time_ns() // 1_000_000 / 1000
        elif isinstance(start, datetime):
            if start.tzinfo is None:
                start = start.replace(tzinfo=UTC)
            now = start.timestamp()
        else:
            now = float(start)
        self._now = now
        self._target = now
        self._version = 0
        self._lazy_changed: threading.Condition | None = None
        self._drivers: dict[int, tuple[int, threading.Condition]] = {}
        self._idle: dict[int, tuple[float | None, bool]] = {}
        self._waiters = 0

    def now(self) -> float:
        return self._now

    def awaiting_result(self) -> contextlib.AbstractContextManager[None]:
        return _AwaitingResult(self)

    def restart_at(self, when: float) -> None:
        """Put this clock at ``when``, forwards or back, while nothing runs on it (no execution waits
        on it, none drives it): a worker reuses one clock for the lone-task children of a batch
        (``runtime/map_run/lone_task.py``), each of which starts when the Map Run started it and takes
        no time of its own."""
        if self._drivers or self._waiters:
            raise RuntimeError("a clock in use cannot be restarted")
        self._now = self._target = float(when)

    @property
    def _changed(self) -> threading.Condition:
        """Guards the clock's state and wakes whoever waits for it to move. Made on first use: an
        execution alone on a clock of its own may never need it."""
        condition = self._lazy_changed
        if condition is None:
            with _LAZY_LOCK:
                condition = self._lazy_changed
                if condition is None:
                    condition = self._lazy_changed = threading.Condition()
        return condition

    def _add_waiter(self, count: int) -> None:
        with self._changed:
            self._waiters += count
        if count > 0:
            self._wake_all(exclude=-1)

    def advance(self, seconds: float) -> None:
        """Move time forward by ``seconds``; due timers fire on the way, each at its due time."""
        if seconds < 0:
            raise ValueError("a clock cannot go backwards")
        with self._changed:
            when = max(self._target, self._now) + seconds
        self.advance_to(when)

    def advance_to(self, when: float) -> None:
        me = threading.get_ident()
        with self._changed:
            if when <= self._target:
                return
            self._target = when
            driven_here = any(thread == me for thread, _ in self._drivers.values())
            if not self._drivers or driven_here:
                # Nobody else drives this clock (or a handler on a driving thread asked): move at once.
                self._jump_locked(max(self._now, when))
                others: list[threading.Condition] = []
            else:
                others = [condition for _, condition in self._drivers.values()]
        for condition in others:
            with condition:
                condition.notify_all()
        if others:
            with self._changed:
                self._changed.wait_for(lambda: self._now >= when or not self._drivers)

    # -- coordination with the schedulers driving executions on this clock -----------------------------

    def jump_to(self, when: float) -> None:
        """Set the time to ``when`` at once (never backwards), without walking through timers.

        For code that drives a scheduler step by step itself (a test environment); everybody else
        uses ``advance``.
        """
        with self._changed:
            self._jump_locked(when)

    def _jump_locked(self, when: float) -> None:
        """Move to ``when`` (caller holds ``_changed``)."""
        if when > self._now:
            self._now = when
            self._target = max(self._target, when)
            self._version += 1
            self._idle.clear()
        self._changed.notify_all()

    def jump_undriven(self, when: float) -> bool:
        """The clock's half of a lone execution's timer or pause (``ExecutionRun.jump_alone``,
        ``Scheduler.jump_alone``, which first check that nothing else exists on their side): True
        once the time is ``when`` or later, moved there at once; False while another scheduler
        drives this clock or somebody asked it to advance, when the caller must wait for real.
        Without a condition (nobody has ever waited on this clock) the time moves without one."""
        now = self._now
        if self._drivers or self._target > now:
            return False
        if when > now:
            if self._lazy_changed is None:
                self._now = self._target = when
                self._version += 1
                if self._idle:
                    self._idle.clear()
            else:
                self._skip_alone(when)
        return True

    def _skip_alone(self, when: float) -> None:
        """``jump_to`` for the one scheduler of a clock nobody else drives (``Scheduler.drive_alone``),
        which has just checked that nobody drives it or asked it to advance: nobody waits on the
        clock's condition, so nobody is notified, and while nobody has ever needed the condition
        (the clock of a lone execution) none is made just to move the time."""
        condition = self._lazy_changed
        if condition is None:
            self._move(when)
        else:
            with condition:
                self._move(when)

    def _move(self, when: float) -> None:
        if when > self._now:
            self._now = when
            if when > self._target:  # ``max``, without the call
                self._target = when
            self._version += 1
            self._idle.clear()

    def _subscribe(self, key: int, condition: threading.Condition) -> None:
        """Register a scheduler that will drive executions on this clock (before it starts running,
        so that time cannot skip past an execution that is about to begin)."""
        with self._changed:
            self._drivers[key] = (threading.get_ident(), condition)

    def _driving_thread(self, key: int) -> None:
        """The scheduler ``key`` is now driven by the calling thread."""
        with self._changed:
            if key in self._drivers:
                self._drivers[key] = (threading.get_ident(), self._drivers[key][1])

    def _unsubscribe(self, key: int) -> None:
        with self._changed:
            self._drivers.pop(key, None)
            self._idle.pop(key, None)
            if not self._drivers:
                self._jump_locked(max(self._now, self._target))
            self._changed.notify_all()
        self._wake_all(exclude=key)

    def _busy(self, key: int) -> None:
        with self._changed:
            self._idle.pop(key, None)

    def _settle(self, key: int, next_timer: float | None, external: bool) -> tuple[str, int]:
        """A driver has nothing to run. If every driver is idle, skip time to the earliest due
        point; returns MOVED (time moved), WAIT (someone is busy or external work is pending) or
        STUCK (nothing can ever wake anybody), with the clock's version for lost-wakeup checks."""
        moved = False
        with self._changed:
            self._idle[key] = (next_timer, external)
            version = self._version
            if len(self._idle) < len(self._drivers):
                return self.WAIT, version
            target = self._target if self._target > self._now else None
            timers = [when for when, _ in self._idle.values() if when is not None]
            if target is not None:
                candidates = [when for when in timers if when <= target] + [target]
            elif self._waiters == 0 or any(pending for _, pending in self._idle.values()):
                return self.WAIT, version
            else:
                candidates = timers
            if not candidates:
                return self.STUCK, version
            self._jump_locked(min(candidates))
            moved = True
            version = self._version
        if moved:
            self._wake_all(exclude=key)
        return self.MOVED, version

    def _version_now(self) -> int:
        return self._version

    def _wake_all(self, exclude: int) -> None:
        """Notify the drivers (but ``exclude``) that the clock changed. A driver registered on the
        calling thread is running, not waiting, so it is not notified (the common case of one
        execution on its own clock then takes no condition at all)."""
        me = threading.get_ident()
        with self._changed:
            others = [
                condition for key, (thread, condition) in self._drivers.items() if key != exclude and thread != me
            ]
        for condition in others:
            with condition:
                condition.notify_all()


class _AwaitingResult:
    """``VirtualClock.awaiting_result``: a class, not a generator, as it is entered on every ``execute``."""

    __slots__ = ("_clock",)

    def __init__(self, clock: VirtualClock) -> None:
        self._clock = clock

    def __enter__(self) -> None:
        self._clock._add_waiter(1)

    def __exit__(self, *exc_info: object) -> None:
        self._clock._add_waiter(-1)


class TurnClock(Clock):
    """The time a durable execution sees: it changes only where the engine takes something in.

    A durable execution must be replayable: on resume, every computation is redone and must read
    exactly the times the first run read. Reading the wall clock continuously would make that
    impossible, so the engine's time moves only at *input points*, where the durable driver samples
    the underlying ``source`` clock and records the value: when the scheduler wakes up (a timer
    fell due, an answer or a task result arrived) and when a handler returns. Between two input
    points the engine computes for microseconds, so histories lose nothing a millisecond timestamp
    would show. On replay the recorded values are set instead of sampled.

    ``source`` is the clock the execution was given (``RealClock`` or ``VirtualClock``): the
    scheduler waits on it, and handlers read it.
    """

    def __init__(self, source: Clock, start: float | None = None) -> None:
        self.source = source
        self.virtual = source.virtual
        self._now = source.now() if start is None else start

    def now(self) -> float:
        return self._now

    def set(self, when: float) -> None:
        """Move to a recorded time (never backwards)."""
        if when > self._now:
            self._now = when

    def sample(self) -> float:
        """Take the source's time as the new current time (an input point of a live run)."""
        now = self.source.now()
        if now > self._now:
            self._now = now
        return self._now

    @contextlib.contextmanager
    def awaiting_result(self) -> Iterator[None]:
        with self.source.awaiting_result():
            yield
