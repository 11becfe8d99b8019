"""Query and Scan: key conditions, order, paging, filters, Select and secondary indexes."""

from __future__ import annotations

from typing import Any

import pytest

from asl_engine.services.dynamodb import DynamoDBService

from .conftest import error_of, n, s


@pytest.fixture
def filled(service: DynamoDBService) -> DynamoDBService:
    for sk in (5, -1, 10, 2.5, 0, 100):
        service.call(
            "PutItem", {"TableName": "Range", "Item": {"pk": s("a"), "sk": n(sk), "even": {"BOOL": sk in (10, 0, 100)}}}
        )
    service.call("PutItem", {"TableName": "Range", "Item": {"pk": s("b"), "sk": n(1)}})
    rows = [
        ("1", "open", 30, "ann", 9.5),
        ("2", "done", 10, "bob", 1),
        ("3", "open", 20, "ann", 3),
        ("4", "open", 10, "cat", 20),
        ("5", "", 5, "dan", 7),
    ]
    for sk, phase, created, holder, price in rows:
        item = {
            "pk": s("p"),
            "sk": s(sk),
            "created": n(created),
            "holder": s(holder),
            "price": n(price),
            "extra": s("x"),
        }
        if phase:
            item["phase"] = s(phase)
        service.call("PutItem", {"TableName": "Indexed", "Item": item})
    return service


def query(
    service: DynamoDBService, table: str, expression: str, values: dict[str, Any], **extra: Any
) -> dict[str, Any]:
    return service.call(
        "Query",
        {"TableName": table, "KeyConditionExpression": expression, "ExpressionAttributeValues": values, **extra},
    )


def sort_keys(response: dict[str, Any]) -> list[str]:
    return [item["sk"]["N"] if "N" in item["sk"] else item["sk"]["S"] for item in response["Items"]]


@pytest.mark.parametrize(
    ("expression", "values", "expected"),
    [
        ("pk = :p", {}, ["-1", "0", "2.5", "5", "10", "100"]),
        ("pk = :p AND sk > :v", {":v": n(2.5)}, ["5", "10", "100"]),
        ("pk = :p AND sk >= :v", {":v": n(2.5)}, ["2.5", "5", "10", "100"]),
        ("pk = :p AND sk < :v", {":v": n(5)}, ["-1", "0", "2.5"]),
        ("pk = :p AND sk <= :v", {":v": n(5)}, ["-1", "0", "2.5", "5"]),
        ("sk = :v AND pk = :p", {":v": n(10)}, ["10"]),
        ("pk = :p AND :v > sk", {":v": n(0)}, ["-1"]),
        ("pk = :p AND sk BETWEEN :lo AND :hi", {":lo": n(0), ":hi": n(10)}, ["0", "2.5", "5", "10"]),
    ],
)
def test_key_conditions_on_numbers_sort_numerically(
    filled: DynamoDBService, expression: str, values: dict[str, Any], expected: list[str]
) -> None:
    response = query(filled, "Range", expression, {":p": s("a"), **values})
    assert sort_keys(response) == expected
    assert response["Count"] == response["ScannedCount"] == len(expected)
    backwards = query(filled, "Range", expression, {":p": s("a"), **values}, ScanIndexForward=False)
    assert sort_keys(backwards) == list(reversed(expected))


def test_strings_sort_by_utf8_bytes_and_begins_with(service: DynamoDBService) -> None:
    for sk in ("1", "2", "10", "a", "b", "aa", "ab", "A", "B", "é", "z"):
        service.call("PutItem", {"TableName": "Indexed", "Item": {"pk": s("q"), "sk": s(sk)}})
    response = query(service, "Indexed", "pk = :p", {":p": s("q")})
    assert sort_keys(response) == ["1", "10", "2", "A", "B", "a", "aa", "ab", "b", "z", "é"]
    response = query(service, "Indexed", "pk = :p AND begins_with(sk, :a)", {":p": s("q"), ":a": s("a")})
    assert sort_keys(response) == ["a", "aa", "ab"]


def test_limit_paging_and_last_evaluated_key(filled: DynamoDBService) -> None:
    values = {":p": s("a")}
    page = query(filled, "Range", "pk = :p", values, Limit=4)
    assert sort_keys(page) == ["-1", "0", "2.5", "5"]
    assert page["LastEvaluatedKey"] == {"pk": s("a"), "sk": n(5)}
    rest = query(filled, "Range", "pk = :p", values, Limit=4, ExclusiveStartKey=page["LastEvaluatedKey"])
    assert sort_keys(rest) == ["10", "100"]
    assert "LastEvaluatedKey" not in rest
    # DynamoDB does not look ahead: a page ending exactly at the last item still has a key.
    exact = query(filled, "Range", "pk = :p", values, Limit=6)
    assert exact["LastEvaluatedKey"] == {"pk": s("a"), "sk": n(100)}
    empty = query(filled, "Range", "pk = :p", values, ExclusiveStartKey=exact["LastEvaluatedKey"])
    assert empty == {"Count": 0, "Items": [], "ScannedCount": 0}
    backwards = query(
        filled, "Range", "pk = :p", values, ScanIndexForward=False, ExclusiveStartKey={"pk": s("a"), "sk": n(5)}
    )
    assert sort_keys(backwards) == ["2.5", "0", "-1"]


