"""What a task handler may use from the engine while it works.

Handlers that only compute return a value. Handlers that wait (a Glue job under ``.sync``, a nested
execution, a simulated long call) are coroutines and use this environment to do so without ever
blocking the scheduler: ``sleep`` follows the execution's clock (virtual or real), and
``run_in_thread`` moves blocking Python work off the scheduler's thread.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from asl_engine.errors import ConfigurationError
from asl_engine.runtime.clock import RealClock, VirtualClock
from asl_engine.runtime.scheduler import Future

if TYPE_CHECKING:
    import random

    from asl_engine.runtime.callbacks import CallbackRegistry
    from asl_engine.runtime.clock import Clock
    from asl_engine.runtime.handlers import HandlerSource
    from asl_engine.runtime.run import ExecutionRun
    from asl_engine.runtime.starter import BackgroundExecution, ExecutionStarter, ExecutionView, StartableMachine

T = TypeVar("T")


class TaskEnvironment:
    """Services of the running execution, handed to handlers as ``request.environment``."""

    def __init__(self, run: ExecutionRun) -> None:
        # A weak reference: the run holds its environment, and a strong one back would make every
        # finished run a reference cycle, freed only by the garbage collector (a Distributed Map ends
        # thousands of child runs a second).
        self._run_ref = weakref.ref(run)

    @property
    def _run(self) -> ExecutionRun:
        run = self._run_ref()
        if run is None:
            raise ConfigurationError("the execution this task belonged to has ended")
        return run

    @property
    def clock(self) -> Clock:
        return self._run.clock

    @property
    def random(self) -> random.Random:
        """The execution's seeded random source: use it for ids so runs stay reproducible."""
        return self._run.random

    @property
    def region(self) -> str:
        return self._run.identity.region

    @property
    def account(self) -> str:
        return self._run.identity.account

    @property
    def execution_arn(self) -> str:
        return self._run.identity.execution_arn

    @property
    def callbacks(self) -> CallbackRegistry:
        """Answer task tokens (SendTaskSuccess/Failure/Heartbeat) of this execution."""
        return self._run.callbacks

    def now(self) -> float:
        return self._run.clock.now()

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` of the execution's time (no real time under a virtual clock)."""
        await self._run.scheduler.sleep_until(self._run.clock.now() + max(0.0, seconds))

    async def run_in_thread(self, function: Callable[..., T], *args: Any) -> T:
        """Run blocking ``function(*args)`` on a worker thread and wait for its result.

        While it runs a virtual clock does not skip ahead, since the work takes real time.
        """
        scheduler = self._run.scheduler
        done: Future[T] = Future()

        def work() -> None:
            try:
                result = function(*args)
            except BaseException as error:  # delivered to the awaiting handler, which decides
                scheduler.post(lambda failure=error: done.set_exception(failure))  # type: ignore[misc]
            else:
                scheduler.post(lambda: done.set_result(result))
            finally:
                scheduler.external_work_finished()

        scheduler.external_work_started()
        threading.Thread(target=work, name="asl-task-worker", daemon=True).start()
        return await done

    async def run_execution(self, machine: StartableMachine, input: Any, *, name: str | None = None) -> ExecutionView:
        """Run another state machine as a nested execution on this execution's scheduler and clock."""
        return await self._starter().start_nested(self._run, machine, input, name=name).finished()

    def start_execution(self, machine: StartableMachine, input: Any, *, name: str | None = None) -> ExecutionView:
        """Start a nested execution on this execution's scheduler and clock without waiting for it
        (``states:startExecution`` request-response); the returned view is live."""
        return self._starter().start_nested(self._run, machine, input, name=name).execution

    def start_background_execution(
        self, machine: StartableMachine, input: Any, *, name: str | None, handlers: Sequence[HandlerSource]
    ) -> BackgroundExecution:
        """Start an execution that runs on its own, in this execution's region and account, answered by
        ``handlers``: on a virtual clock set to this execution's time (or a real clock, if this one is)."""
        clock = VirtualClock(self.clock.now()) if self.clock.virtual else RealClock()
        return self._starter().start_background(
            machine, input, name=name, clock=clock, handlers=handlers, seed=self.random.getrandbits(64),
            region=self.region, account=self.account,
        )  # fmt: skip

    def _starter(self) -> ExecutionStarter:
        starter = self._run.starter
        if starter is None:
            raise ConfigurationError(
                "this execution cannot start other executions: it was not started through a StateMachine"
            )
        return starter
