"""CreateTable, DeleteTable, DescribeTable and ListTables.

Tables are usable as soon as they are created; the CreateTable and DeleteTable responses still
carry the CREATING and DELETING statuses DynamoDB reports, and DescribeTable always says ACTIVE.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from asl_engine.services.dynamodb.database import Database
from asl_engine.services.dynamodb.errors import DynamoDBServiceError, resource_not_found
from asl_engine.services.dynamodb.requests import ConstraintErrors, integer_param
from asl_engine.services.dynamodb.tables import Table, TableSpec, table_name_from


def describe(db: Database, table: Table, status: str = "ACTIVE") -> dict[str, Any]:
    count, size, index_stats = db.statistics(table)
    description = table.describe(count, size, index_stats)
    description["TableStatus"] = status
    if status != "ACTIVE":
        for index in description.get("GlobalSecondaryIndexes", ()):
            index["IndexStatus"] = status
    return description


def create_table(db: Database, params: Mapping[str, Any]) -> dict[str, Any]:
    spec = TableSpec.from_create_table(params)
    if spec.name in db.tables:
        raise DynamoDBServiceError("ResourceInUseException", f"Table already exists: {spec.name}")
    table = db.add_table(spec)
    return {"TableDescription": describe(db, table, "CREATING")}


def _existing(db: Database, params: Mapping[str, Any]) -> Table:
    errors = ConstraintErrors()
    name = errors.table_name(params.get("TableName"))
    errors.raise_if_any()
    assert name is not None
    table = db.tables.get(table_name_from(name))
    if table is None:
        raise resource_not_found(f"Requested resource not found: Table: {name} not found")
    return table


def describe_table(db: Database, params: Mapping[str, Any]) -> dict[str, Any]:
    return {"Table": describe(db, _existing(db, params))}


def delete_table(db: Database, params: Mapping[str, Any]) -> dict[str, Any]:
    table = _existing(db, params)
    description = describe(db, table, "DELETING")
    db.drop_table(table.name)
    return {"TableDescription": description}


def list_tables(db: Database, params: Mapping[str, Any]) -> dict[str, Any]:
    errors = ConstraintErrors()
    limit = integer_param(params, "Limit")
    errors.minimum("limit", limit, 1)
    errors.maximum("limit", limit, 100)
    start = params.get("ExclusiveStartTableName")
    if start is not None:
        errors.table_name(start, allow_arn=False, member="exclusiveStartTableName")
    errors.raise_if_any()
    names = sorted(db.tables)
    if start is not None:
        names = [name for name in names if name > start]
    page = names[: limit or 100]
    response: dict[str, Any] = {"TableNames": page}
    if len(names) > len(page):
        response["LastEvaluatedTableName"] = page[-1]
    return response
