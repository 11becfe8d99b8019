"""The contract between Task states and whatever answers them (mocks, local handlers, emulators).

A handler receives a ``TaskRequest`` and either returns the task's raw result (before
ResultSelector), raises ``StatesError`` for a task failure, or returns a coroutine (for work that
waits: callbacks, ``.sync`` jobs) that the scheduler drives.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from asl_engine.definition.arns import ResourceRef
from asl_engine.errors import StatesError
from asl_engine.runtime.environment import TaskEnvironment

if TYPE_CHECKING:
    import random

    from asl_engine.runtime.clock import Clock


class RequestOrigin(Protocol):
    """Where a ``TaskRequest`` was made (a Task state's attempt): it makes, only when a handler reads
    them, the parts of the request most handlers never read. Each answers as of the moment the
    request was made, however late it is asked (a handler may keep the request)."""

    def context_object(self) -> dict[str, Any]: ...

    def environment(self) -> TaskEnvironment: ...

    def idempotency_key(self) -> str:
        """The request's ``idempotency_key``; "" until the task is scheduled."""
        ...

    def submit(self, output: Any) -> None: ...

    def worker_started(self, worker_name: str | None) -> None: ...


def _submit_nothing(output: Any) -> None:
    return None


def _no_worker(worker_name: str | None) -> None:
    return None


class TaskRequest:
    """What a handler is asked: the state, its resource, the effective input and what goes with it.

    ``context``, ``environment``, ``idempotency_key``, ``submit`` and ``worker_started`` are made on
    first read from the request's ``origin`` (the Task state's attempt), when it has one: most
    handlers read the parameters alone, and a task pays for the rest only when they are read. Each
    can be given (or set) instead, as any attribute.
    """

    __slots__ = (
        "_context",
        "_environment",
        "_idempotency_key",
        "_origin",
        "_submit",
        "_worker_started",
        "entered_event_id",
        "heartbeat_seconds",
        "invocation",
        "parameters",
        "resource",
        "result_within_quota",
        "state_name",
        "task_token",
        "timeout_seconds",
    )

    state_name: str
    resource: ResourceRef
    parameters: Any
    """The effective input: Parameters/Arguments applied (the event a Lambda function receives)."""
    invocation: int
    """0-based count of earlier invocations of this state in this execution (retries included)."""
    timeout_seconds: float | None
    heartbeat_seconds: float | None
    task_token: str | None
    entered_event_id: int
    """Id of the state's StateEntered event: AWS quotes it in States.Runtime causes
    ("An error occurred while executing the state 'X' (entered at the event id #N). ...")."""
    result_within_quota: bool
    """Set by a handler whose result it knows to be within the 256 KiB payload quota (the Lambda
    emulation bounds the JSON text of a result it copies): the Task then does not encode the result
    to measure it. False by default: the Task measures."""

    def __init__(
        self,
        state_name: str,
        resource: ResourceRef,
        parameters: Any,
        invocation: int,
        timeout_seconds: float | None = None,
        heartbeat_seconds: float | None = None,
        task_token: str | None = None,
        context: dict[str, Any] | None = None,
        environment: TaskEnvironment | None = None,
        submit: Callable[[Any], None] | None = None,
        entered_event_id: int = 0,
        idempotency_key: str | None = None,
        worker_started: Callable[[str | None], None] | None = None,
        *,
        origin: RequestOrigin | None = None,
    ) -> None:
        self.state_name = state_name
        self.resource = resource
        self.parameters = parameters
        self.invocation = invocation
        self.timeout_seconds = timeout_seconds
        self.heartbeat_seconds = heartbeat_seconds
        self.task_token = task_token
        self._context = context
        self._environment = environment
        self._submit = submit
        self.entered_event_id = entered_event_id
        self._idempotency_key = idempotency_key
        self._worker_started = worker_started
        self._origin = origin
        self.result_within_quota = False

    @property
    def context(self) -> dict[str, Any]:
        """The context object as the state saw it (``$$``)."""
        context = self._context
        if context is None:
            context = self._context = self._origin.context_object() if self._origin is not None else {}
        return context

    @context.setter
    def context(self, context: dict[str, Any]) -> None:
        self._context = context

    @property
    def environment(self) -> TaskEnvironment | None:
        """The execution's services (clock-aware sleep, worker threads, nested executions, task tokens)."""
        environment = self._environment
        if environment is None and self._origin is not None:
            environment = self._environment = self._origin.environment()
        return environment

    @environment.setter
    def environment(self, environment: TaskEnvironment | None) -> None:
        self._environment = environment

    @property
    def submit(self) -> Callable[[Any], None]:
        """Record ``TaskSubmitted`` with the integration's first response (``.sync`` jobs record it
        themselves; ``.waitForTaskToken`` tasks get it recorded from the handler's return value)."""
        submit = self._submit
        if submit is None:
            submit = self._submit = self._origin.submit if self._origin is not None else _submit_nothing
        return submit

    @submit.setter
    def submit(self, submit: Callable[[Any], None]) -> None:
        self._submit = submit

    @property
    def idempotency_key(self) -> str:
        """Names this invocation, the same every time it is made: ``<execution ARN>/<state name>/<id of
        its TaskScheduled event>`` (the id tells apart retries, Map iterations and redrives). A durable
        execution may invoke a handler again after a crash (at-least-once): a handler with side effects
        can use the key to do them once."""
        key = self._idempotency_key
        if key is None:
            if self._origin is None:
                return ""
            key = self._origin.idempotency_key()
            if key:  # "" before the task is scheduled (a ``check_request``): asked again later
                self._idempotency_key = key
        return key

    @idempotency_key.setter
    def idempotency_key(self, key: str) -> None:
        self._idempotency_key = key

    @property
    def worker_started(self) -> Callable[[str | None], None]:
        """Record ``ActivityStarted`` (with the worker's name) when a worker takes an activity task; only
        for handlers that declare ``WaitsForWorker``."""
        started = self._worker_started
        if started is None:
            started = self._worker_started = self._origin.worker_started if self._origin is not None else _no_worker
        return started

    @worker_started.setter
    def worker_started(self, started: Callable[[str | None], None]) -> None:
        self._worker_started = started

    def __repr__(self) -> str:
        return (
            f"TaskRequest(state_name={self.state_name!r}, resource={self.resource!r}, "
            f"parameters={self.parameters!r}, invocation={self.invocation!r}, "
            f"timeout_seconds={self.timeout_seconds!r}, heartbeat_seconds={self.heartbeat_seconds!r}, "
            f"task_token={self.task_token!r}, context={self.context!r}, entered_event_id={self.entered_event_id!r}, "
            f"idempotency_key={self.idempotency_key!r})"
        )


TaskResult = Any | Awaitable[Any]


class TaskHandler(Protocol):
    def __call__(self, request: TaskRequest) -> TaskResult: ...


class TaskAnswer(Protocol):
    """A handler's answer as data: ``value`` (the raw result) when ``error`` is None, else the failure."""

    @property
    def value(self) -> Any: ...

    @property
    def error(self) -> StatesError | None: ...


class AnswersAtOnce(TaskHandler, Protocol):
    """A handler whose answer depends on the invocation's number alone and is the task's final result
    (a mock): ``answer_for(request.invocation)`` is what calling it would return (``value``) or raise
    (``error``), and ``answer_for`` itself raises what the call would raise otherwise (an exhausted
    mock's ``States.Runtime``). The engine then asks for the answer without making a request or
    raising the failure through the handler (nor calls ``check_request``, nor hands the task to a
    worker: such a handler declares neither). Declared by having ``answer_for`` (read by attribute).
    It may also have ``responses`` (read by attribute): a sequence of the answers ``answer_for`` gives
    for invocations 0, 1, ... in order, which a mocked Task's attempts index instead of calling it
    (``TaskState._run_in_rows``; past its end they call ``answer_for``)."""

    def answer_for(self, invocation: int) -> TaskAnswer: ...


LoneInvoke = Callable[[Any, "random.Random"], tuple[Any, bool]]
"""``(effective input, the child's random source) -> (raw result, whether its JSON text is known to be
within the payload quota)``, raising ``StatesError`` when the task fails (``InvokesAlone``)."""


class InvokesAlone(TaskHandler, Protocol):
    """A handler that can answer the lone Task of a Distributed Map's children without a request
    (``runtime/map_run/lone_task.py``): ``lone_invoker`` gives, once per Map Run, the call that answers
    one child's task as calling the handler with that child's request would (the same effects, the
    same random draws, the same result or failure), or None when it cannot (the engine then calls the
    handler). Declared by having ``lone_invoker`` (read by attribute)."""

    def lone_invoker(self, resource: ResourceRef, region: str, account: str, clock: Clock) -> LoneInvoke | None: ...


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
