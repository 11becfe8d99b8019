"""BatchGetItem, BatchWriteItem, TransactWriteItems and TransactGetItems."""

from __future__ import annotations

from typing import Any

from asl_engine.services.dynamodb import DynamoDBService

from .conftest import error_of, n, s


def get(service: DynamoDBService, pk: str) -> dict[str, Any] | None:
    return service.call("GetItem", {"TableName": "Hash", "Key": {"pk": s(pk)}}).get("Item")


def test_batch_write_then_batch_get(service: DynamoDBService) -> None:
    service.call("PutItem", {"TableName": "Hash", "Item": {"pk": s("old")}})
    response = service.call(
        "BatchWriteItem",
        {
            "RequestItems": {
                "Hash": [
                    {"PutRequest": {"Item": {"pk": s("a"), "v": n(1)}}},
                    {"PutRequest": {"Item": {"pk": s("b"), "v": n(2)}}},
                    {"DeleteRequest": {"Key": {"pk": s("old")}}},
                ],
                "Range": [{"PutRequest": {"Item": {"pk": s("a"), "sk": n(1)}}}],
            }
        },
    )
    assert response == {"UnprocessedItems": {}}
    assert get(service, "old") is None
    response = service.call(
        "BatchGetItem",
        {
            "RequestItems": {
                "Hash": {"Keys": [{"pk": s("a")}, {"pk": s("b")}, {"pk": s("zzz")}], "ProjectionExpression": "v"},
                "Range": {"Keys": [{"pk": s("a"), "sk": n(1)}]},
            }
        },
    )
    assert response == {
        "Responses": {"Hash": [{"v": n(1)}, {"v": n(2)}], "Range": [{"pk": s("a"), "sk": n(1)}]},
        "UnprocessedKeys": {},
    }


def test_batch_errors(service: DynamoDBService) -> None:
    duplicate = {
        "RequestItems": {"Hash": [{"PutRequest": {"Item": {"pk": s("a")}}}, {"DeleteRequest": {"Key": {"pk": s("a")}}}]}
    }
    assert error_of(service, "BatchWriteItem", duplicate).message == "Provided list of item keys contains duplicates"
    too_many = {"RequestItems": {"Hash": [{"PutRequest": {"Item": {"pk": s(str(i))}}} for i in range(26)]}}
    assert (
        error_of(service, "BatchWriteItem", too_many).message == "Too many items requested for the BatchWriteItem call"
    )
    assert get(service, "1") is None  # nothing was written
    too_many_keys = {"RequestItems": {"Hash": {"Keys": [{"pk": s(str(i))} for i in range(101)]}}}
    assert (
        error_of(service, "BatchGetItem", too_many_keys).message == "Too many items requested for the BatchGetItem call"
    )
    repeated_keys = {"RequestItems": {"Hash": {"Keys": [{"pk": s("a")}, {"pk": s("a")}]}}}
    assert error_of(service, "BatchGetItem", repeated_keys).message == "Provided list of item keys contains duplicates"
    missing_table = {"RequestItems": {"Nope": [{"PutRequest": {"Item": {"pk": s("a")}}}]}}
    assert error_of(service, "BatchWriteItem", missing_table).code == "ResourceNotFoundException"


def put_action(pk: str, **extra: Any) -> dict[str, Any]:
    return {"Put": {"TableName": "Hash", "Item": {"pk": s(pk), **extra.pop("item", {})}, **extra}}


