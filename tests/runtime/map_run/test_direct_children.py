"""Distributed Map children that never wait run without scheduler tasks; nothing may show it.

Each machine runs twice, in-process: as it is (children run directly while nothing else is ready,
handing over to a task when they suspend) and with every child on a scheduler task. Parent and
child histories, outputs, errors and result files must be identical.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

import asl_engine.machine
from asl_engine import Execution, StateMachine
from asl_engine.runtime.clock import VirtualClock
from asl_engine.runtime.map_run.in_process import InProcessSession
from asl_engine.services import Resources

START = datetime(2025, 1, 1, tzinfo=UTC)
LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:Work"


def work(event: Any, context: Any) -> Any:
    if event.get("n") == 3:
        raise ValueError("three is bad")
    return {"n": event.get("n"), "twice": 2 * event.get("n", 0)}


def distributed(processor: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {
        "Type": "Map",
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}, **processor},
        "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject", "Parameters": {"Bucket": "out", "Prefix": "r"}},
        **fields,
    }


TASK = {"StartAt": "Work", "States": {"Work": {"Type": "Task", "Resource": LAMBDA, "End": True}}}
WAITING = {
    "StartAt": "Work",
    "States": {
        "Work": {"Type": "Task", "Resource": LAMBDA, "Next": "Pause"},
        "Pause": {"Type": "Wait", "Seconds": 3, "End": True},
    },
}
RETRYING = {
    "StartAt": "Work",
    "States": {
        "Work": {
            "Type": "Task",
            "Resource": LAMBDA,
            "Retry": [{"ErrorEquals": ["ValueError"], "IntervalSeconds": 2, "MaxAttempts": 2}],
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Pause"}],
            "Next": "Pause",
        },
        "Pause": {"Type": "Wait", "Seconds": 3, "End": True},
    },
}
PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {"n.$": "$.n"}, "End": True}}}

MACHINES = {
    "lambda children": {"StartAt": "M", "States": {"M": {**distributed(TASK, ToleratedFailureCount=5), "End": True}}},
    "children that wait": {
        "StartAt": "M",
        "States": {"M": {**distributed(WAITING, MaxConcurrency=2, ToleratedFailureCount=5), "End": True}},
    },
    "children that retry": {
        "StartAt": "M",
        "States": {"M": {**distributed(RETRYING, MaxConcurrency=3), "End": True}},
    },
    "tolerance exceeded": {"StartAt": "M", "States": {"M": {**distributed(TASK, MaxConcurrency=2), "End": True}}},
    "beside a branch": {
        "StartAt": "Both",
        "States": {
            "Both": {
                "Type": "Parallel",
                "End": True,
                "Branches": [
                    {"StartAt": "M", "States": {"M": {**distributed(PASS), "End": True}}},
                    {
                        "StartAt": "W",
                        "States": {
                            "W": {"Type": "Wait", "Seconds": 1, "Next": "T"},
                            "T": TASK["States"]["Work"] | {"End": True},
                        },
                    },
                ],
            }
        },
    },
}


def run(
    definition: dict[str, Any],
    items: list[Any],
    handler: Any = work,
    name: str = "Direct",
    seed: int = 3,
    own_clock: bool = False,
) -> tuple[Execution, dict[str, bytes]]:
    """Run ``definition`` with ``handler`` as the Lambda function ``Work``: the execution, and the
    bucket ``out``'s objects (the result files) by key. ``own_clock``: the execution makes its own
    clock (at ``START``), and runs alone on it (``StateMachine.execute`` without ``clock=``)."""
    resources = Resources()
    resources.s3_bucket("out")
    resources.lambda_function("Work", handler)
    machine = StateMachine.from_json(definition, name=name)
    if own_clock:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(asl_engine.machine, "VirtualClock", lambda: VirtualClock(START))
            execution = machine.execute(items, resources=resources, seed=seed)
    else:
        execution = machine.execute(items, resources=resources, clock=VirtualClock(START), seed=seed)
    s3 = resources.s3
    keys = [obj.key for obj in s3.list_objects_v2("out").objects]
    return execution, {key: s3.get_object("out", key).body for key in keys}


@pytest.mark.parametrize("own_clock", [False, True], ids=["caller's clock", "own clock"])
@pytest.mark.parametrize("name", sorted(MACHINES))
def test_children_run_directly_or_as_tasks_give_the_same_run(
    name: str, own_clock: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With its own clock the parent runs alone (``drive_alone``): a direct child's retries and waits
    are jumps of the clock (``run_child_directly``); on a caller's clock they hand over to tasks."""
    items = [{"n": n} for n in range(8)]
    direct, direct_files = run(MACHINES[name], items, own_clock=own_clock)
    monkeypatch.setattr(InProcessSession, "run_directly", False)
    monkeypatch.setattr(StateMachine, "runs_directly", False)
    tasks, task_files = run(MACHINES[name], items, own_clock=own_clock)
    assert (direct.status, direct.error, direct.cause) == (tasks.status, tasks.error, tasks.cause)
    assert direct.history == tasks.history
    assert direct_files == task_files
    assert [child.history for child in direct.child_executions] == [child.history for child in tasks.child_executions]
    assert [child.status for child in direct.child_executions] == [child.status for child in tasks.child_executions]
    if name == "tolerance exceeded":
        assert direct.error == "States.ExceedToleratedFailureThreshold"
        manifest = json.loads(next(body for key, body in direct_files.items() if key.endswith("manifest.json")))
        assert manifest["ResultFiles"]["PENDING"]  # the unstarted items are listed
