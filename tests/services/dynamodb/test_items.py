"""PutItem, GetItem and DeleteItem: responses, key validation, projections and request checks."""

from __future__ import annotations

from typing import Any

import pytest

from asl_engine.services.dynamodb import DynamoDBService, UnsupportedActionError

from .conftest import error_of, n, s


def test_put_get_delete_round_trip(service: DynamoDBService) -> None:
    item = {"pk": s("a"), "n": n("1.50"), "m": {"M": {"l": {"L": [{"NULL": True}, {"BOOL": False}]}}}}
    assert service.call("PutItem", {"TableName": "Hash", "Item": item}) == {}
    got = service.call("GetItem", {"TableName": "Hash", "Key": {"pk": s("a")}})
    assert got == {"Item": {**item, "n": n("1.5")}}
    got["Item"]["m"]["M"]["l"]["L"].clear()  # responses are copies
    assert service.call("GetItem", {"TableName": "Hash", "Key": {"pk": s("a")}})["Item"]["m"]["M"]["l"]["L"]
    assert service.call("DeleteItem", {"TableName": "Hash", "Key": {"pk": s("a")}, "ReturnValues": "ALL_OLD"}) == {
        "Attributes": {**item, "n": n("1.5")}
    }
    assert service.call("GetItem", {"TableName": "Hash", "Key": {"pk": s("a")}}) == {}
    assert service.call("DeleteItem", {"TableName": "Hash", "Key": {"pk": s("a")}, "ReturnValues": "ALL_OLD"}) == {}


def test_put_replaces_and_returns_the_old_item(service: DynamoDBService) -> None:
    service.call("PutItem", {"TableName": "Hash", "Item": {"pk": s("a"), "x": n(1)}})
    response = service.call(
        "PutItem", {"TableName": "Hash", "Item": {"pk": s("a"), "y": n(2)}, "ReturnValues": "ALL_OLD"}
    )
    assert response == {"Attributes": {"pk": s("a"), "x": n(1)}}
    assert service.call("GetItem", {"TableName": "Hash", "Key": {"pk": s("a")}})["Item"] == {"pk": s("a"), "y": n(2)}


def test_table_name_may_be_an_arn(service: DynamoDBService) -> None:
    arn = "arn:aws:dynamodb:us-east-1:123456789012:table/Hash"
    service.call("PutItem", {"TableName": arn, "Item": {"pk": s("a")}})
    assert service.call("GetItem", {"TableName": "Hash", "Key": {"pk": s("a")}}) == {"Item": {"pk": s("a")}}


