"""A small deterministic scheduler for the coroutines that run executions.

Why not asyncio: executions must be deterministic under a virtual clock (the same interleaving of
Map iterations and Parallel branches on every run), time must skip only when *all* work is blocked
on timers, and executions must be drivable from a plain synchronous call. A few dozen lines of
trampoline give exactly that; ``async``/``await`` syntax is kept, so states read naturally.

Everything runs on the thread that drives ``run_until``; other threads (task-token answers, worker
threads) communicate only through ``post``, which is thread-safe.
"""

from __future__ import annotations

import heapq
import itertools
import threading
from collections import deque
from collections.abc import Callable, Coroutine, Generator
from typing import Any, Generic, Protocol, TypeVar

from asl_engine.runtime.clock import Clock, VirtualClock

T = TypeVar("T")

_LAZY_LOCK = threading.Lock()
"""Guards the first use of a scheduler's condition, which another thread may reach first."""


class Cancelled(BaseException):
    """Thrown into a task to stop it; ``reason`` says why (branch failed, execution stopped...).

    A BaseException so that ``except Exception`` in user handlers or states never swallows it.
    """

    def __init__(self, reason: BaseException | None = None) -> None:
        super().__init__(reason)
        self.reason = reason


class DeadlockError(RuntimeError):
    """Nothing can ever make progress: no ready work, no timers, nothing external pending."""


class TurnJournal(Protocol):
    """What the scheduler of a durable execution consults between turns (see ``runtime.durable``).

    A *turn* is everything the scheduler runs after taking something in: timers that fell due and
    work posted from other threads. A durable execution records each turn (its time and the
    inputs it applied) so that a replay can take exactly the same turns, in the same order.
    """

    def idle(self, scheduler: Scheduler) -> bool:
        """Nothing is ready. Commit what the turn recorded; while replaying, take the next recorded
        turn instead of waiting (True: it did, there may be work now)."""
        ...

    def live_turn(self, scheduler: Scheduler, posted: list[Any], *, force: bool = False) -> bool:
        """A live wake-up: sample the time, apply ``posted``, fire due timers and record the turn;
        False when nothing was due and nothing was posted (the scheduler then waits). ``force``
        records the turn even then: tasks paused (``pause``) and go on after it, and a replay
        pauses them at the same point only if it finds the turn there."""
        ...


class Future(Generic[T]):
    """A value that will be available later; awaitable from tasks, resolvable from any thread via post."""

    __slots__ = ("_callbacks", "_done", "_exception", "_result")

    def __init__(self) -> None:
        self._done = False
        self._result: Any = None
        self._exception: BaseException | None = None
        self._callbacks: list[Callable[[Future[T]], None]] = []

    def done(self) -> bool:
        return self._done

    def result(self) -> T:
        if not self._done:
            raise RuntimeError("future is not done")
        if self._exception is not None:
            raise self._exception
        return self._result  # type: ignore[no-any-return]

    def exception(self) -> BaseException | None:
        return self._exception

    def set_result(self, value: T) -> None:
        if self._done:
            return
        self._done = True
        self._result = value
        self._fire()

    def set_exception(self, error: BaseException) -> None:
        if self._done:
            return
        self._done = True
        self._exception = error
        self._fire()

    def add_done_callback(self, callback: Callable[[Future[T]], None]) -> None:
        if self._done:
            callback(self)
        else:
            self._callbacks.append(callback)

    def remove_done_callback(self, callback: Callable[[Future[T]], None]) -> None:
        if callback in self._callbacks:
            self._callbacks.remove(callback)

    def _fire(self) -> None:
        callbacks, self._callbacks = self._callbacks, []
        for callback in callbacks:
            callback(self)

    def __await__(self) -> Generator[Any, Any, T]:
        if not self._done:
            yield _WaitFuture(self)
        return self.result()


class _WaitFuture:
    __slots__ = ("future",)

    def __init__(self, future: Future[Any]) -> None:
        self.future = future


