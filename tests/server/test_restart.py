"""With --store, executions survive a restart of the server: the real `asl serve` command, stopped and
started again on the same store, resumes the execution, which then finishes."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from asl_engine.server.threaded import free_port
from tests.server.conftest import DATA, client_of, create, wait_done
from tests.server.test_callbacks import token_of
from tests.server.test_executions import TOKEN_WAIT

SERVE = [sys.executable, "-c", "from asl_engine.cli.main import main; main()", "serve"]


@contextmanager
def asl_serve(*arguments: str) -> Iterator[str]:
    port = free_port()
    # a file, not a pipe, which a chatty server could fill
    with tempfile.TemporaryFile(mode="w+") as log:
        process = subprocess.Popen([*SERVE, "--port", str(port), *arguments], stderr=log, text=True)
        endpoint = f"http://127.0.0.1:{port}"
        try:
            for _ in range(600):
                if process.poll() is not None:
                    log.seek(0)
                    raise AssertionError(f"asl serve exited with {process.returncode}: {log.read()}")
                try:
                    httpx.get(endpoint + "/", timeout=1)
                    break
                except httpx.TransportError:
                    time.sleep(0.05)
            yield endpoint
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def test_an_execution_survives_a_restart(tmp_path: Path):
    store = tmp_path / "runs.db"
    options = ("--store", str(store), "--resources", str(DATA / "asl.toml"), "--clock", "virtual")
    with asl_serve(*options) as endpoint:
        sfn = client_of(endpoint)
        machine = create(sfn, TOKEN_WAIT, name="approvals", tags=[{"key": "team", "value": "ops"}])
        sfn.publish_state_machine_version(stateMachineArn=machine, description="v1")
        execution = sfn.start_execution(stateMachineArn=machine, name="order-1", input='{"order": 1}')["executionArn"]
        token = token_of(sfn, execution)
        assert sfn.describe_execution(executionArn=execution)["status"] == "RUNNING"
    with asl_serve(*options) as endpoint:
        sfn = client_of(endpoint)
        assert sfn.describe_execution(executionArn=execution)["status"] == "RUNNING"
        assert sfn.list_tags_for_resource(resourceArn=machine)["tags"] == [{"key": "team", "value": "ops"}]
        versions = sfn.list_state_machine_versions(stateMachineArn=machine)["stateMachineVersions"]
        assert [v["stateMachineVersionArn"] for v in versions] == [f"{machine}:1"]
        sfn.send_task_success(taskToken=token, output='{"approved": true}')
        described = wait_done(sfn, execution)
        assert described["status"] == "SUCCEEDED"
        assert json.loads(described["output"]) == {"approved": True}
        types = [e["type"] for e in sfn.get_execution_history(executionArn=execution)["events"]]
        assert types.count("TaskScheduled") == 1 and types[-1] == "ExecutionSucceeded"
        listed = sfn.list_executions(stateMachineArn=machine)["executions"]
        assert [e["executionArn"] for e in listed] == [execution]


def test_durable_names_and_redrive(tmp_path: Path):
    """On the store, StartExecution's name rules and RedriveExecution are the store's (AWS's)."""
    options = ("--store", str(tmp_path / "runs.db"), "--resources", str(DATA / "asl.toml"), "--clock", "virtual")
    with asl_serve(*options) as endpoint:
        sfn = client_of(endpoint)
        machine = create(sfn, TOKEN_WAIT)
        first = sfn.start_execution(stateMachineArn=machine, name="same", input="{}")["executionArn"]
        assert sfn.start_execution(stateMachineArn=machine, name="same", input="{}")["executionArn"] == first
        sfn.send_task_failure(taskToken=token_of(sfn, first), error="Flaky")
        assert wait_done(sfn, first)["status"] == "FAILED"
        assert sfn.describe_execution(executionArn=first)["redriveStatus"] == "REDRIVABLE"
        sfn.redrive_execution(executionArn=first)
        assert sfn.describe_execution(executionArn=first)["status"] == "RUNNING"
        token = None
        for _ in range(2000):
            history = sfn.get_execution_history(executionArn=first, reverseOrder=True)["events"]
            scheduled = [e for e in history if e["type"] == "TaskScheduled"]
            if len(scheduled) == 2:
                token = json.loads(scheduled[0]["taskScheduledEventDetails"]["parameters"])["Payload"]["token"]
                break
            time.sleep(0.005)
        assert token is not None
        sfn.send_task_success(taskToken=token, output='{"second": "time"}')
        described = wait_done(sfn, first)
        assert (described["status"], described["redriveCount"]) == ("SUCCEEDED", 1)


def test_activities_and_the_alias_an_execution_was_started_through_survive_a_restart(tmp_path: Path):
    from asl_engine.server import ServerSettings, running

    settings = ServerSettings(port=0, clock="virtual", store=tmp_path / "runs.db", resources=DATA / "asl.toml")
    with running(settings) as endpoint:
        sfn = client_of(endpoint)
        activity = sfn.create_activity(name="approve", tags=[{"key": "team", "value": "ops"}])["activityArn"]
        created = sfn.describe_activity(activityArn=activity)["creationDate"]
        gone = sfn.create_activity(name="gone")["activityArn"]
        sfn.delete_activity(activityArn=gone)
        sfn.tag_resource(resourceArn=activity, tags=[{"key": "stage", "value": "beta"}])
        machine = create(sfn, TOKEN_WAIT, name="routed")
        version = sfn.publish_state_machine_version(stateMachineArn=machine)["stateMachineVersionArn"]
        routing = [{"stateMachineVersionArn": version, "weight": 100}]
        alias = sfn.create_state_machine_alias(name="live", routingConfiguration=routing)["stateMachineAliasArn"]
        through_alias = sfn.start_execution(stateMachineArn=alias, name="a")["executionArn"]
        through_version = sfn.start_execution(stateMachineArn=version, name="v")["executionArn"]
        plain = sfn.start_execution(stateMachineArn=machine, name="p")["executionArn"]
    with running(settings) as endpoint:
        sfn = client_of(endpoint)
        assert sfn.describe_activity(activityArn=activity)["creationDate"] == created
        names = [a["name"] for a in sfn.list_activities()["activities"]]
        assert "approve" in names and "gone" not in names and "manual-review" in names
        assert sorted((t["key"], t["value"]) for t in sfn.list_tags_for_resource(resourceArn=activity)["tags"]) == [
            ("stage", "beta"),
            ("team", "ops"),
        ]
        described = sfn.describe_execution(executionArn=through_alias)
        assert (described["stateMachineAliasArn"], described["stateMachineVersionArn"]) == (alias, version)
        described = sfn.describe_execution(executionArn=through_version)
        assert described["stateMachineVersionArn"] == version and "stateMachineAliasArn" not in described
        described = sfn.describe_execution(executionArn=plain)
        assert "stateMachineVersionArn" not in described and "stateMachineAliasArn" not in described
        listed = sfn.list_executions(stateMachineArn=alias)["executions"]
        assert [e["executionArn"] for e in listed] == [through_alias]
        listed = sfn.list_executions(stateMachineArn=version)["executions"]
        assert sorted(e["executionArn"] for e in listed) == sorted([through_alias, through_version])
        for execution in (through_alias, through_version, plain):
            sfn.stop_execution(executionArn=execution)
