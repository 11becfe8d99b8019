"""TransactWriteItems and TransactGetItems: all or nothing.

Faithful to DynamoDB's observed behaviour:

* problems in the request itself (syntax errors, undefined or unused placeholders, a missing
  table) fail the whole request with a plain exception;
* problems of an item against its table (a key of the wrong type, an oversized item, an update
  that cannot apply) cancel the transaction with a ``ValidationError`` reason; only the first
  such problem is reported, the other actions get ``None``;
* otherwise every condition is evaluated (no short circuit) and each false one is reported as
  ``ConditionalCheckFailed`` (with the ``Item`` when ``ReturnValuesOnConditionCheckFailure`` is
  ``ALL_OLD``);
* two actions on one item are refused; a repeated ``ClientRequestToken`` with the same request
  within ten minutes succeeds without writing again.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from asl_engine.services.dynamodb.attribute_values import InvalidValue, Item, copy_item, item_size, normalize_item
from asl_engine.services.dynamodb.capacity import Consumption, merge, read_units
from asl_engine.services.dynamodb.database import Database
from asl_engine.services.dynamodb.errors import (
    CONDITIONAL_CHECK_FAILED_MESSAGE,
    DynamoDBServiceError,
    serialization,
    validation,
)
from asl_engine.services.dynamodb.expressions import Placeholders
from asl_engine.services.dynamodb.reads import read_projection, shaped
from asl_engine.services.dynamodb.requests import (
    RETURN_CONSUMED_CAPACITY,
    RETURN_ITEM_COLLECTION_METRICS,
    ConstraintErrors,
    check_expression_mode,
    string_param,
)
from asl_engine.services.dynamodb.writes import PreparedWrite, value_error

MAX_ACTIONS = 100
IDEMPOTENCY_SECONDS = 600
_ACTIONS = {"ConditionCheck": "conditionCheck", "Put": "put", "Delete": "delete", "Update": "update"}


@dataclass
class TokenRegistry:
    """ClientRequestTokens seen in the last ten minutes, with their request's fingerprint."""

    seen: dict[str, tuple[str, float]] = field(default_factory=dict)

    def check(self, token: str, fingerprint: str, now: float) -> bool:
        """True when the same request already ran; raises on a token reused for another one."""
        self.seen = {t: v for t, v in self.seen.items() if now - v[1] < IDEMPOTENCY_SECONDS}
        previous = self.seen.get(token)
        if previous is None:
            return False
        if previous[0] != fingerprint:
            raise DynamoDBServiceError(
                "IdempotentParameterMismatchException",
                "The ClientRequestToken was already used for a request with different parameters",
            )
        return True

    def remember(self, token: str, fingerprint: str, now: float) -> None:
        self.seen[token] = (fingerprint, now)


def _size_errors(items: Any, errors: ConstraintErrors) -> list[Any]:
    errors.required("transactItems", items)
    if items is None:
        return []
    if not isinstance(items, list):
        raise serialization("Unexpected value type in payload")
    if not items:
        errors.messages.append(
            "1 validation error detected at 'transactItems' failed to satisfy constraint: "
            "Member must have length greater than or equal to 1"
        )
    elif len(items) > MAX_ACTIONS:
        errors.messages.append(
            "1 validation error detected at 'transactItems' failed to satisfy constraint: "
            "Member must have length less than or equal to 100"
        )
    return items


def _raise_size_errors(errors: ConstraintErrors) -> None:
    for message in errors.messages:
        if message.startswith("1 validation error detected at"):
            raise validation(message + ".")
    errors.raise_if_any()