class _SleepUntil:
    __slots__ = ("when",)

    def __init__(self, when: float) -> None:
        self.when = when

    def __await__(self) -> Generator[Any, Any, None]:
        yield self


class _Pause:
    """Awaited to let the scheduler run timers and other threads' posts before going on."""

    __slots__ = ()

    def __await__(self) -> Generator[Any, Any, None]:
        yield self


_PAUSE = _Pause()


class _NoWait:
    """Awaited instead of a timer or a pause by the coroutine ``Scheduler.drive_alone`` runs, when the
    scheduler would have gone on at once: it goes on without suspending at all."""

    __slots__ = ()

    def __await__(self) -> Generator[Any, Any, None]:
        return
        yield  # a generator that ends at once


_NO_WAIT = _NoWait()


class _Timer:
    __slots__ = ("cancelled", "task", "when")

    def __init__(self, when: float, task: Task[Any]) -> None:
        self.when = when
        self.task = task
        self.cancelled = False


class Task(Generic[T]):
    """A coroutine being driven by the scheduler; ``done_future`` resolves with its outcome."""

    __slots__ = ("_coro", "_parked_future", "_parked_timer", "_pending_throw", "done_future", "name", "scheduler")

    def __init__(self, scheduler: Scheduler, coro: Coroutine[Any, Any, T], name: str) -> None:
        self.scheduler = scheduler
        self._coro = coro
        self.name = name
        self.done_future: Future[T] = Future()
        self._parked_timer: _Timer | None = None
        self._parked_future: Future[Any] | None = None
        self._pending_throw: BaseException | None = None

    def done(self) -> bool:
        return self.done_future.done()

    def cancel(self, reason: BaseException | None = None) -> None:
        """Throw ``Cancelled(reason)`` into the task at its current suspension point."""
        if self.done():
            return
        self._unpark()
        self.scheduler._schedule(self, None, Cancelled(reason))

    def _unpark(self) -> None:
        if self._parked_timer is not None:
            self._parked_timer.cancelled = True
            self._parked_timer = None
        if self._parked_future is not None:
            self._parked_future.remove_done_callback(self._on_future_done)
            self._parked_future = None
        paused = self.scheduler._paused
        if paused and self in paused:
            paused.remove(self)

    def _on_future_done(self, future: Future[Any]) -> None:
        self._parked_future = None
        self.scheduler._schedule(self, None, None)

    def _step(self, value: Any, error: BaseException | None) -> None:
        if self.done():
            return
        try:
            request = self._coro.send(value) if error is None else self._coro.throw(error)
        except StopIteration as stop:
            self.done_future.set_result(stop.value)
            return
        except BaseException as failure:  # the task's outcome, re-raised to whoever awaits it
            self.done_future.set_exception(failure)
            return
        self._suspend(request)

    def _suspend(self, request: Any) -> None:
        """The coroutine yielded ``request``: park the task until it can go on."""
        if type(request) is _SleepUntil:
            self.scheduler._park_until(self, request.when)
        elif type(request) is _Pause:
            self.scheduler._paused.append(self)
        elif type(request) is _WaitFuture:
            future = request.future
            if future.done():
                self.scheduler._schedule(self, None, None)
            else:
                self._parked_future = future
                future.add_done_callback(self._on_future_done)
        else:  # pragma: no cover - a bug in the engine, not a user error
            self.done_future.set_exception(RuntimeError(f"task {self.name} awaited an unknown object {request!r}"))
            self._coro.close()


