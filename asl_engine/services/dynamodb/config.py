"""The ``[dynamodb]`` section of ``asl.toml``: where the tables live, and the tables with their seed items.

::

    [dynamodb]
    path = "data.sqlite3"                          # optional: keep tables between runs
    [dynamodb.tables.Orders]
    hash_key = "pk:S"
    range_key = "sk:S"
    seed = "seed/orders.json"                      # a JSON list of items (plain or typed)
    global_indexes = [{ name = "ByStatus", hash_key = "status:S" }]
"""

from __future__ import annotations

import json
from typing import Any

from asl_engine.errors import AslEngineError
from asl_engine.services.dynamodb.accounts import add_table
from asl_engine.services.dynamodb.service import DynamoDBService
from asl_engine.services.dynamodb.tables import IndexSpec, TableSpec
from asl_engine.services.integration import Embedded
from asl_engine.services.sections import ConfigSection, Location, only_keys, table_at

_KEY_TYPES = ("S", "N", "B")


def configure(section: ConfigSection, dynamodb: Embedded[DynamoDBService]) -> None:
    path = section.values.get("path")
    if path is not None and not isinstance(path, str):
        raise (section.where / "path").error(f"expected a file path string, got {path!r}")
    if path is not None:
        dynamodb.path = section.base / path
    unknown = [key for key in section.values if key not in ("path", "tables")]
    if unknown:
        raise (section.where / unknown[0]).error("unknown key; expected 'path' or 'tables'")
    tables = table_at(section.values.get("tables", {}), section.where / "tables")
    for name, spec in tables.items():
        where = section.where / "tables" / name
        options = table_at(spec, where)
        allowed = ("hash_key", "range_key", "seed", "global_indexes", "local_indexes")
        only_keys(options, allowed, where)
        if "hash_key" not in options:
            raise where.error("missing 'hash_key' (e.g. hash_key = \"pk:S\")")
        table = TableSpec(
            name,
            _key(options["hash_key"], where / "hash_key"),
            _key(options["range_key"], where / "range_key") if "range_key" in options else None,
            tuple(_indexes(options.get("global_indexes", []), where / "global_indexes")),
            tuple(_indexes(options.get("local_indexes", []), where / "local_indexes")),
        )
        items = _seed(section, options["seed"], where / "seed") if "seed" in options else None
        try:
            add_table(dynamodb, table, items)
        except AslEngineError as error:
            raise where.error(str(error)) from None


def _indexes(value: Any, where: Location) -> list[IndexSpec]:
    if not isinstance(value, list):
        raise where.error('expected a list of tables such as [{ name = "ByStatus", hash_key = "status:S" }]')
    indexes = []
    for position, spec in enumerate(value):
        at = where / str(position)
        options = table_at(spec, at)
        only_keys(options, ("name", "hash_key", "range_key", "projection", "non_key_attributes"), at)
        if not isinstance(options.get("name"), str) or "hash_key" not in options:
            raise at.error("an index needs 'name' and 'hash_key'")
        projection = options.get("projection", "ALL")
        if projection not in ("ALL", "KEYS_ONLY", "INCLUDE"):
            raise (at / "projection").error("expected ALL, KEYS_ONLY or INCLUDE")
        non_key = options.get("non_key_attributes", [])
        if not isinstance(non_key, list) or not all(isinstance(n, str) for n in non_key):
            raise (at / "non_key_attributes").error("expected a list of attribute names")
        indexes.append(IndexSpec(
            options["name"], _key(options["hash_key"], at / "hash_key"),
            _key(options["range_key"], at / "range_key") if "range_key" in options else None,
            projection, tuple(non_key),
        ))  # fmt: skip
    return indexes


def _seed(section: ConfigSection, value: Any, where: Location) -> list[dict[str, Any]]:
    if not isinstance(value, str):
        raise where.error("expected the path of a JSON file holding a list of items")
    file = section.base / value
    try:
        items = json.loads(file.read_text(encoding="utf-8"))
    except OSError as error:
        raise where.error(f"cannot read {file}: {error.strerror or error}") from None
    except ValueError as error:
        raise where.error(f"{file} is not valid JSON: {error}") from None
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise where.error(f"{file} must hold a JSON list of item objects")
    return items


def _key(value: Any, where: Location) -> tuple[str, str]:
    if not isinstance(value, str) or value.count(":") != 1:
        raise where.error(f"expected 'name:TYPE' with TYPE S, N or B, got {value!r}")
    name, _, kind = value.partition(":")
    if not name or kind not in _KEY_TYPES:
        raise where.error(f"expected 'name:TYPE' with TYPE S, N or B, got {value!r}")
    return name, kind
