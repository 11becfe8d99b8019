"""``ExecutionHandle``: an execution running in the background, and the calls that reach into it.

``StateMachine.start`` returns one. The execution runs on its own thread; every method here is
safe to call from any other thread, because it only posts work to the execution's scheduler.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from asl_engine.execution import Execution

if TYPE_CHECKING:
    from asl_engine.runtime.clock import Clock
    from asl_engine.runtime.run import ExecutionRun
    from asl_engine.runtime.scheduler import Task


@dataclass(frozen=True, slots=True)
class MapRunProgress:
    """How far a Distributed Map's run is, for progress displays."""

    items_read: int
    """Items known so far: the state input's, or as many as the ItemReader has read yet."""
    total: int | None
    """Child executions the run starts (batches, with an ItemBatcher); None while the reader reads."""
    ended: int
    """Child executions that have ended."""
    started: int
    """Child executions started so far."""


class ExecutionHandle:
    """A running execution: wait for it, stop it, answer its task tokens."""

    def __init__(
        self, run: ExecutionRun, main: Task[None], on_finished: Callable[[Execution], None] | None = None
    ) -> None:
        self._run = run
        self._main = main
        self._on_finished = on_finished
        self._failure: BaseException | None = None
        self._finished = threading.Event()
        self._thread = threading.Thread(
            target=self._drive, name=f"asl-execution-{run.identity.execution_name}", daemon=True
        )
        self._thread.start()

    def _drive(self) -> None:
        try:
            self._run.scheduler.run_until(self._main.done_future)
            self._main.done_future.result()
            if self._on_finished is not None:
                self._on_finished(Execution(self._run))
        except BaseException as failure:  # surfaced by wait(); an engine bug must not vanish in a thread
            self._failure = failure
        finally:
            self._finished.set()

    def __repr__(self) -> str:
        return f"<ExecutionHandle {self._run.identity.execution_name} {self._run.status}>"

    @property
    def execution(self) -> Execution:
        """A live view: status is RUNNING until the execution ends."""
        return Execution(self._run)

    @property
    def clock(self) -> Clock:
        return self._run.clock

    def done(self) -> bool:
        return self._finished.is_set()

    def next_timer(self) -> float | None:
        """When the execution's earliest pending timer (a Wait, a retry interval, a timeout) is due, in
        epoch seconds of its clock; None when nothing waits on time. For progress displays."""
        return self._run.scheduler.peek_next_timer()

    def map_run_progress(self, map_state: str) -> MapRunProgress | None:
        """How far the latest Distributed Map run of ``map_state`` is; None before it starts."""
        for map_run in reversed(list(self._run.map_runs)):
            if map_run.node.name == map_state:
                return MapRunProgress(map_run.items_read, map_run.total, map_run.ended, map_run.started)
        return None

    def wait(self, timeout: float | None = None) -> Execution:
        """Block until the execution ends (real seconds); raise TimeoutError if it does not in time."""
        # An Event, not Thread.join: a Ctrl-C landing inside join() can leave a live thread marked stopped.
        with self._run.clock.awaiting_result():
            finished = self._finished.wait(timeout)
        if not finished:
            raise TimeoutError(f"the execution did not finish within {timeout} s (status {self._run.status})")
        if self._failure is not None:
            raise self._failure
        return Execution(self._run)

    def stop(self, error: str | None = None, cause: str | None = None) -> None:
        """StopExecution: the execution ends as ABORTED with this error and cause (a durable one keeps
        the request in its store first)."""
        self._run.request_stop(self._main, error, cause)

    # -- task tokens -----------------------------------------------------------------------------------

    def task_tokens(self) -> dict[str, str]:
        """Tokens tasks are waiting on right now, mapped to their state names."""
        return self._run.callbacks.outstanding()

    def wait_for_task_token(self, state_name: str | None = None, timeout: float | None = 10.0) -> str:
        """Block until a task (optionally in ``state_name``) waits for a token, and return the token."""
        return self._run.callbacks.wait_for_token(state_name, timeout)

    def send_task_success(self, token: str, output: Any) -> None:
        """SendTaskSuccess: ``output`` is a JSON value or JSON text."""
        self._run.callbacks.send_task_success(token, output)

    def send_task_failure(self, token: str, error: str | None = None, cause: str | None = None) -> None:
        self._run.callbacks.send_task_failure(token, error, cause)

    def send_task_heartbeat(self, token: str) -> None:
        self._run.callbacks.send_task_heartbeat(token)