def test_limit_counts_items_read_before_the_filter(filled: DynamoDBService) -> None:
    response = query(
        filled, "Range", "pk = :p", {":p": s("a"), ":t": {"BOOL": True}}, Limit=3, FilterExpression="even = :t"
    )
    assert (response["Count"], response["ScannedCount"]) == (1, 3)
    assert sort_keys(response) == ["0"]
    assert response["LastEvaluatedKey"] == {"pk": s("a"), "sk": n(2.5)}


def test_select_count_and_projection(filled: DynamoDBService) -> None:
    response = query(filled, "Range", "pk = :p", {":p": s("a")}, Select="COUNT", Limit=2)
    assert response == {"Count": 2, "LastEvaluatedKey": {"pk": s("a"), "sk": n(0)}, "ScannedCount": 2}
    response = query(filled, "Range", "pk = :p", {":p": s("b")}, ProjectionExpression="sk")
    assert response["Items"] == [{"sk": n(1)}]


@pytest.mark.parametrize(
    ("expression", "values", "message"),
    [
        ("pk = :p OR sk = :v", {":v": n(1)}, "Invalid operator used in KeyConditionExpression: OR"),
        ("NOT pk = :p", {}, "Invalid operator used in KeyConditionExpression: NOT"),
        ("pk <> :p", {}, "Invalid operator used in KeyConditionExpression: <>"),
        ("pk IN (:p)", {}, "Invalid operator used in KeyConditionExpression: IN"),
        ("attribute_exists(pk)", {}, "Invalid operator used in KeyConditionExpression: attribute_exists"),
        ("pk = :p AND size(sk) > :v", {":v": n(1)}, "KeyConditionExpressions cannot contain nested operations"),
        ("pk = :p AND sk.x > :v", {":v": n(1)}, "KeyConditionExpressions cannot have conditions on nested attributes"),
        (
            "pk = :p AND sk > pk",
            {},
            "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition",
        ),
        (":p = :p", {}, "Invalid condition in KeyConditionExpression: No key attribute specified"),
        (
            "pk = :p AND sk > :v AND sk < :v",
            {":v": n(1)},
            "KeyConditionExpressions must only contain one condition per key",
        ),
        ("sk = :v", {":v": n(1)}, "Query condition missed key schema element: pk"),
        ("pk = :p AND misc = :v", {":v": n(1)}, "Query condition missed key schema element: sk"),
        ("pk > :p", {}, "Query key condition not supported"),
        (
            "pk = :p AND sk = :s",
            {":s": s("1")},
            "One or more parameter values were invalid: Condition parameter type does not match schema type",
        ),
        (
            "pk = :p AND begins_with(sk, :v)",
            {":v": n(1)},
            "Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or "
            "function: begins_with, operand type: N",
        ),
        (
            "pk = :p AND sk BETWEEN :hi AND :lo",
            {":hi": n(2), ":lo": n(1)},
            "Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater than or "
            "equal to lower bound; lower bound operand: AttributeValue: {N:2}, upper bound operand: "
            "AttributeValue: {N:1}",
        ),
        ("pk = ", {}, 'Invalid KeyConditionExpression: Syntax error; token: "<EOF>", near: "= "'),
    ],
)
def test_key_condition_errors(filled: DynamoDBService, expression: str, values: dict[str, Any], message: str) -> None:
    all_values = {":p": s("a"), **values} if ":p" in expression else values
    params: dict[str, Any] = {"TableName": "Range", "KeyConditionExpression": expression}
    if all_values:
        params["ExpressionAttributeValues"] = all_values
    error = error_of(filled, "Query", params)
    assert error.message == message


def test_query_on_a_hash_only_table(filled: DynamoDBService) -> None:
    filled.call("PutItem", {"TableName": "Hash", "Item": {"pk": s("h")}})
    assert query(filled, "Hash", "pk = :p", {":p": s("h")})["Items"] == [{"pk": s("h")}]
    error = error_of(
        filled,
        "Query",
        {
            "TableName": "Hash",
            "KeyConditionExpression": "pk = :p AND x = :p",
            "ExpressionAttributeValues": {":p": s("h")},
        },
    )
    assert error.message == "Query key condition not supported"


def test_query_request_errors(filled: DynamoDBService) -> None:
    base = {"TableName": "Range", "KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": s("a")}}
    cases = [
        (
            {"FilterExpression": "sk > :p"},
            "Filter Expression can only contain non-primary key attributes: Primary key attribute: sk",
        ),
        (
            {"ExclusiveStartKey": {"pk": s("a")}},
            "The provided starting key is invalid: The provided key element does not match the schema",
        ),
        (
            {"ExclusiveStartKey": {"pk": s("z"), "sk": n(1)}},
            "The provided starting key is outside query boundaries based on provided conditions",
        ),
        (
            {"Limit": 0},
            "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have "
            "value greater than or equal to 1",
        ),
        (
            {"Select": "SPECIFIC_ATTRIBUTES"},
            "Select type SPECIFIC_ATTRIBUTES requires a ProjectionExpression or AttributesToGet",
        ),
        ({"IndexName": "Missing"}, "The table does not have the specified index: Missing"),
    ]
    for extra, message in cases:
        assert error_of(filled, "Query", {**base, **extra}).message == message
    assert error_of(filled, "Query", {"TableName": "Range"}).message == (
        "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request."
    )
    assert error_of(filled, "Query", {**base, "TableName": "Nope"}).code == "ResourceNotFoundException"


