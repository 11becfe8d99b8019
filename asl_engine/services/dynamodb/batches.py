"""BatchGetItem and BatchWriteItem.

Every request is processed (nothing is ever left in ``UnprocessedKeys``/``UnprocessedItems``,
which stay present and empty as in DynamoDB's responses); the writes of one BatchWriteItem are
applied together.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from asl_engine.services.dynamodb.attribute_values import InvalidValue, Item, item_size, normalize_item
from asl_engine.services.dynamodb.capacity import Consumption, merge, read_units
from asl_engine.services.dynamodb.database import Database
from asl_engine.services.dynamodb.errors import serialization, validation
from asl_engine.services.dynamodb.expressions import Placeholders
from asl_engine.services.dynamodb.reads import read_projection, shaped
from asl_engine.services.dynamodb.requests import (
    RETURN_CONSUMED_CAPACITY,
    RETURN_ITEM_COLLECTION_METRICS,
    ConstraintErrors,
    check_expression_mode,
    string_param,
)
from asl_engine.services.dynamodb.storage import Write
from asl_engine.services.dynamodb.writes import MAX_ITEM_BYTES, PreparedWrite, value_error

MAX_GET_KEYS = 100
MAX_WRITES = 25
DUPLICATE_KEYS = "Provided list of item keys contains duplicates"


def _request_items(params: Mapping[str, Any], errors: ConstraintErrors) -> Mapping[str, Any]:
    request_items = params.get("RequestItems")
    errors.required("requestItems", request_items)
    errors.enum("returnConsumedCapacity", params.get("ReturnConsumedCapacity"), RETURN_CONSUMED_CAPACITY)
    return request_items if isinstance(request_items, Mapping) else {}


def batch_get_item(db: Database, params: Mapping[str, Any]) -> dict[str, Any]:
    errors = ConstraintErrors()
    request_items = _request_items(params, errors)
    if params.get("RequestItems") is not None and not request_items:
        errors.add("requestItems", "{}", "Member must have length greater than or equal to 1")
    errors.raise_if_any()
    total = sum(len(spec.get("Keys") or ()) for spec in request_items.values() if isinstance(spec, Mapping))
    if total > MAX_GET_KEYS:
        raise validation("Too many items requested for the BatchGetItem call")
    plans = []
    for table_name, spec in request_items.items():
        if not isinstance(spec, Mapping):
            raise serialization("Unexpected value type in payload")
        check_expression_mode(spec, ("ProjectionExpression",), ("AttributesToGet",), None)
        try:
            keys = [normalize_item(key) for key in spec.get("Keys") or ()]
        except InvalidValue as error:
            raise value_error(error) from None
        placeholders = Placeholders.from_request(spec.get("ExpressionAttributeNames"), None)
        paths = read_projection(spec, placeholders)
        placeholders.check_all_used()
        plans.append((table_name, keys, paths, bool(spec.get("ConsistentRead"))))
    responses: dict[str, list[Item]] = {}
    consumptions: list[Consumption] = []
    for table_name, keys, paths, consistent in plans:
        table = db.table(table_name)
        checked = [table.check_key(key) for key in keys]
        storage_keys = [table.storage_key(key) for key in checked]
        if len(set(storage_keys)) != len(storage_keys):
            raise validation(DUPLICATE_KEYS)
        found = responses.setdefault(table.name, [])
        consumption = Consumption(table.name)
        for key in checked:
            item = db.get(table, key)
            consumption.table_units += read_units(item_size(item) if item else 0, consistent)
            if item is not None:
                found.append(shaped(item, paths))
        consumptions.append(consumption)
    response: dict[str, Any] = {"Responses": responses, "UnprocessedKeys": {}}
    mode = string_param(params, "ReturnConsumedCapacity")
    reports = [c.report(mode) for c in merge(consumptions)]
    if mode in ("TOTAL", "INDEXES"):
        response["ConsumedCapacity"] = reports
    return response


def batch_write_item(db: Database, params: Mapping[str, Any]) -> dict[str, Any]:
    errors = ConstraintErrors()
    request_items = _request_items(params, errors)
    errors.enum(
        "returnItemCollectionMetrics", params.get("ReturnItemCollectionMetrics"), RETURN_ITEM_COLLECTION_METRICS
    )
    if params.get("RequestItems") is not None and not request_items:
        errors.add("requestItems", "{}", "Member must have length greater than or equal to 1")
    errors.raise_if_any()
    total = sum(len(requests) for requests in request_items.values() if isinstance(requests, list))
    if total > MAX_WRITES:
        raise validation("Too many items requested for the BatchWriteItem call")
    prepared: list[PreparedWrite] = []
    for table_name, requests in request_items.items():
        if not isinstance(requests, list):
            raise serialization("Unexpected value type in payload")
        for request in requests:
            prepared.append(_prepare(db, table_name, request))
    seen: set[tuple[str, tuple[bytes, bytes]]] = set()
    for write in prepared:
        write.check_against_table()
        identity = (write.table.name, write.table.storage_key(write.key))
        if identity in seen:
            raise validation(DUPLICATE_KEYS)
        seen.add(identity)
    writes: list[Write] = []
    consumptions: list[Consumption] = []
    for write in prepared:
        old = db.get(write.table, write.key)
        new = write.apply(old)
        if new is not None and item_size(new) > MAX_ITEM_BYTES:
            raise validation("Item size has exceeded the maximum allowed size")
        writes.append(write.storage_write(new))
        consumptions.append(write.consumption(old, new))
    db.write(writes)
    response: dict[str, Any] = {"UnprocessedItems": {}}
    mode = string_param(params, "ReturnConsumedCapacity")
    if mode in ("TOTAL", "INDEXES"):
        response["ConsumedCapacity"] = [c.report(mode) for c in merge(consumptions)]
    if string_param(params, "ReturnItemCollectionMetrics") == "SIZE":
        metrics: dict[str, list[dict[str, Any]]] = {}
        for write in prepared:
            write.return_metrics = "SIZE"
            entry = write.collection_metrics()
            if entry is not None:
                metrics.setdefault(write.table.name, []).append(entry)
        response["ItemCollectionMetrics"] = metrics
    return response


def _prepare(db: Database, table_name: str, request: Any) -> PreparedWrite:
    if not isinstance(request, Mapping):
        raise serialization("Unexpected value type in payload")
    kinds = [kind for kind in ("PutRequest", "DeleteRequest") if request.get(kind) is not None]
    if len(kinds) != 1:
        # DynamoDB's text for this case is not known; the wording below is our own.
        raise validation("A WriteRequest must contain exactly one of PutRequest or DeleteRequest")
    body = request[kinds[0]]
    if not isinstance(body, Mapping):
        raise serialization("Unexpected value type in payload")
    if kinds[0] == "PutRequest":
        return PreparedWrite.read(db, "Put", {"TableName": table_name, "Item": body.get("Item")})
    return PreparedWrite.read(db, "Delete", {"TableName": table_name, "Key": body.get("Key")})
