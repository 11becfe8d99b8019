"""Nested executions: states:startExecution, .sync and .sync:2 against registered local machines."""

from __future__ import annotations

import json
from typing import Any

import pytest

from asl_engine import StateMachine
from asl_engine.errors import ConfigurationError
from asl_engine.services import Resources
from tests.services.support import START, clock, events, submitted_output, task_machine

START_EXECUTION = "arn:aws:states:::states:startExecution"
CHILD_ARN = "arn:aws:states:us-east-1:123456789012:stateMachine:Child"


def child(**end: Any) -> StateMachine:
    state = end or {"Type": "Pass", "Result": {"Arg1": "argument1"}, "End": True}
    return StateMachine.from_json({"StartAt": "Only", "States": {"Only": state}}, name="Child")


@pytest.fixture
def resources() -> Resources:
    resources = Resources()
    resources.state_machine(child())
    resources.state_machine(
        child(Type="Fail", Error="SomeFailure", Cause="This state machines raises."), name="Failing"
    )
    resources.state_machine(
        StateMachine.from_json(
            {"StartAt": "W", "TimeoutSeconds": 5, "States": {"W": {"Type": "Wait", "Seconds": 60, "End": True}}},
            name="Slow",
        )
    )
    return resources


def start(resources: Resources, pattern: str, parameters: dict[str, Any]) -> Any:
    machine = task_machine(START_EXECUTION + pattern, Parameters=parameters)
    return machine.execute({}, resources=resources, clock=clock(), seed=9)


def test_sync_returns_describe_execution_with_json_text(resources: Resources) -> None:
    execution = start(resources, ".sync", {"StateMachineArn": CHILD_ARN, "Input": None, "Name": "TestStartTarget"})
    output = execution.output
    millis = int(START.timestamp() * 1000)
    assert output == {
        "ExecutionArn": "arn:aws:states:us-east-1:123456789012:execution:Child:TestStartTarget",
        "Input": "{}",
        "InputDetails": {"Included": True},
        "Name": "TestStartTarget",
        "Output": '{"Arg1":"argument1"}',
        "OutputDetails": {"Included": True},
        "RedriveCount": 0,
        "RedriveStatus": "NOT_REDRIVABLE",
        "RedriveStatusReason": "Execution is SUCCEEDED and cannot be redriven",
        "StartDate": millis,
        "StateMachineArn": CHILD_ARN,
        "Status": "SUCCEEDED",
        "StopDate": millis,
    }
    submitted = submitted_output(execution)
    assert (submitted["ExecutionArn"], submitted["StartDate"]) == (output["ExecutionArn"], millis)
    body = json.dumps({"executionArn": output["ExecutionArn"], "startDate": 0}, separators=(",", ":"))
    body = body.replace("0}", "1.7040672E9}")
    assert submitted["SdkHttpMetadata"]["HttpHeaders"]["Content-Length"] == str(len(body))
    (finished,) = resources.state_machines.completed
    assert finished.arn == output["ExecutionArn"]


def test_sync2_parses_input_and_output(resources: Resources) -> None:
    output = start(resources, ".sync:2", {"StateMachineArn": CHILD_ARN, "Input": {"a": 1}, "Name": "n"}).output
    assert (output["Input"], output["Output"]) == ({"a": 1}, {"Arg1": "argument1"})


def test_child_failure_fails_the_task_with_the_recorded_cause_shape(resources: Resources) -> None:
    arn = CHILD_ARN.replace("Child", "Failing")
    execution = start(resources, ".sync", {"StateMachineArn": arn, "Name": "TestStartTarget"})
    assert execution.error == "States.TaskFailed"
    cause = json.loads(execution.cause or "")
    assert sorted(cause) == [
        "Cause",
        "Error",
        "ExecutionArn",
        "Input",
        "InputDetails",
        "Name",
        "StartDate",
        "StateMachineArn",
        "Status",
        "StopDate",
    ]
    assert (cause["Error"], cause["Cause"], cause["Status"], cause["Input"]) == (
        "SomeFailure",
        "This state machines raises.",
        "FAILED",
        "{}",
    )


def test_child_timeout_is_reported_without_cause(resources: Resources) -> None:
    execution = start(resources, ".sync", {"StateMachineArn": CHILD_ARN.replace("Child", "Slow")})
    cause = json.loads(execution.cause or "")
    assert (execution.error, cause["Error"], cause["Status"]) == ("States.TaskFailed", "States.Timeout", "TIMED_OUT")
    assert "Cause" not in cause


def test_request_response_starts_the_child_and_moves_on(resources: Resources) -> None:
    execution = start(resources, "", {"StateMachineArn": CHILD_ARN, "Input": '{"from": "text"}', "Name": "bg"})
    assert set(execution.output) == {"ExecutionArn", "StartDate", "SdkHttpMetadata", "SdkResponseMetadata"}
    (handle,) = resources.state_machines.started
    child_execution = handle.wait(5)
    assert (child_execution.name, child_execution.input, child_execution.status) == (
        "bg",
        {"from": "text"},
        "SUCCEEDED",
    )


