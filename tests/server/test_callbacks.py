"""Task tokens and activities through boto3, the activity worker polling as a real worker does."""

from __future__ import annotations

import contextlib
import json
import threading

import pytest
from botocore.exceptions import ClientError

from tests.server.conftest import create, wait_done
from tests.server.test_executions import TOKEN_WAIT
from tests.server.test_machines import error_of


def token_of(sfn, execution: str) -> str:
    """The token the execution's task waits on, as the Lambda function received it (from the history)."""
    for _ in range(2000):
        for event in sfn.get_execution_history(executionArn=execution)["events"]:
            details = event.get("taskScheduledEventDetails")
            if details:
                return str(json.loads(details["parameters"])["Payload"]["token"])
        threading.Event().wait(0.005)
    raise AssertionError("no TaskScheduled event")


def test_send_task_success_failure_and_heartbeat(sfn):
    arn = create(sfn, TOKEN_WAIT)
    ok = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    token = token_of(sfn, ok)
    sfn.send_task_heartbeat(taskToken=token)
    sfn.send_task_success(taskToken=token, output='{"approved": true}')
    assert json.loads(wait_done(sfn, ok)["output"]) == {"approved": True}
    with pytest.raises(ClientError) as excinfo:
        sfn.send_task_success(taskToken=token, output="{}")
    assert error_of(excinfo)[0] == "TaskDoesNotExist"
    failing = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    sfn.send_task_failure(taskToken=token_of(sfn, failing), error="Rejected", cause="no budget")
    described = wait_done(sfn, failing)
    assert (described["status"], described["error"], described["cause"]) == ("FAILED", "Rejected", "no budget")


def test_invalid_output(sfn):
    arn = create(sfn, TOKEN_WAIT)
    execution = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    token = token_of(sfn, execution)
    with pytest.raises(ClientError) as excinfo:
        sfn.send_task_success(taskToken=token, output="{nope")
    assert error_of(excinfo)[0] == "InvalidOutput"
    sfn.stop_execution(executionArn=execution)


def test_activities(sfn):
    activity = sfn.create_activity(name="approve")
    arn = activity["activityArn"]
    assert arn == "arn:aws:states:us-east-1:123456789012:activity:approve"
    assert sfn.create_activity(name="approve")["activityArn"] == arn
    assert sfn.describe_activity(activityArn=arn)["name"] == "approve"
    assert arn in [a["activityArn"] for a in sfn.list_activities()["activities"]]
    machine = create(
        sfn,
        {"StartAt": "Approve", "States": {"Approve": {"Type": "Task", "Resource": arn, "End": True}}},
    )
    execution = sfn.start_execution(stateMachineArn=machine, input='{"total": 42}')["executionArn"]
    task = sfn.get_activity_task(activityArn=arn, workerName="worker-1")
    assert json.loads(task["input"]) == {"total": 42}
    sfn.send_task_success(taskToken=task["taskToken"], output='{"approved": true}')
    assert json.loads(wait_done(sfn, execution)["output"]) == {"approved": True}
    started = [e for e in sfn.get_execution_history(executionArn=execution)["events"] if e["type"] == "ActivityStarted"]
    assert started[0]["activityStartedEventDetails"]["workerName"] == "worker-1"
    sfn.delete_activity(activityArn=arn)
    with pytest.raises(ClientError) as excinfo:
        sfn.describe_activity(activityArn=arn)
    assert error_of(excinfo) == ("ActivityDoesNotExist", f"Activity Does Not Exist: '{arn}'")
    with pytest.raises(ClientError) as excinfo:
        sfn.get_activity_task(activityArn="no_an_activity_arn")
    assert error_of(excinfo) == ("InvalidArn", "Invalid Arn: 'Invalid ARN prefix: no_an_activity_arn'")


def test_get_activity_task_long_polls_without_blocking_the_server(sfn):
    """A worker waits; meanwhile the server answers other calls; the task arrives and the poll returns it."""
    arn = sfn.create_activity(name="long-poll")["activityArn"]
    machine = create(sfn, {"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": arn, "End": True}}})
    received: dict[str, str] = {}

    def worker() -> None:
        received.update(sfn.get_activity_task(activityArn=arn))

    polling = threading.Thread(target=worker)
    polling.start()
    assert sfn.describe_activity(activityArn=arn)["name"] == "long-poll"  # answered while the poll is open
    execution = sfn.start_execution(stateMachineArn=machine, input='{"n": 7}')["executionArn"]
    polling.join(30)
    assert json.loads(received["input"]) == {"n": 7}
    sfn.send_task_failure(taskToken=received["taskToken"], error="Worker.Failed")
    assert wait_done(sfn, execution)["error"] == "Worker.Failed"


def test_a_stopping_server_does_not_wait_for_an_open_poll():
    """An activity poll holds its request open up to 60 s; stopping the server ends it promptly."""
    from asl_engine.server import ServerSettings, serve_in_thread
    from tests.server.conftest import client_of

    server = serve_in_thread(ServerSettings(port=0))
    client = client_of(server.endpoint)
    arn = client.create_activity(name="idle")["activityArn"]
    polling = threading.Thread(target=lambda: _poll_quietly(client, arn), daemon=True)
    polling.start()
    threading.Event().wait(0.2)
    server.stop()
    assert not server.running  # without the shutdown timeout, uvicorn would wait for the 60-second poll


def _poll_quietly(client, arn: str) -> None:
    with contextlib.suppress(Exception):  # the server went away under the poll: that is the point
        client.get_activity_task(activityArn=arn)
