"""Children that are one plain Lambda Task run without an execution built (``lone_task.py``); nothing
may show it.

Each machine runs twice, in-process, histories off (the only case the lone-task path takes): as it
is, and with ``LoneTaskChildren`` turned off (every child an ``ExecutionRun`` on the general path).
What the handler saw (its event and every attribute of its context, remaining time included), the
parent's outcome, every child's record (name, ARN, status, input and output texts, error, cause,
times), the Map Run's counts and the result files must be identical, byte for byte.
"""

from __future__ import annotations

import decimal
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from asl_engine import Execution, StateMachine
from asl_engine.runtime.clock import VirtualClock
from asl_engine.runtime.map_run import in_process
from asl_engine.runtime.map_run.executor import ChildReport
from asl_engine.runtime.map_run.lone_task import LoneTaskChildren
from asl_engine.runtime.map_run.records import ChildRecord
from asl_engine.services import Resources

START = datetime(2025, 1, 1, tzinfo=UTC)
LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:Work"
READER = {
    "Resource": "arn:aws:states:::s3:getObject",
    "ReaderConfig": {"InputType": "JSON"},
    "Parameters": {"Bucket": "items", "Key": "items.json"},
}
"""The items come from S3: one is over the payload quota, which the execution's input cannot be."""
WRITER = {"Resource": "arn:aws:states:::s3:putObject", "Parameters": {"Bucket": "out", "Prefix": "r"}}


def distributed(task: dict[str, Any], **fields: Any) -> dict[str, Any]:
    processor = {"StartAt": "Work", "States": {"Work": {"Type": "Task", "Resource": LAMBDA, "End": True, **task}}}
    map_state = {
        "Type": "Map",
        "ItemReader": READER,
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}, **processor},
        "End": True,
        **fields,
    }
    return {"StartAt": "M", "States": {"M": map_state}}


MACHINES = {
    "exported": distributed({}, ResultWriter=WRITER, ToleratedFailurePercentage=100),
    "exported as lines": distributed(
        {},
        ResultWriter={**WRITER, "WriterConfig": {"OutputType": "JSONL", "Transformation": "COMPACT"}},
        ToleratedFailurePercentage=100,
    ),
    "outputs": distributed({}, ToleratedFailurePercentage=100),
    "tolerance exceeded": distributed({}, ResultWriter=WRITER, MaxConcurrency=2),
    "a function version": distributed({"Resource": LAMBDA + ":$LATEST"}, ToleratedFailurePercentage=100),
    "an async handler": distributed({"Resource": LAMBDA[: -len("Work")] + "Later"}, ToleratedFailurePercentage=100),
}
LONE = set(MACHINES)
GENERAL = {
    "with a retrier": distributed(
        {"Retry": [{"ErrorEquals": ["ValueError"], "MaxAttempts": 1}]}, ToleratedFailurePercentage=100
    ),
    "with a result path": distributed({"ResultPath": "$.r"}, ToleratedFailurePercentage=100),
    "with a timeout": distributed({"TimeoutSeconds": 30}, ToleratedFailurePercentage=100),
}
"""Children the lone-task path leaves to the general one (also compared, to be sure of it)."""


def shapes(n: int, event: dict[str, Any]) -> list[Any]:
    return [
        {"n": n, "event": event},
        [n, 1.5, -0.0, None, True, "é😀", {"deep": [[{"x": n}]]}],
        "text",
        (n, "tuple"),
        {"n": n, "price": decimal.Decimal("1.25")},
        {1: "integer key", "n": n},
        {"n": n, "nan": float("nan")},
        {"n": n, "big": 10**700},
        "é" * 140_000,  # within the function's response limit, over the Task's quota
        event,
    ]


def handler(seen: list[Any]) -> Any:
    def work(event: Any, context: Any) -> Any:
        fields = {key: value for key, value in vars(context).items() if key != "_clock"}
        seen.append((json.dumps(event), fields, context.get_remaining_time_in_millis(), repr(context)))
        n = event.get("n", 0) if isinstance(event, dict) else 0
        if isinstance(event, dict):
            event["touched"] = True  # the handler's copy is its own
        if n == 3:
            raise ValueError("three is bad")
        if n == 11:
            return {"huge": "y" * 7_000_000}  # over the function's response limit
        return shapes(n, event)[n % 10]

    return work


def async_handler(seen: list[Any]) -> Any:
    work = handler(seen)

    async def later(event: Any, context: Any) -> Any:
        return work(event, context)

    return later


