"""Task tokens: the ``.waitForTaskToken`` pattern and SendTaskSuccess/Failure/Heartbeat.

A token belongs to one waiting task. Answers may come from any thread (a test, a worker, a
handler's own thread): they are posted to the execution's scheduler, never applied directly, so the
engine's state is only ever touched by the thread driving it. While a token is outstanding a
virtual clock does not skip ahead: the answer that is about to arrive must not be overtaken by a
timeout that would not have fired yet in real time.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Protocol, cast, runtime_checkable

from asl_engine.errors import AslEngineError, StatesError
from asl_engine.runtime.durable.inputs import answer_input, heartbeat_input
from asl_engine.runtime.scheduler import Future, wait_any

if TYPE_CHECKING:
    from asl_engine.runtime.durable.recorder import Recorder
    from asl_engine.runtime.scheduler import Scheduler


class TaskDoesNotExist(AslEngineError):
    """The token does not belong to a task that is waiting (AWS: TaskDoesNotExist)."""


class InvalidOutput(AslEngineError):
    """SendTaskSuccess output that is not JSON (AWS: InvalidOutput)."""


@runtime_checkable
class TaskTokenDirectory(Protocol):
    """A handler source that keeps track of the task tokens of the executions it answers (a
    ``Resources`` account), so that a token can be answered without knowing its execution: by another
    execution (``aws-sdk:sfn:sendTaskSuccess``), an activity worker or a test. Every ``CallbackRegistry``
    tells the directories among its execution's handler sources when a token opens and closes."""

    def task_token_opened(self, token: str, registry: CallbackRegistry) -> None: ...

    def task_token_closed(self, token: str) -> None: ...


def directories(sources: Iterable[object]) -> tuple[TaskTokenDirectory, ...]:
    """The handler sources that keep a directory of task tokens.

    Looked up by attribute, as ``isinstance`` against the runtime-checkable protocol would (it is
    several times slower, and this runs for every execution)."""
    return tuple(
        cast(TaskTokenDirectory, source)
        for source in sources
        if getattr(source, "task_token_opened", None) is not None
        and getattr(source, "task_token_closed", None) is not None
    )


class PendingCallback:
    """One token's wait: the future its answer resolves, and heartbeat notifications."""

    __slots__ = ("answer", "beat", "key", "state_name", "token", "waiting")

    def __init__(self, token: str, state_name: str, key: tuple[int, int] = (0, 0)) -> None:
        self.token = token
        self.state_name = state_name
        self.key = key
        """The invocation waiting: (stream, id of its TaskScheduled event)."""
        self.answer: Future[Any] = Future()
        self.beat: Future[float] = Future()
        """Resolves with the (clock) time of the latest heartbeat, then is replaced by a fresh future."""
        self.waiting = False
        """True once the task has armed its timers and waits; tests look for tokens only then."""


