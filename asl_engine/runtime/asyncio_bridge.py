"""Running executions inside an asyncio event loop (``execute_async``, ``start_async``).

Two pieces. ``LoopDriver`` steps an execution's scheduler from the loop, instead of a thread of its
own: one call runs everything that is ready, then the loop is asked to call again when the next
timer is due or when another thread posts work. A thousand executions then cost a thousand small
callbacks, not a thousand threads.

``AsyncioActivities`` runs the waiting part of each handler (the coroutine an ``async def``
handler returns) as an asyncio task on the same loop, so that it can await anything asyncio
offers (``asyncio.sleep``, an HTTP client, ``asyncio.timeout``...) with a current task of its
own. It also understands what the engine's own awaitables yield, so handlers written against the
engine (``request.environment.sleep``, ``run_in_thread``, nested executions) keep working. The
task's outcome comes back to the execution through the scheduler.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any

from asl_engine.runtime.scheduler import Cancelled, DeadlockError, Future, Scheduler, Task, _SleepUntil, _WaitFuture

if TYPE_CHECKING:
    from asl_engine.runtime.run import ExecutionRun


class LoopDriver:
    """Drives one execution's scheduler from an asyncio event loop until ``main`` ends."""

    def __init__(self, run: ExecutionRun, main: Task[None], loop: asyncio.AbstractEventLoop) -> None:
        self.run = run
        self.main = main
        self.loop = loop
        self.finished: asyncio.Future[None] = loop.create_future()
        self._timer: asyncio.TimerHandle | None = None
        self._wake_pending = False
        self._stopped = False
        self._loop_thread = threading.get_ident()

    def start(self) -> None:
        self.run.scheduler.on_post = self._wake
        self._wake()

    def _wake(self) -> None:
        """Ask the loop to take a turn soon (from any thread; several wakes make one turn)."""
        if self._wake_pending or self._stopped:
            return
        self._wake_pending = True
        try:
            if threading.get_ident() == self._loop_thread:
                self.loop.call_soon(self._turn)  # no need to wake the selector from its own thread
            else:
                self.loop.call_soon_threadsafe(self._turn)
        except RuntimeError:  # the loop is closed: nobody is left to drive the execution
            self._wake_pending = False

    def _turn(self) -> None:
        self._wake_pending = False
        if self._stopped:
            return
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        try:
            self._step()
        except BaseException as failure:  # an engine failure is the caller's to see, never lost
            self._finish(failure)

    def _step(self) -> None:
        scheduler = self.run.scheduler
        journal = scheduler.journal
        main = self.main
        while True:
            if journal is not None:
                scheduler.run_ready()
                if main.done():
                    self._finish(None)
                    return
                if scheduler.journaled_pause(journal):
                    self._wake()  # a checkpoint: the loop runs other work before this goes on
                    return
                if journal.idle(scheduler) or scheduler.take_live_turn(journal):
                    continue
            else:
                scheduler.run_until_idle(resume_paused=False)
                if main.done():
                    self._finish(None)
                    return
                if scheduler.resume_paused():
                    self._wake()  # a checkpoint: the loop runs other work before this goes on
                    return
            break
        self._arrange_next(scheduler)

    def _arrange_next(self, scheduler: Scheduler) -> None:
        source: Any = getattr(scheduler.clock, "source", scheduler.clock)
        next_timer = scheduler.next_timer_at()
        if scheduler.has_posted():
            self._wake()
            return
        if source.virtual:
            if scheduler.external_work == 0:
                if next_timer is None:
                    raise DeadlockError("the execution is blocked and nothing can ever wake it")
                source.jump_to(next_timer)
                self._wake()
            return  # outside work (a handler's asyncio task, a token) wakes us when it posts
        if next_timer is not None:
            delay = max(0.0, next_timer - source.now())
            self._timer = self.loop.call_later(delay, self._turn)
        elif scheduler.external_work == 0:
            raise DeadlockError("the execution is blocked and nothing can ever wake it")

    def _finish(self, failure: BaseException | None) -> None:
        if self._stopped:
            return
        self._stopped = True
        self.run.scheduler.on_post = None
        if self._timer is not None:
            self._timer.cancel()
        if self.finished.done():
            return
        if failure is None:
            exception = self.main.done_future.exception()
            if exception is not None:
                failure = exception
        if failure is not None:
            self.finished.set_exception(failure)
        else:
            self.finished.set_result(None)


class AsyncioActivities:
    """Runs handlers' coroutines as asyncio tasks on ``loop`` (an ``ActivityRunner``)."""

    def __init__(self, scheduler: Scheduler, loop: asyncio.AbstractEventLoop) -> None:
        self.scheduler = scheduler
        self.loop = loop

    def start(self, coro: Coroutine[Any, Any, Any], name: str) -> AsyncActivity:
        return AsyncActivity(self, coro, name)


