"""Distributed Map runs through boto3: ListMapRuns, DescribeMapRun, ListExecutions of a map run."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.server.conftest import create, wait_done
from tests.server.test_machines import error_of

DISTRIBUTED = {
    "StartAt": "Fan",
    "States": {
        "Fan": {
            "Type": "Map",
            "Label": "Fan",
            "MaxConcurrency": 2,
            "ToleratedFailureCount": 1,
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                "StartAt": "Check",
                "States": {
                    "Check": {
                        "Type": "Choice",
                        "Choices": [{"Variable": "$", "NumericEquals": 3, "Next": "Bad"}],
                        "Default": "Good",
                    },
                    "Bad": {"Type": "Fail", "Error": "Three"},
                    "Good": {"Type": "Pass", "End": True},
                },
            },
            "End": True,
        }
    },
}


def test_map_runs(sfn):
    arn = create(sfn, DISTRIBUTED)
    execution = sfn.start_execution(stateMachineArn=arn, input=json.dumps([1, 2, 3, 4]))["executionArn"]
    assert wait_done(sfn, execution)["status"] == "SUCCEEDED"
    runs = sfn.list_map_runs(executionArn=execution)["mapRuns"]
    assert len(runs) == 1
    run = runs[0]
    assert run["executionArn"] == execution
    assert ":mapRun:" in run["mapRunArn"]
    described = sfn.describe_map_run(mapRunArn=run["mapRunArn"])
    assert described["status"] == "SUCCEEDED"
    assert described["maxConcurrency"] == 2
    assert described["toleratedFailureCount"] == 1
    counts = described["executionCounts"]
    assert (counts["total"], counts["succeeded"], counts["failed"], counts["pending"]) == (4, 3, 1, 0)
    children = sfn.list_executions(mapRunArn=run["mapRunArn"])["executions"]
    assert sorted(child["status"] for child in children) == ["FAILED", "SUCCEEDED", "SUCCEEDED", "SUCCEEDED"]
    failed = sfn.list_executions(mapRunArn=run["mapRunArn"], statusFilter="FAILED")["executions"]
    assert len(failed) == 1 and failed[0]["mapRunArn"] == run["mapRunArn"]


def test_with_a_store_a_distributed_map_runs_in_memory(tmp_path):
    """The store cannot run a Distributed Map durably yet: the server runs that execution in memory."""
    from asl_engine.server import ServerSettings, running
    from tests.server.conftest import client_of

    with running(ServerSettings(port=0, clock="virtual", store=tmp_path / "runs.db")) as endpoint:
        sfn = client_of(endpoint)
        arn = create(sfn, DISTRIBUTED)
        execution = sfn.start_execution(stateMachineArn=arn, input=json.dumps([1, 2]))["executionArn"]
        assert wait_done(sfn, execution)["status"] == "SUCCEEDED"
        assert len(sfn.list_map_runs(executionArn=execution)["mapRuns"]) == 1
        assert [e["executionArn"] for e in sfn.list_executions(stateMachineArn=arn)["executions"]] == [execution]


HELD = {
    "StartAt": "Fan",
    "States": {
        "Fan": {
            "Type": "Map",
            "Label": "Fan",
            "MaxConcurrency": 1,
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                "StartAt": "Hold",
                "States": {
                    "Hold": {
                        "Type": "Task",
                        "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                        "Parameters": {"FunctionName": "hold", "Payload": {"token.$": "$$.Task.Token"}},
                        "End": True,
                    }
                },
            },
            "End": True,
        }
    },
}


@contextlib.contextmanager
def holding_server() -> Iterator[tuple[Any, list[str]]]:
    """A server whose Lambda function ``hold`` keeps each child's task token (the children wait on it)."""
    from asl_engine.server import ServerSettings, StepFunctionsService, running
    from asl_engine.services import Resources
    from tests.server.conftest import client_of

    tokens: list[str] = []
    resources = Resources()

    @resources.lambda_function("hold")
    def hold(event: dict[str, Any], context: Any) -> dict[str, Any]:
        tokens.append(event["token"])
        return {}

    settings = ServerSettings(port=0, clock="virtual")
    with running(settings, service=StepFunctionsService(settings, resources=resources)) as endpoint:
        yield client_of(endpoint), tokens