class Scheduler:
    """Runs tasks on the driving thread; timers follow the given clock (virtual or real)."""

    def __init__(self, clock: Clock, *, attach: bool = False) -> None:
        """``attach`` registers this scheduler with a virtual clock right away (it will drive its own
        executions with ``run_until``); a scheduler stepped by hand (a test environment) stays detached
        and moves the clock itself."""
        self.clock = clock
        self._ready: deque[tuple[Task[Any], Any, BaseException | None]] = deque()
        self._timers: list[tuple[float, int, _Timer]] = []
        self._sequence = itertools.count()
        self._lazy_condition: threading.Condition | None = None
        self._posted: deque[Callable[[], None]] = deque()
        self._external = 0
        self._source: Any = getattr(clock, "source", clock)
        """The clock waits are measured on: ``clock`` itself, or the source of a durable run's ``TurnClock``."""
        self.journal: TurnJournal | None = None
        """Set for a durable execution: turns are recorded (or replayed) and posted work is taken in
        only between turns, never between two task steps."""
        self.on_post: Callable[[], None] | None = None
        """Called (from any thread) after work is posted: how a driver outside this class (an asyncio
        event loop) learns that there is something to do."""
        self._paused: list[Task[Any]] = []
        """Tasks that paused (``pause``): ready again once due timers and posted work have run."""
        self._driving_alone = False
        """True while ``drive_alone`` runs its coroutine (``sleep_until`` and ``pause`` look)."""
        self._attached = attach and clock.virtual
        if self._attached:
            self._source._subscribe(id(self), self._condition)

    @property
    def _condition(self) -> threading.Condition:
        """Guards what other threads hand in (posted work, outstanding external work) and wakes the
        driver. Made on first use: an execution that never waits for another thread needs none."""
        condition = self._lazy_condition
        if condition is None:
            with _LAZY_LOCK:
                condition = self._lazy_condition
                if condition is None:
                    condition = self._lazy_condition = threading.Condition()
        return condition

    # -- API used by the engine ----------------------------------------------------------------------

    def spawn(self, coro: Coroutine[Any, Any, T], name: str = "task") -> Task[T]:
        task: Task[T] = Task(self, coro, name)
        self._ready.append((task, None, None))
        return task

    def adopt(self, coro: Coroutine[Any, Any, T], request: Any, name: str = "task") -> Task[T]:
        """A task for ``coro``, which was started elsewhere and has just yielded ``request`` (what it
        awaits): the task is parked exactly as if the scheduler had run it to that point."""
        task: Task[T] = Task(self, coro, name)
        task._suspend(request)
        return task

    def sleep_until(self, when: float) -> _SleepUntil | _NoWait:
        """Awaitable: suspend the current task until the clock reaches ``when``.

        Under ``drive_alone``, when nothing else exists (``_alone_now``), the clock jumps to ``when``
        here and nothing suspends: what ``drive_alone`` would have done with the timer, without
        handing it up and back down the execution's chain of coroutines. Every caller awaits the
        result at once."""
        if self._driving_alone and self._alone_now():
            if when > self._source._now:
                self._source._skip_alone(when)
            return _NO_WAIT
        return _SleepUntil(when)

    def pause(self) -> _Pause | _NoWait:
        """Awaitable: step aside until due timers have fired and other threads' posts have run (a
        long run of states that never wait calls it now and then, so a timeout or a stop lands).
        Under ``drive_alone`` with nothing else to run, it goes on at once (see ``sleep_until``)."""
        if self._driving_alone and self._alone_now():
            return _NO_WAIT
        return _PAUSE

    def post(self, callback: Any) -> None:
        """Run ``callback`` on the scheduler's thread soon. Safe to call from any thread.

        A durable execution also takes *inputs* this way (an answer to a task token, a task's
        result, a stop): data its journal applies and records, rather than a function.
        """
        with self._condition:
            self._posted.append(callback)
            self._condition.notify_all()
        wake = self.on_post
        if wake is not None:
            wake()

    def external_work_started(self) -> None:
        """Something outside the scheduler (a thread, a pending task token) may still post work.

        While any is outstanding a virtual clock does not skip ahead: a callback that is about to
        arrive must not be overtaken by a timeout that, in real time, would not have fired yet.
        """
        with self._condition:
            self._external += 1

    def external_work_finished(self) -> None:
        with self._condition:
            self._external -= 1
            self._condition.notify_all()
        wake = self.on_post
        if wake is not None:
            wake()  # a driver outside this class re-checks whether time may move now

    def run_until(self, future: Future[Any]) -> None:
        """Drive tasks until ``future`` is done."""
        clock = self._source
        virtual = clock.virtual
        if virtual:
            if self._attached:
                clock._driving_thread(id(self))
            else:
                clock._subscribe(id(self), self._condition)
                self._attached = True
        try:
            if self.journal is not None:
                self._run_journaled(future, self.journal, virtual)
                return
            while not future.done():
                self._run_ready()
                if future.done():
                    break
                self._fire_due_timers()
                if self._paused:
                    self._resume_paused()
                if self._ready:
                    continue
                self._wait_for_progress(virtual)
        finally:
            if virtual:
                clock._unsubscribe(id(self))
                self._attached = False

    def run_alone(self, future: Future[Any]) -> bool:
        """``run_until`` for an execution alone on a virtual clock of its own: True once ``future``
        is done; False, having done nothing ``run_until`` would not have done, when it must take over.

        ``StateMachine.execute`` without a ``clock`` makes a fresh ``VirtualClock`` that no other
        scheduler drives and no other thread holds. For such a clock the general loop's waiting is a
        foregone conclusion: when nothing is ready, the clock (with one driver, whose result is awaited)
        skips to the earliest timer. This loop does that itself, without registering with the clock,
        its locks and its wake-ups. It hands over to ``run_until`` as soon as that could make a
        difference: another scheduler started driving the clock (an execution a handler started on
        it), work outside the scheduler is pending (a task token, a thread), another thread posted
        work, or somebody asked the clock to advance. ``tests/runtime/test_lone_execution.py`` runs
        executions both ways and compares their histories.
        """
        clock: Any = self._source
        if not clock.virtual or self.journal is not None:
            return False
        while not future.done():
            self._run_ready()
            if future.done():
                break
            self._fire_due_timers()
            if self._paused:
                self._resume_paused()
            if self._ready:
                continue
            if clock._drivers or self._external or self._posted or clock._target > clock._now:
                return False
            next_timer = self._next_timer()
            if next_timer is None:
                raise DeadlockError("the execution is blocked and nothing can ever wake it")
            clock.jump_to(next_timer)
        return True

    def drive_alone(self, coro: Coroutine[Any, Any, Any], name: str = "task") -> Task[Any] | None:
        """Run ``coro`` to its end on this thread, for an execution alone on a virtual clock of its own:
        None once it returned; else the task it became when something needed the scheduler.

        The lone execution of ``run_alone``, without even a task: while nothing else exists (no other
        task, timer or pause, no work outside the scheduler or posted by another thread, no other
        driver of the clock, nobody asking the clock to advance) a timer the coroutine sets is a jump
        of the clock to it, and a pause (a checkpoint) ends at once, exactly what the scheduler's
        loop would do with a single task. Anything else it awaits (a future, a timer while other
        work exists) makes it a task parked on that, as if the scheduler had run it so far (``adopt``),
        and the caller goes on with ``run_alone``/``run_until``. An exception it raises propagates, as
        ``done_future.result()`` would raise it. ``tests/runtime/test_lone_execution.py`` compares
        such executions with the general path, history for history.
        """
        clock: Any = self._source
        if not clock.virtual or self.journal is not None:
            return self.spawn(coro, name)
        send = coro.send
        # While set, ``sleep_until`` and ``pause`` do here what this loop would do with their request.
        self._driving_alone = True
        try:
            while True:
                try:
                    request = send(None)
                except StopIteration:
                    return None
                kind = type(request)
                if (kind is _SleepUntil or kind is _Pause) and self._alone_now():
                    if kind is _SleepUntil and request.when > clock._now:
                        clock._skip_alone(request.when)
                    continue
                self._driving_alone = False
                task = self.adopt(coro, request, name)
                if self._posted:
                    self._drain_posted()  # as ``_run_ready`` does after the step that suspended
                return task
        finally:
            self._driving_alone = False

    def call_alone(self, function: Callable[[], T]) -> T:
        """``function()``, run by plain calls as ``drive_alone`` would step a coroutine: for the one
        execution alone on a virtual clock of its own (``ExecutionRun.run_directly``), whose timers
        and pauses ``jump_alone`` takes while nothing else exists."""
        clock: Any = self._source
        if not clock.virtual or self.journal is not None:
            raise RuntimeError("only an execution alone on a virtual clock of its own runs by plain calls")
        self._driving_alone = True
        try:
            return function()
        finally:
            self._driving_alone = False

    def call_beside(self, function: Callable[[], T]) -> T:
        """``function()`` as work beside other work to come, even under ``drive_alone`` or
        ``call_alone``: its timers are timers and its pauses pauses, never jumps of the clock (a
        Distributed Map child run by hand before its siblings start: each child's wait is a timer,
        and the children wait side by side, as on tasks)."""
        driving = self._driving_alone
        self._driving_alone = False
        try:
            return function()
        finally:
            self._driving_alone = driving

    def jump_alone(self, when: float) -> bool:
        """For an execution run by plain calls (``runtime/direct.py``): what ``sleep_until(when)`` would
        do for its coroutine, without an awaitable. True once the clock is at ``when`` (or past it),
        under ``drive_alone`` or ``call_alone`` when nothing else exists (``_alone_now``); False, with
        nothing done, when the caller must hand over to the coroutine path and await
        ``sleep_until(when)`` there (``pause`` too: ``jump_alone(0)`` says whether a pause goes on)."""
        if not self._driving_alone:
            return False
        # ``_alone_now``'s half on this side, written out; the clock says the rest.
        if self._ready or self._timers or self._paused or self._posted or self._external:
            return False
        clock: VirtualClock = self._source  # driving alone: a virtual clock
        return clock.jump_undriven(when)

    def _alone_now(self) -> bool:
        """Whether ``drive_alone``'s coroutine is all there is: no other task, timer or pause, no work
        outside the scheduler or posted by another thread, no other driver of the clock, and nobody
        asking the clock to advance. A timer is then a jump of the clock, and a pause ends at once."""
        clock: Any = self._source
        return (
            not (self._ready or self._timers or self._paused or self._posted or self._external)
            and not clock._drivers
            and clock._target <= clock._now
        )

    def _run_journaled(self, future: Future[Any], journal: TurnJournal, virtual: bool) -> None:
        """``run_until`` for a durable execution: the same loop, but every wake-up is a recorded turn."""
        while not future.done():
            self._run_ready()
            if future.done():
                break
            if self.journaled_pause(journal):
                continue
            if journal.idle(self):
                continue
            if self.take_live_turn(journal):
                continue
            self._wait(virtual)

    def journaled_pause(self, journal: TurnJournal) -> bool:
        """Tasks paused (a checkpoint of a long run of states): a turn, always recorded (or replayed),
        then they go on; False when none paused."""
        if not self._paused:
            return False
        if not journal.idle(self):  # live: what was recorded is committed; replaying: the turn is taken
            self.take_live_turn(journal, force=True)
        self._resume_paused()
        return True

    def take_live_turn(self, journal: TurnJournal, *, force: bool = False) -> bool:
        """Hand the journal what was posted since the last turn; it applies and records the turn."""
        with self._condition:
            posted = list(self._posted)
            self._posted.clear()
        return journal.live_turn(self, posted, force=force)

    def timers_due(self) -> bool:
        """Whether a timer is due at the current time of ``clock``."""
        next_timer = self._next_timer()
        return next_timer is not None and next_timer <= self.clock.now()

    def fire_due_timers(self) -> None:
        """Make the tasks whose timers are due (at ``clock``'s time) ready, in timer order."""
        self._fire_due_timers()

    def run_ready(self) -> None:
        """Run tasks until none is ready (a durable execution's scheduler takes posted work only between turns)."""
        self._run_ready()

    # -- stepping by hand (test environments drive a shared scheduler from the test's thread) ---------

    def run_until_idle(self, *, resume_paused: bool = True) -> None:
        """Run everything that can run at the current time; never moves time, never blocks.

        ``resume_paused=False`` leaves paused tasks paused (``resume_paused()`` goes on with them):
        an asyncio driver lets the event loop run other work at a pause."""
        while True:
            if self._posted:
                self._drain_posted()
            self._run_ready()
            self._fire_due_timers()
            if self._paused and resume_paused:
                self._resume_paused()
            if not self._ready and not self._posted:
                return

    def resume_paused(self) -> bool:
        """Make the paused tasks ready; False when none was paused."""
        if not self._paused:
            return False
        self._resume_paused()
        return True

    def has_posted(self) -> bool:
        """Whether another thread posted work that was not taken in yet."""
        with self._condition:
            return bool(self._posted)

    def nothing_else_ready(self) -> bool:
        """No task is waiting to run and no other thread has posted work: a task about to suspend
        would be followed only by what it has itself just made ready. Paused tasks (``pause``) do
        not count: they go on only once nothing is ready."""
        return not self._ready and not self._posted

    def next_timer_at(self) -> float | None:
        """When the earliest pending timer is due (epoch seconds), or None when none is pending."""
        return self._next_timer()

    def peek_next_timer(self) -> float | None:
        """Like ``next_timer_at`` but safe from another thread: it only reads (a snapshot of) the timers."""
        return min((when for when, _, timer in list(self._timers) if not timer.cancelled), default=None)

    @property
    def external_work(self) -> int:
        """Outstanding work outside the scheduler: open task tokens and worker threads."""
        with self._condition:
            return self._external

    def wait_for_posted(self, timeout: float) -> bool:
        """Block (real time) until another thread posts work or finishes; False if ``timeout`` passed first."""
        with self._condition:
            outstanding = self._external
            return self._condition.wait_for(lambda: bool(self._posted) or self._external < outstanding, timeout)

    # -- internals -----------------------------------------------------------------------------------

    def _schedule(self, task: Task[Any], value: Any, error: BaseException | None) -> None:
        self._ready.append((task, value, error))

    def _park_until(self, task: Task[Any], when: float) -> None:
        if when <= self.clock.now():
            self._ready.append((task, None, None))
            return
        timer = _Timer(when, task)
        task._parked_timer = timer
        heapq.heappush(self._timers, (when, next(self._sequence), timer))

    def _run_ready(self) -> None:
        ready = self._ready
        if self.journal is not None:
            while ready:
                task, value, error = ready.popleft()
                task._step(value, error)
            return
        while ready:
            task, value, error = ready.popleft()
            task._step(value, error)
            if self._posted:
                self._drain_posted()

    def _resume_paused(self) -> None:
        paused, self._paused = self._paused, []
        self._ready.extend((task, None, None) for task in paused)

    def _drain_posted(self) -> None:
        with self._condition:
            posted, self._posted = self._posted, deque()
        for callback in posted:
            callback()

    def _fire_due_timers(self) -> None:
        now = self.clock.now()
        timers = self._timers
        while timers and timers[0][0] <= now:
            _, _, timer = heapq.heappop(timers)
            if timer.cancelled:
                continue
            timer.task._parked_timer = None
            self._ready.append((timer.task, None, None))

    def _next_timer(self) -> float | None:
        timers = self._timers
        while timers and timers[0][2].cancelled:
            heapq.heappop(timers)
        return timers[0][0] if timers else None

    def _wait_for_progress(self, virtual: bool) -> None:
        self._wait(virtual)
        if self._posted:
            self._drain_posted()

    def _wait(self, virtual: bool) -> None:
        if virtual:
            self._wait_virtual()
        else:
            self._wait_real()

    def _wait_virtual(self) -> None:
        """Idle under a virtual clock: let the clock decide (with any other executions sharing it)
        whether time skips to the next timer; otherwise sleep until posted work or a time change."""
        clock: Any = self._source
        with self._condition:
            if self._posted:
                return
            next_timer = self._next_timer()
            external = self._external > 0
        # The clock may notify other drivers' conditions: never call it while holding our own.
        outcome, version = clock._settle(id(self), next_timer, external)
        if outcome == clock.MOVED:
            clock._busy(id(self))
            return
        if outcome == clock.STUCK and not external:
            clock._busy(id(self))
            raise DeadlockError("the execution is blocked and nothing can ever wake it")
        with self._condition:
            if not self._posted and clock._version_now() == version:
                self._condition.wait()
        clock._busy(id(self))

    def _wait_real(self) -> None:
        with self._condition:
            if self._posted:
                return
            next_timer = self._next_timer()
            if next_timer is None:
                if self._external == 0:
                    raise DeadlockError("the execution is blocked and nothing can ever wake it")
                self._condition.wait()
            else:
                delay = next_timer - self._source.now()
                if delay > 0:
                    self._condition.wait(delay)


