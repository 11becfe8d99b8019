"""Executions through boto3: start, describe, stop, list, history, Express, redrive (in memory)."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from tests.server.conftest import PASS, WAIT, create, unique, wait_done
from tests.server.test_machines import error_of

TOKEN_WAIT = {
    "StartAt": "Ask",
    "States": {
        "Ask": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
            "Parameters": {"FunctionName": "reply", "Payload": {"token.$": "$$.Task.Token"}},
            "End": True,
        }
    },
}


def test_start_and_describe_with_a_virtual_clock(sfn):
    arn = create(sfn, WAIT)
    started = sfn.start_execution(stateMachineArn=arn, name="first", input=json.dumps({"name": "Ada"}))
    assert started["executionArn"] == arn.replace(":stateMachine:", ":execution:") + ":first"
    described = wait_done(sfn, started["executionArn"])
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == {"hello": "Ada"}
    assert json.loads(described["input"]) == {"name": "Ada"}
    assert described["stateMachineArn"] == arn
    assert (described["stopDate"] - described["startDate"]).total_seconds() == 86400


def test_history_paging_order_and_data(sfn):
    arn = create(sfn, WAIT)
    execution = sfn.start_execution(stateMachineArn=arn, input='{"name": "Grace"}')["executionArn"]
    wait_done(sfn, execution)
    events = sfn.get_execution_history(executionArn=execution)["events"]
    assert [e["type"] for e in events] == [
        "ExecutionStarted", "PassStateEntered", "PassStateExited", "WaitStateEntered", "WaitStateExited",
        "ExecutionSucceeded",
    ]  # fmt: skip
    assert json.loads(events[0]["executionStartedEventDetails"]["input"]) == {"name": "Grace"}
    first = sfn.get_execution_history(executionArn=execution, maxResults=4)
    rest = sfn.get_execution_history(executionArn=execution, maxResults=4, nextToken=first["nextToken"])
    assert [e["id"] for e in first["events"] + rest["events"]] == [1, 2, 3, 4, 5, 6]
    assert "nextToken" not in rest
    reverse = sfn.get_execution_history(executionArn=execution, reverseOrder=True)["events"]
    assert [e["id"] for e in reverse] == [6, 5, 4, 3, 2, 1]
    bare = sfn.get_execution_history(executionArn=execution, includeExecutionData=False)["events"]
    assert "input" not in bare[0]["executionStartedEventDetails"]
    assert "output" not in bare[-1]["executionSucceededEventDetails"]


def test_same_name_and_input_is_idempotent_while_running(sfn):
    arn = create(sfn, TOKEN_WAIT)
    first = sfn.start_execution(stateMachineArn=arn, name="once", input='{"a": 1}')
    again = sfn.start_execution(stateMachineArn=arn, name="once", input='{"a":1}')
    assert again["executionArn"] == first["executionArn"]
    with pytest.raises(ClientError) as excinfo:
        sfn.start_execution(stateMachineArn=arn, name="once", input='{"a": 2}')
    assert error_of(excinfo) == ("ExecutionAlreadyExists", f"Execution Already Exists: '{first['executionArn']}'")
    sfn.stop_execution(executionArn=first["executionArn"], error="Stopped", cause="done")
    described = wait_done(sfn, first["executionArn"])
    assert (described["status"], described["error"], described["cause"]) == ("ABORTED", "Stopped", "done")
    with pytest.raises(ClientError) as excinfo:
        sfn.start_execution(stateMachineArn=arn, name="once", input='{"a": 1}')
    assert error_of(excinfo)[0] == "ExecutionAlreadyExists"


def test_invalid_input_and_unknown_machine(sfn):
    arn = create(sfn, PASS)
    with pytest.raises(ClientError) as excinfo:
        sfn.start_execution(stateMachineArn=arn, input="{not json")
    assert error_of(excinfo)[0] == "InvalidExecutionInput"
    missing = arn + "-missing"
    with pytest.raises(ClientError) as excinfo:
        sfn.start_execution(stateMachineArn=missing)
    assert error_of(excinfo) == ("StateMachineDoesNotExist", f"State Machine Does Not Exist: '{missing}'")
    with pytest.raises(ClientError) as excinfo:
        sfn.start_execution(stateMachineArn=arn, name="bad name")
    assert error_of(excinfo) == ("InvalidName", "Invalid Name: 'bad name'")


def test_unknown_executions(sfn):
    arn = "arn:aws:states:us-east-1:123456789012:execution:nothing:here"
    for call in (sfn.describe_execution, sfn.get_execution_history, sfn.stop_execution):
        with pytest.raises(ClientError) as excinfo:
            call(executionArn=arn)
        assert error_of(excinfo) == ("ExecutionDoesNotExist", f"Execution Does Not Exist: '{arn}'")
    with pytest.raises(ClientError) as excinfo:
        sfn.describe_execution(executionArn="invalid_state_machine_arn")
    assert error_of(excinfo) == ("InvalidArn", "Invalid Arn: 'Invalid ARN prefix: invalid_state_machine_arn'")


def test_list_executions_filters_and_pages(sfn):
    arn = create(sfn, TOKEN_WAIT)
    running = [sfn.start_execution(stateMachineArn=arn)["executionArn"] for _ in range(3)]
    done = create(sfn, PASS)
    assert sfn.list_executions(stateMachineArn=done)["executions"] == []
    sfn.stop_execution(executionArn=running[0])
    wait_done(sfn, running[0])
    listed = sfn.list_executions(stateMachineArn=arn)["executions"]
    assert {e["executionArn"] for e in listed} == set(running)
    assert [
        e["executionArn"] for e in sfn.list_executions(stateMachineArn=arn, statusFilter="ABORTED")["executions"]
    ] == [running[0]]
    assert len(sfn.list_executions(stateMachineArn=arn, statusFilter="RUNNING")["executions"]) == 2
    page = sfn.list_executions(stateMachineArn=arn, maxResults=2)
    rest = sfn.list_executions(stateMachineArn=arn, maxResults=2, nextToken=page["nextToken"])
    assert len(page["executions"]) == 2 and len(rest["executions"]) == 1
    for execution in running[1:]:
        sfn.stop_execution(executionArn=execution)


def test_failed_execution_reports_error_and_cause(sfn):
    arn = create(sfn, {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Oops", "Cause": "broken"}}})
    execution = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    described = wait_done(sfn, execution)
    assert (described["status"], described["error"], described["cause"]) == ("FAILED", "Oops", "broken")
    with pytest.raises(ClientError) as excinfo:
        sfn.redrive_execution(executionArn=execution)
    assert error_of(excinfo)[0] == "ExecutionNotRedrivable"


def test_local_handlers_answer_tasks(sfn):
    definition = {
        "StartAt": "Greet",
        "States": {
            "Greet": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": "greet", "Payload.$": "$"},
                "OutputPath": "$.Payload",
                "End": True,
            }
        },
    }
    arn = create(sfn, definition)
    execution = sfn.start_execution(stateMachineArn=arn, input='{"name": "Lin"}')["executionArn"]
    assert json.loads(wait_done(sfn, execution)["output"]) == {"greeting": "Hello, Lin"}


EXPRESS = {
    "StartAt": "One",
    "States": {
        "One": {"Type": "Pass", "Parameters": {"n.$": "$.n"}, "Next": "Two"},
        "Two": {"Type": "Pass", "Parameters": {"doubled.$": "States.MathAdd($.n, $.n)"}, "Next": "Three"},
        "Three": {"Type": "Pass", "End": True},
    },
}


def test_start_sync_execution(sfn):
    arn = create(sfn, EXPRESS, type="EXPRESS")
    result = sfn.start_sync_execution(stateMachineArn=arn, input='{"n": 21}', name="sync-1")
    assert result["status"] == "SUCCEEDED"
    assert json.loads(result["output"]) == {"doubled": 42}
    assert result["stateMachineArn"] == arn
    assert result["billingDetails"]["billedMemoryUsedInMB"] == 64
    assert result["billingDetails"]["billedDurationInMilliseconds"] % 100 == 0
    assert ":express:" in result["executionArn"]
    failing = create(
        sfn, {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E", "Cause": "c"}}}, type="EXPRESS"
    )
    failed = sfn.start_sync_execution(stateMachineArn=failing)
    assert (failed["status"], failed["error"], failed["cause"]) == ("FAILED", "E", "c")
    standard = create(sfn, PASS)
    with pytest.raises(ClientError) as excinfo:
        sfn.start_sync_execution(stateMachineArn=standard)
    assert error_of(excinfo)[0] == "StateMachineTypeNotSupported"


def test_express_executions_are_not_listed_or_described(sfn):
    arn = create(sfn, EXPRESS, type="EXPRESS")
    execution = sfn.start_execution(stateMachineArn=arn, input='{"n": 1}')["executionArn"]
    assert ":express:" in execution
    with pytest.raises(ClientError) as excinfo:
        sfn.describe_execution(executionArn=execution)
    assert error_of(excinfo) == ("InvalidArn", "Invalid Arn: 'Resource type not valid in this context: express'")
    with pytest.raises(ClientError) as excinfo:
        sfn.list_executions(stateMachineArn=arn)
    assert error_of(excinfo)[0] == "StateMachineTypeNotSupported"


def test_unique_names_per_machine(sfn):
    first, second = create(sfn, PASS), create(sfn, PASS)
    a = sfn.start_execution(stateMachineArn=first, name=unique("shared"))
    name = a["executionArn"].rpartition(":")[2]
    b = sfn.start_execution(stateMachineArn=second, name=name)
    assert a["executionArn"] != b["executionArn"]
