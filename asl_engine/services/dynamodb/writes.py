"""Writes of single items: PutItem, UpdateItem, DeleteItem and a transaction's ConditionCheck.

A write is checked in DynamoDB's stages, which matter because transactions report them
differently:

1. ``PreparedWrite.read`` — the request alone: parameters, values, expressions, placeholders,
   then the table's existence. Failures are request-level errors.
2. ``check_against_table`` — the key and item against the table's schema (and attempts to update
   key attributes). In a transaction a failure here is a ``ValidationError`` cancellation reason.
3. ``condition_holds`` and ``apply`` — against the stored item.
"""

from __future__ import annotations

from collections.abc import Mapping
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
from asl_engine.services.dynamodb.capacity import Consumption, write_units
from asl_engine.services.dynamodb.database import Database
from asl_engine.services.dynamodb.errors import (
    DynamoDBServiceError,
    conditional_check_failed,
    invalid_parameters,
    serialization,
    validation,
)
from asl_engine.services.dynamodb.expressions import (
    BoundCondition,
    BoundUpdate,
    ExpressionError,
    Placeholders,
    apply_update,
    bind_condition,
    bind_update,
    cached_condition,
    cached_update,
    project,
)
from asl_engine.services.dynamodb.expressions.paths import ResolvedPath
from asl_engine.services.dynamodb.requests import (
    RETURN_CONSUMED_CAPACITY,
    RETURN_ITEM_COLLECTION_METRICS,
    RETURN_VALUES,
    RETURN_VALUES_ON_FAILURE,
    ConstraintErrors,
    check_expression_mode,
    reject_legacy,
    string_param,
    token_message,
)
from asl_engine.services.dynamodb.storage import Write
from asl_engine.services.dynamodb.tables import Table

MAX_ITEM_BYTES = 400 * 1024
_LEGACY = {
    "Put": ("Expected", "ConditionalOperator"),
    "Delete": ("Expected", "ConditionalOperator"),
    "Update": ("AttributeUpdates", "Expected", "ConditionalOperator"),
    "ConditionCheck": (),
}
_EXPRESSIONS = {
    "Put": ("ConditionExpression",),
    "Delete": ("ConditionExpression",),
    "Update": ("UpdateExpression", "ConditionExpression"),
    "ConditionCheck": ("ConditionExpression",),
}
_VALUES_HINT = {
    "Put": "ConditionExpression is null",
    "Delete": "ConditionExpression is null",
    "Update": "UpdateExpression and ConditionExpression are null",
    "ConditionCheck": "ConditionExpression is null",
}


def value_error(error: InvalidValue) -> DynamoDBServiceError:
    return DynamoDBServiceError(error.code, error.render())


def parse_condition_param(text: Any, placeholders: Placeholders, label: str) -> BoundCondition | None:
    if text is None:
        return None
    if not isinstance(text, str):
        raise serialization(token_message(text))
    try:
        tree = cached_condition(text)
    except ExpressionError as error:
        raise validation(f"Invalid {label}: {error.message}") from None
    return bind_condition(tree, placeholders, label)


def parse_update_param(text: Any, placeholders: Placeholders) -> BoundUpdate | None:
    if text is None:
        return None
    if not isinstance(text, str):
        raise serialization(token_message(text))
    try:
        tree = cached_update(text)
    except ExpressionError as error:
        raise validation(f"Invalid UpdateExpression: {error.message}") from None
    return bind_update(tree, placeholders)


