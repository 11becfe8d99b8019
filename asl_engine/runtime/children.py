"""Running the children of a Parallel or Map state as tasks, and stopping them when one fails."""

from __future__ import annotations

from collections import deque
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any

from asl_engine.errors import StatesError
from asl_engine.runtime.scheduler import Future, Scheduler, Task

if TYPE_CHECKING:
    from asl_engine.runtime.frame import Frame


class ChildFailure(Exception):
    """A child (branch or iteration) ended with a Step Functions error.

    ``event_id`` is the child's last history event: AWS links the events the failure causes (the
    Map/Parallel failure, sibling aborts) to it. ``aborted_event`` is the ``<Type>StateAborted`` of
    the state the child failed in (None for Pass, Choice, Succeed and Fail, which have none): that
    state never exits, and AWS records its abort when the Map or Parallel stops its children.
    """

    def __init__(self, error: StatesError, event_id: int, aborted_event: str | None = None) -> None:
        super().__init__(error)
        self.error = error
        self.event_id = event_id
        self.aborted_event = aborted_event

    def record_state_abort(self, frame: Frame, cause_event_id: int) -> None:
        """Record the abort of the state this child failed in, if that state has an abort event."""
        if self.aborted_event is not None:
            frame.record_aside(self.aborted_event, None, cause=cause_event_id)


class BranchAbort(Exception):
    """Why a child was cancelled: a sibling failed (``cause_event_id`` is its failing event)."""

    def __init__(self, cause_event_id: int) -> None:
        super().__init__(cause_event_id)
        self.cause_event_id = cause_event_id


class ChildGroup:
    """Children of one state; ``next_finished`` yields them in completion order."""

    def __init__(self, scheduler: Scheduler) -> None:
        self._scheduler = scheduler
        self._running: dict[int, Task[Any]] = {}
        self._finished: deque[tuple[int, Task[Any]]] = deque()
        self._signal: Future[None] | None = None

    def __len__(self) -> int:
        return len(self._running)

    def spawn(self, key: int, coro: Coroutine[Any, Any, Any], name: str) -> None:
        self.adopt(key, self._scheduler.spawn(coro, name))

    def adopt(self, key: int, task: Task[Any]) -> None:
        """Count ``task`` (already on the scheduler) among the children."""
        self._running[key] = task
        task.done_future.add_done_callback(lambda _: self._on_done(key, task))

    def _on_done(self, key: int, task: Task[Any]) -> None:
        if self._running.get(key) is task:
            del self._running[key]
        self._finished.append((key, task))
        signal = self._signal
        if signal is not None:
            self._signal = None
            signal.set_result(None)

    async def next_finished(self) -> tuple[int, Task[Any]]:
        while not self._finished:
            self._signal = Future()
            await self._signal
        return self._finished.popleft()

    async def abort_all(self, reason: BaseException | None) -> list[tuple[int, ChildFailure]]:
        """Cancel every running child (in key order) and wait until all have recorded their abort.

        Returns the children that ended with a failure ``next_finished`` never handed out (by key):
        their state and their end were never processed, so the caller records them as aborted.
        """
        waiting = [task for _, task in sorted(self._running.items())]
        for task in waiting:
            task.cancel(reason)
        for task in waiting:
            if not task.done():
                await _wait_quietly(task)
        unseen = []
        for key, task in self._finished:
            failure = task.done_future.exception()
            if isinstance(failure, ChildFailure):
                unseen.append((key, failure))
        self._finished.clear()
        return sorted(unseen, key=lambda pair: pair[0])


def _wait_quietly(task: Task[Any]) -> Future[Any]:
    """A future that resolves when ``task`` ends, whatever its outcome."""
    done: Future[Any] = Future()
    task.done_future.add_done_callback(lambda _: done.set_result(None))
    return done
