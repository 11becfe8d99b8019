"""Where tables and items live: in memory, or in a SQLite file that survives the process.

Both backends keep a table's items ordered by their storage key ``(encoded hash key, encoded
range key)`` (see ``ordering``), so a Query reads one contiguous slice and a Scan walks the keys
in order. Writes come in batches that are applied atomically (a transaction is one batch).

Items handed to a backend are owned by it and must not be modified afterwards; items it returns
must not be modified either (the service copies what it gives to its callers).
"""

from __future__ import annotations

import bisect
import json
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from asl_engine.services.dynamodb.attribute_values import Item

StorageKey = tuple[bytes, bytes]


@dataclass(frozen=True, slots=True)
class TableRecord:
    """A table's persisted definition: its CreateTable request and identity."""

    name: str
    definition: dict[str, Any]
    created: float
    table_id: str
    seed_digest: str | None = None
    """The digest of the definition and seed items the table was created from (None: created
    without a declaration, by CreateTable, or by a version that did not record it)."""


@dataclass(frozen=True, slots=True)
class Write:
    """Put ``item`` at ``key`` in ``table``, or delete the key when ``item`` is None."""

    table: str
    key: StorageKey
    item: Item | None


@dataclass(frozen=True, slots=True)
class Range:
    """Bounds on range keys within one partition (``None``: unbounded)."""

    lower: bytes | None = None
    lower_inclusive: bool = True
    upper: bytes | None = None
    upper_inclusive: bool = True


class Storage(Protocol):
    def tables(self) -> list[TableRecord]: ...

    def create_table(self, record: TableRecord) -> None: ...

    def install_table(self, record: TableRecord, writes: Sequence[Write]) -> None:
        """Replace any table of that name by this one holding exactly ``writes``' items, atomically:
        whoever looks (another process, the next run after a kill) sees the old table or the new one."""
        ...

    def delete_table(self, name: str) -> None: ...

    def get(self, table: str, key: StorageKey) -> Item | None: ...

    def write(self, writes: Sequence[Write]) -> None: ...

    def partition(self, table: str, hash_key: bytes, bounds: Range, forward: bool) -> Iterator[tuple[bytes, Item]]: ...

    def scan(self, table: str, after: StorageKey | None) -> Iterator[tuple[StorageKey, Item]]: ...

    def close(self) -> None: ...


# --------------------------------------------------------------------------- in memory


class MemoryStorage:
    """Items in dicts, with a sorted key list per table for ordered access."""

    def __init__(self) -> None:
        self._records: dict[str, TableRecord] = {}
        self._items: dict[str, dict[StorageKey, Item]] = {}
        self._order: dict[str, list[StorageKey]] = {}

    def tables(self) -> list[TableRecord]:
        return list(self._records.values())

    def create_table(self, record: TableRecord) -> None:
        self._records[record.name] = record
        self._items[record.name] = {}
        self._order[record.name] = []

    def install_table(self, record: TableRecord, writes: Sequence[Write]) -> None:
        items = {write.key: write.item for write in writes if write.item is not None}
        self._records[record.name] = record
        self._items[record.name] = items
        self._order[record.name] = sorted(items)

    def delete_table(self, name: str) -> None:
        self._records.pop(name, None)
        self._items.pop(name, None)
        self._order.pop(name, None)

    def get(self, table: str, key: StorageKey) -> Item | None:
        return self._items[table].get(key)

    def write(self, writes: Sequence[Write]) -> None:
        for write in writes:
            items, order = self._items[write.table], self._order[write.table]
            present = write.key in items
            if write.item is None:
                if present:
                    del items[write.key]
                    del order[bisect.bisect_left(order, write.key)]
                continue
            if not present:
                bisect.insort(order, write.key)
            items[write.key] = write.item

    def partition(self, table: str, hash_key: bytes, bounds: Range, forward: bool) -> Iterator[tuple[bytes, Item]]:
        order, items = self._order[table], self._items[table]
        if bounds.lower is None:
            start = bisect.bisect_left(order, hash_key, key=_hash_of)
        elif bounds.lower_inclusive:
            start = bisect.bisect_left(order, (hash_key, bounds.lower))
        else:
            start = bisect.bisect_right(order, (hash_key, bounds.lower))
        if bounds.upper is None:
            stop = bisect.bisect_right(order, hash_key, key=_hash_of)
        elif bounds.upper_inclusive:
            stop = bisect.bisect_right(order, (hash_key, bounds.upper))
        else:
            stop = bisect.bisect_left(order, (hash_key, bounds.upper))
        selected = order[start:stop]
        if not forward:
            selected.reverse()
        for key in selected:
            yield key[1], items[key]

    def scan(self, table: str, after: StorageKey | None) -> Iterator[tuple[StorageKey, Item]]:
        order, items = self._order[table], self._items[table]
        start = 0 if after is None else bisect.bisect_right(order, after)
        for key in order[start:]:
            yield key, items[key]

    def close(self) -> None:
        pass


def _hash_of(key: StorageKey) -> bytes:
    return key[0]


# --------------------------------------------------------------------------- SQLite

_SCHEMA = """
CREATE TABLE IF NOT EXISTS ddb_tables (
    name TEXT PRIMARY KEY,
    definition TEXT NOT NULL,
    created REAL NOT NULL,
    table_id TEXT NOT NULL,
    seed_digest TEXT
);
CREATE TABLE IF NOT EXISTS ddb_items (
    table_name TEXT NOT NULL,
    hash_key BLOB NOT NULL,
    range_key BLOB NOT NULL,
    item TEXT NOT NULL,
    PRIMARY KEY (table_name, hash_key, range_key)
) WITHOUT ROWID;
"""
_PAGE = 256


