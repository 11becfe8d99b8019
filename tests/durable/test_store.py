"""The SQLite store: its format and errors, AWS's API rules, tokens and stops across store objects."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from asl_engine import ConfigurationError, RealClock, SafetyLimits, StateMachine, VirtualClock, open_store
from asl_engine.services import Resources
from asl_engine.store import (
    SCHEMA_VERSION,
    AttachedExecution,
    ExecutionAlreadyExists,
    ExecutionDoesNotExist,
    ExecutionNotRedrivable,
    InvalidOutput,
    SqliteStore,
    StateMachineDoesNotExist,
    StoreLocked,
    StoreNotFound,
    StoreUnreadable,
    StoreVersionError,
    TaskDoesNotExist,
    TaskTimedOut,
)

CALLBACK = "arn:aws:states:::sqs:sendMessage.waitForTaskToken"
SEND = "arn:aws:states:::sqs:sendMessage"


def waiting_machine(**task: Any) -> StateMachine:
    return StateMachine.from_json(
        {
            "StartAt": "Ask",
            "States": {
                "Ask": {
                    "Type": "Task",
                    "Resource": CALLBACK,
                    "Parameters": {"T.$": "$$.Task.Token"},
                    **task,
                    "Next": "Done",
                },
                "Done": {"Type": "Pass", "End": True},
            },
        },
        name="asker",
    )


def sender() -> Resources:
    resources = Resources()
    resources.handler(SEND, lambda request: {"MessageId": "m-1"})
    return resources


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    with open_store(tmp_path / "runs.db", lease_seconds=0.3, poll_interval=0.02) as opened:
        yield opened


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- the file -----------------------------------------------------------------------------------------


def test_a_new_store_records_its_format_and_a_newer_format_is_refused_without_a_change(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    open_store(path).close()
    with sqlite3.connect(path) as db:
        assert dict(db.execute("SELECT key, value FROM store_info"))["schema_version"] == str(SCHEMA_VERSION)
        db.execute("UPDATE store_info SET value = '99' WHERE key = 'schema_version'")
        db.execute("UPDATE store_info SET value = 'asl-engine 9.0' WHERE key = 'written_by'")
    before = digest(path)
    with pytest.raises(StoreVersionError, match=r"written by asl-engine 9\.0 \(store format 99\).*upgrade asl-engine"):
        open_store(path)
    assert digest(path) == before


def test_files_that_are_not_stores_are_refused_untouched(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not a database at all" * 100)
    before = digest(garbage)
    with pytest.raises(StoreUnreadable, match=r"garbage\.db"):
        open_store(garbage)
    assert digest(garbage) == before

    other = tmp_path / "other.db"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE things (x)")
    before = digest(other)
    with pytest.raises(StoreUnreadable, match="not an asl-engine store"):
        open_store(other)
    assert digest(other) == before

    with pytest.raises(StoreNotFound, match="no store at"):
        open_store(tmp_path / "missing.db", create=False)
    assert not (tmp_path / "missing.db").exists()


def test_a_store_locked_by_another_process_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    store = open_store(path, busy_timeout=0.1)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StoreLocked, match="locked by another process"):
            store.execute(StateMachine.from_json({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        store.close()


# -- executions ----------------------------------------------------------------------------------------


def test_a_durable_execution_is_described_listed_and_its_history_kept(store: SqliteStore) -> None:
    machine = StateMachine.from_json(
        {
            "StartAt": "P",
            "States": {
                "P": {"Type": "Pass", "Result": {"ok": 1}, "Next": "W"},
                "W": {"Type": "Wait", "Seconds": 5, "End": True},
            },
        },
        name="small",
    )
    execution = machine.execute({"x": 1}, store=store, name="one")
    assert execution.output == {"ok": 1}
    described = store.describe("one")
    assert described["status"] == "SUCCEEDED"
    assert described["input"] == '{"x":1}'
    assert json.loads(described["output"]) == {"ok": 1}
    assert (described["redriveCount"], described["redriveStatus"]) == (0, "NOT_REDRIVABLE")
    assert store.history(execution.arn) == execution.history
    assert [summary["name"] for summary in store.list_executions(status="SUCCEEDED", machine="small")] == ["one"]
    assert store.list_executions(status="FAILED") == []
    page, token = store.history_page("one", max_results=3)
    rest, end = store.history_page("one", max_results=100, next_token=token)
    assert [e["id"] for e in page + rest] == [e["id"] for e in execution.history] and end is None
    newest, _ = store.history_page("one", max_results=2, reverse=True)
    assert [e["type"] for e in newest] == ["ExecutionSucceeded", "WaitStateExited"]
    with pytest.raises(ExecutionDoesNotExist, match="Execution Does Not Exist: 'nope'"):
        store.describe("nope")


def test_execution_names_follow_aws_rules(store: SqliteStore) -> None:
    machine = waiting_machine()
    first = machine.start({"a": 1}, store=store, name="named", resources=sender())
    first.wait_for_task_token()
    again = machine.start({"a": 1}, store=store, name="named", resources=sender())
    assert isinstance(again, AttachedExecution)
    assert again.execution.arn == first.execution.arn
    with pytest.raises(ExecutionAlreadyExists, match=r"Execution Already Exists: 'arn:aws:states:.*:named'"):
        machine.start({"a": 2}, store=store, name="named", resources=sender())
    token = again.wait_for_task_token()
    again.send_task_success(token, {"done": True})
    assert first.wait(5).status == "SUCCEEDED"
    assert again.wait(5).status == "SUCCEEDED"
    with pytest.raises(ExecutionAlreadyExists):
        machine.start({"a": 1}, store=store, name="named", resources=sender())
    with sqlite3.connect(store.path) as db:  # 91 days later, the name is free again
        db.execute("UPDATE executions SET stop_time = stop_time - 91 * 86400 WHERE name = 'named'")
    reused = machine.start({"a": 3}, store=store, name="named", resources=sender())
    assert reused.execution.input == {"a": 3}
    reused.stop()
    assert reused.wait(5).status == "ABORTED"


def test_state_machines_kept_in_the_store(store: SqliteStore) -> None:
    definition = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": 7, "End": True}}}
    record = store.create_state_machine("kept", definition)
    assert record.arn == "arn:aws:states:us-east-1:123456789012:stateMachine:kept"
    assert store.describe_state_machine(record.arn)["type"] == "STANDARD"
    assert [machine.name for machine in store.list_state_machines()] == ["kept"]
    assert store.start(record.arn, {}, name="from-arn").wait(5).output == 7
    store.delete_state_machine(record.arn)
    with pytest.raises(StateMachineDoesNotExist, match="State Machine Does Not Exist"):
        store.describe_state_machine(record.arn)


def test_list_executions_pages(store: SqliteStore) -> None:
    machine = StateMachine.from_json({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}, name="many")
    for number in range(5):
        machine.execute({}, store=store, name=f"e{number}", clock=VirtualClock(1_700_000_000 + number))
    first, token = store.list_executions_page(max_results=2)
    second, token2 = store.list_executions_page(max_results=2, next_token=token)
    last, end = store.list_executions_page(max_results=2, next_token=token2)
    assert [item["name"] for item in first + second + last] == ["e4", "e3", "e2", "e1", "e0"]
    assert end is None


def test_a_wait_whose_time_passed_while_nothing_ran_fires_on_resume(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    machine = StateMachine.from_json(
        {"StartAt": "Nap", "States": {"Nap": {"Type": "Wait", "Seconds": 1, "End": True}}}, name="napper"
    )
    first = open_store(path, lease_seconds=0.05)
    machine.start({}, store=first, clock=RealClock(), name="nap")
    while not any(event["type"] == "WaitStateEntered" for event in first.history("nap")):
        time.sleep(0.01)  # committed before the scheduler waits
    first.close()  # the process dies during the Wait
    time.sleep(1.2)
    with open_store(path) as other:
        [resumed] = other.resume()
        execution = resumed.wait(5)
        entered, exited = (e for e in execution.history if e["type"].startswith("WaitState"))
        assert (exited["timestamp"] - entered["timestamp"]).total_seconds() >= 1  # downtime counted
        assert execution.status == "SUCCEEDED"


ENDLESS = {
    "StartAt": "Again",
    "States": {
        "Again": {"Type": "Pass", "Next": "Back"},
        "Back": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.stop", "IsPresent": True, "Next": "Out"}],
            "Default": "Again",
        },
        "Out": {"Type": "Succeed"},
    },
}


def test_safety_limits_are_kept_with_the_execution_and_a_stop_lands_in_a_loop_that_never_waits(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    machine = StateMachine.from_json(ENDLESS, name="endless")
    with open_store(path) as store:
        execution = machine.execute({}, store=store, name="capped", limits=SafetyLimits(max_transitions=3000))
        assert (execution.status, execution.error) == ("FAILED", "States.Runtime")
        assert "3,000 states" in (execution.cause or "")
        assert store.record("capped").options["limits"]["max_transitions"] == 3000
        handle = machine.start({}, store=store, name="spinning", clock=RealClock())
        time.sleep(0.05)
        handle.stop("Enough", "a loop of Pass states")
        stopped = handle.wait(10)
        assert (stopped.status, stopped.error) == ("ABORTED", "Enough")
        assert store.describe("spinning")["status"] == "ABORTED"


def test_history_off_and_distributed_maps_are_refused_with_a_store(store: SqliteStore) -> None:
    passing = StateMachine.from_json({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    with pytest.raises(ConfigurationError, match="history=False"):
        passing.execute({}, store=store, history=False)
    distributed = StateMachine.from_json(
        {
            "StartAt": "M",
            "States": {
                "M": {
                    "Type": "Map",
                    "ItemProcessor": {
                        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                        "StartAt": "P",
                        "States": {"P": {"Type": "Pass", "End": True}},
                    },
                    "End": True,
                }
            },
        }
    )
    with pytest.raises(ConfigurationError, match="Distributed Map"):
        distributed.execute([1], store=store)


# -- task tokens, stops and resumes across store objects (as across processes) ----------------------------


def test_a_token_answered_through_another_store_object_reaches_the_running_execution(store: SqliteStore) -> None:
    handle = waiting_machine().start({}, store=store, resources=sender())
    token = handle.wait_for_task_token()
    with open_store(store.path) as other:
        assert other.waiting_tokens(handle.execution.arn) == {token: "Ask"}
        other.send_task_heartbeat(token)
        other.send_task_success(token, '{"answer": 42}')
        with pytest.raises(TaskDoesNotExist):
            other.send_task_success(token, {"again": True})
        with pytest.raises(TaskDoesNotExist):
            other.send_task_failure("not-a-token", "E", "C")
        with pytest.raises(InvalidOutput):
            other.send_task_success(token, "{not json")
    assert handle.wait(5).output == {"answer": 42}


def test_an_execution_whose_process_died_resumes_elsewhere_and_takes_in_answers_sent_meanwhile(
    tmp_path: Path,
) -> None:
    path = tmp_path / "runs.db"
    machine = waiting_machine()
    first = open_store(path, lease_seconds=0.2, poll_interval=0.02)
    handle = machine.start({"n": 1}, store=first, resources=sender(), name="orphan")
    token = handle.wait_for_task_token()
    first.close()  # the process is gone: its lease is renewed no more
    with open_store(path) as answering:
        answering.send_task_success(token, {"late": True})  # kept in the store; nobody runs the execution
        assert answering.describe("orphan")["status"] == "RUNNING"
    time.sleep(0.3)
    with open_store(path, poll_interval=0.02) as second:
        resumed = second.resume(resources=sender())
        assert [h.execution.name for h in resumed] == ["orphan"]
        execution = resumed[0].wait(5)
        assert execution.output == {"late": True}
        assert [e["type"] for e in execution.history].count("TaskSubmitted") == 1  # the send was not made twice
        assert second.resume(resources=sender()) == []


def test_an_activity_task_a_worker_took_before_the_process_died_is_answered_by_its_token(tmp_path: Path) -> None:
    """The worker holds the task's token: its answer, sent through the store while nothing runs the
    execution, ends the task on resume; the task is not offered to a worker again."""
    path = tmp_path / "runs.db"
    machine = StateMachine.from_json(
        {
            "StartAt": "Approve",
            "States": {
                "Approve": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:us-east-1:123456789012:activity:approve",
                    "End": True,
                }
            },
        },
        name="approvals",
    )
    resources = Resources()
    activity = resources.activity("approve")
    first = open_store(path, lease_seconds=0.2, poll_interval=0.02)
    machine.start({"order": 7}, store=first, resources=resources, name="approval")
    task = activity.get_task(5, "reviewer-1")
    assert task is not None and task.input == {"order": 7}
    deadline = time.monotonic() + 5
    while "ActivityStarted" not in [e["type"] for e in first.history("approval")]:
        assert time.monotonic() < deadline, "ActivityStarted was not recorded"
        time.sleep(0.01)
    first.close()
    with open_store(path) as answering:
        answering.send_task_success(task.token, {"approved": True})
    time.sleep(0.3)
    again = Resources()
    offered = again.activity("approve")
    with open_store(path, poll_interval=0.02) as second:
        (resumed,) = second.resume(resources=again)
        execution = resumed.wait(5)
    assert execution.output == {"approved": True}
    assert [e["type"] for e in execution.history] == [
        "ExecutionStarted", "TaskStateEntered", "ActivityScheduled", "ActivityStarted", "ActivitySucceeded",
        "TaskStateExited", "ExecutionSucceeded",
    ]  # fmt: skip
    assert offered.get_task(0.05) is None


def test_a_live_lease_is_not_taken_over(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    with open_store(path, lease_seconds=30, poll_interval=0.02) as owner, open_store(path) as other:
        handle = waiting_machine().start({}, store=owner, resources=sender())
        token = handle.wait_for_task_token()
        assert other.resume(resources=sender()) == []  # the owner renews its lease: nothing to resume
        other.stop(handle.execution.arn, "Stopped", "from the other store")  # the owner applies it
        assert handle.wait(5).status == "ABORTED"
        assert handle.execution.error == "Stopped"
        with pytest.raises(TaskDoesNotExist):
            other.send_task_success(token, {})


def test_an_execution_nobody_runs_is_stopped_at_once(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    first = open_store(path, lease_seconds=0.1)
    handle = waiting_machine().start({}, store=first, resources=sender(), name="stuck")
    handle.wait_for_task_token()
    first.close()
    time.sleep(0.2)
    with open_store(path) as other:
        other.stop("stuck", "Operator", "no one runs it")
        described = other.describe("stuck")
        assert (described["status"], described["error"], described["cause"]) == (
            "ABORTED",
            "Operator",
            "no one runs it",
        )
        assert described["redriveStatus"] == "REDRIVABLE"
        assert other.history("stuck")[-1]["type"] == "ExecutionAborted"
        assert other.resume(resources=sender()) == []


def test_a_late_answer_to_a_task_whose_timeout_passed_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    first = open_store(path, lease_seconds=0.1)
    handle = waiting_machine(TimeoutSeconds=1).start({}, store=first, resources=sender(), clock=RealClock())
    token = handle.wait_for_task_token()
    first.close()
    time.sleep(1.1)
    with open_store(path) as other:
        with pytest.raises(TaskTimedOut):
            other.send_task_success(token, {})
        resumed = other.resume(resources=sender())
        execution = resumed[0].wait(5)
        assert (execution.status, execution.error) == ("FAILED", "States.Timeout")  # downtime counted


# -- resources remembered ----------------------------------------------------------------------------


def test_resume_loads_the_resources_file_the_execution_was_started_with(tmp_path: Path) -> None:
    (tmp_path / "handlers.py").write_text("def send(request):\n    return {'MessageId': 'from-file'}\n")
    (tmp_path / "asl.toml").write_text('[handlers]\n"arn:aws:states:::sqs:sendMessage" = "handlers:send"\n')
    from asl_engine.services import load_resources

    path = tmp_path / "runs.db"
    first = open_store(path, lease_seconds=0.1)
    handle = waiting_machine().start({}, store=first, resources=load_resources(tmp_path / "asl.toml"), name="f")
    token = handle.wait_for_task_token()
    first.close()
    time.sleep(0.2)
    with open_store(path) as other:
        assert other.record("f").resources == str((tmp_path / "asl.toml").resolve())
        [resumed] = other.resume()
        other.send_task_success(token, {"ok": True})
        assert resumed.wait(5).status == "SUCCEEDED"


def test_handlers_given_as_objects_must_be_given_again_to_resume(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    first = open_store(path, lease_seconds=0.1)
    waiting_machine().start({}, store=first, resources=sender()).wait_for_task_token()
    first.close()
    time.sleep(0.2)
    with open_store(path) as other:
        with pytest.raises(ConfigurationError, match="pass resources="):
            other.resume()
        assert other.describe(other.records()[0].arn)["status"] == "RUNNING"  # untouched, still resumable


# -- redrive -------------------------------------------------------------------------------------------


def test_redrive_through_the_store(store: SqliteStore) -> None:
    calls: list[str] = []
    broken = threading.Event()
    broken.set()

    def send(request: Any) -> Any:
        calls.append(request.state_name)
        if broken.is_set():
            raise RuntimeError("the queue is down")
        return {"MessageId": "m"}

    resources = Resources()
    resources.handler(SEND, send)
    machine = StateMachine.from_json(
        {
            "StartAt": "A",
            "States": {"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Task", "Resource": SEND, "End": True}},
        },
        name="fragile",
    )
    failed = machine.execute({}, store=store, resources=resources, name="r")
    assert (failed.status, failed.error) == ("FAILED", "RuntimeError")
    assert store.describe("r")["redriveStatus"] == "REDRIVABLE"
    broken.clear()
    redriven = store.redrive("r", resources=resources).wait(5)
    assert redriven.status == "SUCCEEDED"
    described = store.describe("r")
    assert (described["status"], described["redriveCount"]) == ("SUCCEEDED", 1)
    assert "redriveDate" in described
    assert [e["type"] for e in store.history("r")].count("ExecutionRedriven") == 1
    with pytest.raises(ExecutionNotRedrivable, match="SUCCEEDED"):
        store.redrive("r", resources=resources)
    express = StateMachine.from_json(
        {"StartAt": "B", "States": {"B": {"Type": "Task", "Resource": SEND, "End": True}}},
        name="quick",
        machine_type="EXPRESS",
    )
    broken.set()
    assert express.execute({}, store=store, resources=resources, name="x").status == "FAILED"
    with pytest.raises(ExecutionNotRedrivable, match="Express"):
        store.redrive("x", resources=resources)


def test_virtual_time_survives_a_resume(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    machine = StateMachine.from_json(
        {
            "StartAt": "Ask",
            "States": {
                "Ask": {"Type": "Task", "Resource": CALLBACK, "Parameters": {"T.$": "$$.Task.Token"}, "Next": "Nap"},
                "Nap": {"Type": "Wait", "Seconds": 3600, "Next": "When"},
                "When": {"Type": "Pass", "Parameters": {"at.$": "$$.State.EnteredTime"}, "End": True},
            },
        },
        name="virtual",
    )
    start = VirtualClock(1_700_000_000)
    first = open_store(path, lease_seconds=0.1)
    handle = machine.start({}, store=first, resources=sender(), clock=start)
    token = handle.wait_for_task_token()
    first.close()
    time.sleep(0.2)
    with open_store(path) as other:
        [resumed] = other.resume(resources=sender())
        other.send_task_success(token, {})
        assert resumed.wait(5).output == {"at": "2023-11-14T23:13:20Z"}  # one virtual hour after the start


def test_a_store_of_format_1_is_migrated_when_opened(tmp_path: Path) -> None:
    """Format 2 added the activities and the executions' attributes; a format-1 file gets them, in
    one transaction, and keeps everything it had."""
    path = tmp_path / "runs.db"
    with open_store(path) as store:
        store.create_state_machine("kept", {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
        arn = store.execute("arn:aws:states:us-east-1:123456789012:stateMachine:kept", {"a": 1}).arn
    with sqlite3.connect(path) as db:  # the file as format 1 wrote it
        db.execute("DROP TABLE activities")
        db.execute("ALTER TABLE executions DROP COLUMN attributes")
        db.execute("UPDATE store_info SET value = '1' WHERE key = 'schema_version'")
    with open_store(path) as store:
        assert store.describe(arn)["status"] == "SUCCEEDED"
        store.annotate_execution(arn, {"stateMachineAliasArn": "arn:alias"})
        assert store.describe(arn)["stateMachineAliasArn"] == "arn:alias"
        assert store.list_executions()[0]["stateMachineAliasArn"] == "arn:alias"
        store.save_activity("arn:activity", "work", created=1.0, attributes={"tags": {"a": "b"}})
        assert [(a.name, a.attributes) for a in store.list_activities()] == [("work", {"tags": {"a": "b"}})]
        store.delete_activity("arn:activity")
        assert store.list_activities() == []
    with sqlite3.connect(path) as db:
        assert dict(db.execute("SELECT key, value FROM store_info"))["schema_version"] == str(SCHEMA_VERSION) == "2"
