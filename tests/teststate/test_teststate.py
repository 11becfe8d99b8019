"""TestState's statuses, Retry and Catch, context objects, AWS's response shape and its refusals."""

from __future__ import annotations

import json
from typing import Any

import pytest

from asl_engine import StateMachine, VirtualClock
from asl_engine.services import Resources
from asl_engine.teststate import TestStateError, TestStateResult
from tests.teststate.harness import machine_around, with_next

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:Orders"

RETRYING: dict[str, Any] = {
    "Type": "Task",
    "Resource": LAMBDA,
    "Retry": [
        {"ErrorEquals": ["Lambda.TooManyRequestsException"], "IntervalSeconds": 1, "MaxAttempts": 2},
        {"ErrorEquals": ["Throttled"], "IntervalSeconds": 3, "BackoffRate": 2.0, "MaxAttempts": 2},
    ],
    "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Recover"}],
}
THROTTLED = {"Throw": {"Error": "Throttled", "Cause": "slow down"}}


def machine(spec: dict[str, Any]) -> StateMachine:
    return StateMachine.from_json(machine_around(with_next(spec), variables=None, language=None))


# -- Retry and Catch --------------------------------------------------------------------------------------


def test_an_error_a_retrier_would_retry_is_retriable_with_its_index_and_backoff() -> None:
    result = machine(RETRYING).test_state("S", {"id": 1}, mock=THROTTLED, inspection_level="DEBUG")
    assert (result.status, result.error, result.cause) == ("RETRIABLE", "Throttled", "slow down")
    assert result.inspection_data["errorDetails"] == {"retryBackoffIntervalSeconds": 3, "retryIndex": 1}
    assert not result.has_output and result.next_state is None


def test_the_backoff_is_the_wait_a_full_execution_makes_before_that_retry() -> None:
    full = StateMachine.from_json(machine_around(with_next(RETRYING), variables=None, language=None))
    execution = full.execute({"id": 1}, mocks={"S": [THROTTLED, THROTTLED, {"Return": {}}]}, clock=VirtualClock(0))
    failures = [e.timestamp for e in execution.events if e.type == "LambdaFunctionFailed"]
    schedules = [e.timestamp for e in execution.events if e.type == "LambdaFunctionScheduled"]
    waits = [later - failed for failed, later in zip(failures, schedules[1:], strict=False)]
    assert [d.index for d in execution.decisions if d.kind == "retry"] == [1, 1]
    tested = machine(RETRYING)
    backoffs = [
        tested.test_state(
            "S", {"id": 1}, mock=THROTTLED, inspection_level="DEBUG", retrier_retry_count=count
        ).inspection_data["errorDetails"]["retryBackoffIntervalSeconds"]
        for count in (0, 1)
    ]
    assert backoffs == waits == [3, 6]


def test_a_full_jitter_backoff_is_drawn_from_the_seeded_random_source() -> None:
    """The retrier asks for the frame's random source only with JitterStrategy FULL."""
    jittered = {**RETRYING, "Retry": [{**RETRYING["Retry"][1], "IntervalSeconds": 100, "JitterStrategy": "FULL"}]}
    backoffs = {
        machine(jittered)
        .test_state("S", {"id": 1}, mock=THROTTLED, inspection_level="DEBUG", seed=seed)
        .inspection_data["errorDetails"]["retryBackoffIntervalSeconds"]
        for seed in range(8)
    }
    assert all(0 <= backoff <= 100 for backoff in backoffs)
    assert len(backoffs) > 1  # drawn, not the interval itself


def test_once_the_retries_are_used_up_the_catcher_takes_the_error() -> None:
    result = machine(RETRYING).test_state(
        "S", {"id": 1}, mock=THROTTLED, inspection_level="DEBUG", retrier_retry_count=2
    )
    assert (result.status, result.next_state) == ("CAUGHT_ERROR", "Recover")
    assert result.output == {"id": 1, "error": {"Error": "Throttled", "Cause": "slow down"}}
    assert result.inspection_data["errorDetails"] == {"catchIndex": 0}


def test_retry_count_shows_in_the_context_object() -> None:
    spec = {"Type": "Task", "Resource": LAMBDA, "Parameters": {"attempt.$": "$$.State.RetryCount"}}
    result = machine(spec).test_state("S", {}, mock={"Return": 1}, inspection_level="DEBUG", retrier_retry_count=4)
    assert result.inspection_data["afterParameters"] == {"attempt": 4}