class SQLiteStorage:
    """One SQLite file; BLOB keys compare with memcmp, which is the storage-key order."""

    def __init__(self, path: str | Path) -> None:
        self._connection = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._connection.execute("PRAGMA journal_mode=WAL")
        self._connection.executescript(_SCHEMA)
        columns = {row[1] for row in self._connection.execute("PRAGMA table_info(ddb_tables)")}
        if "seed_digest" not in columns:  # a file written before seeds were recorded
            self._connection.execute("ALTER TABLE ddb_tables ADD COLUMN seed_digest TEXT")

    def tables(self) -> list[TableRecord]:
        rows = self._connection.execute("SELECT name, definition, created, table_id, seed_digest FROM ddb_tables")
        return [
            TableRecord(name, json.loads(definition), created, table_id, digest)
            for name, definition, created, table_id, digest in rows
        ]

    def create_table(self, record: TableRecord) -> None:
        self.install_table(record, ())

    def install_table(self, record: TableRecord, writes: Sequence[Write]) -> None:
        with self._transaction():
            self._connection.execute(
                "INSERT OR REPLACE INTO ddb_tables VALUES (?, ?, ?, ?, ?)",
                (record.name, json.dumps(record.definition), record.created, record.table_id, record.seed_digest),
            )
            self._connection.execute("DELETE FROM ddb_items WHERE table_name = ?", (record.name,))
            self._connection.executemany(
                "INSERT OR REPLACE INTO ddb_items VALUES (?, ?, ?, ?)",
                (
                    (record.name, write.key[0], write.key[1], json.dumps(write.item, separators=(",", ":")))
                    for write in writes
                    if write.item is not None
                ),
            )

    def delete_table(self, name: str) -> None:
        with self._transaction():
            self._connection.execute("DELETE FROM ddb_tables WHERE name = ?", (name,))
            self._connection.execute("DELETE FROM ddb_items WHERE table_name = ?", (name,))

    def get(self, table: str, key: StorageKey) -> Item | None:
        row = self._connection.execute(
            "SELECT item FROM ddb_items WHERE table_name = ? AND hash_key = ? AND range_key = ?",
            (table, key[0], key[1]),
        ).fetchone()
        return json.loads(row[0]) if row else None

    def write(self, writes: Sequence[Write]) -> None:
        with self._transaction():
            for write in writes:
                if write.item is None:
                    self._connection.execute(
                        "DELETE FROM ddb_items WHERE table_name = ? AND hash_key = ? AND range_key = ?",
                        (write.table, write.key[0], write.key[1]),
                    )
                else:
                    self._connection.execute(
                        "INSERT OR REPLACE INTO ddb_items VALUES (?, ?, ?, ?)",
                        (write.table, write.key[0], write.key[1], json.dumps(write.item, separators=(",", ":"))),
                    )

    def partition(self, table: str, hash_key: bytes, bounds: Range, forward: bool) -> Iterator[tuple[bytes, Item]]:
        lower, lower_inclusive = bounds.lower, bounds.lower_inclusive
        upper, upper_inclusive = bounds.upper, bounds.upper_inclusive
        direction = "ASC" if forward else "DESC"
        while True:
            clauses = ["table_name = ?", "hash_key = ?"]
            arguments: list[Any] = [table, hash_key]
            if lower is not None:
                clauses.append("range_key >= ?" if lower_inclusive else "range_key > ?")
                arguments.append(lower)
            if upper is not None:
                clauses.append("range_key <= ?" if upper_inclusive else "range_key < ?")
                arguments.append(upper)
            rows = self._connection.execute(
                f"SELECT range_key, item FROM ddb_items WHERE {' AND '.join(clauses)} "
                f"ORDER BY range_key {direction} LIMIT {_PAGE}",
                arguments,
            ).fetchall()
            for range_key, item in rows:
                yield range_key, json.loads(item)
            if len(rows) < _PAGE:
                return
            # Keyset paging: continue strictly beyond the last row read.
            if forward:
                lower, lower_inclusive = rows[-1][0], False
            else:
                upper, upper_inclusive = rows[-1][0], False

    def scan(self, table: str, after: StorageKey | None) -> Iterator[tuple[StorageKey, Item]]:
        while True:
            if after is None:
                rows = self._connection.execute(
                    "SELECT hash_key, range_key, item FROM ddb_items WHERE table_name = ? "
                    f"ORDER BY hash_key, range_key LIMIT {_PAGE}",
                    (table,),
                ).fetchall()
            else:
                rows = self._connection.execute(
                    "SELECT hash_key, range_key, item FROM ddb_items WHERE table_name = ? AND "
                    "(hash_key > ? OR (hash_key = ? AND range_key > ?)) "
                    f"ORDER BY hash_key, range_key LIMIT {_PAGE}",
                    (table, after[0], after[0], after[1]),
                ).fetchall()
            for hash_key, range_key, item in rows:
                yield (hash_key, range_key), json.loads(item)
            if len(rows) < _PAGE:
                return
            after = (rows[-1][0], rows[-1][1])

    def close(self) -> None:
        self._connection.close()

    def _transaction(self) -> _Transaction:
        return _Transaction(self._connection)


class _Transaction:
    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection

    def __enter__(self) -> None:
        self._connection.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind: object, error: object, traceback: object) -> None:
        self._connection.execute("COMMIT" if kind is None else "ROLLBACK")
