"""The in-process executor: child executions on the parent's scheduler and clock (the default).

Children share the parent's task handlers, task tokens and starter, so everything a child can do
(wait for a callback, start a nested execution, wait under the virtual clock) works as in a
standalone execution.
"""

from __future__ import annotations

import functools
from collections.abc import Coroutine, Generator, Sequence
from functools import partial
from types import CoroutineType
from typing import TYPE_CHECKING, Any

from asl_engine.runtime.map_run.child import child_main, report_of, run_child_directly
from asl_engine.runtime.map_run.executor import ChildReport, ChildWork, ExecutorSession, MapJob, ReportInbox
from asl_engine.runtime.map_run.lone_task import LoneTaskChildren
from asl_engine.runtime.map_run.packing import child_random
from asl_engine.runtime.run import ExecutionRun
from asl_engine.runtime.scheduler import Cancelled, Future, Task

if TYPE_CHECKING:
    from asl_engine.runtime.compiler import CompiledScope

IN_PROCESS = "in-process"


class InProcessExecutor:
    """Runs every child as a task of the parent's scheduler."""

    name = IN_PROCESS

    def open(self, job: MapJob, inbox: ReportInbox) -> ExecutorSession:
        return InProcessSession(job, inbox)

    def __repr__(self) -> str:
        return "<InProcessExecutor>"


class InProcessSession:
    submit_at_once = 64
    """Children started per round: those that never wait end at once, and their reports are taken
    before the next round, so few child runs are alive at a time."""

    run_directly = True
    """Run a child here until it first suspends when nothing else is ready (the tests turn it off to
    check that the history does not show it)."""

    def __init__(self, job: MapJob, inbox: ReportInbox) -> None:
        self._parent = job.parent
        self._processor: CompiledScope = job.node.processor
        self._map_run = job.map_run
        self._inbox = inbox
        self._running: dict[int, tuple[Task[str | None], ExecutionRun]] = {}
        self._template = job.parent.children_template()
        """What every child run shares with the others (``ExecutionRun.from_template``)."""
        self._lone = LoneTaskChildren.for_job(job, self._template)
        """Runs the children when they are one plain Task answered at once (``lone_task.py``)."""

    def submit(self, works: Sequence[ChildWork]) -> None:
        parent = self._parent
        map_run = self._map_run
        scheduler = parent.scheduler
        template = self._template
        lone = self._lone
        finished: list[ChildReport] = []
        """Reports of lone-task children, handed over together (before any other child's)."""
        for work in works:
            # A lone-task child changes nothing the scheduler has: once one ran, the next may.
            if lone is not None and self.run_directly and (finished or scheduler.nothing_else_ready()):
                report = lone.run(work)
                if report is not None:
                    finished.append(report)
                    continue
            if finished:
                self._inbox.put(finished)
                finished = []
            child = ExecutionRun.from_template(
                template, map_run.child_identity(work.name), work.input, child_random(work.seed)
            )
            if self.run_directly and scheduler.nothing_else_ready():
                # Run it here until it ends or first suspends: a child that never waits (a Lambda
                # under a virtual clock) needs no scheduler task, and is gone before the next starts.
                # Beside its siblings to come, even when the parent runs alone: a timer of the child
                # is a timer, not a jump of the clock (the children wait side by side, as tasks do).
                ended, outcome, request = scheduler.call_beside(partial(_run_by_hand, child, self._processor))
                if ended:
                    self._inbox.put([report_of(work.index, child, outcome, keep_run=True)])
                    continue
                task: Task[str | None] = scheduler.spawn(_resumed(outcome, request), work.name)
            else:
                task = scheduler.spawn(child_main(child, self._processor), work.name)
            self._running[work.index] = (task, child)
            task.done_future.add_done_callback(functools.partial(self._ended, work.index))
        if finished:
            self._inbox.put(finished)

    def _ended(self, index: int, future: Future[Any]) -> None:
        entry = self._running.pop(index, None)
        if entry is None:  # stopped by cancel(), which reports it
            return
        failure = future.exception()
        if failure is not None and not isinstance(failure, Cancelled):
            raise failure  # a bug in the engine: let it surface
        child = entry[1]
        if failure is not None:
            self._inbox.put([report_of(index, child, None, status="ABORTED", keep_run=True)])
        else:
            self._inbox.put([report_of(index, child, future.result(), keep_run=True)])

    async def cancel(self, reason: BaseException | None) -> list[ChildReport]:
        running = sorted(self._running.items())
        self._running.clear()
        for _, (task, _) in running:
            task.cancel(reason)
        for _, (task, _) in running:
            if not task.done():
                await _ended(task)
        return [report_of(index, child, None, status="ABORTED", keep_run=True) for index, (_, child) in running]

    def close(self) -> None:
        self._running.clear()


def _run_by_hand(child: ExecutionRun, processor: CompiledScope) -> tuple[bool, Any, Any]:
    """Run ``child`` until it ends or first suspends, by plain calls (``run_child_directly``), then as
    the coroutine it hands over: (True, its result, None) once it ended, else (False, the coroutine,
    what it awaits)."""
    main = run_child_directly(child, processor)
    if type(main) is not CoroutineType:
        return True, main, None
    try:
        request = main.send(None)
    except StopIteration as finished:
        return True, finished.value, None
    return False, main, request


class _Resume:
    """Awaitable that carries on a coroutine already started by hand: it hands the coroutine's
    pending request to the scheduler, then relays what the scheduler sends or throws."""

    __slots__ = ("_coro", "_request")

    def __init__(self, coro: Coroutine[Any, Any, Any], request: Any) -> None:
        self._coro = coro
        self._request = request

    def __await__(self) -> Generator[Any, Any, Any]:
        coro, request = self._coro, self._request
        while True:
            try:
                value = yield request
            except BaseException as thrown:  # a cancellation: into the child, where it belongs
                try:
                    request = coro.throw(thrown)
                except StopIteration as finished:
                    return finished.value
                continue
            try:
                request = coro.send(value)
            except StopIteration as finished:
                return finished.value


async def _resumed(coro: Coroutine[Any, Any, str | None], request: Any) -> str | None:
    result: str | None = await _Resume(coro, request)
    return result


def _ended(task: Task[Any]) -> Future[None]:
    done: Future[None] = Future()
    task.done_future.add_done_callback(lambda _: done.set_result(None))
    return done