def test_states_runtime_is_never_retried_nor_caught() -> None:
    spec = {**RETRYING, "Retry": [{"ErrorEquals": ["States.ALL"]}], "InputPath": "$.missing"}
    result = machine(spec).test_state("S", {"id": 1}, mock={"Return": {}}, inspection_level="DEBUG")
    assert (result.status, result.error) == ("FAILED", "States.Runtime")
    assert "errorDetails" not in result.inspection_data


# -- what the state sees ----------------------------------------------------------------------------------


def test_the_default_context_object_is_testates() -> None:
    spec = {"Type": "Task", "Resource": LAMBDA, "Parameters": {"context.$": "$$"}}
    result = machine(spec).test_state("S", {"a": 1}, mock={"Return": {}}, inspection_level="DEBUG", seed=3)
    context = result.inspection_data["afterParameters"]["context"]
    execution = context["Execution"]
    assert execution["Id"] == (f"arn:aws:states:us-east-1:123456789012:express:StateMachine:{execution['Name']}")
    assert (execution["Input"], execution["RoleArn"]) == ({"a": 1}, None)
    assert "RedriveCount" not in execution
    assert context["State"]["Name"] == "StateName" and context["State"]["RetryCount"] == 0
    assert context["StateMachine"] == {
        "Id": "arn:aws:states:us-east-1:123456789012:stateMachine:StateMachine",
        "Name": "StateMachine",
    }
    with_role = machine(spec).test_state(
        "S", {}, mock={"Return": {}}, inspection_level="DEBUG", role_arn="arn:aws:iam::123456789012:role/r"
    )
    assert with_role.inspection_data["afterParameters"]["context"]["Execution"]["RoleArn"].endswith(":role/r")


def test_a_given_context_object_is_the_whole_context() -> None:
    spec = {
        "Type": "Task",
        "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "Parameters": {"QueueUrl": "q", "MessageBody": {"token.$": "$$.Task.Token", "all.$": "$$"}},
    }
    context = {"Execution": {"Id": "arn:exec", "Name": "x"}, "Task": {"Token": "abcd123"}}
    result = machine(spec).test_state("S", {}, mock={"Return": {"ok": True}}, context=context, inspection_level="DEBUG")
    body = result.inspection_data["afterParameters"]["MessageBody"]
    assert body == {"token": "abcd123", "all": context}
    assert result.output == {"ok": True}


def test_variables_are_visible_and_reported_after_assign() -> None:
    spec = {"Type": "Pass", "Parameters": {"limit.$": "$limit"}, "Assign": {"limit.$": "States.MathAdd($limit, 1)"}}
    result = machine(spec).test_state("S", {}, variables={"limit": 1, "other": "x"}, inspection_level="DEBUG")
    assert result.output == {"limit": 1}
    assert result.inspection_data["variables"] == {"limit": 2, "other": "x"}


def test_an_unmocked_task_is_answered_by_resources() -> None:
    resources = Resources()
    resources.lambda_function("Orders", lambda event, context: {"seen": event})
    spec = {
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": "Orders", "Payload.$": "$"},
        "ResultSelector": {"p.$": "$.Payload"},
    }
    result = machine(spec).test_state("S", {"n": 1}, resources=resources, inspection_level="DEBUG")
    assert result.output == {"p": {"seen": {"n": 1}}}
    assert result.inspection_data["result"]["StatusCode"] == 200


def test_wait_takes_no_time() -> None:
    result = machine({"Type": "Wait", "Seconds": 86_400}).test_state("S", {"x": 1})
    assert (result.status, result.output, result.next_state) == ("SUCCEEDED", {"x": 1}, "After")


def test_a_state_deep_in_a_branch_can_be_tested() -> None:
    spec = {
        "Type": "Parallel",
        "Branches": [
            {
                "StartAt": "Inner",
                "States": {"Inner": {"Type": "Pass", "Result": 7, "Next": "Last"}, "Last": {"Type": "Succeed"}},
            }
        ],
    }
    result = machine(spec).test_state("Inner", {})
    assert (result.output, result.next_state) == (7, "Last")


# -- AWS's response shape ---------------------------------------------------------------------------------