@pytest.mark.parametrize(
    ("action", "params", "code", "message"),
    [
        (
            "PutItem",
            {"TableName": "Nope", "Item": {"pk": s("a")}},
            "ResourceNotFoundException",
            "Requested resource not found",
        ),
        (
            "PutItem",
            {"TableName": "Hash"},
            "ValidationException",
            "1 validation error detected: Value null at 'item' failed to satisfy constraint: Member must not be null",
        ),
        (
            "GetItem",
            {"Key": {}},
            "ValidationException",
            "1 validation error detected: Value null at 'tableName' failed to satisfy constraint: Member must "
            "not be null",
        ),
        (
            "PutItem",
            {"TableName": "/bad", "Item": {}},
            "ValidationException",
            "1 validation error detected: Value '/bad' at 'tableName' failed to satisfy constraint: Member "
            "must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
        ),
        (
            "PutItem",
            {"TableName": "a;", "Item": {}},
            "ValidationException",
            "2 validation errors detected: Value 'a;' at 'tableName' failed to satisfy constraint: Member must "
            "satisfy regular expression pattern: [a-zA-Z0-9_.-]+; Value 'a;' at 'tableName' failed to satisfy "
            "constraint: Member must have length greater than or equal to 3",
        ),
        (
            "PutItem",
            {"TableName": "Hash", "Item": {"x": s("a")}},
            "ValidationException",
            "One or more parameter values were invalid: Missing the key pk in the item",
        ),
        (
            "PutItem",
            {"TableName": "Hash", "Item": {"pk": n(1)}},
            "ValidationException",
            "One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N",
        ),
        (
            "PutItem",
            {"TableName": "Hash", "Item": {"pk": s("")}},
            "ValidationException",
            "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain "
            "an empty string value. Key: pk",
        ),
        (
            "PutItem",
            {"TableName": "Hash", "Item": {"pk": s("a")}, "ReturnValues": "ALL_NEW"},
            "ValidationException",
            "Return values set to invalid value",
        ),
        (
            "PutItem",
            {"TableName": "Hash", "Item": {"pk": s("a")}, "ReturnValues": "hi"},
            "ValidationException",
            "1 validation error detected: Value 'hi' at 'returnValues' failed to satisfy constraint: Member "
            "must satisfy enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]",
        ),
        (
            "GetItem",
            {"TableName": "Hash", "Key": {"pk": s("a"), "x": s("b")}},
            "ValidationException",
            "The provided key element does not match the schema",
        ),
        (
            "GetItem",
            {"TableName": "Hash", "Key": {"pk": n(1)}},
            "ValidationException",
            "The provided key element does not match the schema",
        ),
        (
            "GetItem",
            {"TableName": "Range", "Key": {"pk": s("a")}},
            "ValidationException",
            "The provided key element does not match the schema",
        ),
        (
            "GetItem",
            {"TableName": "Hash", "Key": {"pk": {"S": "a", "N": "1"}}},
            "ValidationException",
            "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the "
            "supported datatypes",
        ),
        (
            "PutItem",
            {"TableName": "Hash", "Item": {"pk": s("a"), "x": {"SS": []}}},
            "ValidationException",
            "One or more parameter values were invalid: An string set  may not be empty",
        ),
        (
            "PutItem",
            {"TableName": "Hash", "Item": {"pk": s("a"), "x": {"N": "1e126"}}},
            "ValidationException",
            "Number overflow. Attempting to store a number with magnitude larger than supported range",
        ),
        (
            "PutItem",
            {"TableName": "Hash", "Item": {"pk": s("a"), "x": s("y" * 409_600)}},
            "ValidationException",
            "Item size has exceeded the maximum allowed size",
        ),
        (
            "PutItem",
            {"TableName": "Hash", "Item": {"pk": s("a" * 2049)}},
            "ValidationException",
            "One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit "
            "of2048 bytes",
        ),
        (
            "PutItem",
            {"TableName": "Hash", "Item": {"pk": s("a")}, "ExpressionAttributeValues": {":a": s("x")}},
            "ValidationException",
            "ExpressionAttributeValues can only be specified when using expressions: ConditionExpression is null",
        ),
        (
            "PutItem",
            {
                "TableName": "Hash",
                "Item": {"pk": s("a")},
                "ConditionExpression": "a = :a",
                "ExpressionAttributeValues": {},
            },
            "ValidationException",
            "ExpressionAttributeValues must not be empty",
        ),
        (
            "PutItem",
            {
                "TableName": "Hash",
                "Item": {"pk": s("a")},
                "ConditionExpression": "a = :a",
                "ExpressionAttributeValues": {"a": s("x")},
            },
            "ValidationException",
            'ExpressionAttributeValues contains invalid key: Syntax error; key: "a"',
        ),
        (
            "PutItem",
            {
                "TableName": "Hash",
                "Item": {"pk": s("a")},
                "ConditionExpression": "a = :a",
                "ExpressionAttributeValues": {":a": {"NULL": False}},
            },
            "ValidationException",
            "ExpressionAttributeValues contains invalid value: One or more parameter values were invalid: Null "
            "attribute value types must have the value of true for key :a",
        ),
        (
            "PutItem",
            {
                "TableName": "Hash",
                "Item": {"pk": s("a")},
                "ConditionExpression": "#a = :a",
                "ExpressionAttributeNames": {"a": "x"},
                "ExpressionAttributeValues": {":a": s("x")},
            },
            "ValidationException",
            'ExpressionAttributeNames contains invalid key: Syntax error; key: "a"',
        ),
        (
            "PutItem",
            {"TableName": "Hash", "Item": {"pk": s("a")}, "ConditionExpression": ""},
            "ValidationException",
            "Invalid ConditionExpression: The expression can not be empty;",
        ),
        (
            "PutItem",
            {
                "TableName": "Hash",
                "Item": {"pk": s("a")},
                "ConditionExpression": "a.b = :v",
                "ExpressionAttributeValues": {":v": n(1)},
                "Expected": {},
            },
            "ValidationException",
            "Can not use both expression and non-expression parameters in the same request: Non-expression "
            "parameters: {Expected} Expression parameters: {ConditionExpression}",
        ),
        (
            "GetItem",
            {"TableName": "Hash", "Key": {"pk": s("a")}, "ProjectionExpression": "a, a"},
            "ValidationException",
            "Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite "
            "one of these paths; path one: [a], path two: [a]",
        ),
        (
            "GetItem",
            {"TableName": "Hash", "Key": {"pk": s("a")}, "ProjectionExpression": "a.b, a[1]"},
            "ValidationException",
            "Invalid ProjectionExpression: Two document paths conflict with each other; must remove or rewrite "
            "one of these paths; path one: [a, b], path two: [a, [1]]",
        ),
        (
            "PutItem",
            {
                "TableName": "Hash",
                "Item": {"pk": s("a")},
                "ConditionExpression": "pk.x = :v",
                "ExpressionAttributeValues": {":v": n(1)},
            },
            "ValidationException",
            "Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: Key: pk",
        ),
        (
            "PutItem",
            {"TableName": "Indexed", "Item": {"pk": s("a"), "sk": s("b"), "phase": n(1)}},
            "ValidationException",
            "One or more parameter values were invalid: Type mismatch for Index Key phase Expected: S Actual: "
            "N IndexName: ByStatus",
        ),
        (
            "PutItem",
            {"TableName": "Hash", "Item": {"pk": {"N": 1}}},
            "SerializationException",
            "NUMBER_VALUE cannot be converted to String",
        ),
    ],
)
def test_request_errors(service: DynamoDBService, action: str, params: dict[str, Any], code: str, message: str) -> None:
    error = error_of(service, action, params)
    assert (error.code, error.message) == (code, message)


