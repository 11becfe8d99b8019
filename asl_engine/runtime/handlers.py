"""The contract between Task states and whatever answers them (mocks, local handlers, emulators).

A handler receives a ``TaskRequest`` and either returns the task's raw result (before
ResultSelector), raises ``StatesError`` for a task failure, or returns a coroutine (for work that
waits: callbacks, ``.sync`` jobs) that the scheduler drives.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from asl_engine.definition.arns import ResourceRef
from asl_engine.errors import StatesError
from asl_engine.runtime.environment import TaskEnvironment


@dataclass(slots=True)
class TaskRequest:
    state_name: str
    resource: ResourceRef
    parameters: Any
    """The effective input: Parameters/Arguments applied (the event a Lambda function receives)."""
    invocation: int
    """0-based count of earlier invocations of this state in this execution (retries included)."""
    timeout_seconds: float | None = None
    heartbeat_seconds: float | None = None
    task_token: str | None = None
    context: dict[str, Any] = field(default_factory=dict)
    """The context object as the state saw it (``$$``)."""
    environment: TaskEnvironment | None = field(default=None, repr=False)
    """The execution's services (clock-aware sleep, worker threads, nested executions, task tokens)."""
    submit: Callable[[Any], None] = field(default=lambda output: None, repr=False)
    """Record ``TaskSubmitted`` with the integration's first response (``.sync`` jobs record it themselves;
    ``.waitForTaskToken`` tasks get it recorded from the handler's return value)."""
    entered_event_id: int = 0
    """Id of the state's StateEntered event: AWS quotes it in States.Runtime causes
    ("An error occurred while executing the state 'X' (entered at the event id #N). ...")."""
    idempotency_key: str = ""
    """Names this invocation, the same every time it is made: ``<execution ARN>/<state name>/<id of
    its TaskScheduled event>`` (the id tells apart retries, Map iterations and redrives). A durable
    execution may invoke a handler again after a crash (at-least-once): a handler with side effects
    can use the key to do them once."""
    worker_started: Callable[[str | None], None] = field(default=lambda worker_name: None, repr=False)
    """Record ``ActivityStarted`` (with the worker's name) when a worker takes an activity task; only
    for handlers that declare ``WaitsForWorker``."""


TaskResult = Any | Awaitable[Any]


class TaskHandler(Protocol):
    def __call__(self, request: TaskRequest) -> TaskResult: ...


@runtime_checkable
class CallbackCompleting(TaskHandler, Protocol):
    """A handler whose answer is the task's final result even under ``.waitForTaskToken`` (a mock, as
    in Step Functions Local): the engine then does not wait for a callback. Plain functions are
    handlers too, so this is a capability a handler may declare, not part of every handler."""

    completes_callback: bool


class HandlerSource(Protocol):
    """Something that can answer Task states: a registry of handlers (see ``asl_engine.services``)."""

    def handler_for(self, state_name: str, resource: ResourceRef) -> TaskHandler | None: ...


@runtime_checkable
class TaskStateMocks(HandlerSource, Protocol):
    """A source that stands in for Task states by their name (mocks) declares ``mocks_task_states =
    True``: the engine then never asks it for the service calls it makes itself (a Distributed Map's
    ItemReader and ResultWriter), which no Task state makes. Any object with ``handler_for`` is a
    source, so this is a capability a source may declare."""

    mocks_task_states: bool


@runtime_checkable
class ChecksRequest(TaskHandler, Protocol):
    """A handler that can reject a request before the task is scheduled, as Step Functions checks an
    integration's parameters (and that an activity exists) before ``TaskScheduled``: a failure raised
    by ``check_request`` (a ``States.Runtime`` error) ends the state with no task event recorded."""

    def check_request(self, request: TaskRequest) -> None: ...


@runtime_checkable
class WaitsForWorker(TaskHandler, Protocol):
    """An activity's handler that hands tasks to workers (``waits_for_worker = True``). The task then
    carries a task token (the worker answers with it, as with ``.waitForTaskToken``); the handler's
    awaitable ends when a worker has taken the task, after calling ``request.worker_started``; and
    ``HeartbeatSeconds`` counts from then. Other activity handlers (mocks) answer at once."""

    waits_for_worker: bool


@dataclass(frozen=True, slots=True)
class MissingTarget:
    """What an integration looked for and did not find (a function, a queue, an activity), in words
    the caller can turn into advice: the ``asl.toml`` line that would define it, or the Python call."""

    kind: str
    """What it is, in words: ``Lambda function``, ``activity``, ``SNS topic``."""
    name: str
    section: str | None = None
    """The ``asl.toml`` section that defines one (``lambda``)."""
    config_line: str | None = None
    """The line to add to that section (``ProcessOrder = "module:function"``)."""
    python: str | None = None
    """The Python call that registers one (``resources.lambda_function("ProcessOrder", handler)``)."""


class UnansweredTask(StatesError):
    """A Task nobody could answer: no mock or handler at all, or an integration that did not find what
    the task names (a Lambda function, an activity). The error and cause are what AWS would report (the
    engine's own ``States.Runtime`` when AWS has no equivalent); ``state_name``, ``resource`` and
    ``missing`` are data from which the caller (the library, the CLI, the pytest plugin) writes its
    own advice. The execution keeps every one it met (``Execution.unanswered_tasks``)."""

    def __init__(
        self,
        error: str | None,
        cause: str | None,
        *,
        state_name: str,
        resource: ResourceRef,
        missing: MissingTarget | None = None,
    ) -> None:
        super().__init__(error, cause)
        self.state_name = state_name
        self.resource = resource
        self.missing = missing

    def __reduce__(self) -> tuple[Any, ...]:
        # A worker process reports the tasks its Distributed Map children could not answer: keep the
        # keyword-only fields through pickling (an exception pickles its positional arguments only).
        return (_unanswered_task, (self.error, self.cause, self.state_name, self.resource, self.missing))


def _unanswered_task(
    error: str | None, cause: str | None, state_name: str, resource: ResourceRef, missing: MissingTarget | None
) -> UnansweredTask:
    return UnansweredTask(error, cause, state_name=state_name, resource=resource, missing=missing)


HandlerFunction = Callable[[TaskRequest], TaskResult]
