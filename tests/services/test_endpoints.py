"""Endpoint routing: calls sent with boto3 to moto's server, started by the test on a free loopback
port, for DynamoDB, SQS and Secrets Manager (AWS SDK and optimized integrations), errors mapped to
their Step Functions names and caught by a Catch; and the parameter and result translation."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest

from asl_engine import StateMachine, VirtualClock
from asl_engine.services import Resources, load_resources
from tests.services.support import START, task_machine

pytest.importorskip("boto3")
moto_server = pytest.importorskip("moto.server")


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture(autouse=True)
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing")):
        monkeypatch.setenv(name, value)


def run(resources: Resources, resource: str, parameters: Any, **fields: Any) -> Any:
    return task_machine(resource, Parameters=parameters, **fields).execute(
        {}, resources=resources, clock=VirtualClock(START)
    )


def client(endpoint: str, service: str) -> Any:
    import boto3

    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1")


def test_dynamodb_both_integrations_go_to_the_endpoint(endpoint: str) -> None:
    client(endpoint, "dynamodb").create_table(
        TableName="Orders",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    resources = Resources(endpoints={"dynamodb": endpoint})
    put = run(
        resources,
        "arn:aws:states:::aws-sdk:dynamodb:putItem",
        {"TableName": "Orders", "Item": {"pk": {"S": "a"}, "n": {"N": "1"}}},
    )
    assert put.output == {}
    optimized = run(resources, "arn:aws:states:::dynamodb:getItem", {"TableName": "Orders", "Key": {"pk": {"S": "a"}}})
    assert optimized.output["Item"] == {"pk": {"S": "a"}, "n": {"N": "1"}}
    metadata = optimized.output["SdkHttpMetadata"]
    assert metadata["HttpStatusCode"] == 200 and metadata["AllHttpHeaders"]
    assert optimized.output["SdkResponseMetadata"]["RequestId"]
    assert resources.dynamodb.table_names() == []  # nothing reached the embedded DynamoDB


def test_a_condition_failure_is_named_and_caught(endpoint: str) -> None:
    resources = Resources(endpoints={"dynamodb": endpoint})
    client(endpoint, "dynamodb").create_table(
        TableName="Locks",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    item = {"TableName": "Locks", "Item": {"pk": {"S": "x"}}, "ConditionExpression": "attribute_not_exists(pk)"}
    put_item = "arn:aws:states:::aws-sdk:dynamodb:putItem"
    taken = [{"ErrorEquals": ["DynamoDb.ConditionalCheckFailedException"], "Next": "Taken"}]
    machine = StateMachine.from_json(
        {
            "StartAt": "First",
            "States": {
                "First": {"Type": "Task", "Resource": put_item, "Parameters": item, "Next": "Again"},
                "Again": {"Type": "Task", "Resource": put_item, "Parameters": item, "Catch": taken, "End": True},
                "Taken": {"Type": "Pass", "End": True},
            },
        }
    )
    execution = machine.execute({}, resources=resources, clock=VirtualClock(START))
    assert execution.output["Error"] == "DynamoDb.ConditionalCheckFailedException"
    assert "(Service: DynamoDb, Status Code: 400, Request ID: " in execution.output["Cause"]
    optimized = run(resources, "arn:aws:states:::dynamodb:putItem", item)
    assert optimized.error == "DynamoDB.ConditionalCheckFailedException"
    assert (
        optimized.cause is not None
        and "(Service: AmazonDynamoDBv2; Status Code: 400; Error Code: ConditionalCheckFailedException;"
        in optimized.cause
    )


def test_sqs_through_the_endpoint(endpoint: str) -> None:
    url = client(endpoint, "sqs").create_queue(QueueName="jobs")["QueueUrl"]
    resources = Resources(endpoints={"sqs": endpoint})
    optimized = run(resources, "arn:aws:states:::sqs:sendMessage", {"QueueUrl": url, "MessageBody": {"job": 1}})
    assert optimized.output["MD5OfMessageBody"] and "SdkHttpMetadata" in optimized.output
    sdk = run(resources, "arn:aws:states:::aws-sdk:sqs:sendMessage", {"QueueUrl": url, "MessageBody": "plain"})
    assert set(sdk.output) == {"MessageId", "MD5OfMessageBody"}  # the API members, no SDK metadata
    received = client(endpoint, "sqs").receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert {m["Body"] for m in received} == {'{"job":1}', "plain"}
    assert resources.sqs.queue_names() == []  # the embedded SQS was not used
    missing = run(resources, "arn:aws:states:::aws-sdk:sqs:getQueueUrl", {"QueueName": "nope"})
    assert missing.error == "Sqs.QueueDoesNotExistException"


def test_secrets_manager_errors_are_caught_by_task_failed(endpoint: str, tmp_path: Any) -> None:
    file = tmp_path / "asl.toml"
    file.write_text(f'[endpoints]\nsecretsmanager = "{endpoint}"\n')
    resources = load_resources(file)
    client(endpoint, "secretsmanager").create_secret(Name="db", SecretString="hunter2")
    got = run(resources, "arn:aws:states:::aws-sdk:secretsmanager:getSecretValue", {"SecretId": "db"})
    assert got.output["SecretString"] == "hunter2"
    assert got.output["CreatedDate"].endswith("Z") and "ResponseMetadata" not in got.output
    machine = StateMachine.from_json(
        {
            "StartAt": "Get",
            "States": {
                "Get": {
                    "Type": "Task", "Resource": "arn:aws:states:::aws-sdk:secretsmanager:getSecretValue",
                    "Parameters": {"SecretId": "missing"}, "End": True,
                    "Catch": [{"ErrorEquals": ["States.TaskFailed"], "ResultPath": "$.error", "Next": "Handled"}],
                },
                "Handled": {"Type": "Pass", "End": True},
            },
        }
    )  # fmt: skip
    handled = machine.execute({}, resources=resources, clock=VirtualClock(START))
    assert handled.output["error"]["Error"] == "SecretsManager.ResourceNotFoundException"
    cause = handled.output["error"]["Cause"]
    assert cause.startswith("Secrets Manager can't find the specified secret. (Service: SecretsManager, Status Code: ")


def test_an_endpoint_that_does_not_answer() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    resources = Resources(endpoints={"default": f"http://127.0.0.1:{port}"})
    execution = run(resources, "arn:aws:states:::aws-sdk:secretsmanager:listSecrets", {})
    assert execution.error == "SecretsManager.SdkClientException"
    assert execution.cause is not None and execution.cause.startswith("Unable to execute HTTP request:")


def test_parameters_follow_the_api_model() -> None:
    from asl_engine.services.endpoints.naming import botocore_name, error_prefix, service_model
    from asl_engine.services.endpoints.shapes import ParameterProblem, from_botocore, to_botocore

    sfn = service_model(botocore_name("sfn"))
    start = sfn.operation_model("StartExecution")
    assert to_botocore({"StateMachineArn": "arn", "Input": "{}"}, start.input_shape) == {
        "stateMachineArn": "arn",
        "input": "{}",
    }
    with pytest.raises(ParameterProblem, match="'Bogus' is not supported"):
        to_botocore({"Bogus": 1}, start.input_shape)
    from datetime import UTC, datetime

    described = from_botocore(
        {"executionArn": "e", "startDate": datetime(2024, 1, 1, tzinfo=UTC), "ResponseMetadata": {}},
        sfn.operation_model("DescribeExecution").output_shape,
    )
    assert described == {"ExecutionArn": "e", "StartDate": "2024-01-01T00:00:00Z"}
    kms = service_model("kms").operation_model("Encrypt")
    assert to_botocore({"KeyId": "k", "Plaintext": "aGk="}, kms.input_shape)["Plaintext"] == b"hi"
    s3 = service_model("s3").operation_model("PutObject")
    assert to_botocore({"Bucket": "b", "Key": "k", "Body": "text"}, s3.input_shape)["Body"] == b'"text"'
    packages = ("dynamodb", "sfn", "secretsmanager", "s3", "eventbridge", "cloudwatchlogs", "acmpca")
    prefixes = [error_prefix(service_model(botocore_name(name)).service_id) for name in packages]
    assert prefixes == ["DynamoDb", "Sfn", "SecretsManager", "S3", "EventBridge", "CloudWatchLogs", "AcmPca"]


def test_nothing_is_routed_unless_configured() -> None:
    resources = Resources()
    execution = run(
        resources, "arn:aws:states:::aws-sdk:dynamodb:putItem", {"TableName": "Orders", "Item": {"pk": {"S": "a"}}}
    )
    assert execution.error == "DynamoDb.ResourceNotFoundException"  # the embedded DynamoDB answered
    assert resources.endpoints.target("dynamodb") is None