class AsyncActivity:
    """One handler coroutine on the loop: ``done_future`` (the engine's) resolves with its outcome."""

    def __init__(self, runner: AsyncioActivities, coro: Coroutine[Any, Any, Any], name: str) -> None:
        self.scheduler = runner.scheduler
        self.loop = runner.loop
        self.done_future: Future[Any] = Future()
        self._cancel_reason: BaseException | None = None
        self._cancelled_by_engine = False
        self._timers: list[Task[None]] = []
        # Until the coroutine ends, it is work outside the scheduler (a virtual clock must not skip
        # past it), except while it waits on the engine's own time or futures (see _wait_for).
        self.scheduler.external_work_started()
        self.task = self.loop.create_task(self._drive(coro), name=name)

    def cancel(self, reason: BaseException | None = None) -> None:
        """The engine gave up on the handler (a timeout, an abort): it gets ``Cancelled`` where it waits."""
        if self.task.done():
            return
        self._cancelled_by_engine = True
        self._cancel_reason = reason
        self.task.cancel()

    async def _drive(self, coro: Coroutine[Any, Any, Any]) -> None:
        value: Any = None
        error: BaseException | None = None
        try:
            while True:
                try:
                    yielded = coro.send(value) if error is None else coro.throw(error)
                except StopIteration as stop:
                    self._resolve(stop.value, None)
                    return
                value, error = None, None
                try:
                    await self._wait_for(yielded)
                except asyncio.CancelledError as cancelled:
                    if self._cancelled_by_engine:
                        self._cancelled_by_engine = False
                        error = Cancelled(self._cancel_reason)
                    else:
                        error = cancelled  # the handler's own asyncio.timeout(), say
                except BaseException as failure:
                    error = failure
        except BaseException as outcome:
            self._resolve(None, outcome)
        finally:
            for timer in self._timers:
                timer.cancel()
            self.scheduler.external_work_finished()

    def _resolve(self, result: Any, failure: BaseException | None) -> None:
        """Settle ``done_future`` on the scheduler's side (it wakes the driver)."""
        done = self.done_future
        if failure is None:
            self.scheduler.post(lambda: done.set_result(result))
        else:
            self.scheduler.post(lambda: done.set_exception(failure))

    async def _wait_for(self, yielded: Any) -> None:
        """Wait until what the coroutine yielded is ready; it then reads the outcome itself."""
        if isinstance(yielded, _SleepUntil):
            await self._engine_wait(self._engine_timer(yielded.when))
        elif isinstance(yielded, _WaitFuture):
            await self._engine_wait(yielded.future)
        elif yielded is None:
            await asyncio.sleep(0)  # a bare ``yield``: let others run
        elif asyncio.isfuture(yielded):
            await self._foreign(yielded)
        else:
            raise RuntimeError(f"a handler awaited an object neither asyncio nor the engine knows: {yielded!r}")

    async def _foreign(self, future: asyncio.Future[Any]) -> None:
        future._asyncio_future_blocking = False
        waiter = self.loop.create_future()

        def ready(_: Any) -> None:
            if not waiter.done():
                waiter.set_result(None)

        future.add_done_callback(ready)
        try:
            await waiter
        except asyncio.CancelledError:
            future.remove_done_callback(ready)
            future.cancel()
            raise

    async def _engine_wait(self, future: Future[Any]) -> None:
        """Wait for one of the engine's futures. Meanwhile the handler is not outside work: the
        execution's own clock may move (virtual time skips to the timer it waits for). It is outside
        work again from the moment the future resolves, on the engine's side, so the execution is
        never found stuck in between."""
        if future.done():
            return
        scheduler = self.scheduler
        waiter = self.loop.create_future()
        scheduler.external_work_finished()
        resumed = False

        def ready(_: Future[Any]) -> None:
            nonlocal resumed
            if not resumed:
                resumed = True
                scheduler.external_work_started()
            if not waiter.done():
                waiter.set_result(None)

        future.add_done_callback(ready)
        try:
            await waiter
        finally:
            if not resumed:
                resumed = True
                future.remove_done_callback(ready)
                scheduler.external_work_started()

    def _engine_timer(self, when: float) -> Future[None]:
        """A future of the engine that resolves at ``when`` on the execution's clock."""
        woken: Future[None] = Future()
        scheduler = self.scheduler

        async def timer() -> None:
            await scheduler.sleep_until(when)
            woken.set_result(None)

        task = scheduler.spawn(timer(), "handler sleep")
        self._timers.append(task)
        scheduler.post(lambda: None)  # the new task is ready: have the driver take a turn
        return woken
