"""The contract between Task states and whatever answers them (mocks, local handlers, emulators).

A handler receives a ``TaskRequest`` and either returns the task's raw result (before
ResultSelector), raises ``StatesError`` for a task failure, or returns a coroutine (for work that
waits: callbacks, ``.sync`` jobs) that the scheduler drives.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

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
    entered_event_id: int = 0
    """Id of the state's StateEntered event: AWS quotes it in States.Runtime causes
    ("An error occurred while executing the state 'X' (entered at the event id #N). ...")."""
    """Record ``TaskSubmitted`` with the integration's first response (``.sync`` jobs record it themselves;
    ``.waitForTaskToken`` tasks get it recorded from the handler's return value)."""


TaskResult = Any | Awaitable[Any]


class TaskHandler(Protocol):
    def __call__(self, request: TaskRequest) -> TaskResult: ...


class HandlerSource(Protocol):
    """Something that can answer Task states: a registry of handlers (see ``asl_engine.services``).

    A source that stands in for Task states by their name (mocks) sets a class attribute
    ``mocks_task_states = True``: the engine then never asks it for the service calls it makes
    itself (a Distributed Map's ItemReader and ResultWriter), which no Task state makes.
    """

    def handler_for(self, state_name: str, resource: ResourceRef) -> TaskHandler | None: ...


HandlerFunction = Callable[[TaskRequest], TaskResult]
