"""``arn:aws:states:::aws-sdk:sfn:<action>`` against this engine's own machines, executions, task tokens
and activities."""

from __future__ import annotations

import json
from typing import Any

from asl_engine import StateMachine, VirtualClock
from asl_engine.services import Resources
from tests.services.support import START, task_machine

SDK = "arn:aws:states:::aws-sdk:sfn:"
CHILD_ARN = "arn:aws:states:us-east-1:123456789012:stateMachine:Child"


def call(resources: Resources, action: str, parameters: dict[str, Any]) -> Any:
    return task_machine(SDK + action, Parameters=parameters).execute({}, resources=resources, clock=VirtualClock(START))


def child(states: dict[str, Any] | None = None) -> StateMachine:
    states = states or {"Echo": {"Type": "Pass", "End": True}}
    return StateMachine.from_json({"StartAt": next(iter(states)), "States": states}, name="Child")


def test_start_then_describe_and_list() -> None:
    resources = Resources()
    resources.state_machine(child())
    started = call(resources, "startExecution", {"StateMachineArn": CHILD_ARN, "Name": "run-1", "Input": {"n": 1}})
    assert started.output == {
        "ExecutionArn": "arn:aws:states:us-east-1:123456789012:execution:Child:run-1",
        "StartDate": "2024-01-01T00:00:00Z",
    }
    (handle,) = resources.state_machines.started
    handle.wait(5)
    described = call(resources, "describeExecution", {"ExecutionArn": started.output["ExecutionArn"]}).output
    assert (described["Status"], described["Input"], described["Output"]) == ("SUCCEEDED", '{"n":1}', '{"n":1}')
    assert described["StateMachineArn"] == CHILD_ARN and described["Name"] == "run-1"
    listed = call(resources, "listExecutions", {"StateMachineArn": CHILD_ARN, "StatusFilter": "SUCCEEDED"}).output
    assert [item["Name"] for item in listed["Executions"]] == ["run-1"]
    again = call(resources, "startExecution", {"StateMachineArn": CHILD_ARN, "Name": "run-1"})
    assert again.error == "Sfn.ExecutionAlreadyExistsException"


def test_errors_are_sfn_errors() -> None:
    resources = Resources()
    missing = call(
        resources, "describeExecution", {"ExecutionArn": "arn:aws:states:us-east-1:123456789012:execution:X:y"}
    )
    assert missing.error == "Sfn.ExecutionDoesNotExistException"
    assert missing.cause is not None and missing.cause.startswith(
        "Execution Does Not Exist: 'arn:aws:states:us-east-1:123456789012:execution:X:y' (Service: Sfn, Status Code: "
        "400, Request ID: "
    )
    assert missing.cause.endswith(") (SDK Attempt Count: 1)")
    invalid = call(resources, "describeExecution", {"ExecutionArn": "not-an-arn"})
    assert invalid.error == "Sfn.InvalidArnException"
    assert (
        call(resources, "startExecution", {"StateMachineArn": CHILD_ARN}).error
        == "Sfn.StateMachineDoesNotExistException"
    )
    token = call(resources, "sendTaskSuccess", {"TaskToken": "Invalid token", "Output": "{}"})
    assert token.error == "Sfn.InvalidTokenException"
    assert token.cause is not None and token.cause.startswith(
        "Invalid Token: 'Invalid token' (Service: Sfn, Status Code: 400"
    )


def test_a_child_answers_its_parents_token() -> None:
    resources = Resources()
    resources.state_machine(
        StateMachine.from_json(
            {
                "StartAt": "Answer",
                "States": {
                    "Answer": {
                        "Type": "Task",
                        "Resource": SDK + "sendTaskSuccess",
                        "Parameters": {"TaskToken.$": "$.token", "Output": {"approved": True}},
                        "End": True,
                    }
                },
            },
            name="Approver",
        )
    )
    parent = task_machine(
        "arn:aws:states:::states:startExecution.waitForTaskToken",
        Parameters={
            "StateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:Approver",
            "Input": {"token.$": "$$.Task.Token"},
        },
    )
    execution = parent.execute({}, resources=resources, clock=VirtualClock(START))
    assert execution.output == {"approved": True}
    assert resources.task_tokens.outstanding() == []


def test_stop_a_running_child() -> None:
    resources = Resources()
    resources.state_machine(child({"Wait": {"Type": "Wait", "Seconds": 3600, "End": True}}))
    started = call(resources, "startExecution", {"StateMachineArn": CHILD_ARN, "Name": "long"})
    stopped = call(
        resources,
        "stopExecution",
        {"ExecutionArn": started.output["ExecutionArn"], "Error": "Op.Stop", "Cause": "enough"},
    )
    assert set(stopped.output) == {"StopDate"}
    (handle,) = resources.state_machines.started
    view = handle.wait(5)
    assert (view.status, view.error, view.cause) == ("ABORTED", "Op.Stop", "enough")


def test_state_machines_and_activities() -> None:
    resources = Resources()
    resources.state_machine(child())
    described = call(resources, "describeStateMachine", {"StateMachineArn": CHILD_ARN}).output
    assert (described["Name"], described["Status"], described["Type"]) == ("Child", "ACTIVE", "STANDARD")
    assert json.loads(described["Definition"])["StartAt"] == "Echo"
    assert [m["Name"] for m in call(resources, "listStateMachines", {}).output["StateMachines"]] == ["Child"]
    created = call(resources, "createActivity", {"Name": "review"}).output
    assert created["ActivityArn"] == "arn:aws:states:us-east-1:123456789012:activity:review"
    assert call(resources, "describeActivity", {"ActivityArn": created["ActivityArn"]}).output["Name"] == "review"
    assert [a["Name"] for a in call(resources, "listActivities", {}).output["Activities"]] == ["review"]
    call(resources, "deleteActivity", {"ActivityArn": created["ActivityArn"]})
    gone = call(resources, "describeActivity", {"ActivityArn": created["ActivityArn"]})
    assert gone.error == "Sfn.ActivityDoesNotExistException"