def test_transaction_commits_every_action(service: DynamoDBService) -> None:
    service.call("PutItem", {"TableName": "Hash", "Item": {"pk": s("counter"), "v": n(1)}})
    service.call("PutItem", {"TableName": "Hash", "Item": {"pk": s("gone")}})
    response = service.call(
        "TransactWriteItems",
        {
            "TransactItems": [
                put_action("new", ConditionExpression="attribute_not_exists(pk)"),
                {
                    "Update": {
                        "TableName": "Hash",
                        "Key": {"pk": s("counter")},
                        "UpdateExpression": "SET v = v + :one",
                        "ExpressionAttributeValues": {":one": n(1)},
                    }
                },
                {"Delete": {"TableName": "Hash", "Key": {"pk": s("gone")}}},
                {
                    "ConditionCheck": {
                        "TableName": "Hash",
                        "Key": {"pk": s("other")},
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
            ]
        },
    )
    assert response == {}
    assert get(service, "new") == {"pk": s("new")}
    assert get(service, "counter") == {"pk": s("counter"), "v": n(2)}
    assert get(service, "gone") is None
    assert get(service, "other") is None


def test_failed_conditions_cancel_everything_and_are_all_reported(service: DynamoDBService) -> None:
    service.call("PutItem", {"TableName": "Hash", "Item": {"pk": s("x"), "v": n(42)}})
    error = error_of(
        service,
        "TransactWriteItems",
        {
            "TransactItems": [
                put_action("p1"),
                {
                    "ConditionCheck": {
                        "TableName": "Hash",
                        "Key": {"pk": s("p3")},
                        "ConditionExpression": "attribute_exists(pk)",
                    }
                },
                {
                    "Update": {
                        "TableName": "Hash",
                        "Key": {"pk": s("x")},
                        "UpdateExpression": "SET v = v + :one",
                        "ConditionExpression": "v = :wrong",
                        "ExpressionAttributeValues": {":one": n(1), ":wrong": n(43)},
                        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                    }
                },
            ]
        },
    )
    assert error.code == "TransactionCanceledException"
    assert error.message == (
        "Transaction cancelled, please refer cancellation reasons for specific reasons "
        "[None, ConditionalCheckFailed, ConditionalCheckFailed]"
    )
    assert error.cancellation_reasons == [
        {"Code": "None"},
        {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"},
        {
            "Code": "ConditionalCheckFailed",
            "Message": "The conditional request failed",
            "Item": {"pk": s("x"), "v": n(42)},
        },
    ]
    assert get(service, "p1") is None
    assert get(service, "x") == {"pk": s("x"), "v": n(42)}


def test_item_validation_errors_become_a_single_validation_reason(service: DynamoDBService) -> None:
    error = error_of(
        service,
        "TransactWriteItems",
        {
            "TransactItems": [
                {"Put": {"TableName": "Hash", "Item": {"pk": n(7)}}},
                {"Put": {"TableName": "Hash", "Item": {"pk": n(8)}}},
                put_action("ok", ConditionExpression="attribute_exists(pk)"),
            ]
        },
    )
    assert error.cancellation_reasons == [
        {
            "Code": "ValidationError",
            "Message": "One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N",
        },
        {"Code": "None"},
        {"Code": "None"},
    ]


def test_request_level_errors_fail_the_whole_transaction(service: DynamoDBService) -> None:
    cases = [
        ([put_action("a"), put_action("a")], "Transaction request cannot include multiple operations on one item"),
        (
            [put_action("a", ConditionExpression="hello!")],
            'Invalid ConditionExpression: Syntax error; token: "!", near: "hello!"',
        ),
        (
            [put_action("a", ConditionExpression="attribute_exists(#xyz)")],
            "Invalid ConditionExpression: An expression attribute name used in the document path is not "
            "defined; attribute name: #xyz",
        ),
        (
            [put_action("a", ConditionExpression="attribute_exists(pk)", ExpressionAttributeValues={":xyz": n(7)})],
            "Value provided in ExpressionAttributeValues unused in expressions: keys: {:xyz}",
        ),
        (
            [],
            "1 validation error detected at 'transactItems' failed to satisfy constraint: Member must have "
            "length greater than or equal to 1.",
        ),
        (
            [put_action(str(i)) for i in range(101)],
            "1 validation error detected at 'transactItems' failed to satisfy constraint: Member must have "
            "length less than or equal to 100.",
        ),
        (
            [{"ConditionCheck": {"TableName": "Hash", "Key": {"pk": s("a")}}}],
            "1 validation error detected: Value null at "
            "'transactItems.1.member.conditionCheck.conditionExpression' failed to satisfy constraint: Member "
            "must not be null",
        ),
        (
            [
                {
                    "Put": {"TableName": "Hash", "Item": {"pk": s("a")}},
                    "Delete": {"TableName": "Hash", "Key": {"pk": s("a")}},
                }
            ],
            "TransactItems can only contain one of Check, Put, Update or Delete",
        ),
    ]
    for actions, message in cases:
        error = error_of(service, "TransactWriteItems", {"TransactItems": actions})
        assert (error.code, error.message) == ("ValidationException", message)


def test_client_request_token_makes_a_transaction_idempotent(service: DynamoDBService) -> None:
    service.call("PutItem", {"TableName": "Hash", "Item": {"pk": s("c"), "v": n(0)}})
    increment = {
        "Update": {
            "TableName": "Hash",
            "Key": {"pk": s("c")},
            "UpdateExpression": "SET v = v + :one",
            "ExpressionAttributeValues": {":one": n(1)},
        }
    }
    for _ in range(2):
        service.call("TransactWriteItems", {"TransactItems": [increment], "ClientRequestToken": "token-1"})
    assert get(service, "c") == {"pk": s("c"), "v": n(1)}
    error = error_of(
        service, "TransactWriteItems", {"TransactItems": [put_action("other")], "ClientRequestToken": "token-1"}
    )
    assert error.code == "IdempotentParameterMismatchException"


def test_transact_get_items(service: DynamoDBService) -> None:
    service.call("PutItem", {"TableName": "Hash", "Item": {"pk": s("a"), "x": n(1), "y": n(2)}})
    response = service.call(
        "TransactGetItems",
        {
            "TransactItems": [
                {
                    "Get": {
                        "TableName": "Hash",
                        "Key": {"pk": s("a")},
                        "ProjectionExpression": "#x",
                        "ExpressionAttributeNames": {"#x": "x"},
                    }
                },
                {"Get": {"TableName": "Hash", "Key": {"pk": s("missing")}}},
            ]
        },
    )
    assert response == {"Responses": [{"Item": {"x": n(1)}}, {}]}
    error = error_of(
        service,
        "TransactGetItems",
        {
            "TransactItems": [
                {
                    "Get": {
                        "TableName": "Hash",
                        "Key": {"pk": s("a")},
                        "ProjectionExpression": "#x",
                        "ExpressionAttributeNames": {"#x": "x", "#qq": "q"},
                    }
                }
            ]
        },
    )
    assert error.message == "Value provided in ExpressionAttributeNames unused in expressions: keys: {#qq}"