def test_to_api_writes_json_values_as_json_text() -> None:
    result = machine(RETRYING).test_state(
        "S", {"id": 1}, mock=THROTTLED, inspection_level="DEBUG", retrier_retry_count=2
    )
    assert result.to_api() == {
        "status": "CAUGHT_ERROR",
        "output": '{"id":1,"error":{"Error":"Throttled","Cause":"slow down"}}',
        "error": "Throttled",
        "cause": "slow down",
        "nextState": "Recover",
        "inspectionData": {
            "input": '{"id":1}',
            "afterInputPath": '{"id":1}',
            "afterParameters": '{"id":1}',
            "errorDetails": {"catchIndex": 0},
        },
    }


def test_to_api_keeps_a_null_output_and_leaves_out_what_is_absent() -> None:
    assert TestStateResult("SUCCEEDED", None, has_output=True).to_api() == {"status": "SUCCEEDED", "output": "null"}
    assert TestStateResult("FAILED", error="E").to_api() == {"status": "FAILED", "error": "E"}


def test_the_api_operation_takes_aws_request_shape() -> None:
    definition = json.dumps(machine_around(with_next(RETRYING), variables=None, language=None))
    request = {
        "definition": definition,
        "stateName": "S",
        "input": '{"id": 2}',
        "inspectionLevel": "DEBUG",
        "mock": {"errorOutput": {"error": "Throttled", "cause": "slow down"}, "fieldValidationMode": "NONE"},
        "stateConfiguration": {"retrierRetryCount": 2},
        "variables": '{"v": true}',
    }
    answer = StateMachine.test_state_request(request).to_api()
    assert (answer["status"], answer["nextState"]) == ("CAUGHT_ERROR", "Recover")
    assert answer["inspectionData"]["variables"] == '{"v":true}'
    single = StateMachine.test_state_request(
        {"definition": json.dumps({"Type": "Task", "Resource": LAMBDA, "End": True}), "mock": {"result": '"done"'}}
    ).to_api()
    assert single == {"status": "SUCCEEDED", "output": '"done"'}


API_REFUSALS = {
    "both mocks": (
        {"mock": {"result": "1", "errorOutput": {"error": "E"}}},
        "ValidationException",
        "A test mock should have only one of the following fields: [result, errorOutput].",
    ),
    "validation mode": (
        {"mock": {"result": "1", "fieldValidationMode": "LOOSE"}},
        "ValidationException",
        "at 'mock.fieldValidationMode' failed to satisfy constraint",
    ),
    "configuration": (
        {"stateConfiguration": {"mapIterationFailureCount": 1}},
        "ValidationException",
        "stateConfiguration.mapIterationFailureCount is not supported",
    ),
    "input": ({"input": "{oops"}, "InvalidExecutionInput", "input is not valid JSON"),
    "definition": ({"definition": "[]"}, "InvalidDefinition", "Definition must be a valid JSON object"),
    "level": ({"inspectionLevel": "VERBOSE"}, "ValidationException", "enum value set: [INFO, DEBUG, TRACE]"),
}
TASK_DEFINITION = json.dumps({"Type": "Task", "Resource": LAMBDA, "End": True})


@pytest.mark.parametrize("name", list(API_REFUSALS))
def test_the_api_operation_refuses_as_aws_does(name: str) -> None:
    request_fields, code, message = API_REFUSALS[name]
    request = {"definition": TASK_DEFINITION, **request_fields}
    with pytest.raises(TestStateError) as raised:
        StateMachine.test_state_request(request)
    assert raised.value.code == code
    assert message in raised.value.message


# -- refusals ---------------------------------------------------------------------------------------------


