"""UpdateItem with UpdateExpression: semantics and DynamoDB's errors."""

from __future__ import annotations

from typing import Any

import pytest

from asl_engine.services.dynamodb import DynamoDBService

from .conftest import error_of, n, s


def put(service: DynamoDBService, **attributes: Any) -> None:
    service.call("PutItem", {"TableName": "Hash", "Item": {"pk": s("k"), **attributes}})


def update(
    service: DynamoDBService, expression: str, values: dict[str, Any] | None = None, **extra: Any
) -> dict[str, Any]:
    params: dict[str, Any] = {"TableName": "Hash", "Key": {"pk": s("k")}, "UpdateExpression": expression, **extra}
    if values:
        params["ExpressionAttributeValues"] = values
    return service.call("UpdateItem", params)


def stored(service: DynamoDBService) -> dict[str, Any]:
    return service.call("GetItem", {"TableName": "Hash", "Key": {"pk": s("k")}}).get("Item", {})


def update_error(service: DynamoDBService, expression: str, values: dict[str, Any] | None = None, **extra: Any) -> str:
    params: dict[str, Any] = {"TableName": "Hash", "Key": {"pk": s("k")}, "UpdateExpression": expression, **extra}
    if values:
        params["ExpressionAttributeValues"] = values
    error = error_of(service, "UpdateItem", params)
    assert error.code == "ValidationException"
    return error.message


def test_set_reads_the_item_as_it_was_before_the_update(service: DynamoDBService) -> None:
    put(service, a=s("hello"))
    update(service, "REMOVE a SET b = a")
    assert stored(service) == {"pk": s("k"), "b": s("hello")}
    assert update_error(service, "SET x = :v, y = x", {":v": n(4)}) == (
        "The provided expression refers to an attribute that does not exist in the item"
    )


def test_arithmetic_if_not_exists_and_list_append(service: DynamoDBService) -> None:
    update(service, "SET c = if_not_exists(c, :zero) + :one", {":zero": n(0), ":one": n(1)})
    update(service, "SET c = if_not_exists(c, :zero) + :one", {":zero": n(0), ":one": n(1)})
    update(service, "SET l = list_append(if_not_exists(l, :empty), :v)", {":empty": {"L": []}, ":v": {"L": [s("a")]}})
    update(service, "SET l = list_append(:v, l), d = :ten - c", {":v": {"L": [s("z")]}, ":ten": n(10)})
    assert stored(service) == {"pk": s("k"), "c": n(2), "d": n(8), "l": {"L": [s("z"), s("a")]}}


def test_add_and_delete_on_numbers_and_sets(service: DynamoDBService) -> None:
    update(service, "ADD cnt :n, tags :t", {":n": n(5), ":t": {"SS": ["a", "b"]}})
    update(service, "ADD cnt :n, tags :t", {":n": n("-1.5"), ":t": {"SS": ["b", "c"]}})
    assert stored(service)["cnt"] == n("3.5")
    assert sorted(stored(service)["tags"]["SS"]) == ["a", "b", "c"]
    update(service, "DELETE tags :t", {":t": {"SS": ["a", "c", "nope"]}})
    assert stored(service)["tags"] == {"SS": ["b"]}
    update(service, "DELETE tags :t", {":t": {"SS": ["b"]}})
    assert "tags" not in stored(service)
    update(service, "DELETE tags :t", {":t": {"SS": ["b"]}})  # deleting from nothing is fine
    update(service, "ADD tags :t", {":t": {"SS": ["x"]}})
    assert update_error(service, "ADD tags :t", {":t": {"NS": ["1"]}}) == (
        "An operand in the update expression has an incorrect data type"
    )


def test_list_positions_refer_to_the_list_before_the_update(service: DynamoDBService) -> None:
    put(service, a={"L": [n(i) for i in (2, 3, 4, 5, 6, 7)]})
    update(service, "REMOVE a[1] SET a[3] = :v", {":v": n(17)})
    assert stored(service)["a"] == {"L": [n(2), n(4), n(17), n(6), n(7)]}
    put(service, a={"L": [s("one"), s("two"), s("three")]})
    update(
        service,
        "SET a[84] = :v1, a[37] = :v2, a[17] = :v3, a[50] = :v4",
        {":v1": s("a1"), ":v2": s("a2"), ":v3": s("a3"), ":v4": s("a4")},
    )
    assert stored(service)["a"] == {"L": [s("one"), s("two"), s("three"), s("a3"), s("a2"), s("a4"), s("a1")]}