def wait_for(condition: Callable[[], bool]) -> None:
    for _ in range(2000):
        if condition():
            return
        time.sleep(0.005)
    raise AssertionError("the condition never held")


def test_update_map_run_raises_the_concurrency_of_a_running_map_run():
    with holding_server() as (sfn, tokens):
        arn = create(sfn, HELD)
        execution = sfn.start_execution(stateMachineArn=arn, input=json.dumps([1, 2, 3, 4]))["executionArn"]
        wait_for(lambda: len(sfn.list_map_runs(executionArn=execution)["mapRuns"]) == 1 and len(tokens) == 1)
        map_run = sfn.list_map_runs(executionArn=execution)["mapRuns"][0]["mapRunArn"]
        assert sfn.describe_map_run(mapRunArn=map_run)["maxConcurrency"] == 1
        sfn.update_map_run(mapRunArn=map_run, maxConcurrency=3, toleratedFailureCount=2)
        described = sfn.describe_map_run(mapRunArn=map_run)
        assert (described["maxConcurrency"], described["toleratedFailureCount"]) == (3, 2)
        sfn.send_task_success(taskToken=tokens[0], output="{}")  # one child ends: three start in its place
        wait_for(lambda: len(tokens) == 4)
        for token in tokens[1:3]:
            sfn.send_task_failure(taskToken=token, error="Nope")  # two failures: tolerated now
        sfn.send_task_success(taskToken=tokens[3], output="{}")
        assert wait_done(sfn, execution)["status"] == "SUCCEEDED"
        counts = sfn.describe_map_run(mapRunArn=map_run)["executionCounts"]
        assert (counts["succeeded"], counts["failed"]) == (2, 2)
        with pytest.raises(ClientError) as excinfo:  # the run has ended: nothing to update
            sfn.update_map_run(mapRunArn=map_run, maxConcurrency=5)
        assert error_of(excinfo)[0] == "ValidationException"


def test_without_an_update_the_concurrency_holds():
    """The same run, not updated: one child at a time, and the first failure fails the run."""
    with holding_server() as (sfn, tokens):
        arn = create(sfn, HELD)
        execution = sfn.start_execution(stateMachineArn=arn, input=json.dumps([1, 2, 3]))["executionArn"]
        wait_for(lambda: len(tokens) == 1)
        sfn.send_task_success(taskToken=tokens[0], output="{}")
        wait_for(lambda: len(tokens) == 2)
        assert len(tokens) == 2
        sfn.send_task_failure(taskToken=tokens[1], error="Nope")
        described = wait_done(sfn, execution)
        assert (described["status"], described["error"]) == ("FAILED", "States.ExceedToleratedFailureThreshold")


def test_update_map_run_errors(sfn):
    missing = "arn:aws:states:us-east-1:123456789012:mapRun:nothing/Fan:0123"
    with pytest.raises(ClientError) as excinfo:
        sfn.update_map_run(mapRunArn=missing, maxConcurrency=1)
    assert error_of(excinfo) == ("ResourceNotFound", f"Resource not found: '{missing}'")
    with pytest.raises(ClientError) as excinfo:
        sfn.update_map_run(mapRunArn="arn:aws:states:us-east-1:123456789012:execution:m:e", maxConcurrency=1)
    assert error_of(excinfo)[0] == "InvalidArn"
    with pytest.raises(ClientError) as excinfo:
        sfn.update_map_run(mapRunArn=missing, toleratedFailurePercentage=101)
    assert error_of(excinfo)[0] == "ValidationException"
