"""The embedded DynamoDB as part of a local account (``Resources``), shared by its API and ``asl.toml``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from asl_engine.errors import ConfigurationError
from asl_engine.services.dynamodb.errors import DynamoDBServiceError
from asl_engine.services.dynamodb.service import DynamoDBService
from asl_engine.services.dynamodb.tables import TableSpec
from asl_engine.services.integration import Embedded


def add_table(
    dynamodb: Embedded[DynamoDBService],
    spec: TableSpec,
    items: Iterable[Mapping[str, Any]] | None = None,
    *,
    replace: bool = False,
) -> None:
    """Create a table (with seed items, typed or plain); DynamoDB's own refusal is a ``ConfigurationError``."""
    try:
        dynamodb.get().create_table(spec, items, replace=replace)
    except DynamoDBServiceError as error:  # DynamoDB's own validation of the table (name, keys...)
        raise ConfigurationError(f"DynamoDB rejects table {spec.name!r}: {error.message}") from None