def test_nested_updates(service: DynamoDBService) -> None:
    put(service, a={"M": {"x": n(3), "y": n(4), "c": {"M": {"y": n(3)}}}}, b={"M": {"x": n(1), "y": n(2)}})
    update(
        service, "SET a.b = :v1, a.c.d = :v2, b.x = :v3 REMOVE a.x, b.y", {":v1": n(10), ":v2": s("dog"), ":v3": n(17)}
    )
    assert stored(service)["a"] == {"M": {"y": n(4), "c": {"M": {"y": n(3), "d": s("dog")}}, "b": n(10)}}
    assert stored(service)["b"] == {"M": {"x": n(17)}}
    put(service, a={"M": {"b": n(1)}}, l={"L": [n(1)]})
    update(service, "REMOVE a.b, l[0], l[7], nothing")
    assert stored(service) == {"pk": s("k"), "a": {"M": {}}, "l": {"L": []}}


def test_invalid_document_paths(service: DynamoDBService) -> None:
    put(service, a=s("hello"), b={"L": [s("hi")]})
    invalid = "The document path provided in the update expression is invalid for update"
    for expression in ("SET a.c = :v", "SET b.c = :v", "SET c.c = :v", "REMOVE a.c", "REMOVE c.c", "SET a[0] = :v"):
        values = {":v": n(7)} if ":v" in expression else None
        assert update_error(service, expression, values) == invalid
    service.call("DeleteItem", {"TableName": "Hash", "Key": {"pk": s("k")}})
    update(service, "REMOVE x.y")  # on a missing item REMOVE of a nested path is ignored
    assert stored(service) == {"pk": s("k")}


def test_type_errors_found_while_applying(service: DynamoDBService) -> None:
    put(service, a=n(3), b=s("hi"), l={"L": []})
    incorrect = "An operand in the update expression has an incorrect data type"
    assert update_error(service, "ADD b :v", {":v": n(1)}) == incorrect
    assert update_error(service, "SET c = b + :v", {":v": n(1)}) == incorrect
    assert update_error(service, "SET c = list_append(a, l)") == incorrect
    assert update_error(service, "ADD l :v", {":v": {"SS": ["x"]}}) == incorrect
    assert update_error(service, "SET c = :v + :w", {":v": n("9e125"), ":w": n("9e125")}).startswith("Number overflow")


@pytest.mark.parametrize(
    ("expression", "values", "expected"),
    [
        (
            "SET a = :v1 SET b = :v2",
            {":v1": n(1), ":v2": n(2)},
            'The "SET" section can only be used once in an update expression;',
        ),
        (
            "SET a = :v, a = :v",
            {":v": n(1)},
            "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: "
            "[a], path two: [a]",
        ),
        (
            "SET a[1] = :v REMOVE a",
            {":v": n(1)},
            "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: "
            "[a, [1]], path two: [a]",
        ),
        (
            "SET a.b = :v, a[1] = :v",
            {":v": n(1)},
            "Two document paths conflict with each other; must remove or rewrite one of these paths; path one: "
            "[a, b], path two: [a, [1]]",
        ),
        (
            "ADD a :v",
            {":v": s("x")},
            "Incorrect operand type for operator or function; operator: ADD, operand type: STRING",
        ),
        (
            "ADD a :v",
            {":v": {"L": []}},
            "Incorrect operand type for operator or function; operator: ADD, operand type: LIST",
        ),
        (
            "DELETE a :v",
            {":v": n(1)},
            "Incorrect operand type for operator or function; operator: DELETE, operand type: NUMBER",
        ),
        (
            "SET a = :v + :w",
            {":v": s("x"), ":w": n(1)},
            "Incorrect operand type for operator or function; operator or function: +, operand type: S",
        ),
        (
            "SET a = list_append(:v, b)",
            {":v": n(1)},
            "Incorrect operand type for operator or function; operator or function: list_append, operand type: N",
        ),
        (
            "SET a = list_append(:v)",
            {":v": {"L": []}},
            "Incorrect number of operands for operator or function; operator or function: list_append, number "
            "of operands: 1",
        ),
        (
            "SET a = if_not_exists(:v, b)",
            {":v": n(1)},
            "Operator or function requires a document path; operator or function: if_not_exists",
        ),
        ("SET a = f(b)", None, "Invalid function name; function: f"),
        ("SET a = size(b)", None, "The function is not allowed in an update expression; function: size"),
        (
            "SET a = list_append(list_append(:v, :v), :v)",
            {":v": {"L": []}},
            "The function is not allowed to be used this way in an expression; function: list_append",
        ),
        (
            "SET #a = :v",
            {":v": n(1)},
            "An expression attribute name used in the document path is not defined; attribute name: #a",
        ),
        (
            "SET a = :nope",
            {":v": n(1)},
            "An expression attribute value used in expression is not defined; attribute value: :nope",
        ),
        ("REMOVE Absolute", None, "Attribute name is a reserved keyword; reserved keyword: Absolute"),
    ],
)
def test_static_errors(service: DynamoDBService, expression: str, values: dict[str, Any] | None, expected: str) -> None:
    assert update_error(service, expression, values) == f"Invalid UpdateExpression: {expected}"


