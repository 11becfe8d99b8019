"""History snapshots: stable across runs, clocks and seeds; sensitive to behaviour."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from asl_engine import StateMachine, VirtualClock
from asl_engine.testing import normalised_history
from asl_engine.testing.snapshots import Snapshot, SnapshotSession

STAMPED: dict[str, Any] = {
    "StartAt": "Wait",
    "States": {
        "Wait": {"Type": "Wait", "Seconds": 90, "Next": "Stamp"},
        "Stamp": {
            "Type": "Pass",
            "Parameters": {
                "execution.$": "$$.Execution.Id",
                "entered.$": "$$.State.EnteredTime",
                "started.$": "$$.Execution.StartTime",
                "birthday": "1990-05-01T00:00:00Z",
            },
            "End": True,
        },
    },
}


def run(clock_start: float, seed: int | None) -> dict[str, Any]:
    machine = StateMachine.from_json(STAMPED, name="stamped")
    return normalised_history(machine.execute({"n": 1}, clock=VirtualClock(clock_start), seed=seed))


def test_times_and_generated_ids_are_normalised() -> None:
    document = run(1_700_000_000.25, seed=None)
    assert document["execution"]["output"] == {
        "execution": "arn:aws:states:us-east-1:123456789012:execution:stamped:<uuid:1>",
        "entered": "<time +90s>",
        "started": "<time +0s>",
        "birthday": "1990-05-01T00:00:00Z",  # data, outside the execution's time: kept
    }
    assert [event["timestamp"] for event in document["events"]] == ["+0s", "+0s", "+90s", "+90s", "+90s", "+90s"]
    assert document["events"][0] == {
        "id": 1,
        "previousEventId": 0,
        "timestamp": "+0s",
        "type": "ExecutionStarted",
        "executionStartedEventDetails": {
            "input": {"n": 1},
            "roleArn": "arn:aws:iam::123456789012:role/StepFunctions-stamped-role",
        },
    }


def test_snapshots_do_not_depend_on_the_clock_start_or_the_seed() -> None:
    assert run(1_700_000_000.0, seed=1) == run(1_800_000_123.5, seed=2) == run(1_600_000_000.0, seed=None)


def test_task_tokens_are_numbered() -> None:
    machine = StateMachine.from_json(
        {
            "StartAt": "Ask",
            "States": {
                "Ask": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                    "Parameters": {"QueueUrl": "q", "MessageBody": {"a.$": "$$.Task.Token", "b.$": "$$.Task.Token"}},
                    "End": True,
                }
            },
        }
    )
    document = normalised_history(machine.execute(mocks={"Ask": [{"Return": {"ok": 1}}]}))
    scheduled = next(e for e in document["events"] if e["type"] == "TaskScheduled")
    assert scheduled["taskScheduledEventDetails"]["parameters"]["MessageBody"] == {
        "a": "<task-token:1>",
        "b": "<task-token:1>",
    }


def test_a_snapshot_is_written_once_then_compared(tmp_path: Path) -> None:
    session = SnapshotSession()
    snapshot = Snapshot(tmp_path / "test_flow.py", "test_it[case-1]", session)
    machine = StateMachine.from_json(STAMPED)
    snapshot.assert_match(machine.execute({"n": 1}))
    written = tmp_path / "__asl_snapshots__" / "test_flow" / "test_it_case-1.json"
    assert session.written == [written] and written.exists()
    again = Snapshot(tmp_path / "test_flow.py", "test_it[case-1]", session)
    again.assert_match(machine.execute({"n": 1}))
    with pytest.raises(AssertionError, match=r'(?s)-\s+"n": 1\n.*\+\s+"n": 2'):
        Snapshot(tmp_path / "test_flow.py", "test_it[case-1]", session).assert_match(machine.execute({"n": 2}))
    second = snapshot.path_for()
    assert second.name == "test_it_case-1-2.json"
    assert snapshot.path_for("after retry").name == "test_it_case-1-after_retry.json"
    updating = SnapshotSession(update=True)
    Snapshot(tmp_path / "test_flow.py", "test_it[case-1]", updating).assert_match(machine.execute({"n": 2}))
    assert updating.updated == [written] and '"n": 2' in written.read_text()
