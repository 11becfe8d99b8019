"""The result of an execution, as users and tests look at it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any

from asl_engine.runtime.history import HistoryEvent

if TYPE_CHECKING:
    from collections.abc import Iterator

    from asl_engine.runtime.compiler import CompiledMachine
    from asl_engine.runtime.decisions import Decision
    from asl_engine.runtime.handlers import UnansweredTask
    from asl_engine.runtime.map_run.records import ChildRecord
    from asl_engine.runtime.run import ExecutionRun
    from asl_engine.runtime.starter import StartableMachine


@dataclass(frozen=True, slots=True)
class MapRunView:
    """A Distributed Map's run, as DescribeMapRun shows it: its settings, its times, its child executions."""

    arn: str
    execution_arn: str
    """The execution whose Map state started it."""
    state_machine_arn: str
    """The ARN its child executions name as their state machine (``<machine>/<Map label or name>``)."""
    status: str
    start_date: datetime
    stop_date: datetime | None
    max_concurrency: int
    tolerated_failure_count: int | None
    tolerated_failure_percentage: float | None
    children: tuple[Execution, ...]
    total: int | None
    """Child executions the run starts, once every item is read (None before)."""


class Execution:
    """A finished (or, through a handle, running) execution.

    ``status`` is one of SUCCEEDED, FAILED, TIMED_OUT, ABORTED (RUNNING while in progress);
    ``output`` is the output JSON value on success, else None; ``error``/``cause`` are exactly what
    AWS would report on failure; ``history`` is the list of events in GetExecutionHistory's shape.
    """

    def __init__(self, run: ExecutionRun | ChildRecord) -> None:
        self._run = run

    def __repr__(self) -> str:
        if self.status == "SUCCEEDED":
            return f"<Execution {self.name} SUCCEEDED>"
        return f"<Execution {self.name} {self.status} error={self.error!r}>"

    @property
    def name(self) -> str:
        return self._run.identity.execution_name

    @property
    def arn(self) -> str:
        return self._run.identity.execution_arn

    @property
    def state_machine_arn(self) -> str:
        return self._run.identity.state_machine_arn

    @property
    def input(self) -> Any:
        return self._run.input

    @property
    def status(self) -> str:
        return self._run.status

    @property
    def output(self) -> Any:
        return self._run.output

    @property
    def error(self) -> str | None:
        return self._run.error

    @property
    def cause(self) -> str | None:
        return self._run.cause

    @property
    def succeeded(self) -> bool:
        return self.status == "SUCCEEDED"

    @property
    def start_date(self) -> datetime:
        return datetime.fromtimestamp(self._run.start_time, UTC)

    @property
    def stop_date(self) -> datetime | None:
        stop = self._run.stop_time
        return None if stop is None else datetime.fromtimestamp(stop, UTC)

    @property
    def machine(self) -> StartableMachine | None:
        """The ``StateMachine`` this execution ran (a Distributed Map child: its parent's); None for an
        execution not started through one."""
        return self._run.state_machine

    @property
    def compiled(self) -> CompiledMachine:
        """The compiled definition it runs (a Distributed Map child: its parent's, whose processor it runs)."""
        return self._run.machine

    @property
    def decisions(self) -> list[Decision]:
        """What the engine chose where the history does not say: Choice rules, retriers, catchers."""
        return list(self._run.decisions)

    @property
    def child_executions(self) -> list[Execution]:
        """Executions this one started: Distributed Map children and ``states:startExecution`` runs."""
        children = [Execution(child) for map_run in self._run.map_runs for child in map_run.children]
        children.extend(Execution(nested) for nested in self._run.nested_runs)
        return children

    @property
    def unanswered_tasks(self) -> list[UnansweredTask]:
        """The Task states nobody could answer, in order: no mock or handler at all, or an integration
        that did not find what the task names (a Lambda function, a queue, an activity). Each has
        ``state_name``, ``resource`` and ``missing`` (what was not found and how it is defined), the data
        ``advice`` and ``asl run`` write their advice from."""
        return list(self._run.unanswered)

    @property
    def advice(self) -> str | None:
        """How to answer ``unanswered_tasks`` from Python (``mocks=``, ``resources=``); None when there are none."""
        tasks = self.unanswered_tasks
        if not tasks:
            return None
        return "\n".join(python_advice(task) for task in tasks)

    @property
    def map_runs(self) -> list[MapRunView]:
        """The Distributed Map runs this execution started, oldest first."""
        views = []
        for run in getattr(self._run, "map_runs", ()):
            identity = run.parent.identity
            views.append(
                MapRunView(
                    run.arn,
                    identity.execution_arn,
                    f"{identity.state_machine_arn}/{run.node.label or run.node.name}",
                    run.status,
                    datetime.fromtimestamp(run.started_at, UTC),
                    None if run.stopped_at is None else datetime.fromtimestamp(run.stopped_at, UTC),
                    run.max_concurrency,
                    run.tolerated_count,
                    run.tolerated_percentage,
                    tuple(Execution(child) for child in run.children),
                    run.total,
                )
            )
        return views

    @property
    def events(self) -> list[HistoryEvent]:
        """The recorded events as engine objects (cheap; values not serialized)."""
        return self._run.history.events

    def events_after(self, count: int) -> list[HistoryEvent]:
        """The events recorded after the first ``count``: a reader following a running execution
        takes only what is new."""
        return self._run.history.events_after(count)

    def iter_events(self) -> Iterator[HistoryEvent]:
        """The recorded events one at a time, each made as it is taken: a long history (a Map over
        100,000 items records 400,000 events) read without holding all of them as objects at once."""
        return iter(self._run.history)

    @cached_property
    def history(self) -> list[dict[str, Any]]:
        """GetExecutionHistory's events: payloads as JSON text, exactly as AWS returns them."""
        return [event.to_dict() for event in self._run.history.events]

    @property
    def states_entered(self) -> list[str]:
        """Names of the states entered, in history order (branches and iterations included)."""
        return [e.details["name"] for e in self.events if e.type.endswith("StateEntered") and e.details]

    @property
    def states_exited(self) -> list[str]:
        return [e.details["name"] for e in self.events if e.type.endswith("StateExited") and e.details]

    def describe(self) -> dict[str, Any]:
        """DescribeExecution's shape (input/output as JSON text)."""
        from asl_engine.runtime.json_text import to_json_text

        described: dict[str, Any] = {
            "executionArn": self.arn,
            "stateMachineArn": self.state_machine_arn,
            "name": self.name,
            "status": self.status,
            "startDate": self.start_date,
            "input": to_json_text(self.input),
            "inputDetails": {"included": True},
        }
        if self.stop_date is not None:
            described["stopDate"] = self.stop_date
        if self.status == "SUCCEEDED":
            described["output"] = to_json_text(self.output)
            described["outputDetails"] = {"included": True}
        if self.error is not None:
            described["error"] = self.error
        if self.cause is not None:
            described["cause"] = self.cause
        return described


def python_advice(task: UnansweredTask) -> str:
    """How a Python caller answers a task nobody answered: register what is missing, or mock the state."""
    mock = f"mocks={{'{task.state_name}': [{{'Return': ...}}]}}"
    missing = task.missing
    if missing is not None:
        register = f" register it ({missing.python}) in the resources you pass, or" if missing.python else ""
        return (
            f"State '{task.state_name}' calls the {missing.kind} '{missing.name}', which does not exist here:"
            f"{register} mock the state ({mock})."
        )
    return (
        f"Nothing answers the Task state '{task.state_name}' ({task.resource.arn}): pass {mock} to execute(), or "
        f"resources= with a handler for it (resources.handler('{task.resource.arn}', fn))."
    )
