"""What a durable execution records, and what it needs from the store that keeps it.

The journal of an execution is one ordered sequence of rows:

* **event rows**: the history events (GetExecutionHistory's), each with the id of the state visit
  that recorded it (its StateEntered event), which a redrive needs to tell finished work from
  unfinished work;
* **mark rows**, which GetExecutionHistory never shows: a *turn* (a wake-up of the scheduler: its
  time and the inputs it applied, in order) and an *outcome* (what a handler that answered at once
  returned, and when).

Replaying the rows in order, with the recorded times and results, makes the engine take exactly
the same steps again (see ``runtime.durable.recorder``). The store keeps the rows, the execution's
summary and its task tokens; ``JournalSink`` is all the engine asks of it, so that a server
database can stand in for the embedded SQLite store.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from asl_engine.runtime.payload_meter import LazyText

Key = tuple[int, int]
"""One task invocation: (stream, id of its TaskScheduled/LambdaFunctionScheduled/ActivityScheduled event)."""

Input = dict[str, Any]
"""Something from outside a running execution, as data: ``{"kind": "outcome" | "submitted" | "answer" |
"heartbeat" | "stop", ...}`` (see ``runtime.durable.inputs``)."""


@dataclass(slots=True)
class EventRow:
    """One history event. ``payload`` is a state event's input/output JSON text; ``details`` the
    JSON text of any other event's details, or of a StateExited event's assigned variables."""

    stream: int
    event_id: int
    previous_id: int
    timestamp: float
    type: str
    name: str | None = None
    payload: str | LazyText | None = None
    details: str | None = None
    visit: int = 0

    def payload_text(self) -> str | None:
        payload = self.payload
        if payload is None or type(payload) is str:
            return payload
        return payload.text  # type: ignore[union-attr]


@dataclass(slots=True)
class MarkRow:
    """A journal row that is not a history event: ``kind`` "turn" or "outcome" (see the module)."""

    kind: str
    data: dict[str, Any]


Row = EventRow | MarkRow


@dataclass(slots=True)
class OpenedToken:
    """A task token a task now waits on; a store keeps it so that any process can answer it."""

    token: str
    key: Key
    state_name: str
    opened_at: float
    timeout_at: float | None
    heartbeat_seconds: float | None


@dataclass(slots=True)
class Progress:
    """The execution's summary as of a commit (DescribeExecution's fields that change)."""

    status: str
    output: str | None = None
    error: str | None = None
    cause: str | None = None
    stop_time: float | None = None
    redrive_count: int = 0
    redrive_time: float | None = None


@dataclass(slots=True)
class Commit:
    """Everything one transaction of the store writes for one execution."""

    rows: list[Row]
    progress: Progress
    opened: list[OpenedToken] = field(default_factory=list)
    closed: list[str] = field(default_factory=list)


class JournalSink(Protocol):
    """What a durable execution needs from the store that keeps its journal."""

    def commit(self, commit: Commit) -> None:
        """Append the rows and apply the changes in one transaction, durably, before returning.

        Raises ``LeaseLost`` (and writes nothing) when this process no longer holds the
        execution's lease: another process has taken it over.
        """
        ...

    def record_answer(self, token: str, answer: Input) -> None:
        """Keep an answer to a task token (SendTaskSuccess/Failure/Heartbeat) before it is applied,
        so that it survives a crash; raises ``TaskDoesNotExist`` when no task waits on the token."""
        ...

    def request_stop(self, error: str | None, cause: str | None) -> None:
        """Keep a StopExecution request until the execution applies it."""
        ...

    def pending_inputs(self) -> Sequence[Input]:
        """Answers and stop requests kept while nothing applied them (taken when a replay ends)."""
        ...

    def release(self) -> None:
        """The execution ended here (or gave up): give up its lease."""
        ...


class ExecutionAbandoned(BaseException):
    """This process must stop driving a durable execution, which stays as the store has it.

    A BaseException, like ``Cancelled``, so that no state or handler code can swallow it.
    """


class LeaseLost(ExecutionAbandoned):
    """Another process took over the execution (this one stopped renewing its lease in time)."""


class ReplayDivergence(ExecutionAbandoned):
    """Replaying an execution did not reproduce its recorded history (a non-determinism error).

    The definition, the engine or a handler's registration changed since the events were
    recorded. Nothing more is written for the execution; it stays as it was in the store.
    """