def transact_write_items(db: Database, tokens: TokenRegistry, params: Mapping[str, Any]) -> dict[str, Any]:
    errors = ConstraintErrors()
    items = _size_errors(params.get("TransactItems"), errors)
    token = params.get("ClientRequestToken")
    if isinstance(token, str) and not 1 <= len(token) <= 36:
        errors.add("clientRequestToken", token, "Member must have length less than or equal to 36")
    errors.enum("returnConsumedCapacity", params.get("ReturnConsumedCapacity"), RETURN_CONSUMED_CAPACITY)
    errors.enum(
        "returnItemCollectionMetrics", params.get("ReturnItemCollectionMetrics"), RETURN_ITEM_COLLECTION_METRICS
    )
    _raise_size_errors(errors)
    prepared: list[PreparedWrite] = []
    for position, action in enumerate(items, start=1):
        if not isinstance(action, Mapping):
            raise serialization("Unexpected value type in payload")
        kinds = [kind for kind in _ACTIONS if action.get(kind) is not None]
        if len(kinds) != 1:
            raise validation("TransactItems can only contain one of Check, Put, Update or Delete")
        kind = kinds[0]
        body = action[kind]
        if not isinstance(body, Mapping):
            raise serialization("Unexpected value type in payload")
        prefix = f"transactItems.{position}.member.{_ACTIONS[kind]}."
        prepared.append(PreparedWrite.read(db, kind, body, member_prefix=prefix))
    fingerprint = json.dumps(params.get("TransactItems"), sort_keys=True, default=str)
    now = db.clock()
    if isinstance(token, str) and tokens.check(token, fingerprint, now):
        return {}
    for index, write in enumerate(prepared):
        try:
            write.check_against_table()
        except DynamoDBServiceError as error:
            _cancel(len(prepared), {index: {"Code": "ValidationError", "Message": error.message}})
    identities = [(write.table.name, write.table.storage_key(write.key)) for write in prepared]
    if len(set(identities)) != len(identities):
        raise validation("Transaction request cannot include multiple operations on one item")
    olds = [db.get(write.table, write.key) for write in prepared]
    failures: dict[int, dict[str, Any]] = {}
    for index, (write, old) in enumerate(zip(prepared, olds, strict=True)):
        if not write.condition_holds(old):
            reason: dict[str, Any] = {"Code": "ConditionalCheckFailed", "Message": CONDITIONAL_CHECK_FAILED_MESSAGE}
            if write.return_on_failure == "ALL_OLD" and old is not None:
                reason["Item"] = copy_item(old)
            failures[index] = reason
    if failures:
        _cancel(len(prepared), failures)
    news: list[Item | None] = []
    for index, (write, old) in enumerate(zip(prepared, olds, strict=True)):
        try:
            news.append(write.apply(old))
        except DynamoDBServiceError as error:
            _cancel(len(prepared), {index: {"Code": "ValidationError", "Message": error.message}})
    writes = [
        write.storage_write(new)
        for write, old, new in zip(prepared, olds, news, strict=True)
        if write.kind != "ConditionCheck" and (new is not None or old is not None)
    ]
    db.write(writes)
    if isinstance(token, str):
        tokens.remember(token, fingerprint, now)
    response: dict[str, Any] = {}
    mode = string_param(params, "ReturnConsumedCapacity")
    if mode in ("TOTAL", "INDEXES"):
        consumptions = [
            write.consumption(old, new, factor=2.0)
            if write.kind != "ConditionCheck"
            else Consumption(write.table.name, read_units(item_size(old) if old else 0, True) * 2)
            for write, old, new in zip(prepared, olds, news, strict=True)
        ]
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


def _cancel(count: int, reasons: dict[int, dict[str, Any]]) -> None:
    listed = [reasons.get(index, {"Code": "None"}) for index in range(count)]
    codes = ", ".join(reason["Code"] for reason in listed)
    raise DynamoDBServiceError(
        "TransactionCanceledException",
        f"Transaction cancelled, please refer cancellation reasons for specific reasons [{codes}]",
        cancellation_reasons=listed,
    )


def transact_get_items(db: Database, params: Mapping[str, Any]) -> dict[str, Any]:
    errors = ConstraintErrors()
    items = _size_errors(params.get("TransactItems"), errors)
    errors.enum("returnConsumedCapacity", params.get("ReturnConsumedCapacity"), RETURN_CONSUMED_CAPACITY)
    _raise_size_errors(errors)
    plans = []
    for position, action in enumerate(items, start=1):
        get = action.get("Get") if isinstance(action, Mapping) else None
        if not isinstance(get, Mapping):
            raise validation(
                f"1 validation error detected: Value null at 'transactItems.{position}.member.get' "
                "failed to satisfy constraint: Member must not be null"
            )
        item_errors = ConstraintErrors()
        table_name = item_errors.table_name(
            get.get("TableName"), member=f"transactItems.{position}.member.get.tableName"
        )
        item_errors.required(f"transactItems.{position}.member.get.key", get.get("Key"))
        item_errors.raise_if_any()
        check_expression_mode(get, ("ProjectionExpression",), (), None)
        try:
            key = normalize_item(get["Key"])
        except InvalidValue as error:
            raise value_error(error) from None
        placeholders = Placeholders.from_request(get.get("ExpressionAttributeNames"), None)
        paths = read_projection(get, placeholders)
        placeholders.check_all_used()
        assert table_name is not None
        plans.append((db.table(table_name), key, paths))
    responses: list[dict[str, Any]] = []
    consumptions: list[Consumption] = []
    for table, key, paths in plans:
        item = db.get(table, table.check_key(key))
        responses.append({"Item": shaped(item, paths)} if item is not None else {})
        consumptions.append(Consumption(table.name, read_units(item_size(item) if item else 0, True) * 2))
    response: dict[str, Any] = {"Responses": responses}
    mode = string_param(params, "ReturnConsumedCapacity")
    if mode in ("TOTAL", "INDEXES"):
        response["ConsumedCapacity"] = [c.report(mode) for c in merge(consumptions)]
    return response