def test_global_index_query_projection_and_sparseness(filled: DynamoDBService) -> None:
    response = query(filled, "Indexed", "phase = :o", {":o": s("open")}, IndexName="ByStatus")
    assert [item["sk"]["S"] for item in response["Items"]] == ["4", "3", "1"]
    assert response["Items"][0] == {
        "pk": s("p"),
        "sk": s("4"),
        "created": n(10),
        "holder": s("cat"),
        "price": n(20),
        "extra": s("x"),
        "phase": s("open"),
    }
    page = query(
        filled, "Indexed", "phase = :o AND created > :c", {":o": s("open"), ":c": n(10)}, IndexName="ByStatus", Limit=1
    )
    assert page["LastEvaluatedKey"] == {"pk": s("p"), "sk": s("3"), "phase": s("open"), "created": n(20)}
    rest = query(
        filled, "Indexed", "phase = :o AND created > :c", {":o": s("open"), ":c": n(10)},
        IndexName="ByStatus", ExclusiveStartKey=page["LastEvaluatedKey"],
    )  # fmt: skip
    assert [item["sk"]["S"] for item in rest["Items"]] == ["1"]
    keys_only = query(filled, "Indexed", "holder = :h", {":h": s("ann")}, IndexName="KeysOnly")
    assert keys_only["Items"] == [
        {"pk": s("p"), "sk": s("1"), "holder": s("ann")},
        {"pk": s("p"), "sk": s("3"), "holder": s("ann")},
    ]
    error = error_of(
        filled, "Query",
        {"TableName": "Indexed", "IndexName": "KeysOnly", "KeyConditionExpression": "holder = :h",
         "ExpressionAttributeValues": {":h": s("ann")}, "Select": "ALL_ATTRIBUTES"},
    )  # fmt: skip
    assert error.message == (
        "One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global "
        "secondary index KeysOnly because its projection type is not ALL"
    )
    error = error_of(
        filled, "Query",
        {"TableName": "Indexed", "IndexName": "ByStatus", "KeyConditionExpression": "phase = :o",
         "ExpressionAttributeValues": {":o": s("open")}, "ConsistentRead": True},
    )  # fmt: skip
    assert error.message == "Consistent reads are not supported on global secondary indexes"


def test_local_index_orders_by_the_index_range_key(filled: DynamoDBService) -> None:
    response = query(filled, "Indexed", "pk = :p AND price >= :v", {":p": s("p"), ":v": n(3)}, IndexName="ByPrice")
    assert [item["sk"]["S"] for item in response["Items"]] == ["3", "5", "1", "4"]


def test_scan_with_filter_projection_and_paging(filled: DynamoDBService) -> None:
    whole = filled.call("Scan", {"TableName": "Range"})
    assert whole["Count"] == whole["ScannedCount"] == 7
    seen: list[dict[str, Any]] = []
    start: dict[str, Any] | None = None
    while True:
        params: dict[str, Any] = {"TableName": "Range", "Limit": 3}
        if start:
            params["ExclusiveStartKey"] = start
        page = filled.call("Scan", params)
        seen.extend(page["Items"])
        start = page.get("LastEvaluatedKey")
        if start is None:
            break
    assert seen == whole["Items"]
    response = filled.call(
        "Scan",
        {
            "TableName": "Range",
            "FilterExpression": "even = :t",
            "ExpressionAttributeValues": {":t": {"BOOL": True}},
            "ProjectionExpression": "sk",
        },
    )
    assert sorted(item["sk"]["N"] for item in response["Items"]) == ["0", "10", "100"]


def test_parallel_scan_segments_partition_the_table(filled: DynamoDBService) -> None:
    segments = [
        filled.call("Scan", {"TableName": "Range", "Segment": segment, "TotalSegments": 3})["Items"]
        for segment in range(3)
    ]
    combined = [item for segment in segments for item in segment]
    assert sorted(map(repr, combined)) == sorted(map(repr, filled.call("Scan", {"TableName": "Range"})["Items"]))
    error = error_of(filled, "Scan", {"TableName": "Range", "Segment": 3, "TotalSegments": 3})
    assert (
        error.message
        == "The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: 3 is "
        "not less than TotalSegments: 3"
    )
    error = error_of(filled, "Scan", {"TableName": "Range", "Segment": 1})
    assert error.message.startswith("The TotalSegments parameter is required")


def test_scan_of_an_index(filled: DynamoDBService) -> None:
    response = filled.call("Scan", {"TableName": "Indexed", "IndexName": "ByStatus"})
    assert [item["sk"]["S"] for item in response["Items"]] == ["2", "4", "3", "1"]