ITEMS: list[Any] = [{"n": n, "name": f"row {n}", "tags": ["a", n], "ratio": n / 7, "ü": "ünï"} for n in range(14)]
ITEMS += [
    {"n": 20, "pad": "p" * 20_000},  # an input too long for the quick measure: the general path
    {"n": 21, "pad": "é" * 140_000},  # an input over the quota: the task fails before the call
    "a string item",
    7,
]


def run(definition: dict[str, Any]) -> tuple[Execution, dict[str, bytes], list[Any]]:
    seen: list[Any] = []
    resources = Resources()
    resources.s3_bucket("out")
    resources.s3_bucket("items")
    resources.s3.put_object("items", "items.json", json.dumps(ITEMS).encode())
    resources.lambda_function("Work", handler(seen))
    resources.lambda_function("Later", async_handler(seen))
    machine = StateMachine.from_json(definition, name="Lone")
    execution = machine.execute({}, resources=resources, clock=VirtualClock(START), seed=11, history=False)
    s3 = resources.s3
    keys = [obj.key for obj in s3.list_objects_v2("out").objects]
    return execution, {key: s3.get_object("out", key).body for key in keys}, seen


def children(execution: Execution) -> list[Any]:
    return [
        (
            child.name,
            child.arn,
            child.status,
            child.input,
            child.output,
            child.error,
            child.cause,
            child.start_date,
            child.stop_date,
            child.history,
        )
        for child in execution.child_executions
    ]


REPORTED = (
    "index", "status", "output", "error", "cause", "start_time", "stop_time", "input_text", "output_text", "history",
    "events", "decisions", "unanswered",
)  # fmt: skip
"""What the Map Run is told of each child (``ChildReport``), but the run itself."""


def map_runs(execution: Execution) -> list[Any]:
    return [
        (view.arn, view.status, view.start_date, view.stop_date, view.total, len(view.children))
        for view in execution.map_runs
    ]


@pytest.mark.parametrize("name", sorted(MACHINES | GENERAL))
def test_lone_task_children_and_general_ones_give_the_same_run(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    machines = MACHINES | GENERAL
    taken: list[bool] = []
    for_job = LoneTaskChildren.for_job.__func__  # type: ignore[attr-defined]

    def watched(cls: type[LoneTaskChildren], job: Any, template: Any) -> LoneTaskChildren | None:
        lone = for_job(cls, job, template)
        taken.append(lone is not None)
        return lone

    reports: list[Any] = []
    of_report = ChildRecord.of_report.__func__  # type: ignore[attr-defined]

    def reported(cls: type[ChildRecord], map_run: Any, report: ChildReport, value: Any, name: str) -> ChildRecord:
        reports.append(tuple(getattr(report, field) for field in REPORTED))
        return of_report(cls, map_run, report, value, name)  # type: ignore[no-any-return]

    monkeypatch.setattr(LoneTaskChildren, "for_job", classmethod(watched))
    monkeypatch.setattr(ChildRecord, "of_report", classmethod(reported))
    lone, lone_files, lone_seen = run(machines[name])
    assert taken == [name in LONE]
    lone_reports, reports[:] = list(reports), []
    monkeypatch.setattr(LoneTaskChildren, "enabled", False)
    general, general_files, general_seen = run(machines[name])
    assert lone_reports == reports
    assert (lone.status, lone.error, lone.cause, lone.output) == (
        general.status,
        general.error,
        general.cause,
        general.output,
    )
    assert lone_seen == general_seen
    assert children(lone) == children(general)
    assert map_runs(lone) == map_runs(general)
    assert lone_files == general_files
    if name == "exported":
        statuses = [child.status for child in lone.child_executions]
        # The handler's error, a result it cannot marshal, one over its response limit, one over the
        # Task's quota, an input over the quota.
        assert statuses.count("FAILED") == 5
        assert len(lone_seen) == len(ITEMS) - 1  # every child but the one failed by its input


def counting_lone_runs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The indexes of the children the lone-task path is asked to run, from now on."""
    runs: list[int] = []
    original = LoneTaskChildren.run

    def counted(self: LoneTaskChildren, work: Any) -> Any:
        runs.append(work.index)
        return original(self, work)

    monkeypatch.setattr(LoneTaskChildren, "run", counted)
    return runs


def test_children_beside_ready_work_run_the_general_way(monkeypatch: pytest.MonkeyPatch) -> None:
    """While something else is ready, a child runs as a scheduler task, as before (never here)."""
    runs = counting_lone_runs(monkeypatch)
    monkeypatch.setattr(in_process.InProcessSession, "run_directly", False)
    execution, _, seen = run(MACHINES["outputs"])
    assert runs == []
    assert len(seen) == len(ITEMS) - 1
    assert execution.status == "SUCCEEDED"
