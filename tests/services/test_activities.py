"""Activities: Task states answered by workers that poll for them, with AWS's history events and the
task's timeouts under both clocks."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from asl_engine import RealClock, StateMachine, VirtualClock
from asl_engine.errors import ConfigurationError, StatesError
from asl_engine.services import Resources, load_resources
from asl_engine.services.activities import ActivityDoesNotExist
from tests.services.support import events

START = datetime(2024, 1, 1, tzinfo=UTC)
ARN = "arn:aws:states:us-east-1:123456789012:activity:approve"


def activity_machine(**task: Any) -> StateMachine:
    return StateMachine.from_json(
        {"StartAt": "Approve", "States": {"Approve": {"Type": "Task", "Resource": ARN, "End": True, **task}}}
    )


def types(execution: Any) -> list[str]:
    return [event["type"] for event in execution.history]


def test_a_worker_polls_takes_the_task_and_answers() -> None:
    resources = Resources()
    activity = resources.activity("approve")
    handle = activity_machine(Parameters={"order.$": "$.order"}).start(
        {"order": 7}, resources=resources, clock=VirtualClock(START)
    )
    taken: list[Any] = []
    for task in activity.poll(timeout=5, worker_name="reviewer-1"):
        taken.append(task.input)
        task.send_heartbeat()
        task.send_success({"approved": task.input["order"] < 10})
        break
    execution = handle.wait(5)
    assert execution.output == {"approved": True} and taken == [{"order": 7}]
    assert types(execution) == [
        "ExecutionStarted", "TaskStateEntered", "ActivityScheduled", "ActivityStarted", "ActivitySucceeded",
        "TaskStateExited", "ExecutionSucceeded",
    ]  # fmt: skip
    (scheduled,) = events(execution, "ActivityScheduled")
    assert scheduled["resource"] == ARN and scheduled["input"] == '{"order":7}'
    assert events(execution, "ActivityStarted") == [{"workerName": "reviewer-1"}]


def test_a_failure_is_caught_like_any_task_error() -> None:
    resources = Resources()
    activity = resources.activity("approve")
    machine = StateMachine.from_json(
        {
            "StartAt": "Approve",
            "States": {
                "Approve": {
                    "Type": "Task", "Resource": ARN, "Next": "Done",
                    "Catch": [{"ErrorEquals": ["Review.Rejected"], "Next": "Rejected"}],
                },
                "Done": {"Type": "Succeed"},
                "Rejected": {"Type": "Pass", "End": True},
            },
        }
    )  # fmt: skip
    handle = machine.start({}, resources=resources, clock=VirtualClock(START))
    task = activity.get_task(timeout=5)
    assert task is not None
    task.send_failure("Review.Rejected", "too expensive")
    execution = handle.wait(5)
    assert execution.output == {"Error": "Review.Rejected", "Cause": "too expensive"}
    assert events(execution, "ActivityFailed") == [{"error": "Review.Rejected", "cause": "too expensive"}]


def test_timeout_while_no_worker_takes_it_under_a_virtual_clock() -> None:
    clock = VirtualClock(START)
    resources = Resources()
    activity = resources.activity("approve")
    handle = activity_machine(TimeoutSeconds=30).start({}, resources=resources, clock=clock)
    while activity.pending() == 0:
        threading.Event().wait(0.001)
    clock.advance(30)
    execution = handle.wait(5)
    assert (execution.status, execution.error) == ("FAILED", "States.Timeout")
    assert types(execution)[2:4] == ["ActivityScheduled", "ActivityTimedOut"]  # never started
    assert activity.pending() == 0 and activity.get_task(timeout=0) is None


def test_heartbeats_count_from_when_a_worker_took_the_task() -> None:
    clock = VirtualClock(START)
    resources = Resources()
    activity = resources.activity("approve")
    machine = StateMachine.from_json(
        {
            "StartAt": "Approve",
            "States": {
                "Approve": {
                    "Type": "Task", "Resource": ARN, "HeartbeatSeconds": 10, "End": True,
                    "Catch": [{"ErrorEquals": ["States.HeartbeatTimeout"], "Next": "Late"}],
                },
                "Late": {"Type": "Pass", "End": True},
            },
        }
    )  # fmt: skip
    handle = machine.start({}, resources=resources, clock=clock)
    while activity.pending() == 0:
        threading.Event().wait(0.001)
    clock.advance(100)  # in the queue: no heartbeat is due yet
    task = activity.get_task(timeout=5)
    assert task is not None
    assert resources.task_tokens.wait_until_waiting(task.token, timeout=5)
    clock.advance(6)
    task.send_heartbeat()
    clock.advance(8)
    assert not handle.done()
    clock.advance(5)
    execution = handle.wait(5)
    assert execution.output == {"Error": "States.Timeout", "Cause": ""}
    (timed_out,) = events(execution, "ActivityTimedOut")
    assert timed_out == {"error": "States.Timeout"}
    assert (execution.history[-1]["timestamp"] - START).total_seconds() == 116  # the heartbeat at 106, +10


def test_timeout_under_a_real_clock() -> None:
    resources = Resources()
    activity = resources.activity("approve")
    execution = activity_machine(TimeoutSeconds=1).execute({}, resources=resources, clock=RealClock())
    assert execution.error == "States.Timeout"
    assert activity.pending() == 0


def test_an_in_process_worker_from_asl_toml(tmp_path: Path) -> None:
    (tmp_path / "workers.py").write_text(
        "def approve(task):\n"
        "    if task['total'] > 100:\n"
        "        raise ValueError('too much')\n"
        "    return {'ok': True}\n"
    )
    file = tmp_path / "asl.toml"
    file.write_text('[activities.approve]\nworker = "workers:approve"\nworker_name = "in-process"\n')
    resources = load_resources(file)
    ok = activity_machine().execute({"total": 5}, resources=resources, clock=VirtualClock(START))
    assert ok.output == {"ok": True}
    assert events(ok, "ActivityStarted") == [{"workerName": "in-process"}]
    refused = activity_machine().execute({"total": 500}, resources=resources, clock=VirtualClock(START))
    assert (refused.error, refused.cause) == ("ValueError", "too much")


def test_an_activity_that_does_not_exist_fails_before_scheduling() -> None:
    execution = activity_machine().execute({}, resources=Resources())
    assert execution.error == "States.Runtime"
    assert execution.cause == (
        f"An error occurred while executing the state 'Approve' (entered at the event id #2). The activity {ARN} "
        "does not exist."
    )
    assert types(execution) == ["ExecutionStarted", "TaskStateEntered", "ExecutionFailed"]
    assert execution.advice is not None and 'resources.activity("approve")' in execution.advice


def test_the_registry_for_the_api() -> None:
    resources = Resources()
    activity = resources.activities.create("approve", region="eu-west-1", account="111111111111")
    assert resources.activities.create("approve") is activity  # CreateActivity is idempotent
    info = resources.activities.describe(activity.arn)
    assert (info.arn, info.name) == ("arn:aws:states:eu-west-1:111111111111:activity:approve", "approve")
    assert [listed.name for listed in resources.activities.list()] == ["approve"]
    resources.activities.delete(activity.arn)
    with pytest.raises(ActivityDoesNotExist):
        resources.activities.describe(activity.arn)
    with pytest.raises(ConfigurationError, match="invalid activity name"):
        resources.activity("no spaces")


def test_mocks_still_answer_activity_states() -> None:
    execution = activity_machine().execute({}, mocks={"Approve": [{"Return": {"mocked": True}}]})
    assert execution.output == {"mocked": True}
    assert events(execution, "ActivityStarted") == [{"workerName": "asl-engine"}]


def test_a_worker_raising_states_error_names_the_failure() -> None:
    resources = Resources()

    def worker(task_input: Any) -> Any:
        raise StatesError("Custom.Error", "custom cause")

    resources.activity("approve", worker)
    execution = activity_machine().execute({}, resources=resources, clock=VirtualClock(START))
    assert (execution.error, execution.cause) == ("Custom.Error", "custom cause")