class AsyncExecutionHandle:
    """An execution running inside an asyncio event loop (``StateMachine.start_async``).

    Its scheduler is stepped by the loop, its ``async def`` handlers run as tasks of the loop, and
    every method here is meant to be called from the loop's thread: ``await handle.result()``.
    """

    def __init__(self, run: ExecutionRun, main: Task[None], finished: asyncio.Future[None]) -> None:
        self._run = run
        self._main = main
        self._finished = finished

    def __repr__(self) -> str:
        return f"<AsyncExecutionHandle {self._run.identity.execution_name} {self._run.status}>"

    @property
    def execution(self) -> Execution:
        """A live view: status is RUNNING until the execution ends."""
        return Execution(self._run)

    @property
    def name(self) -> str:
        return self._run.identity.execution_name

    @property
    def arn(self) -> str:
        return self._run.identity.execution_arn

    def done(self) -> bool:
        return self._finished.done()

    async def result(self) -> Execution:
        """Wait for the execution to end and return it (never raises for execution failures)."""
        await asyncio.shield(self._finished)
        return Execution(self._run)

    def stop(self, error: str | None = None, cause: str | None = None) -> None:
        """StopExecution: the execution ends as ABORTED with this error and cause."""
        self._run.request_stop(self._main, error, cause)

    def task_tokens(self) -> dict[str, str]:
        """Tokens tasks are waiting on right now, mapped to their state names."""
        return self._run.callbacks.outstanding()

    async def wait_for_task_token(self, state_name: str | None = None, timeout: float | None = 10.0) -> str:
        """Wait (without blocking the loop) until a task, optionally in ``state_name``, waits for a token."""
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        while True:
            for token, state in self._run.callbacks.outstanding().items():
                pending = self._run.callbacks.pending(token)
                if pending is not None and pending.waiting and (state_name is None or state == state_name):
                    return token
            if deadline is not None and loop.time() >= deadline:
                where = f" in state '{state_name}'" if state_name else ""
                raise TimeoutError(f"no task{where} waited for a task token within {timeout} s")
            await asyncio.sleep(0.005)

    def send_task_success(self, token: str, output: Any) -> None:
        self._run.callbacks.send_task_success(token, output)

    def send_task_failure(self, token: str, error: str | None = None, cause: str | None = None) -> None:
        self._run.callbacks.send_task_failure(token, error, cause)

    def send_task_heartbeat(self, token: str) -> None:
        self._run.callbacks.send_task_heartbeat(token)

    def update_map_run(
        self,
        map_run_arn: str,
        *,
        max_concurrency: int | None = None,
        tolerated_failure_count: int | None = None,
        tolerated_failure_percentage: float | None = None,
    ) -> bool:
        """UpdateMapRun: change a running Distributed Map run's ``MaxConcurrency`` (0: no limit but
        AWS's) and tolerated failures; the run follows them from its next child on. False when this
        execution has no running Map Run of that ARN (none, or it has ended)."""
        for map_run in self._run.map_runs:
            if map_run.arn != map_run_arn:
                continue
            if map_run.status != "RUNNING":
                return False
            if max_concurrency is not None:
                map_run.max_concurrency = max_concurrency
            if tolerated_failure_count is not None:
                map_run.tolerated_count = tolerated_failure_count
            if tolerated_failure_percentage is not None:
                map_run.tolerated_percentage = tolerated_failure_percentage
            return True
        return False


def drive_in_loop(
    run: ExecutionRun, main: Task[None], on_finished: Callable[[Execution], None] | None = None
) -> AsyncExecutionHandle:
    """Drive ``run`` from the running asyncio loop; its handlers' coroutines become tasks of the loop."""
    from asl_engine.runtime.asyncio_bridge import AsyncioActivities, LoopDriver

    loop = asyncio.get_running_loop()
    run.activities = AsyncioActivities(run.scheduler, loop)
    driver = LoopDriver(run, main, loop)
    if on_finished is not None:

        def finished(future: asyncio.Future[None]) -> None:
            if not future.cancelled() and future.exception() is None:
                on_finished(Execution(run))

        driver.finished.add_done_callback(finished)
    driver.start()
    return AsyncExecutionHandle(run, main, driver.finished)