def test_wait_for_task_token_hands_the_token_to_the_child(resources: Resources) -> None:
    machine = task_machine(
        START_EXECUTION + ".waitForTaskToken",
        Parameters={"StateMachineArn": CHILD_ARN, "Input": {"token.$": "$$.Task.Token"}},
    )
    handle = machine.start({}, resources=resources, clock=clock())
    token = handle.wait_for_task_token("Call")
    (child_handle,) = resources.state_machines.started
    assert child_handle.wait(5).input == {"token": token}
    handle.send_task_success(token, {"done": True})
    assert handle.wait(5).output == {"done": True}


def test_child_tasks_use_the_same_resources() -> None:
    resources = Resources()
    resources.lambda_function("Double", lambda event, context: event * 2)
    resources.state_machine(
        StateMachine.from_json(
            {
                "StartAt": "L",
                "States": {
                    "L": {
                        "Type": "Task",
                        "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Double",
                        "End": True,
                    }
                },
            },
            name="Doubler",
        )
    )
    output = start(resources, ".sync:2", {"StateMachineArn": CHILD_ARN.replace("Child", "Doubler"), "Input": 21})
    assert output.output["Output"] == 42


@pytest.mark.parametrize(
    ("target", "error", "cause"),
    [
        (
            CHILD_ARN.replace("Child", "Nope"),
            "StepFunctions.StateMachineDoesNotExistException",
            f"State Machine Does Not Exist: '{CHILD_ARN.replace('Child', 'Nope')}' (Service: AWSStepFunctions; "
            "Status Code: 400; Error Code: StateMachineDoesNotExist; Request ID: ",
        ),
        ("not-an-arn", "StepFunctions.InvalidArnException", "Invalid Arn: 'Invalid ARN prefix: not-an-arn'"),
        (
            CHILD_ARN.replace("123456789012", "999999999999"),
            "StepFunctions.StateMachineDoesNotExistException",
            "State Machine Does Not Exist",
        ),
    ],
)
def test_unknown_machines(resources: Resources, target: str, error: str, cause: str) -> None:
    execution = start(resources, ".sync", {"StateMachineArn": target})
    assert execution.error == error
    assert (execution.cause or "").startswith(cause)


def test_names_are_checked_and_not_reused(resources: Resources) -> None:
    bad = start(resources, "", {"StateMachineArn": CHILD_ARN, "Name": "has space"})
    assert (bad.error, bad.cause.split(" (")[0] if bad.cause else None) == (
        "StepFunctions.InvalidNameException",
        "Invalid Name: 'has space'",
    )
    assert start(resources, ".sync", {"StateMachineArn": CHILD_ARN, "Name": "once"}).status == "SUCCEEDED"
    again = start(resources, ".sync", {"StateMachineArn": CHILD_ARN, "Name": "once"})
    assert again.error == "StepFunctions.ExecutionAlreadyExistsException"
    assert (again.cause or "").startswith(
        "Execution Already Exists: 'arn:aws:states:us-east-1:123456789012:execution:Child:once'"
    )


def test_version_arns_and_explicit_arns(resources: Resources) -> None:
    assert start(resources, ".sync", {"StateMachineArn": CHILD_ARN + ":3"}).status == "SUCCEEDED"
    pinned = "arn:aws:states:eu-west-1:111111111111:stateMachine:Elsewhere"
    resources.state_machine(child(), name="Elsewhere", arn=pinned)
    output = start(resources, ".sync", {"StateMachineArn": pinned, "Name": "x"}).output
    assert output["ExecutionArn"] == "arn:aws:states:eu-west-1:111111111111:execution:Elsewhere:x"


def test_history_of_a_sync_task(resources: Resources) -> None:
    execution = start(resources, ".sync", {"StateMachineArn": CHILD_ARN})
    assert [e["type"] for e in execution.history][2:6] == [
        "TaskScheduled",
        "TaskStarted",
        "TaskSubmitted",
        "TaskSucceeded",
    ]
    assert events(execution, "TaskSucceeded")[0]["resource"] == "startExecution.sync"


def test_registration_rejects_bad_names_and_objects() -> None:
    with pytest.raises(ConfigurationError, match="invalid state machine name"):
        Resources().state_machine(child(), name="bad name")
    with pytest.raises(ConfigurationError, match="expects a StateMachine"):
        Resources().state_machine("child.json")  # type: ignore[arg-type]


def test_input_text_must_be_json(resources: Resources) -> None:
    execution = start(resources, ".sync", {"StateMachineArn": CHILD_ARN, "Input": "{bad"})
    assert execution.error == "StepFunctions.InvalidExecutionInputException"
    assert (execution.cause or "").startswith("Invalid State Machine Execution Input: ")
