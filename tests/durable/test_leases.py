"""Leases: two processes never run one execution at once; a holder that stops renewing loses it."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from asl_engine import StateMachine, open_store
from asl_engine.runtime.durable.journal import LeaseLost
from asl_engine.services import Resources, load_resources
from tests.durable.test_crash import Zygote, integrity

MACHINE = {
    "StartAt": "Ask",
    "States": {
        "Ask": {
            "Type": "Task",
            "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            "Parameters": {"token.$": "$$.Task.Token"},
            "Next": "Send",
        },
        "Send": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage", "End": True},
    },
}

HANDLERS = """
import os

def send(request):
    with open(os.path.join(os.path.dirname(__file__), "calls.log"), "a") as log:
        log.write(request.state_name + "\\n")
    return {"MessageId": "m"}
"""


def project(tmp_path: Path) -> Path:
    (tmp_path / "machine.json").write_text(json.dumps(MACHINE))
    (tmp_path / "handlers.py").write_text(HANDLERS)
    (tmp_path / "asl.toml").write_text('[handlers]\n"arn:aws:states:::sqs:sendMessage" = "handlers:send"\n')
    return tmp_path


def orphans(path: Path, count: int) -> list[str]:
    """Executions waiting for their tokens whose process died; their tokens."""
    store = open_store(path / "runs.db", lease_seconds=0.1)
    machine = StateMachine.from_file(path / "machine.json")
    tokens = []
    for number in range(count):
        handle = machine.start(
            {"n": number}, store=store, name=f"e{number}", resources=load_resources(path / "asl.toml")
        )
        tokens.append(handle.wait_for_task_token("Ask"))
    store.close()
    time.sleep(0.2)
    return tokens


def test_two_processes_resuming_one_store_never_run_an_execution_twice(tmp_path: Path) -> None:
    path = project(tmp_path)
    tokens = orphans(path, 6)
    first, second = Zygote(path), Zygote(path)
    try:
        argv = ["resume", "--store", str(path / "runs.db")]
        first.start(argv)
        second.start(argv)
        deadline = time.monotonic() + 60
        with open_store(path / "runs.db") as store:
            while time.monotonic() < deadline:  # both took what they could; every execution is leased
                records = store.records()
                if all(record.lease_owner for record in records):
                    break
                time.sleep(0.05)
            owners = {record.name: record.lease_owner for record in store.records()}
            for token in tokens:
                store.send_task_success(token, {"ok": True})
        assert first.ended() == 0 and second.ended() == 0, (path / "children.log").read_text()
        log = (path / "children.log").read_text()
        resumed = sorted(int(line.split()[1]) for line in log.splitlines() if line.startswith("resuming "))
        assert sum(resumed) == 6, log  # each execution resumed by exactly one of the two
        assert len(set(owners.values())) >= 1
        with open_store(path / "runs.db") as store:
            for number in range(6):
                history = store.history(f"e{number}")
                assert history[-1]["type"] == "ExecutionSucceeded"
                assert [event["id"] for event in history] == list(range(1, len(history) + 1))
        calls = (path / "calls.log").read_text().splitlines()
        assert calls.count("Send") == 6  # one Send per execution: none ran twice
        assert integrity(path / "runs.db") == "ok"
    finally:
        first.close()
        second.close()


def test_a_holder_that_stops_renewing_loses_the_execution_and_writes_nothing_more(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    resources = Resources()
    resources.handler("arn:aws:states:::sqs:sendMessage", lambda request: {"MessageId": "m"})
    machine = StateMachine.from_json(MACHINE, name="leased")
    holder = open_store(path, lease_seconds=0.3, poll_interval=0.02)
    handle = machine.start({}, store=holder, resources=resources, name="contested")
    token = handle.wait_for_task_token("Ask")
    holder._keeper_stop.set()  # the holder freezes: it renews its lease no more
    time.sleep(0.5)
    with open_store(path, poll_interval=0.02) as taker:
        [taken] = taker.resume(resources=resources)
        before = len(taker.history("contested"))
        handle.send_task_success(token, {"from": "the old holder"})  # kept in the store, applied by the taker
        with pytest.raises(LeaseLost):
            handle.wait(5)  # the old holder's next commit found the lease taken: it stopped
        execution = taken.wait(5)
        assert execution.status == "SUCCEEDED"
        history = taker.history("contested")
        assert len(history) > before
        assert [event["id"] for event in history] == list(range(1, len(history) + 1))
        assert [event["type"] for event in history].count("TaskSucceeded") == 2  # Ask, then Send: once each
    holder.close()
