"""Shared fixtures: a fresh in-memory service with a few tables."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from asl_engine.services.dynamodb import DynamoDBService, DynamoDBServiceError, IndexSpec, TableSpec


@pytest.fixture
def service() -> Iterator[DynamoDBService]:
    svc = DynamoDBService(clock=lambda: 1_700_000_000.0)
    svc.create_table(TableSpec("Hash", hash_key=("pk", "S")))
    svc.create_table(TableSpec("Range", hash_key=("pk", "S"), range_key=("sk", "N")))
    svc.create_table(
        TableSpec(
            "Indexed",
            hash_key=("pk", "S"),
            range_key=("sk", "S"),
            global_indexes=(
                IndexSpec("ByStatus", hash_key=("phase", "S"), range_key=("created", "N")),
                IndexSpec("KeysOnly", hash_key=("holder", "S"), projection="KEYS_ONLY"),
            ),
            local_indexes=(IndexSpec("ByPrice", hash_key=("pk", "S"), range_key=("price", "N")),),
        )
    )
    yield svc
    svc.close()


def error_of(service: DynamoDBService, action: str, params: dict[str, Any]) -> DynamoDBServiceError:
    """The error the call raises (the test fails when it succeeds)."""
    with pytest.raises(DynamoDBServiceError) as caught:
        service.call(action, params)
    return caught.value


def s(text: str) -> dict[str, str]:
    return {"S": text}


def n(number: str | int) -> dict[str, str]:
    return {"N": str(number)}
