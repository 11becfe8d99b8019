"""Reads: GetItem, Query and Scan (and the projection logic BatchGetItem and
TransactGetItems share).

Query and Scan evaluate items in key order, count each one read (``ScannedCount``), apply the
filter afterwards (``Count``), and stop when ``Limit`` items have been read or about 1 MB of
items: then ``LastEvaluatedKey`` is the key of the last item read, even when no item follows (as
DynamoDB does; an SDK paginator then makes one more, empty, call).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from asl_engine.services.dynamodb.attribute_values import (
    InvalidValue,
    Item,
    copy_item,
    item_size,
    normalize_item,
    value_type,
)
from asl_engine.services.dynamodb.capacity import Consumption, read_units
from asl_engine.services.dynamodb.database import Database
from asl_engine.services.dynamodb.errors import DynamoDBServiceError, invalid_parameters, serialization, validation
from asl_engine.services.dynamodb.expressions import (
    BoundCondition,
    ExpressionError,
    KeyQuery,
    Placeholders,
    ResolvedPath,
    analyse_key_condition,
    bind_projection,
    cached_projection,
    project,
)
from asl_engine.services.dynamodb.ordering import encode_key_value
from asl_engine.services.dynamodb.requests import (
    CONDITIONAL_OPERATOR,
    RETURN_CONSUMED_CAPACITY,
    SELECT,
    ConstraintErrors,
    boolean_param,
    check_expression_mode,
    integer_param,
    list_param,
    reject_legacy,
    string_param,
    token_message,
)
from asl_engine.services.dynamodb.storage import Range
from asl_engine.services.dynamodb.tables import NAME_PATTERN, IndexSpec, KeyAttribute, Table
from asl_engine.services.dynamodb.writes import check_key_paths, parse_condition_param, value_error

PAGE_BYTES = 1024 * 1024
STARTING_KEY_INVALID = "The provided starting key is invalid"
KEY_MISMATCH = "The provided key element does not match the schema"


# --------------------------------------------------------------------------- projections


def read_projection(params: Mapping[str, Any], placeholders: Placeholders) -> tuple[ResolvedPath, ...] | None:
    """ProjectionExpression or AttributesToGet as paths; None when neither is given."""
    text = params.get("ProjectionExpression")
    if text is not None:
        if not isinstance(text, str):
            raise serialization(token_message(text))
        try:
            tree = cached_projection(text)
        except ExpressionError as error:
            raise validation(f"Invalid ProjectionExpression: {error.message}") from None
        return bind_projection(tree, placeholders)
    names = list_param(params, "AttributesToGet")
    if names is None:
        return None
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise invalid_parameters(f"Duplicate value in attribute name: {name}")
        seen.add(name)
    return tuple((str(name),) for name in names)


def shaped(item: Item, paths: tuple[ResolvedPath, ...] | None) -> Item:
    return project(item, paths) if paths is not None else copy_item(item)


# --------------------------------------------------------------------------- GetItem


def get_item(db: Database, params: Mapping[str, Any]) -> dict[str, Any]:
    errors = ConstraintErrors()
    table_name = errors.table_name(params.get("TableName"))
    errors.required("key", params.get("Key"))
    errors.enum("returnConsumedCapacity", params.get("ReturnConsumedCapacity"), RETURN_CONSUMED_CAPACITY)
    errors.raise_if_any()
    assert table_name is not None
    check_expression_mode(params, ("ProjectionExpression",), ("AttributesToGet",), None)
    try:
        key = normalize_item(params["Key"])
    except InvalidValue as error:
        raise value_error(error) from None
    placeholders = Placeholders.from_request(params.get("ExpressionAttributeNames"), None)
    paths = read_projection(params, placeholders)
    placeholders.check_all_used()
    consistent = bool(boolean_param(params, "ConsistentRead"))
    table = db.table(table_name)
    key = table.check_key(key)
    item = db.get(table, key)
    response: dict[str, Any] = {}
    if item is not None:
        response["Item"] = shaped(item, paths)
    capacity = Consumption(table.name, read_units(item_size(item) if item else 0, consistent))
    report = capacity.report(string_param(params, "ReturnConsumedCapacity"))
    if report is not None:
        response["ConsumedCapacity"] = report
    return response


# --------------------------------------------------------------------------- Query and Scan


@dataclass
class _Target:
    """The table or index a Query or Scan reads."""

    table: Table
    index: IndexSpec | None
    global_index: bool

    @property
    def hash_key(self) -> KeyAttribute:
        return self.index.hash_key if self.index else self.table.spec.hash_key

    @property
    def range_key(self) -> KeyAttribute | None:
        return self.index.range_key if self.index else self.table.spec.range_key

    def key_attributes(self) -> list[KeyAttribute]:
        """Attributes of LastEvaluatedKey: the table key, plus the index key for an index."""
        attributes = list(self.table.spec.key_attributes())
        if self.index is not None:
            for attribute in self.index.key_attributes():
                if attribute not in attributes:
                    attributes.append(attribute)
        return attributes

    def projected(self, item: Item) -> Item:
        """The item as the index holds it (ALL_PROJECTED_ATTRIBUTES)."""
        if self.index is None or self.index.projection == "ALL":
            return item
        names = {name for name, _ in self.key_attributes()} | set(self.index.non_key_attributes)
        return {name: value for name, value in item.items() if name in names}

    def position(self, item: Item) -> tuple[bytes, ...]:
        table_key = self.table.storage_key(item)
        if self.index is None:
            return table_key
        range_bytes = encode_key_value(item[self.index.range_key[0]]) if self.index.range_key else b""
        return (encode_key_value(item[self.index.hash_key[0]]), range_bytes, *table_key)


@dataclass
class _ReadRequest:
    target: _Target
    filter: BoundCondition | None
    paths: tuple[ResolvedPath, ...] | None
    select: str
    limit: int | None
    consistent: bool
    start_key: Item | None
    return_capacity: str | None


def _read_common(params: Mapping[str, Any]) -> tuple[ConstraintErrors, str]:
    """The constraint checks Query and Scan share; the caller adds its own and raises."""
    errors = ConstraintErrors()
    table_name = errors.table_name(params.get("TableName"))
    index_name = params.get("IndexName")
    if index_name is not None:
        if not isinstance(index_name, str) or not NAME_PATTERN.fullmatch(index_name):
            errors.add("indexName", index_name, "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+")
        elif not 3 <= len(index_name) <= 255:
            errors.add("indexName", index_name, "Member must have length greater than or equal to 3")
    errors.enum("select", params.get("Select"), SELECT)
    errors.minimum("limit", params.get("Limit"), 1)
    errors.enum("returnConsumedCapacity", params.get("ReturnConsumedCapacity"), RETURN_CONSUMED_CAPACITY)
    errors.enum("conditionalOperator", params.get("ConditionalOperator"), CONDITIONAL_OPERATOR)
    return errors, table_name or ""


def _start_key(params: Mapping[str, Any]) -> Item | None:
    raw = params.get("ExclusiveStartKey")
    if raw is None:
        return None
    try:
        return normalize_item(raw)
    except InvalidValue as error:
        if error.code != "ValidationException":
            raise DynamoDBServiceError(error.code, error.message) from None
        message = error.render()
        raise validation(f"{STARTING_KEY_INVALID}: {message}" if error.starting_key_prefix else message) from None


def _select(params: Mapping[str, Any], paths: tuple[ResolvedPath, ...] | None, indexed: bool) -> str:
    select = string_param(params, "Select")
    if select is None:
        return (
            "SPECIFIC_ATTRIBUTES"
            if paths is not None
            else ("ALL_PROJECTED_ATTRIBUTES" if indexed else "ALL_ATTRIBUTES")
        )
    if select == "SPECIFIC_ATTRIBUTES" and paths is None:
        raise validation("Select type SPECIFIC_ATTRIBUTES requires a ProjectionExpression or AttributesToGet")
    if select != "SPECIFIC_ATTRIBUTES" and paths is not None:
        raise validation(f"Cannot specify the AttributesToGet or ProjectionExpression when choosing to get {select}")
    if select == "ALL_PROJECTED_ATTRIBUTES" and not indexed:
        raise validation("ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName")
    return select


def _resolve_target(db: Database, table_name: str, params: Mapping[str, Any]) -> _Target:
    table = db.table(table_name)
    index_name = params.get("IndexName")
    if index_name is None:
        return _Target(table, None, False)
    index, global_index = table.index(index_name)
    if global_index and boolean_param(params, "ConsistentRead"):
        raise validation("Consistent reads are not supported on global secondary indexes")
    return _Target(table, index, global_index)


def _check_select_against_index(target: _Target, select: str) -> None:
    index = target.index
    if index is not None and target.global_index and select == "ALL_ATTRIBUTES" and index.projection != "ALL":
        raise invalid_parameters(
            f"Select type ALL_ATTRIBUTES is not supported for global secondary index {index.name} "
            "because its projection type is not ALL"
        )


def _check_start_key(target: _Target, start_key: Item) -> None:
    wanted = target.key_attributes()
    if target.index is None:
        if set(start_key) != {name for name, _ in wanted} or any(
            value_type(start_key[name]) != kind for name, kind in wanted
        ):
            raise validation(f"{STARTING_KEY_INVALID}: {KEY_MISMATCH}")
        return
    if set(start_key) != {name for name, _ in wanted}:
        raise validation(STARTING_KEY_INVALID)
    if any(value_type(start_key[name]) != kind for name, kind in wanted):
        raise validation(KEY_MISMATCH)


def _output(
    request: _ReadRequest,
    candidates: Iterator[Item],
) -> dict[str, Any]:
    """Evaluate candidates in order until the page is full; build the response."""
    target = request.target
    items: list[Item] = []
    scanned = count = read_bytes = 0
    last: Item | None = None
    stopped = False
    for item in candidates:
        scanned += 1
        read_bytes += item_size(item)
        last = item
        # A global index holds only its projection; a local one can fetch from the table.
        view = target.projected(item) if target.global_index else item
        if request.filter is None or request.filter(view):
            count += 1
            if request.select == "ALL_PROJECTED_ATTRIBUTES":
                items.append(copy_item(target.projected(item)))
            elif request.select != "COUNT":
                items.append(shaped(view, request.paths))
        if (request.limit is not None and scanned >= request.limit) or read_bytes >= PAGE_BYTES:
            stopped = True
            break
    response: dict[str, Any] = {"Count": count}
    if request.select != "COUNT":
        response["Items"] = items
    if stopped and last is not None:
        response["LastEvaluatedKey"] = {name: dict(last[name]) for name, _ in target.key_attributes()}
    response["ScannedCount"] = scanned
    consumption = Consumption(target.table.name)
    units = read_units(read_bytes, request.consistent)
    if target.index is None:
        consumption.table_units = units
    else:
        consumption.charge_index(target.index.name, units, global_index=target.global_index)
    report = consumption.report(request.return_capacity)
    if report is not None:
        response["ConsumedCapacity"] = report
    return response


def _check_filter(target: _Target, condition: BoundCondition | None, *, query: bool) -> None:
    if condition is None:
        return
    if query:
        keys = {target.hash_key[0]} | ({target.range_key[0]} if target.range_key else set())
        for path in condition.paths:
            if path[0] in keys:
                raise validation(
                    f"Filter Expression can only contain non-primary key attributes: Primary key attribute: {path[0]}"
                )
    check_key_paths(target.table, condition.paths)


def query(db: Database, params: Mapping[str, Any]) -> dict[str, Any]:
    errors, table_name = _read_common(params)
    errors.raise_if_any()
    check_expression_mode(
        params,
        ("ProjectionExpression", "FilterExpression", "KeyConditionExpression"),
        ("AttributesToGet", "QueryFilter", "ConditionalOperator", "KeyConditions"),
        "KeyConditionExpression and FilterExpression are null",
    )
    reject_legacy(params, ("QueryFilter", "ConditionalOperator", "KeyConditions"))
    if params.get("KeyConditionExpression") is None:
        raise validation(
            "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request."
        )
    start_key = _start_key(params)
    placeholders = Placeholders.from_request(
        params.get("ExpressionAttributeNames"), params.get("ExpressionAttributeValues")
    )
    key_condition = parse_condition_param(params["KeyConditionExpression"], placeholders, "KeyConditionExpression")
    assert key_condition is not None
    condition = parse_condition_param(params.get("FilterExpression"), placeholders, "FilterExpression")
    paths = read_projection(params, placeholders)
    placeholders.check_all_used()
    select = _select(params, paths, params.get("IndexName") is not None)
    target = _resolve_target(db, table_name, params)
    key_query = analyse_key_condition(key_condition.root, target.hash_key, target.range_key)
    _check_filter(target, condition, query=True)
    _check_select_against_index(target, select)
    if start_key is not None:
        _check_start_key(target, start_key)
        _check_query_start_key(target, key_query, start_key)
    request = _ReadRequest(
        target,
        condition,
        paths,
        select,
        integer_param(params, "Limit"),
        bool(boolean_param(params, "ConsistentRead")),
        start_key,
        string_param(params, "ReturnConsumedCapacity"),
    )
    forward = boolean_param(params, "ScanIndexForward")
    return _output(request, _query_candidates(db, request, key_query, forward is not False))


def _check_query_start_key(target: _Target, key_query: KeyQuery, start_key: Item) -> None:
    hash_name = target.hash_key[0]
    if encode_key_value(start_key[hash_name]) != encode_key_value(key_query.hash_value):
        raise validation("The provided starting key is outside query boundaries based on provided conditions")
    condition = key_query.range_condition
    if condition is not None and target.range_key is not None and not condition.matches(start_key[target.range_key[0]]):
        raise validation("The provided starting key does not match the range key predicate")


def _query_candidates(db: Database, request: _ReadRequest, key_query: KeyQuery, forward: bool) -> Iterator[Item]:
    target = request.target
    hash_bytes = encode_key_value(key_query.hash_value)
    condition = key_query.range_condition
    if target.index is None:
        bounds = Range()
        if condition is not None:
            lower, lower_inclusive, upper, upper_inclusive = condition.bounds()
            bounds = Range(lower, lower_inclusive, upper, upper_inclusive)
        if request.start_key is not None:
            after = target.table.storage_key(request.start_key)[1]
            if forward:
                bounds = Range(after, False, bounds.upper, bounds.upper_inclusive)
            else:
                bounds = Range(bounds.lower, bounds.lower_inclusive, after, False)
        for _, item in db.storage.partition(target.table.name, hash_bytes, bounds, forward):
            yield item
        return
    entries = [entry for entry in db.index_entries(target.table, target.index) if entry[0][0] == hash_bytes]
    if not forward:
        entries.reverse()
    start = target.position(request.start_key) if request.start_key is not None else None
    range_name = target.index.range_key[0] if target.index.range_key else None
    for _, item in entries:
        position = target.position(item)
        if start is not None and (position <= start if forward else position >= start):
            continue
        if condition is not None and range_name is not None and not condition.matches(item[range_name]):
            continue
        yield item


def scan(db: Database, params: Mapping[str, Any]) -> dict[str, Any]:
    errors, table_name = _read_common(params)
    segment = params.get("Segment")
    total_segments = params.get("TotalSegments")
    errors.minimum("totalSegments", total_segments, 1)
    errors.maximum("totalSegments", total_segments, 1000000)
    errors.minimum("segment", segment, 0)
    errors.maximum("segment", segment, 999999)
    errors.raise_if_any()
    check_expression_mode(
        params,
        ("ProjectionExpression", "FilterExpression"),
        ("AttributesToGet", "ScanFilter", "ConditionalOperator"),
        "FilterExpression is null",
    )
    reject_legacy(params, ("ScanFilter", "ConditionalOperator"))
    start_key = _start_key(params)
    segment = integer_param(params, "Segment")
    total_segments = integer_param(params, "TotalSegments")
    if segment is not None and total_segments is None:
        raise validation(
            "The TotalSegments parameter is required but was not present in the request "
            "when Segment parameter is present"
        )
    if total_segments is not None and segment is None:
        raise validation(
            "The Segment parameter is required but was not present in the request "
            "when parameter TotalSegments is present"
        )
    if segment is not None and total_segments is not None and segment >= total_segments:
        raise validation(
            "The Segment parameter is zero-based and must be less than parameter TotalSegments: "
            f"Segment: {segment} is not less than TotalSegments: {total_segments}"
        )
    placeholders = Placeholders.from_request(
        params.get("ExpressionAttributeNames"), params.get("ExpressionAttributeValues")
    )
    condition = parse_condition_param(params.get("FilterExpression"), placeholders, "FilterExpression")
    paths = read_projection(params, placeholders)
    placeholders.check_all_used()
    select = _select(params, paths, params.get("IndexName") is not None)
    target = _resolve_target(db, table_name, params)
    _check_filter(target, condition, query=False)
    _check_select_against_index(target, select)
    segments = (segment, total_segments) if segment is not None and total_segments is not None else None
    if start_key is not None:
        _check_start_key(target, start_key)
        if segments is not None and _segment_of(target, start_key, segments[1]) != segments[0]:
            raise validation(
                f"{STARTING_KEY_INVALID}: Invalid ExclusiveStartKey. Please use ExclusiveStartKey with correct "
                f"Segment. TotalSegments: {segments[1]} Segment: {segments[0]}"
            )
    request = _ReadRequest(
        target,
        condition,
        paths,
        select,
        integer_param(params, "Limit"),
        bool(boolean_param(params, "ConsistentRead")),
        start_key,
        string_param(params, "ReturnConsumedCapacity"),
    )
    return _output(request, _scan_candidates(db, request, segments))


def _segment_of(target: _Target, item: Item, total: int) -> int:
    """Parallel scans split the key space by a hash of the partition key."""
    return zlib.crc32(encode_key_value(item[target.hash_key[0]])) % total


def _scan_candidates(db: Database, request: _ReadRequest, segments: tuple[int, int] | None) -> Iterator[Item]:
    target = request.target
    if target.index is None:
        after = target.table.storage_key(request.start_key) if request.start_key is not None else None
        source: Iterator[Item] = (item for _, item in db.storage.scan(target.table.name, after))
    else:
        start = target.position(request.start_key) if request.start_key is not None else None
        source = (
            item
            for _, item in db.index_entries(target.table, target.index)
            if start is None or target.position(item) > start
        )
    for item in source:
        if segments is None or _segment_of(target, item, segments[1]) == segments[0]:
            yield item
