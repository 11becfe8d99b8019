"""Whatever a caller sends, the service answers or raises DynamoDBServiceError, never a Python error."""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from asl_engine.services.dynamodb import DynamoDBService, DynamoDBServiceError, TableSpec, UnsupportedActionError

FUZZ = settings(
    max_examples=300, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

expression_text = st.one_of(
    st.text(alphabet=st.sampled_from(list("abc#:_()[],.=<>+- 019")), max_size=25),
    st.lists(
        st.sampled_from(
            ["a", "b.c", "l[0]", "#n", ":v", ":w", "=", "<>", "<", "AND", "OR", "NOT", "BETWEEN", "IN", "(", ")", ",",
             "size(", "attribute_exists(", "begins_with(", "contains(", "attribute_type(", "if_not_exists(",
             "list_append(", "SET", "REMOVE", "ADD", "DELETE", "+", "-", "pk", "sk"]
        ),
        max_size=10,
    ).map(" ".join),
)  # fmt: skip
MEMBERS = [
    "S", "N", "B", "L", "M", "SS", "NS", "NULL", "BOOL", "x", "pk", "sk", "Tab", "AttributeName", "AttributeType",
    "KeyType", "IndexName", "KeySchema", "Projection", "ProjectionType", "NonKeyAttributes", "Keys", "PutRequest",
    "DeleteRequest", "Item", "Key", "Get", "Put", "Update", "Delete", "ConditionCheck", "TableName",
    "ConditionExpression", "UpdateExpression", "ProjectionExpression",
]  # fmt: skip
json_scalars = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.text(max_size=3), st.just("1"))
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(MEMBERS), inner, max_size=3),
    max_leaves=6,
)
typed_values = st.one_of(
    st.builds(lambda v: {"S": v}, st.text(max_size=3)),
    st.builds(lambda v: {"N": str(v)}, st.integers(-5, 5)),
    st.just({"L": [{"N": "1"}]}),
    st.just({"SS": ["a"]}),
    st.just({"M": {"c": {"S": "x"}}}),
    json_values,
)


@pytest.fixture(scope="module")
def fuzz_service() -> DynamoDBService:
    service = DynamoDBService()
    service.create_table(
        TableSpec("Tab", hash_key=("pk", "S"), range_key=("sk", "N")), items=[{"pk": "p", "sk": 1, "a": 1, "l": [1]}]
    )
    return service


def call(service: DynamoDBService, action: str, params: dict[str, Any]) -> None:
    """Any other exception fails the test."""
    with contextlib.suppress(DynamoDBServiceError, UnsupportedActionError):
        service.call(action, params)


@FUZZ
@given(
    action=st.sampled_from(["PutItem", "UpdateItem", "DeleteItem", "GetItem", "Query", "Scan"]),
    expression=expression_text,
    second=expression_text,
    names=st.one_of(
        st.none(),
        st.dictionaries(st.sampled_from(["#n", "#m", "n"]), st.sampled_from(["a", "pk", "l", "x.y"]), max_size=2),
    ),
    values=st.one_of(st.none(), st.dictionaries(st.sampled_from([":v", ":w", "v"]), typed_values, max_size=2)),
)
def test_random_expressions_never_crash(
    fuzz_service: DynamoDBService, action: str, expression: str, second: str, names: Any, values: Any
) -> None:
    params: dict[str, Any] = {"TableName": "Tab"}
    key = {"pk": {"S": "p"}, "sk": {"N": "1"}}
    if action == "PutItem":
        params.update(Item={**key, "a": {"N": "2"}}, ConditionExpression=expression)
    elif action == "UpdateItem":
        params.update(Key=key, UpdateExpression=expression, ConditionExpression=second, ReturnValues="UPDATED_NEW")
    elif action == "DeleteItem":
        params.update(Key=key, ConditionExpression=expression)
        fuzz_service.call("PutItem", {"TableName": "Tab", "Item": {**key, "a": {"N": "1"}, "l": {"L": [{"N": "1"}]}}})
    elif action == "GetItem":
        params.update(Key=key, ProjectionExpression=expression)
    elif action == "Query":
        params.update(KeyConditionExpression=expression, FilterExpression=second)
    else:
        params.update(FilterExpression=expression, ProjectionExpression=second)
    if names is not None:
        params["ExpressionAttributeNames"] = names
    if values is not None:
        params["ExpressionAttributeValues"] = values
    call(fuzz_service, action, params)


@FUZZ
@given(
    action=st.sampled_from(
        ["PutItem", "UpdateItem", "DeleteItem", "GetItem", "Query", "Scan", "BatchGetItem", "BatchWriteItem",
         "TransactWriteItems", "TransactGetItems", "CreateTable", "DescribeTable", "ListTables", "DeleteTable"]
    ),
    params=st.dictionaries(
        st.sampled_from(
            ["TableName", "Key", "Item", "RequestItems", "TransactItems", "Limit", "ExclusiveStartKey", "Select",
             "KeySchema", "AttributeDefinitions", "IndexName", "Segment", "TotalSegments", "ReturnValues",
             "ConsistentRead", "ScanIndexForward", "AttributesToGet", "ClientRequestToken"]
        ),
        json_values,
        max_size=5,
    ),
)  # fmt: skip
def test_random_parameters_never_crash(fuzz_service: DynamoDBService, action: str, params: dict[str, Any]) -> None:
    if action in ("DeleteTable", "CreateTable"):
        params = {**params, "TableName": "Other"}
    call(fuzz_service, action, params)
