"""A test environment that runs any number of executions on one virtual clock, deterministically.

Modelled on Temporal's time-skipping test environment. Every execution started through an
``AslEnvironment`` shares one scheduler driven from the test's own thread, so:

* while the test waits for a result (``execute``, ``result``, ``wait_for_task_token``), virtual
  time skips ahead whenever every execution is blocked on a timer: a one-day Wait costs nothing;
* otherwise time stands still until the test moves it with ``advance`` / ``advance_to`` /
  ``run_to_next_timer``, and every timer due on the way fires at its exact due time;
* interleavings (Parallel branches, Map iterations under MaxConcurrency, several executions) are
  the same on every run: nothing races.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from asl_engine.definition.arns import ResourceRef
from asl_engine.errors import AslEngineError, StatesError
from asl_engine.execution import Execution
from asl_engine.observers import notify_finished
from asl_engine.runtime.clock import VirtualClock
from asl_engine.runtime.handlers import HandlerSource, TaskHandler, TaskRequest
from asl_engine.runtime.run import ExecutionStopped
from asl_engine.testing import _engine
from asl_engine.testing.listing import where_is
from asl_engine.testing.mocking import MockSet
from asl_engine.testing.stepping import SteppingScheduler

if TYPE_CHECKING:
    from asl_engine import StateMachine
    from asl_engine.runtime.run import ExecutionRun
    from asl_engine.runtime.scheduler import Task

DEFAULT_START = datetime(2024, 1, 1, tzinfo=UTC)
"""Where test clocks start unless told otherwise: fixed, so histories and snapshots are stable."""

Moment = float | datetime
Duration = float | timedelta


class EnvironmentStuck(AssertionError):
    """The test waits for something no execution can ever do on its own."""


class TestClock(VirtualClock):
    """A ``VirtualClock`` that, once an environment uses it, moves that environment's executions too.

    ``advance``/``advance_to`` step through every timer due on the way; ``run_to_next_timer`` jumps
    exactly to the next one. Pass it as ``clock=`` to ``StateMachine.execute`` as well: such an
    execution skips its own waits and stamps its history with this clock's time.
    """

    __test__ = False  # not a pytest test class, despite the name

    def __init__(self, start: Moment | None = None) -> None:
        super().__init__(DEFAULT_START if start is None else start)
        self._environment: AslEnvironment | None = None

    def __repr__(self) -> str:
        return f"<TestClock {self.now_datetime().isoformat()}>"

    def advance(self, seconds: Duration) -> None:
        super().advance(_seconds(seconds))

    def advance_to(self, when: Moment) -> None:
        target = _epoch(when)
        if self._environment is not None:
            self._environment.advance_to(target)
        else:
            super().advance_to(target)

    def run_to_next_timer(self) -> float | None:
        """Move to the next pending timer of the environment's executions; seconds moved, None if none."""
        if self._environment is None:
            raise AslEngineError("run_to_next_timer() needs executions started with an AslEnvironment (asl_env)")
        return self._environment.run_to_next_timer()


class RunningExecution:
    """An execution started in an environment: wait for it, stop it, answer its task tokens."""

    def __init__(self, environment: AslEnvironment, machine: StateMachine, run: ExecutionRun, main: Task[None]) -> None:
        self.environment = environment
        self.machine = machine
        self._run = run
        self._main = main

    def __repr__(self) -> str:
        return f"<RunningExecution {self.name} {self.status}>"

    @property
    def name(self) -> str:
        return self._run.identity.execution_name

    @property
    def execution(self) -> Execution:
        """A live view; ``status`` is RUNNING until the execution ends."""
        return Execution(self._run)

    @property
    def status(self) -> str:
        return self._run.status

    def done(self) -> bool:
        return self._main.done()

    def result(self, timeout: float = 10.0) -> Execution:
        """Run (skipping virtual time while everything waits on timers) until the execution ends.

        ``timeout`` is in real seconds, a guard against a machine that loops forever.
        """
        self.environment._wait_until(self.done, f"execution '{self.name}' to end", timeout)
        self._main.done_future.result()  # an engine bug surfaces here, not as a silent FAILED
        return Execution(self._run)

    def stop(self, error: str | None = None, cause: str | None = None) -> Execution:
        """StopExecution: the execution ends ABORTED with this error and cause."""
        self._main.cancel(ExecutionStopped(error, cause))
        self.environment.settle()
        return Execution(self._run)

    # -- task tokens -----------------------------------------------------------------------------------

    def task_tokens(self) -> dict[str, str]:
        """Tokens tasks wait on right now, mapped to their state names."""
        return self._run.callbacks.outstanding()

    def wait_for_task_token(self, state: str | None = None, timeout: float = 10.0) -> str:
        """Run (skipping virtual time) until a task, in ``state`` if given, waits for a token; return it."""
        found: list[str] = []

        def waiting() -> bool:
            for token, name in self._run.callbacks.outstanding().items():
                if state is None or name == state:
                    found.append(token)
                    return True
            return self.done()

        where = f" in state '{state}'" if state else ""
        self.environment._wait_until(waiting, f"a task{where} of '{self.name}' to wait for a task token", timeout)
        if not found:
            raise EnvironmentStuck(
                f"execution '{self.name}' ended ({self.status}) without any task{where} waiting for a task token\n"
                + where_is(self.execution)
            )
        return found[0]

    def send_task_success(self, token: str, output: Any) -> None:
        self._run.callbacks.send_task_success(token, output)
        self.environment.settle()

    def send_task_failure(self, token: str, error: str | None = None, cause: str | None = None) -> None:
        self._run.callbacks.send_task_failure(token, error, cause)
        self.environment.settle()

    def send_task_heartbeat(self, token: str) -> None:
        self._run.callbacks.send_task_heartbeat(token)
        self.environment.settle()

    def complete_task(self, state: str, output: Any) -> None:
        """Wait for ``state`` to wait for its task token, then answer it with SendTaskSuccess."""
        self.send_task_success(self.wait_for_task_token(state), output)

    def fail_task(self, state: str, error: str | None = None, cause: str | None = None) -> None:
        """Wait for ``state`` to wait for its task token, then answer it with SendTaskFailure."""
        self.send_task_failure(self.wait_for_task_token(state), error, cause)


