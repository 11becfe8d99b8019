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


HandlerFunction = Callable[[TaskRequest], TaskResult]