def test_unused_placeholders_are_rejected(service: DynamoDBService) -> None:
    message = update_error(service, "SET a = :v", {":v": n(1), ":w": n(2)})
    assert message == "Value provided in ExpressionAttributeValues unused in expressions: keys: {:w}"
    message = update_error(service, "SET a = :v", {":v": n(1)}, ExpressionAttributeNames={"#x": "x", "#y": "y"})
    assert message == "Value provided in ExpressionAttributeNames unused in expressions: keys: {#x, #y}"


def test_key_attributes_cannot_be_updated(service: DynamoDBService) -> None:
    for expression in ("SET pk = :v", "REMOVE pk", "ADD pk :v", "SET pk.x = :v"):
        values = {":v": n(1)} if ":v" in expression else None
        assert update_error(service, expression, values) == (
            "One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key"
        )


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("NONE", None),
        ("ALL_OLD", {"pk": s("k"), "a": n(1), "m": {"M": {"x": n(1), "y": n(2)}}}),
        ("UPDATED_OLD", {"a": n(1), "m": {"M": {"x": n(1)}}}),
        ("ALL_NEW", {"pk": s("k"), "a": n(2), "m": {"M": {"x": n(5), "y": n(2)}}, "c": s("new")}),
        ("UPDATED_NEW", {"a": n(2), "m": {"M": {"x": n(5)}}, "c": s("new")}),
    ],
)
def test_return_values(service: DynamoDBService, mode: str, expected: dict[str, Any] | None) -> None:
    put(service, a=n(1), m={"M": {"x": n(1), "y": n(2)}})
    response = update(
        service,
        "SET a = a + :one, m.x = :five, c = :c",
        {":one": n(1), ":five": n(5), ":c": s("new")},
        ReturnValues=mode,
    )
    assert response.get("Attributes") == expected


def test_update_without_expression_creates_a_key_only_item(service: DynamoDBService) -> None:
    assert service.call("UpdateItem", {"TableName": "Hash", "Key": {"pk": s("k")}, "ReturnValues": "ALL_NEW"}) == {
        "Attributes": {"pk": s("k")}
    }


def test_conditions_on_updates(service: DynamoDBService) -> None:
    update(service, "SET a = :v", {":v": n(1)}, ConditionExpression="attribute_not_exists(pk)")
    error = error_of(
        service,
        "UpdateItem",
        {
            "TableName": "Hash",
            "Key": {"pk": s("k")},
            "UpdateExpression": "SET a = :v",
            "ConditionExpression": "attribute_not_exists(pk)",
            "ExpressionAttributeValues": {":v": n(2)},
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        },
    )
    assert (error.code, error.message, error.item) == (
        "ConditionalCheckFailedException",
        "The conditional request failed",
        {"pk": s("k"), "a": n(1)},
    )
    assert stored(service)["a"] == n(1)


def test_index_keys_keep_their_types(service: DynamoDBService) -> None:
    base = {"TableName": "Indexed", "Key": {"pk": s("k"), "sk": s("1")}}
    error = error_of(
        service, "UpdateItem", {**base, "UpdateExpression": "SET phase = :v", "ExpressionAttributeValues": {":v": n(1)}}
    )
    assert error.message == (
        "One or more parameter values were invalid: Type mismatch for Index Key phase Expected: S Actual: N "
        "IndexName: ByStatus"
    )
    service.call("UpdateItem", {**base, "UpdateExpression": "SET misc = :v", "ExpressionAttributeValues": {":v": n(1)}})
    error = error_of(service, "UpdateItem", {**base, "UpdateExpression": "SET phase = misc"})
    assert error.message == "The update expression attempted to update the secondary index key to unsupported type"
    error = error_of(
        service,
        "UpdateItem",
        {**base, "UpdateExpression": "SET price.x = :v", "ExpressionAttributeValues": {":v": n(1)}},
    )
    assert error.message == (
        "Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: IndexKey: price"
    )
