"""The optimized and AWS SDK DynamoDB integrations over the embedded DynamoDB."""

from __future__ import annotations

import json
import zlib
from typing import Any

import pytest

from asl_engine.services import Resources, TableSpec
from tests.services.support import clock, task_machine

OPTIMIZED = "arn:aws:states:::dynamodb:{}"
SDK = "arn:aws:states:::aws-sdk:dynamodb:{}"


@pytest.fixture
def resources() -> Resources:
    resources = Resources()
    resources.dynamodb_table(TableSpec("Orders", ("id", "S")), items=[{"id": "o1", "total": 5, "status": "NEW"}])
    return resources


def call(resources: Resources, resource: str, parameters: dict[str, Any]) -> Any:
    return task_machine(resource, Parameters=parameters).execute({}, resources=resources, clock=clock(), seed=4)


def test_optimized_put_update_get_match_the_recorded_responses(resources: Resources) -> None:
    put = call(
        resources,
        OPTIMIZED.format("putItem"),
        {"TableName": "Orders", "Item": {"id": {"S": "id1"}, "data": {"S": "HelloWorld"}}},
    ).output
    assert set(put) == {"SdkHttpMetadata", "SdkResponseMetadata"}
    assert put["SdkHttpMetadata"]["HttpHeaders"]["Content-Length"] == "2"
    update = call(
        resources,
        OPTIMIZED.format("updateItem"),
        {
            "TableName": "Orders",
            "Key": {"id": {"S": "id1"}},
            "UpdateExpression": "set S=:r",
            "ExpressionAttributeValues": {":r": {"S": "HelloWorldUpdated"}},
            "ReturnValues": "UPDATED_NEW",
        },
    ).output
    assert update["Attributes"] == {"S": {"S": "HelloWorldUpdated"}}
    assert update["SdkHttpMetadata"]["HttpHeaders"]["Content-Length"] == "46"  # as recorded on AWS
    get = call(resources, OPTIMIZED.format("getItem"), {"TableName": "Orders", "Key": {"id": {"S": "id1"}}}).output
    assert get["Item"] == {"S": {"S": "HelloWorldUpdated"}, "data": {"S": "HelloWorld"}, "id": {"S": "id1"}}
    headers = get["SdkHttpMetadata"]["HttpHeaders"]
    assert headers["Content-Length"] == "83"  # as recorded on AWS
    body = json.dumps({"Item": get["Item"]}, separators=(",", ":"))
    assert headers["x-amz-crc32"] == str(zlib.crc32(body.encode()))
    assert headers["Content-Type"] == "application/x-amz-json-1.0"
    request_id = get["SdkResponseMetadata"]["RequestId"]
    assert len(request_id) == 52 and request_id.isalnum() and request_id.isupper()


def test_missing_item_has_no_item_member(resources: Resources) -> None:
    get = call(resources, OPTIMIZED.format("getItem"), {"TableName": "Orders", "Key": {"id": {"S": "none"}}}).output
    assert "Item" not in get


def test_optimized_errors(resources: Resources) -> None:
    missing = call(resources, OPTIMIZED.format("putItem"), {"TableName": "Nope", "Item": {"id": {"S": "x"}}})
    assert missing.error == "DynamoDB.ResourceNotFoundException"
    assert (missing.cause or "").startswith(
        "Requested resource not found (Service: AmazonDynamoDBv2; Status Code: 400; "
        "Error Code: ResourceNotFoundException; Request ID: "
    )
    invalid = call(resources, OPTIMIZED.format("putItem"), {"TableName": "Orders", "Item": None})
    assert invalid.error == "DynamoDB.AmazonDynamoDBException"
    assert (invalid.cause or "").startswith(
        "1 validation error detected: Value null at 'item' failed to satisfy constraint: Member must not be null "
        "(Service: AmazonDynamoDBv2; Status Code: 400; Error Code: ValidationException; Request ID: "
    )
    conditional = call(
        resources,
        OPTIMIZED.format("putItem"),
        {"TableName": "Orders", "Item": {"id": {"S": "o1"}}, "ConditionExpression": "attribute_not_exists(id)"},
    )
    assert conditional.error == "DynamoDB.ConditionalCheckFailedException"
    assert (conditional.cause or "").startswith("The conditional request failed (Service: AmazonDynamoDBv2;")


