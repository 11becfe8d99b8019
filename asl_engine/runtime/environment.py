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
from typing import TYPE_CHECKING, Any, Generic, TypeVar

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


class ExternalAnswer(Generic[T]):
    """A value another thread will give (a worker taking an activity task): ``give`` is safe from any
    thread; ``await answer.wait()`` on the execution's scheduler. Until it is given the execution has
    work outside the scheduler, so a virtual clock does not skip ahead of it."""

    def __init__(self, run: ExecutionRun) -> None:
        self._scheduler = run.scheduler
        self._future: Future[T] = Future()
        self._lock = threading.Lock()
        self._open = True
        self._scheduler.external_work_started()

    def give(self, value: T) -> bool:
        """Deliver ``value``; False if it was already given or withdrawn."""
        if not self._close():
            return False
        self._scheduler.post(lambda: self._future.set_result(value))
        return True

    def withdraw(self) -> bool:
        """Nobody will give a value any more (the task ended otherwise); False if one was given."""
        return self._close()

    @property
    def open(self) -> bool:
        with self._lock:
            return self._open

    def _close(self) -> bool:
        with self._lock:
            if not self._open:
                return False
            self._open = False
        self._scheduler.external_work_finished()
        return True

    async def wait(self) -> T:
        return await self._future


class TaskEnvironment:
    """Services of the running execution, handed to handlers as ``request.environment``.

    A durable execution gives each invocation an environment of its own: a random source that
    depends only on the invocation (a replay does not call handlers whose results it has, so they
    must not share the execution's), and the real clock rather than the execution's recorded one.
    """

    def __init__(self, run: ExecutionRun, *, random: random.Random | None = None, clock: Clock | None = None) -> None:
        # A weak reference: the run holds its environment, and a strong one back would make every
        # finished run a reference cycle, freed only by the garbage collector (a Distributed Map ends
        # thousands of child runs a second).
        self._run_ref = weakref.ref(run)
        # What never changes for the run is read from it once: a handler reads the clock, the random
        # source, the region and the account on every invocation, and a trivial Lambda Task's whole
        # cost is a few dozen such reads. The run's random source is made on first use when it has
        # no seed, so it is kept only once it exists.
        self._random = random if random is not None else run._random
        self.clock: Clock = clock if clock is not None else run.clock
        identity = run.identity
        self.region: str = identity.region
        self.account: str = identity.account

    @property
    def _run(self) -> ExecutionRun:
        run = self._run_ref()
        if run is None:
            raise ConfigurationError("the execution this task belonged to has ended")
        return run

    @property
    def random(self) -> random.Random:
        """The execution's seeded random source: use it for ids so runs stay reproducible."""
        rng = self._random
        if rng is None:
            rng = self._random = self._run.random
        return rng

    @property
    def execution_arn(self) -> str:
        return self._run.identity.execution_arn

    @property
    def callbacks(self) -> CallbackRegistry:
        """Answer task tokens (SendTaskSuccess/Failure/Heartbeat) of this execution."""
        return self._run.callbacks

    def now(self) -> float:
        return self.clock.now()

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` of the execution's time (no real time under a virtual clock)."""
        await self._run.scheduler.sleep_until(self.clock.now() + max(0.0, seconds))

    def external_answer(self) -> ExternalAnswer[Any]:
        """A value another thread will give, awaited here (see ``ExternalAnswer``)."""
        return ExternalAnswer(self._run)

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
                scheduler.post(lambda failure=error: done.set_exception(failure))
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