@dataclass
class PreparedWrite:
    kind: str  # Put, Update, Delete, ConditionCheck
    table: Table
    key: Item  # as given (Update, Delete, ConditionCheck) or taken from the item (Put)
    item: Item | None  # Put
    update: BoundUpdate | None
    condition: BoundCondition | None
    return_values: str
    return_on_failure: str
    return_capacity: str | None
    return_metrics: str | None

    @classmethod
    def read(
        cls, db: Database, kind: str, params: Mapping[str, Any], *, member_prefix: str | None = None
    ) -> PreparedWrite:
        """Check the request; ``member_prefix`` (e.g. ``transactItems.1.member.put.``) marks a
        transaction item, whose constraint messages name members from the request's root."""
        prefix = member_prefix or ""
        errors = ConstraintErrors()
        table_name = errors.table_name(params.get("TableName"), member=f"{prefix}tableName")
        raw_item = params.get("Item")
        raw_key = params.get("Key")
        errors.required(prefix + ("item" if kind == "Put" else "key"), raw_item if kind == "Put" else raw_key)
        if kind == "ConditionCheck":
            errors.required(f"{prefix}conditionExpression", params.get("ConditionExpression"))
        if member_prefix is not None:
            errors.enum(
                f"{prefix}returnValuesOnConditionCheckFailure",
                params.get("ReturnValuesOnConditionCheckFailure"),
                RETURN_VALUES_ON_FAILURE,
            )
        else:
            errors.enum("returnConsumedCapacity", params.get("ReturnConsumedCapacity"), RETURN_CONSUMED_CAPACITY)
            errors.enum(
                "returnItemCollectionMetrics", params.get("ReturnItemCollectionMetrics"), RETURN_ITEM_COLLECTION_METRICS
            )
            errors.enum("returnValues", params.get("ReturnValues"), RETURN_VALUES)
            errors.enum(
                "returnValuesOnConditionCheckFailure",
                params.get("ReturnValuesOnConditionCheckFailure"),
                RETURN_VALUES_ON_FAILURE,
            )
        errors.raise_if_any()
        assert table_name is not None
        # A transaction's actions have no ReturnValues member: one there is ignored, as unknown members are.
        return_values = (string_param(params, "ReturnValues") if member_prefix is None else None) or "NONE"
        if kind in ("Put", "Delete") and return_values not in ("NONE", "ALL_OLD"):
            raise validation("Return values set to invalid value")
        check_expression_mode(params, _EXPRESSIONS[kind], _LEGACY[kind], _VALUES_HINT[kind])
        reject_legacy(params, _LEGACY[kind])
        try:
            item = normalize_item(raw_item) if kind == "Put" else None
            key = normalize_item(raw_key) if kind != "Put" else {}
        except InvalidValue as error:
            raise value_error(error) from None
        placeholders = Placeholders.from_request(
            params.get("ExpressionAttributeNames"), params.get("ExpressionAttributeValues")
        )
        update = parse_update_param(params.get("UpdateExpression"), placeholders) if kind == "Update" else None
        condition = parse_condition_param(params.get("ConditionExpression"), placeholders, "ConditionExpression")
        placeholders.check_all_used()
        table = db.table(table_name)
        return cls(
            kind=kind,
            table=table,
            key=key,
            item=item,
            update=update,
            condition=condition,
            return_values=return_values,
            return_on_failure=string_param(params, "ReturnValuesOnConditionCheckFailure") or "NONE",
            return_capacity=string_param(params, "ReturnConsumedCapacity"),
            return_metrics=string_param(params, "ReturnItemCollectionMetrics"),
        )

    @classmethod
    def put(cls, table: Table, item: Item) -> PreparedWrite:
        """A plain PutItem of an already normalized item (a seed): no expressions, nothing returned."""
        return cls("Put", table, {}, item, None, None, "NONE", "NONE", None, None)

    # ------------------------------------------------------------------ table-dependent checks

    def check_against_table(self) -> None:
        table = self.table
        if self.item is not None:
            table.check_item_keys(self.item)
            if item_size(self.item) > MAX_ITEM_BYTES:
                raise validation("Item size has exceeded the maximum allowed size")
            self.key = table.key_of(self.item)
        else:
            self.key = table.check_key(self.key)
        if self.condition is not None:
            check_key_paths(table, self.condition.paths)
        if self.update is not None:
            keys = set(table.key_names())
            for path in self.update.paths:
                if path[0] in keys:
                    raise invalid_parameters(f"Cannot update attribute {path[0]}. This attribute is part of the key")
            check_key_paths(table, (*self.update.paths, *self.update.read_paths))
            self._check_static_index_types()

    def _check_static_index_types(self) -> None:
        assert self.update is not None
        for index in (*self.table.spec.global_indexes, *self.table.spec.local_indexes):
            for name, kind in index.key_attributes():
                for action in self.update.actions:
                    if action.path == (name,) and action.static_type not in (None, kind):
                        raise invalid_parameters(
                            f"Type mismatch for Index Key {name} Expected: {kind} "
                            f"Actual: {action.static_type} IndexName: {index.name}"
                        )

    # ------------------------------------------------------------------ execution

    def condition_holds(self, old: Item | None) -> bool:
        return self.condition is None or self.condition(old if old is not None else {})

    def failure(self, old: Item | None) -> DynamoDBServiceError:
        item = copy_item(old) if old is not None and self.return_on_failure == "ALL_OLD" else None
        return conditional_check_failed(item)

    def apply(self, old: Item | None) -> Item | None:
        """The item to store (None: delete; ConditionCheck returns ``old`` unchanged)."""
        if self.kind == "Put":
            return self.item
        if self.kind == "Delete":
            return None
        if self.kind == "ConditionCheck":
            return old
        new = (
            apply_update(self.update, old, self.key)
            if self.update is not None
            else (old if old is not None else copy_item(self.key))
        )
        if item_size(new) > MAX_ITEM_BYTES:
            raise validation("Item size to update has exceeded the maximum allowed size")
        self.table.check_index_keys(new, update=True)
        return new

    def storage_write(self, new: Item | None) -> Write:
        return Write(self.table.name, self.table.storage_key(self.key), new)

    def consumption(self, old: Item | None, new: Item | None, factor: float = 1.0) -> Consumption:
        size = max(item_size(old) if old else 0, item_size(new) if new else 0)
        consumption = Consumption(self.table.name, write_units(size) * factor)
        for index in self.table.spec.global_indexes:
            if any(_in_index(index.key_attributes(), item) for item in (old, new) if item):
                consumption.charge_index(index.name, write_units(size) * factor, global_index=True)
        for index in self.table.spec.local_indexes:
            if any(_in_index(index.key_attributes(), item) for item in (old, new) if item):
                consumption.charge_index(index.name, write_units(size) * factor, global_index=False)
        return consumption

    def attributes(self, old: Item | None, new: Item | None) -> Item | None:
        """The ``Attributes`` ReturnValues asks for (None when there is nothing to return)."""
        mode = self.return_values
        chosen: Item | None
        if mode == "ALL_OLD":
            chosen = copy_item(old) if old is not None else None
        elif mode == "ALL_NEW":
            chosen = copy_item(new) if new is not None else None
        elif mode in ("UPDATED_OLD", "UPDATED_NEW"):
            source = old if mode == "UPDATED_OLD" else new
            paths: tuple[ResolvedPath, ...] = self.update.paths if self.update is not None else ()
            chosen = project(source, paths) if source is not None else None
        else:
            chosen = None
        return chosen or None

    def collection_metrics(self) -> dict[str, Any] | None:
        if self.return_metrics != "SIZE" or not self.table.spec.local_indexes:
            return None
        hash_name = self.table.spec.hash_key[0]
        return {"ItemCollectionKey": {hash_name: self.key[hash_name]}, "SizeEstimateRangeGB": [0.0, 1.0]}