class _UnansweredTasks:
    """The last handler source: records Task invocations nothing else answered, then fails them."""

    mocks_task_states = True
    """It stands in for Task states only; a Distributed Map's S3 reads and writes go to the embedded S3."""

    def __init__(self) -> None:
        self.requests: list[TaskRequest] = []

    def handler_for(self, state_name: str, resource: ResourceRef) -> TaskHandler | None:
        return self._answer

    def _answer(self, request: TaskRequest) -> Any:
        self.requests.append(request)
        raise StatesError(
            "States.Runtime",
            f"No mock or handler answers the Task state '{request.state_name}' (resource {request.resource.arn}). "
            f"Mock it in the test, e.g. asl_mocks.returns('{request.state_name}', {{...}}), or register a handler.",
        )


class AslEnvironment:
    """Executions on one virtual clock, with the test's mocks and resources (see the module docstring)."""

    def __init__(
        self,
        *,
        clock: TestClock | None = None,
        mocks: MockSet | None = None,
        resources: Iterable[HandlerSource] = (),
        seed: str | int = "asl-engine",
        thread_timeout: float = 30.0,
    ) -> None:
        self.clock = clock if clock is not None else TestClock()
        if self.clock._environment is not None and self.clock._environment is not self:
            raise AslEngineError("this TestClock already drives another environment")
        self.clock._environment = self
        self.mocks = mocks if mocks is not None else MockSet()
        self.resources: list[HandlerSource] = list(resources)
        """Handler sources consulted after the mocks (add handlers, ``Resources()`` registries...)."""
        self.seed = seed
        self.thread_timeout = thread_timeout
        self.auto_time_skipping = True
        self.fail_on_unmocked = False
        """Fail the test when a Task state ran with neither a mock nor a handler (checked by the pytest plugin)."""
        self.unanswered = _UnansweredTasks()
        self.executions: list[RunningExecution] = []
        self._running: list[RunningExecution] = []
        self.machines: list[StateMachine] = []
        self._scheduler = SteppingScheduler(self.clock)

    def __repr__(self) -> str:
        return f"<AslEnvironment {self.now().isoformat()} executions={len(self.executions)}>"

    # -- running ---------------------------------------------------------------------------------------

    def start(
        self,
        machine: StateMachine,
        input: Any = None,
        *,
        name: str | None = None,
        context: Mapping[str, Any] | None = None,
        resources: Sequence[HandlerSource] = (),
    ) -> RunningExecution:
        """Start an execution and run it as far as it goes without time passing."""
        rng = random.Random(f"{self.seed}#{len(self.executions)}")
        handlers = [self.mocks, *resources, *self.resources, self.unanswered]
        run, main = _engine.start_on_scheduler(
            machine, self._scheduler, input, clock=self.clock, handlers=handlers, name=name, rng=rng, context=context
        )

        running = RunningExecution(self, machine, run, main)

        def finished(future: Any) -> None:
            self._running.remove(running)
            if future.exception() is None:
                notify_finished(machine, Execution(run))

        main.done_future.add_done_callback(finished)
        self.executions.append(running)
        self._running.append(running)
        if machine not in self.machines:
            self.machines.append(machine)
        self.settle()
        return running

    def execute(self, machine: StateMachine, input: Any = None, **options: Any) -> Execution:
        """Start an execution and wait for its end (virtual time skips through its waits)."""
        return self.start(machine, input, **options).result()

    def wait_all(self, timeout: float = 10.0) -> list[Execution]:
        """Wait (skipping virtual time) until every execution started here has ended."""
        self._wait_until(lambda: all(e.done() for e in self.executions), "every execution to end", timeout)
        return [e.result() for e in self.executions]

    # -- time ------------------------------------------------------------------------------------------

    def now(self) -> datetime:
        return self.clock.now_datetime()

    @property
    def next_timer(self) -> datetime | None:
        """When the next pending timer (Wait, retry back-off, timeout) is due, if any."""
        self.settle()
        due = self._scheduler.next_timer_at()
        return None if due is None else datetime.fromtimestamp(due, UTC)

    def advance(self, seconds: Duration) -> None:
        """Move virtual time forward; every timer due on the way fires at its own due time."""
        amount = _seconds(seconds)
        if amount < 0:
            raise ValueError("a clock cannot go backwards")
        self.advance_to(self.clock.now() + amount)

    sleep = advance  # Temporal's name for it

    def advance_to(self, when: Moment) -> None:
        target = _epoch(when)
        if target < self.clock.now():
            raise ValueError(
                f"a clock cannot go backwards (now {self.now().isoformat()}, asked for "
                f"{datetime.fromtimestamp(target, UTC).isoformat()})"
            )
        while True:
            self.settle()
            due = self._scheduler.next_timer_at()
            if due is None or due > target:
                break
            self.clock.jump_to(due)
        self.clock.jump_to(target)
        self.settle()

    def run_to_next_timer(self) -> float | None:
        """Jump to the next pending timer and run what it wakes; the seconds moved, or None if no timer."""
        self.settle()
        due = self._scheduler.next_timer_at()
        if due is None:
            return None
        moved = max(0.0, due - self.clock.now())
        self.advance_to(due)
        return moved

    @contextmanager
    def auto_time_skipping_disabled(self) -> Iterator[None]:
        """Inside, waiting for a result never moves time: only ``advance`` does (as in Temporal)."""
        previous, self.auto_time_skipping = self.auto_time_skipping, False
        try:
            yield
        finally:
            self.auto_time_skipping = previous

    # -- driving ---------------------------------------------------------------------------------------

    def settle(self) -> None:
        """Run everything that can run now, including results worker threads are about to post."""
        scheduler = self._scheduler
        while True:
            scheduler.run_until_idle()
            if self._threads_outstanding() == 0:
                return
            if not scheduler.wait_for_posted(self.thread_timeout):
                raise EnvironmentStuck(
                    f"a task handler's worker thread did not answer within {self.thread_timeout} s of real time"
                )

    def _threads_outstanding(self) -> int:
        tokens = sum(len(e._run.callbacks.outstanding()) for e in self._running)
        return max(0, self._scheduler.external_work - tokens)

    def _wait_until(self, condition: Callable[[], bool], what: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            self.settle()
            if condition():
                return
            due = self._scheduler.next_timer_at()
            if due is None:
                raise EnvironmentStuck(f"waiting for {what}, but nothing can happen any more:\n{self._situation()}")
            if not self.auto_time_skipping:
                raise EnvironmentStuck(
                    f"waiting for {what}, but time skipping is disabled and the next timer is due at "
                    f"{datetime.fromtimestamp(due, UTC).isoformat()}: move the clock with advance()\n"
                    + self._situation()
                )
            if time.monotonic() > deadline:
                raise EnvironmentStuck(
                    f"waiting for {what}: still not done after {timeout} s of real time (virtual time is "
                    f"{self.now().isoformat()}); does the machine loop forever?\n{self._situation()}"
                )
            self.clock.jump_to(due)

    def _situation(self) -> str:
        running = list(self._running)
        if not running:
            return "  (no execution is running)"
        lines = []
        for running_execution in running:
            tokens = running_execution.task_tokens()
            line = f"  execution '{running_execution.name}' {where_is(running_execution.execution).strip()}"
            if tokens:
                states = ", ".join(sorted(set(tokens.values())))
                line += (
                    f"\n    it waits for a task token in {states}: answer it with "
                    f"send_task_success(wait_for_task_token('{next(iter(tokens.values()))}'), output) "
                    "or complete_task(state, output)"
                )
            lines.append(line)
        return "\n".join(lines)


def _seconds(amount: Duration) -> float:
    if isinstance(amount, timedelta):
        return amount.total_seconds()
    if isinstance(amount, bool) or not isinstance(amount, int | float):
        raise TypeError(f"expected seconds (a number) or a timedelta, got {amount!r}")
    return float(amount)


def _epoch(when: Moment) -> float:
    if isinstance(when, datetime):
        return (when if when.tzinfo is not None else when.replace(tzinfo=UTC)).timestamp()
    if isinstance(when, bool) or not isinstance(when, int | float):
        raise TypeError(f"expected a datetime or epoch seconds, got {when!r}")
    return float(when)