def test_sdk_results_have_no_metadata(resources: Resources) -> None:
    assert call(resources, SDK.format("putItem"), {"TableName": "Orders", "Item": {"id": {"S": "o2"}}}).output == {}
    query = call(
        resources,
        SDK.format("query"),
        {
            "TableName": "Orders",
            "KeyConditionExpression": "id = :id",
            "ExpressionAttributeValues": {":id": {"S": "o1"}},
        },
    ).output
    assert query == {
        "Count": 1,
        "Items": [{"id": {"S": "o1"}, "status": {"S": "NEW"}, "total": {"N": "5"}}],
        "ScannedCount": 1,
    }
    scan = call(resources, SDK.format("scan"), {"TableName": "Orders", "Select": "COUNT"}).output
    assert scan == {"Count": 2, "ScannedCount": 2}


def test_sdk_errors(resources: Resources) -> None:
    missing = call(resources, SDK.format("putItem"), {"TableName": "Nope", "Item": {"id": {"S": "x"}}})
    assert missing.error == "DynamoDb.ResourceNotFoundException"
    assert (missing.cause or "").startswith(
        "Requested resource not found (Service: DynamoDb, Status Code: 400, Request ID: "
    )
    invalid = call(resources, SDK.format("putItem"), {"TableName": "Orders", "Item": None})
    assert invalid.error == "DynamoDb.DynamoDbException"
    assert "(Service: DynamoDb, Status Code: 400, Request ID: " in (invalid.cause or "")


def test_sdk_transactions_and_batches(resources: Resources) -> None:
    written = call(
        resources,
        SDK.format("transactWriteItems"),
        {
            "TransactItems": [
                {"Put": {"TableName": "Orders", "Item": {"id": {"S": "t1"}}}},
                {
                    "Update": {
                        "TableName": "Orders",
                        "Key": {"id": {"S": "o1"}},
                        "UpdateExpression": "ADD #t :n",
                        "ExpressionAttributeNames": {"#t": "total"},
                        "ExpressionAttributeValues": {":n": {"N": "2"}},
                    }
                },
            ]
        },
    )
    assert written.output == {}
    got = call(resources, SDK.format("batchGetItem"), {"RequestItems": {"Orders": {"Keys": [{"id": {"S": "o1"}}]}}})
    assert got.output["Responses"]["Orders"][0]["total"] == {"N": "7"}
    cancelled = call(
        resources,
        SDK.format("transactWriteItems"),
        {
            "TransactItems": [
                {
                    "ConditionCheck": {
                        "TableName": "Orders",
                        "Key": {"id": {"S": "o1"}},
                        "ConditionExpression": "attribute_not_exists(id)",
                    }
                }
            ]
        },
    )
    assert cancelled.error == "DynamoDb.TransactionCanceledException"


def test_actions_the_emulation_lacks_are_reported_clearly(resources: Resources) -> None:
    execution = call(resources, SDK.format("updateTimeToLive"), {"TableName": "Orders"})
    assert execution.error == "States.Runtime"
    assert "UpdateTimeToLive" in (execution.cause or "") and "is not emulated" in (execution.cause or "")


def test_optimized_query_is_not_an_integration(resources: Resources) -> None:
    handler = resources.handler_for(
        "Q",
        __import__("asl_engine.definition.arns", fromlist=["parse_resource"]).parse_resource(OPTIMIZED.format("query")),
    )
    assert handler is None


def test_tables_persist_in_a_sqlite_file(tmp_path: Any) -> None:
    path = tmp_path / "data.sqlite3"
    first = Resources(dynamodb_path=path)
    first.dynamodb_table(TableSpec("Runs", ("day", "S")))
    call(first, OPTIMIZED.format("putItem"), {"TableName": "Runs", "Item": {"day": {"S": "mon"}}})
    first.dynamodb.close()
    second = Resources(dynamodb_path=path)
    second.dynamodb_table(TableSpec("Runs", ("day", "S")))  # same definition: kept with its items
    got = call(second, OPTIMIZED.format("getItem"), {"TableName": "Runs", "Key": {"day": {"S": "mon"}}}).output
    assert got["Item"] == {"day": {"S": "mon"}}
    second.dynamodb.close()


def test_invalid_table_declarations_are_configuration_errors() -> None:
    from asl_engine.errors import ConfigurationError

    with pytest.raises(ConfigurationError, match="DynamoDB rejects table 'T': 1 validation error detected"):
        Resources().dynamodb_table(TableSpec("T", ("pk", "S")))