def test_projections(service: DynamoDBService) -> None:
    item = {
        "pk": s("a"),
        "a": {"M": {"b": {"L": [n(2), n(4), {"M": {"x": s("hi"), "y": s("yo")}}]}, "c": n(5)}},
        "b": s("hello"),
        "grid": {"L": [{"NULL": True}, {"L": [s("x"), s("y")]}]},
    }
    service.call("PutItem", {"TableName": "Hash", "Item": item})

    def get(expression: str, names: dict[str, str] | None = None) -> dict[str, Any]:
        params: dict[str, Any] = {"TableName": "Hash", "Key": {"pk": s("a")}, "ProjectionExpression": expression}
        if names:
            params["ExpressionAttributeNames"] = names
        return service.call("GetItem", params)["Item"]

    assert get("a.b[2].y") == {"a": {"M": {"b": {"L": [{"M": {"y": s("yo")}}]}}}}
    assert get("a.b[2], a.b[0]") == {"a": {"M": {"b": {"L": [n(2), {"M": {"x": s("hi"), "y": s("yo")}}]}}}}
    assert get("a.x, a.b[0], x, a.b[3].x") == {"a": {"M": {"b": {"L": [n(2)]}}}}
    for leads_nowhere in ("nothing", "a[0]", "a.b.x", "a.b[3]", "a.b[0][0]"):
        assert get(leads_nowhere) == {}
    assert get("#n1.#n2", {"#n1": "a", "#n2": "c"}) == {"a": {"M": {"c": n(5)}}}
    assert get("grid[1][1]") == {"grid": {"L": [{"L": [s("y")]}]}}  # nested lists keep their nesting
    assert service.call("GetItem", {"TableName": "Hash", "Key": {"pk": s("a")}, "AttributesToGet": ["b", "pk"]})[
        "Item"
    ] == {
        "b": s("hello"),
        "pk": s("a"),
    }


def test_conditional_puts_and_deletes(service: DynamoDBService) -> None:
    create_once = {
        "TableName": "Hash",
        "Item": {"pk": s("a"), "v": n(1)},
        "ConditionExpression": "attribute_not_exists(pk)",
    }
    service.call("PutItem", create_once)
    assert error_of(service, "PutItem", create_once).code == "ConditionalCheckFailedException"
    delete = {
        "TableName": "Hash",
        "Key": {"pk": s("a")},
        "ConditionExpression": "v = :two",
        "ExpressionAttributeValues": {":two": n(2)},
        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
    }
    error = error_of(service, "DeleteItem", delete)
    assert error.item == {"pk": s("a"), "v": n(1)}
    assert error.to_response()["Item"] == {"pk": s("a"), "v": n(1)}
    service.call("DeleteItem", {**delete, "ExpressionAttributeValues": {":two": n(1)}})
    assert service.call("GetItem", {"TableName": "Hash", "Key": {"pk": s("a")}}) == {}


def test_consumed_capacity(service: DynamoDBService) -> None:
    response = service.call("PutItem", {"TableName": "Hash", "Item": {"pk": s("a")}, "ReturnConsumedCapacity": "TOTAL"})
    assert response == {"ConsumedCapacity": {"TableName": "Hash", "CapacityUnits": 1.0}}
    response = service.call(
        "GetItem",
        {"TableName": "Hash", "Key": {"pk": s("a")}, "ReturnConsumedCapacity": "INDEXES", "ConsistentRead": True},
    )
    assert response["ConsumedCapacity"] == {"TableName": "Hash", "CapacityUnits": 1.0, "Table": {"CapacityUnits": 1.0}}


def test_unsupported_actions_and_legacy_parameters_say_so(service: DynamoDBService) -> None:
    with pytest.raises(UnsupportedActionError, match="UpdateTable"):
        service.call("UpdateTable", {"TableName": "Hash"})
    with pytest.raises(UnsupportedActionError, match="Expected"):
        service.call("PutItem", {"TableName": "Hash", "Item": {"pk": s("a")}, "Expected": {"a": {"Exists": False}}})


def test_lower_camel_case_action_names_are_accepted(service: DynamoDBService) -> None:
    service.call("putItem", {"TableName": "Hash", "Item": {"pk": s("a")}})
    assert service.call("getItem", {"TableName": "Hash", "Key": {"pk": s("a")}}) == {"Item": {"pk": s("a")}}