class DeadlineExceeded(Exception):
    """Raised by ``with_deadline`` when the deadline passes before the work completes."""


async def with_deadline(
    scheduler: Scheduler, coro: Coroutine[Any, Any, T], deadline: float | None, name: str = "work"
) -> T:
    """Run ``coro`` as its own task, giving up (and cancelling it) at ``deadline`` on the scheduler's clock."""
    task = scheduler.spawn(coro, name)
    if deadline is None:
        try:
            return await task.done_future
        except Cancelled:
            task.cancel()
            raise
    first: Future[str] = Future()
    timer_fired: Future[None] = Future()

    async def timer() -> None:
        await scheduler.sleep_until(deadline)
        timer_fired.set_result(None)

    timer_task = scheduler.spawn(timer(), f"{name}-deadline")
    task.done_future.add_done_callback(lambda _: first.set_result("work"))
    timer_fired.add_done_callback(lambda _: first.set_result("deadline"))
    try:
        winner = await first
    except Cancelled:
        task.cancel()
        timer_task.cancel()
        raise
    if winner == "work":
        timer_task.cancel()
        return task.done_future.result()
    task.cancel()
    raise DeadlineExceeded(name)


async def await_work(scheduler: Scheduler, work: Any, deadline: float | None, name: str = "work") -> Any:
    """Like ``with_deadline`` for work already started elsewhere: anything with a ``done_future`` and a
    ``cancel()`` (a handler's coroutine running as an asyncio task, for instance)."""
    try:
        if deadline is None:
            return await work.done_future
        which = await wait_any(scheduler, [work.done_future], deadline)
    except Cancelled:
        work.cancel()
        raise
    if which is None:
        work.cancel()
        raise DeadlineExceeded(name)
    return work.done_future.result()


async def wait_any(scheduler: Scheduler, futures: list[Future[Any]], deadline: float | None) -> int | None:
    """Wait until one of ``futures`` is done (its index) or ``deadline`` passes (None)."""
    for index, future in enumerate(futures):
        if future.done():
            return index
    first: Future[int | None] = Future()
    callbacks = []
    for index, future in enumerate(futures):

        def on_done(_: Future[Any], index: int = index) -> None:
            first.set_result(index)

        callbacks.append((future, on_done))
        future.add_done_callback(on_done)
    timer_task: Task[None] | None = None
    if deadline is not None:

        async def timer() -> None:
            await scheduler.sleep_until(deadline)
            first.set_result(None)

        timer_task = scheduler.spawn(timer(), "deadline")
    try:
        return await first
    finally:
        for future, on_done in callbacks:
            future.remove_done_callback(on_done)
        if timer_task is not None:
            timer_task.cancel()
