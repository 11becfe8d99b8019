"""Distributed Map runs through boto3: ListMapRuns, DescribeMapRun, ListExecutions of a map run."""

from __future__ import annotations

import json

from tests.server.conftest import create, wait_done

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