TASK = {"Type": "Task", "Resource": LAMBDA}
MAP = {"Type": "Map", "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}}}
PARALLEL = {"Type": "Parallel", "Branches": [{"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}}]}
MOCKED = {"mock": {"Return": 1}}
INVALID_CONTEXT = "Invalid Context object provided: "
REFUSALS = {
    "unknown state": ({"Type": "Pass"}, "Nope", {}, "ValidationException", "State not found in definition"),
    "mocked pass": (
        {"Type": "Pass"},
        "S",
        MOCKED,
        "ValidationException",
        "State type 'Pass' is not supported when a mock is specified",
    ),
    "mocked fail": (
        {"Type": "Fail", "Error": "E"},
        "S",
        MOCKED,
        "ValidationException",
        "State type 'Fail' is not supported when a mock is specified",
    ),
    "map without mock": (
        MAP,
        "S",
        {},
        "InvalidDefinition",
        "TestState API does not support Map or Parallel states. "
        "Supported state types include: [Task, Wait, Pass, Succeed, Fail, Choice]",
    ),
    "map mock not a list": (
        MAP,
        "S",
        {"mock": {"Return": {}}},
        "ValidationException",
        "Mocked result must be an array.",
    ),
    "parallel mock size": (
        PARALLEL,
        "S",
        {"mock": {"Return": [1, 2]}},
        "ValidationException",
        "Mocked result must contain the same number of items as number of Parallel branches.",
    ),
    "secrets and mock": (
        TASK,
        "S",
        {**MOCKED, "reveal_secrets": True},
        "ValidationException",
        "TestState does not support RevealSecrets when a mock is specified.",
    ),
    "task token without callback": (
        TASK,
        "S",
        {**MOCKED, "context": {"Task": {"Token": "t"}}},
        "ValidationException",
        INVALID_CONTEXT + "Context object contains 'Task' when state is not a Task state with a '.sync' or "
        "'.waitForTaskToken' service integration pattern",
    ),
    "context map": (
        TASK,
        "S",
        {**MOCKED, "context": {"Map": {}}},
        "ValidationException",
        INVALID_CONTEXT + "'Map' field is not supported when mocking a Context object",
    ),
    "context field": (
        TASK,
        "S",
        {**MOCKED, "context": {"Pokedex": {}}},
        "ValidationException",
        INVALID_CONTEXT + "Field 'Pokedex' is not allowed",
    ),
    "context type": (
        TASK,
        "S",
        {**MOCKED, "context": {"Execution": {"Id": 1}}},
        "ValidationException",
        INVALID_CONTEXT + "Execution.Id must be a string",
    ),
    "context without mock": (
        {"Type": "Pass"},
        "S",
        {"context": {}},
        "ValidationException",
        "A context object can be given only with a mock",
    ),
    "task unanswered": (TASK, "S", {}, "ValidationException", "No mock or handler answers the Task state 'S'"),
    "mock shape": (TASK, "S", {"mock": {"Oops": 1}}, "ValidationException", 'a mocked response must be {"Return"'),
    "level": (
        {"Type": "Pass"},
        "S",
        {"inspection_level": "debug"},
        "ValidationException",
        "at 'inspectionLevel' failed to satisfy constraint",
    ),
    "retry count": (
        {"Type": "Pass"},
        "S",
        {"retrier_retry_count": -1},
        "ValidationException",
        "retrierRetryCount must be a non-negative integer",
    ),
}


@pytest.mark.parametrize("name", list(REFUSALS))
def test_requests_aws_refuses_are_refused_with_its_words(name: str) -> None:
    spec, state, options, code, message = REFUSALS[name]
    with pytest.raises(TestStateError) as raised:
        machine(spec).test_state(state, {}, **options)
    assert raised.value.code == code
    assert message in str(raised.value)


def test_a_missing_state_name_suggests_the_closest() -> None:
    with pytest.raises(TestStateError) as raised:
        machine({"Type": "Pass"}).test_state("s", {})
    assert str(raised.value) == "ValidationException: State not found in definition (did you mean 'S'?)"


def test_an_invalid_state_definition_is_invalid_definition_with_diagnostics() -> None:
    with pytest.raises(TestStateError) as raised:
        StateMachine.test_state_definition({"Type": "Pass", "Resutl": 1}, {})
    assert raised.value.code == "InvalidDefinition"
    assert "Field 'Resutl' is not supported" in str(raised.value)
    with pytest.raises(TestStateError) as raised:
        StateMachine.test_state_definition({"Type": "Task", "Resource": "arn:nope", "End": True}, {})
    assert raised.value.code == "InvalidDefinition"


def test_a_machine_definition_needs_a_state_name() -> None:
    with pytest.raises(TestStateError, match="name the state to test"):
        StateMachine.test_state_definition({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}, {})


def test_input_must_be_json() -> None:
    with pytest.raises(TestStateError) as raised:
        machine({"Type": "Pass"}).test_state("S", {"x": float("nan")})
    assert raised.value.code == "InvalidExecutionInput"


def test_testing_a_state_leaves_the_machine_as_it_was() -> None:
    loaded = machine(RETRYING)
    loaded.test_state("S", {}, mock=THROTTLED)
    execution = loaded.execute({"id": 1}, mocks={"S": [THROTTLED, {"Return": "ok"}]})
    assert (execution.status, execution.output) == ("SUCCEEDED", "ok")
    assert [d.kind for d in execution.decisions] == ["retry"]
