"""Table declarations and operations, seed items, persistence, and the two storage backends."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asl_engine.errors import ConfigurationError
from asl_engine.services.dynamodb import DynamoDBService, DynamoDBServiceError, IndexSpec, TableSpec
from asl_engine.services.dynamodb.ordering import encode_number
from asl_engine.services.dynamodb.storage import MemoryStorage, Range, SQLiteStorage, Storage, TableRecord, Write

from .conftest import error_of, n, s


def test_create_describe_list_delete(service: DynamoDBService) -> None:
    request = {
        "TableName": "Orders",
        "AttributeDefinitions": [
            {"AttributeName": "id", "AttributeType": "S"},
            {"AttributeName": "day", "AttributeType": "N"},
        ],
        "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
        "BillingMode": "PAY_PER_REQUEST",
        "GlobalSecondaryIndexes": [
            {
                "IndexName": "ByDay",
                "KeySchema": [{"AttributeName": "day", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    }
    created = service.call("CreateTable", request)["TableDescription"]
    assert created["TableStatus"] == "CREATING"
    assert created["TableArn"] == "arn:aws:dynamodb:us-east-1:123456789012:table/Orders"
    assert error_of(service, "CreateTable", request).message == "Table already exists: Orders"
    service.call("PutItem", {"TableName": "Orders", "Item": {"id": s("a"), "day": n(1)}})
    described = service.call("DescribeTable", {"TableName": "Orders"})["Table"]
    assert (described["TableStatus"], described["ItemCount"], described["TableSizeBytes"]) == ("ACTIVE", 1, 8)
    assert described["CreationDateTime"] == 1_700_000_000.0
    assert described["GlobalSecondaryIndexes"][0]["IndexName"] == "ByDay"
    assert described["GlobalSecondaryIndexes"][0]["ItemCount"] == 1
    assert service.call("ListTables", {}) == {"TableNames": ["Hash", "Indexed", "Orders", "Range"]}
    assert service.call("ListTables", {"Limit": 2}) == {
        "TableNames": ["Hash", "Indexed"],
        "LastEvaluatedTableName": "Indexed",
    }
    assert service.call("ListTables", {"ExclusiveStartTableName": "Indexed"}) == {"TableNames": ["Orders", "Range"]}
    assert service.call("DeleteTable", {"TableName": "Orders"})["TableDescription"]["TableStatus"] == "DELETING"
    error = error_of(service, "DescribeTable", {"TableName": "Orders"})
    assert (error.code, error.message) == (
        "ResourceNotFoundException",
        "Requested resource not found: Table: Orders not found",
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"BillingMode": None},
            "One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be "
            "specified when BillingMode is PROVISIONED",
        ),
        (
            {"ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}},
            "One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can "
            "be specified when BillingMode is PAY_PER_REQUEST",
        ),
        (
            {
                "AttributeDefinitions": [
                    {"AttributeName": "id", "AttributeType": "S"},
                    {"AttributeName": "x", "AttributeType": "S"},
                ]
            },
            "One or more parameter values were invalid: Some AttributeDefinitions are not used. "
            "AttributeDefinitions: [id, x], keys used: [id]",
        ),
        (
            {"KeySchema": [{"AttributeName": "nope", "KeyType": "HASH"}]},
            "One or more parameter values were invalid: Some index key attributes are not defined in "
            "AttributeDefinitions. Keys: [nope], AttributeDefinitions: [id]",
        ),
        (
            {"TableName": "x"},
            "1 validation error detected: Value 'x' at 'tableName' failed to satisfy constraint: Member must "
            "have length greater than or equal to 3",
        ),
        (
            {"AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "X"}]},
            "1 validation error detected: Value 'X' at 'attributeDefinitions.1.member.attributeType' failed to "
            "satisfy constraint: Member must satisfy enum value set: [B, N, S]",
        ),
    ],
)
def test_create_table_validation(service: DynamoDBService, changes: dict[str, Any], message: str) -> None:
    request: dict[str, Any] = {
        "TableName": "Orders",
        "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
        "BillingMode": "PAY_PER_REQUEST",
    }
    request.update(changes)
    request = {k: v for k, v in request.items() if v is not None}
    assert error_of(service, "CreateTable", request).message == message


def test_seed_items_plain_or_typed(service: DynamoDBService) -> None:
    service.create_table(
        TableSpec("Seeded", hash_key=("id", "N")),
        items=[{"id": 1, "tags": {"a", "b"}, "blob": b"\x00"}, {"id": {"N": "2"}, "v": {"S": "typed"}}],
    )
    assert service.call("GetItem", {"TableName": "Seeded", "Key": {"id": n(1)}})["Item"] == {
        "id": n(1), "tags": {"SS": ["a", "b"]}, "blob": {"B": "AA=="}
    }  # fmt: skip
    assert service.call("GetItem", {"TableName": "Seeded", "Key": {"id": n(2)}})["Item"] == {
        "id": n(2),
        "v": s("typed"),
    }
    with pytest.raises(ConfigurationError, match="seed item 0 of table 'Bad'"):
        service.create_table(TableSpec("Bad", hash_key=("id", "S")), items=[{"id": 3}])
    with pytest.raises(ConfigurationError, match="different definition"):
        service.create_table(TableSpec("Seeded", hash_key=("id", "S")))


def test_invalid_declarations_are_reported(service: DynamoDBService) -> None:
    spec = TableSpec(
        "Lsi", hash_key=("a", "S"), local_indexes=(IndexSpec("idx", hash_key=("a", "S"), range_key=("b", "S")),)
    )
    with pytest.raises(DynamoDBServiceError, match="Table KeySchema does not have a range key"):
        service.create_table(spec)


def test_sqlite_storage_persists_tables_and_items(tmp_path: Path) -> None:
    path = tmp_path / "data.sqlite3"
    spec = TableSpec("Orders", hash_key=("pk", "S"), range_key=("sk", "N"))
    with DynamoDBService(path=path) as first:
        first.create_table(spec, items=[{"pk": "a", "sk": 1}])
        first.call("PutItem", {"TableName": "Orders", "Item": {"pk": s("a"), "sk": n(2), "note": s("later")}})
    with DynamoDBService(path=path) as second:
        second.create_table(spec, items=[{"pk": "a", "sk": 1}])  # the same declaration: kept, not re-seeded
        response = second.call(
            "Query",
            {"TableName": "Orders", "KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": s("a")}},
        )
        assert response["Items"] == [{"pk": s("a"), "sk": n(1)}, {"pk": s("a"), "sk": n(2), "note": s("later")}]
        second.create_table(spec, items=[{"pk": "a", "sk": 1, "note": "seed again"}])  # new seeds: re-seeded
        assert second.call("Scan", {"TableName": "Orders"})["Items"] == [
            {"pk": s("a"), "sk": n(1), "note": s("seed again")}
        ]
        second.create_table(spec, items=[{"pk": "z", "sk": 0}], replace=True)
        assert second.call("Scan", {"TableName": "Orders"})["Items"] == [{"pk": s("z"), "sk": n(0)}]


def test_service_is_usable_from_threads(service: DynamoDBService) -> None:
    import threading

    def work(start: int) -> None:
        for i in range(start, start + 50):
            service.call(
                "UpdateItem",
                {
                    "TableName": "Hash",
                    "Key": {"pk": s("shared")},
                    "UpdateExpression": "ADD hits :one",
                    "ExpressionAttributeValues": {":one": n(1)},
                },
            )
            service.call("PutItem", {"TableName": "Hash", "Item": {"pk": s(f"item{i}")}})

    threads = [threading.Thread(target=work, args=(i * 100,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert service.call("GetItem", {"TableName": "Hash", "Key": {"pk": s("shared")}})["Item"]["hits"] == n(200)
    assert service.call("Scan", {"TableName": "Hash", "Select": "COUNT"})["Count"] == 201


# --------------------------------------------------------------------------- backends agree

operations = st.lists(
    st.tuples(st.sampled_from(["put", "delete"]), st.integers(0, 3), st.integers(-20, 20)),
    max_size=40,
)


def _key(hash_value: int, range_value: int) -> tuple[bytes, bytes]:
    return (b"h%d" % hash_value, encode_number(Decimal(range_value)))


@pytest.mark.parametrize("backend", ["memory", "sqlite"])
@settings(max_examples=40, derandomize=True, deadline=None)
@given(ops=operations, low=st.integers(-20, 20), high=st.integers(-20, 20), forward=st.booleans())
def test_backends_keep_partitions_ordered(
    backend: str, ops: list[tuple[str, int, int]], low: int, high: int, forward: bool
) -> None:
    storage: Storage = MemoryStorage() if backend == "memory" else SQLiteStorage(":memory:")
    storage.create_table(TableRecord("t", {}, 0.0, "id"))
    model: dict[tuple[bytes, bytes], dict[str, Any]] = {}
    for kind, hash_value, range_value in ops:
        key = _key(hash_value, range_value)
        item = {"v": {"N": str(range_value)}} if kind == "put" else None
        storage.write([Write("t", key, item)])
        if item is None:
            model.pop(key, None)
        else:
            model[key] = item
    lower, upper = _key(0, low)[1], _key(0, high)[1]
    got = [int(item["v"]["N"]) for _, item in storage.partition("t", b"h1", Range(lower, True, upper, False), forward)]
    expected = sorted(int(v["v"]["N"]) for k, v in model.items() if k[0] == b"h1" and lower <= k[1] < upper)
    assert got == (expected if forward else list(reversed(expected)))
    scanned = [key for key, _ in storage.scan("t", None)]
    assert scanned == sorted(model)
    if scanned:
        middle = scanned[len(scanned) // 2]
        assert [key for key, _ in storage.scan("t", middle)] == [k for k in sorted(model) if k > middle]
    storage.close()
