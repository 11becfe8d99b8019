"""How Resources resolves a Task's Resource, and how it combines with mocks and other sources."""

from __future__ import annotations

from typing import Any

import pytest

from asl_engine import StateMachine, StatesError
from asl_engine.definition.arns import parse_resource
from asl_engine.errors import ConfigurationError
from asl_engine.services import Resources, TaskRequest
from tests.services.support import clock, task_machine

LEGACY = "arn:aws:lambda:us-east-1:123456789012:function:Fn"


def test_decorators_return_the_function_unchanged() -> None:
    resources = Resources()

    @resources.lambda_function("Fn")
    def fn(event: Any, context: Any) -> str:
        return "real"

    @resources.glue_job("job")
    def job(arguments: dict[str, str]) -> None:
        return None

    @resources.handler("arn:aws:states:::sqs:sendMessage")
    def send(request: TaskRequest) -> dict[str, str]:
        return {"MessageId": "1"}

    assert fn({}, None) == "real" and job({}) is None and send.__name__ == "send"


def test_generic_handler_answers_any_pattern_of_its_action() -> None:
    resources = Resources()
    sent: list[Any] = []
    resources.handler("arn:aws:states:::sqs:sendMessage", lambda request: sent.append(request) or {"MessageId": "m"})
    assert task_machine("arn:aws:states:::sqs:sendMessage", Parameters={"QueueUrl": "q"}).execute(
        {}, resources=resources
    ).output == {"MessageId": "m"}
    handle = task_machine(
        "arn:aws:states:::sqs:sendMessage.waitForTaskToken", Parameters={"MessageBody.$": "$$.Task.Token"}
    ).start({}, resources=resources, clock=clock())
    handle.send_task_success(handle.wait_for_task_token(), {"answer": 1})
    assert handle.wait(5).output == {"answer": 1}
    assert [request.state_name for request in sent] == ["Call", "Call"]
    assert sent[1].task_token == sent[1].parameters["MessageBody"]


def test_generic_handler_replaces_a_built_in_integration() -> None:
    resources = Resources()
    resources.lambda_function("Fn", lambda event, context: "function")
    resources.handler("arn:aws:states:::lambda:invoke", lambda request: {"Payload": "generic"})
    assert task_machine("arn:aws:states:::lambda:invoke", Parameters={"FunctionName": "Fn"}).execute(
        {}, resources=resources
    ).output == {"Payload": "generic"}
    assert task_machine(LEGACY).execute({}, resources=resources).output == "function"


def test_mocks_win_over_resources_state_by_state() -> None:
    resources = Resources()
    resources.lambda_function("Fn", lambda event, context: "handler")
    machine = StateMachine.from_json(
        {
            "StartAt": "A",
            "States": {
                "A": {"Type": "Task", "Resource": LEGACY, "ResultPath": "$.a", "Next": "B"},
                "B": {"Type": "Task", "Resource": LEGACY, "ResultPath": "$.b", "End": True},
            },
        }
    )
    execution = machine.execute({}, resources=resources, mocks={"A": [{"Return": "mocked"}]})
    assert execution.output == {"a": "mocked", "b": "handler"}


def test_unanswered_resources_fall_through_to_the_engines_message() -> None:
    execution = task_machine("arn:aws:states:::ecs:runTask", Parameters={}).execute({}, resources=Resources())
    assert execution.error == "States.Runtime"
    assert "No mock or handler answers the Task state 'Call' (resource arn:aws:states:::ecs:runTask)" in (
        execution.cause or ""
    )


def test_a_later_source_answers_what_resources_does_not() -> None:
    class Topic:
        def handler_for(self, state_name: str, resource: Any) -> Any:
            return (lambda request: {"TaskArn": "t"}) if resource.service == "ecs" else None

    machine = task_machine("arn:aws:states:::ecs:runTask", Parameters={})
    assert machine.execute({}, resources=[Resources(), Topic()]).output == {"TaskArn": "t"}


def test_unsupported_patterns_are_not_answered() -> None:
    resources = Resources()
    for resource in (
        "arn:aws:states:::dynamodb:putItem.sync",
        "arn:aws:states:::glue:startJobRun.waitForTaskToken",
        "arn:aws:states:::lambda:invoke.sync",
        "arn:aws:states:::aws-sdk:dynamodb:putItem.sync",
    ):
        assert resources.handler_for("S", parse_resource(resource)) is None


def test_registrations_after_first_use_take_effect() -> None:
    resources = Resources()
    machine = task_machine("arn:aws:states:::batch:submitJob", Parameters={})
    assert machine.execute({}, resources=resources).error == "States.Runtime"
    resources.handler("arn:aws:states:::batch:submitJob", lambda request: "now answered")
    assert machine.execute({}, resources=resources).output == "now answered"


def test_handler_failures_propagate_as_states_errors() -> None:
    resources = Resources()

    def reject(request: TaskRequest) -> None:
        raise StatesError("SQS.AmazonSQSException", "The request must contain the parameter MessageBody.")

    resources.handler("arn:aws:states:::sqs:sendMessage", reject)
    execution = task_machine("arn:aws:states:::sqs:sendMessage", Parameters={}).execute({}, resources=resources)
    assert (execution.error, execution.cause) == (
        "SQS.AmazonSQSException",
        "The request must contain the parameter MessageBody.",
    )


def test_handler_registration_checks_the_resource() -> None:
    with pytest.raises(ConfigurationError, match="is not recognized"):
        Resources().handler("sqs:sendMessage", lambda request: None)
    with pytest.raises(ConfigurationError, match="must be callable"):
        Resources().handler("arn:aws:states:::sqs:sendMessage", "nope")  # type: ignore[arg-type]


def test_repr_lists_what_is_registered() -> None:
    resources = Resources()
    resources.lambda_function("Fn", lambda event, context: None)
    assert "lambda=['Fn']" in repr(resources)