def _in_index(attributes: tuple[tuple[str, str], ...], item: Item) -> bool:
    return all(name in item and value_type(item[name]) == kind for name, kind in attributes)


def check_key_paths(table: Table, paths: Any) -> None:
    """Key attributes are scalars: no nested path may start at one."""
    keys = set(table.key_names())
    index_keys = table.index_key_names() - keys
    for path in paths:
        if len(path) > 1 and isinstance(path[0], str):
            if path[0] in keys:
                raise validation(
                    "Key attributes must be scalars; list random access '[]' and map lookup '.' are not "
                    f"allowed: Key: {path[0]}"
                )
            if path[0] in index_keys:
                raise validation(
                    "Key attributes must be scalars; list random access '[]' and map lookup '.' are not "
                    f"allowed: IndexKey: {path[0]}"
                )


def execute_write(db: Database, prepared: PreparedWrite) -> dict[str, Any]:
    """Run one PutItem, UpdateItem or DeleteItem and build its response."""
    prepared.check_against_table()
    old = db.get(prepared.table, prepared.key)
    if not prepared.condition_holds(old):
        raise prepared.failure(old)
    new = prepared.apply(old)
    if new is not None or old is not None:
        db.write([prepared.storage_write(new)])
    response: dict[str, Any] = {}
    attributes = prepared.attributes(old, new)
    if attributes is not None:
        response["Attributes"] = attributes
    capacity = prepared.consumption(old, new).report(prepared.return_capacity)
    if capacity is not None:
        response["ConsumedCapacity"] = capacity
    metrics = prepared.collection_metrics()
    if metrics is not None:
        response["ItemCollectionMetrics"] = metrics
    return response