class CallbackRegistry:
    """The tokens of one execution (shared with its Distributed Map children)."""

    def __init__(self, scheduler: Scheduler, directories: Iterable[TaskTokenDirectory] = ()) -> None:
        self._scheduler = scheduler
        self._directories = tuple(directories)
        self._now = getattr(scheduler.clock, "source", scheduler.clock).now
        self._lock = threading.Lock()
        self._pending: dict[str, PendingCallback] = {}
        self._arrived = threading.Condition(self._lock)
        self.journal: Recorder | None = None
        """A durable execution's recorder: answers are then kept in its store before they are applied."""

    def open(self, token: str, state_name: str, key: tuple[int, int] = (0, 0)) -> PendingCallback:
        pending = PendingCallback(token, state_name, key)
        with self._lock:
            self._pending[token] = pending
        self._scheduler.external_work_started()
        for directory in self._directories:
            directory.task_token_opened(token, self)
        return pending

    def mark_waiting(self, pending: PendingCallback) -> None:
        with self._lock:
            pending.waiting = True
            self._arrived.notify_all()

    def close(self, pending: PendingCallback) -> None:
        with self._lock:
            if self._pending.pop(pending.token, None) is None:
                return
            self._arrived.notify_all()
        for directory in self._directories:
            directory.task_token_closed(pending.token)
        self._scheduler.external_work_finished()

    def outstanding(self) -> dict[str, str]:
        """Token -> state name, for every task currently waiting for an answer."""
        with self._lock:
            return {token: pending.state_name for token, pending in self._pending.items()}

    def wait_for_token(self, state_name: str | None = None, timeout: float | None = None) -> str:
        """Block (real time) until a task — optionally of ``state_name`` — waits for a token; return it."""

        def find() -> str | None:
            for token, pending in self._pending.items():
                if pending.waiting and (state_name is None or pending.state_name == state_name):
                    return token
            return None

        with self._lock:
            if not self._arrived.wait_for(lambda: find() is not None, timeout):
                where = f" in state '{state_name}'" if state_name else ""
                raise TimeoutError(f"no task{where} waited for a task token within {timeout} s")
            token = find()
            assert token is not None
            return token

    def pending(self, token: str) -> PendingCallback | None:
        """The wait for ``token``, if a task waits on it."""
        with self._lock:
            return self._pending.get(token)

    def wait_until_waiting(self, token: str, timeout: float | None = None) -> bool:
        """Block (real time) until the task holding ``token`` has armed its timers and waits for an
        answer; False if it did not within ``timeout`` (or the token is unknown or closed)."""
        with self._lock:
            return (
                self._arrived.wait_for(
                    lambda: (pending := self._pending.get(token)) is None or pending.waiting, timeout
                )
                and token in self._pending
            )

    def _lookup(self, token: str) -> PendingCallback:
        with self._lock:
            pending = self._pending.get(token)
        if pending is None:
            raise TaskDoesNotExist(f"Task Does Not Exist: no task is waiting for the token {token[:24]}...")
        return pending

    def send_task_success(self, token: str, output: Any) -> None:
        pending = self._lookup(token)
        if isinstance(output, str):
            try:
                value = json.loads(output)
            except json.JSONDecodeError as error:
                raise InvalidOutput(f"Invalid Output: the output is not JSON text: {error.msg}") from None
        else:
            try:
                value = json.loads(json.dumps(output))
            except (TypeError, ValueError) as error:
                raise InvalidOutput(f"Invalid Output: {error}") from None
        if self.journal is not None:
            self.journal.answer(pending, answer_input(pending.key, token, value))
            return
        self._scheduler.post(lambda: pending.answer.set_result(value))

    def send_task_failure(self, token: str, error: str | None = None, cause: str | None = None) -> None:
        pending = self._lookup(token)
        if self.journal is not None:
            self.journal.answer(pending, answer_input(pending.key, token, error=StatesError(error, cause)))
            return
        self._scheduler.post(lambda: pending.answer.set_exception(StatesError(error, cause)))

    def send_task_heartbeat(self, token: str) -> None:
        pending = self._lookup(token)
        sent_at = self._now()  # the heartbeat counts from when it was sent, not when it is processed
        if self.journal is not None:
            self.journal.answer(pending, heartbeat_input(pending.key, token, sent_at))
            return

        def beat() -> None:
            signal, pending.beat = pending.beat, Future()
            signal.set_result(sent_at)

        self._scheduler.post(beat)


async def await_callback(
    registry: CallbackRegistry,
    pending: PendingCallback,
    *,
    now: float,
    timeout: float | None,
    heartbeat: float | None,
    clock_now: Any,
) -> tuple[str, Any]:
    """Wait for the token's answer; returns ("success", output) or ("timeout"|"heartbeat", None).

    A failure answer raises its StatesError.
    """
    scheduler = registry._scheduler
    deadline = None if timeout is None else now + timeout
    beat_deadline = None if heartbeat is None else now + heartbeat
    registry.mark_waiting(pending)
    while True:
        candidates = [d for d in (deadline, beat_deadline) if d is not None]
        until = min(candidates) if candidates else None
        beat = pending.beat
        which = await wait_any(scheduler, [pending.answer, beat], until)
        if which == 1 and heartbeat is not None:
            beat_deadline = beat.result() + heartbeat
        if which == 0:
            return "success", pending.answer.result()
        if which == 1:
            continue  # a heartbeat arrived; ``pending.beat`` was replaced, re-arm below
        if deadline is not None and clock_now() >= deadline:
            return "timeout", None
        return "heartbeat", None
