"""``DynamoDBService``: an embedded DynamoDB answering requests in the JSON API's shapes.

Requests and responses are the dictionaries of DynamoDB's JSON protocol (``"TableName"``,
typed AttributeValues such as ``{"S": "a"}``); failures raise ``DynamoDBServiceError`` with
DynamoDB's error code and message. One lock serialises all calls, so a service can be shared by
threads (e.g. the iterations of a Map state).
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from os import PathLike
from typing import Any

from asl_engine.errors import ConfigurationError
from asl_engine.services.dynamodb import batches, reads, table_operations, transactions
from asl_engine.services.dynamodb.attribute_values import InvalidValue, is_typed_item, normalize_item, to_typed
from asl_engine.services.dynamodb.database import Database
from asl_engine.services.dynamodb.errors import DynamoDBServiceError, UnsupportedActionError, serialization
from asl_engine.services.dynamodb.storage import MemoryStorage, SQLiteStorage, Storage, StorageKey, Write
from asl_engine.services.dynamodb.tables import Table, TableSpec
from asl_engine.services.dynamodb.writes import PreparedWrite, execute_write, value_error

Handler = Callable[[Mapping[str, Any]], dict[str, Any]]

#: DynamoDB actions that exist but are not emulated (calling them raises UnsupportedActionError).
NOT_EMULATED = frozenset(
    {
        "UpdateTable", "UpdateTimeToLive", "DescribeTimeToLive", "ExecuteStatement",
        "BatchExecuteStatement", "ExecuteTransaction", "CreateBackup", "RestoreTableFromBackup",
        "TagResource", "UntagResource", "ListTagsOfResource", "DescribeContinuousBackups",
        "UpdateContinuousBackups", "CreateGlobalTable", "DescribeLimits", "DescribeEndpoints",
        "ExportTableToPointInTime", "ImportTable",
    }
)  # fmt: skip


class DynamoDBService:
    """An in-process DynamoDB.

    ``path`` selects SQLite storage in that file (tables and items persist between runs);
    without it everything lives in memory. ``region`` and ``account_id`` appear in table ARNs;
    ``clock`` (seconds since the epoch) stamps creation times and ClientRequestTokens.
    """

    def __init__(
        self,
        path: str | PathLike[str] | None = None,
        *,
        region: str = "us-east-1",
        account_id: str = "123456789012",
        clock: Callable[[], float] = time.time,
    ) -> None:
        storage: Storage = SQLiteStorage(os.fspath(path)) if path is not None else MemoryStorage()
        self._db = Database(storage, region=region, account_id=account_id, clock=clock)
        self._lock = threading.RLock()
        self._tokens = transactions.TokenRegistry()
        self._handlers: dict[str, Handler] = {
            "GetItem": lambda p: reads.get_item(self._db, p),
            "PutItem": lambda p: execute_write(self._db, PreparedWrite.read(self._db, "Put", p)),
            "UpdateItem": lambda p: execute_write(self._db, PreparedWrite.read(self._db, "Update", p)),
            "DeleteItem": lambda p: execute_write(self._db, PreparedWrite.read(self._db, "Delete", p)),
            "Query": lambda p: reads.query(self._db, p),
            "Scan": lambda p: reads.scan(self._db, p),
            "BatchGetItem": lambda p: batches.batch_get_item(self._db, p),
            "BatchWriteItem": lambda p: batches.batch_write_item(self._db, p),
            "TransactWriteItems": lambda p: transactions.transact_write_items(self._db, self._tokens, p),
            "TransactGetItems": lambda p: transactions.transact_get_items(self._db, p),
            "CreateTable": lambda p: table_operations.create_table(self._db, p),
            "DeleteTable": lambda p: table_operations.delete_table(self._db, p),
            "DescribeTable": lambda p: table_operations.describe_table(self._db, p),
            "ListTables": lambda p: table_operations.list_tables(self._db, p),
        }

    @property
    def actions(self) -> tuple[str, ...]:
        """The actions ``call`` accepts."""
        return tuple(self._handlers)

    def call(self, action: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Run one DynamoDB action (``"PutItem"``; ``"putItem"`` is accepted too).

        Returns the response as DynamoDB's JSON API would (``{}`` when it has no members);
        raises ``DynamoDBServiceError`` as DynamoDB would fail, and ``UnsupportedActionError``
        for actions or legacy parameters this emulation does not implement.
        """
        name = action[:1].upper() + action[1:]
        handler = self._handlers.get(name)
        if handler is None:
            supported = ", ".join(self._handlers)
            detail = "is not emulated" if name in NOT_EMULATED else "is not a DynamoDB action known here"
            raise UnsupportedActionError(f"DynamoDB action {action!r} {detail}; supported actions: {supported}")
        if params is None:
            params = {}
        if not isinstance(params, Mapping):
            raise serialization("Unexpected value type in payload")
        with self._lock:
            return handler(params)

    def create_table(
        self,
        spec: TableSpec,
        items: Iterable[Mapping[str, Any]] | None = None,
        *,
        replace: bool = False,
    ) -> None:
        """Declare a table and its seed items.

        Seed items may be typed (``{"pk": {"S": "a"}}``) or plain (``{"pk": "a", "n": 3}``,
        marshalled like boto3's TypeSerializer); an item counts as typed when every value is a
        single-key mapping whose key is a type descriptor. The table and its seeds are written in one
        transaction: a kill while seeding leaves no table, or the table as it was.

        With a SQLite ``path``, a table that already exists from this very declaration (the same
        definition and the same seed items: a digest of both is stored with the table) is kept with
        its items, so state written by earlier runs survives. A table whose seeds differ (the seed
        file changed, or the table was created some other way) is recreated from this declaration;
        ``replace=True`` recreates it in any case.

        A declaration DynamoDB would refuse raises ``DynamoDBServiceError`` with CreateTable's
        error; an invalid seed item, or a table that exists with another definition, raises
        ``ConfigurationError``.
        """
        with self._lock:
            checked = TableSpec.from_create_table(spec.to_create_table())
            typed_items = [
                raw if is_typed_item(raw) else {name: to_typed(value) for name, value in raw.items()}
                for raw in (items or ())
            ]
            digest = seed_digest(checked, typed_items)
            existing = self._db.tables.get(spec.name)
            if existing is not None and not replace:
                if existing.spec != checked:
                    raise ConfigurationError(
                        f"table {spec.name!r} already exists with a different definition; "
                        "pass replace=True to recreate it"
                    )
                if self._db.seed_digests.get(spec.name) == digest:
                    return
            table = self._db.new_table(checked)
            self._db.tables[spec.name] = table  # PutItem's checks look the table up by name
            try:
                writes = self._seed_writes(table, typed_items)
            except BaseException:
                if existing is None:
                    self._db.tables.pop(spec.name, None)
                else:
                    self._db.tables[spec.name] = existing
                raise
            self._db.install_table(table, writes, digest)

    def _seed_writes(self, table: Table, typed_items: Sequence[Mapping[str, Any]]) -> list[Write]:
        """Each seed checked as a PutItem of it would be (its values, its key, its size); a later
        seed with the same key wins."""
        writes: dict[StorageKey, Write] = {}
        for position, typed in enumerate(typed_items):
            try:
                try:
                    item = normalize_item(typed)
                except InvalidValue as error:
                    raise value_error(error) from None
                prepared = PreparedWrite.put(table, item)
                prepared.check_against_table()
            except DynamoDBServiceError as error:
                raise ConfigurationError(
                    f"seed item {position} of table {table.name!r} is invalid: {error.code}: {error.message}"
                ) from error
            write = prepared.storage_write(item)
            writes[write.key] = write
        return list(writes.values())

    def table_names(self) -> list[str]:
        with self._lock:
            return sorted(self._db.tables)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> DynamoDBService:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def seed_digest(spec: TableSpec, typed_items: Sequence[Mapping[str, Any]]) -> str:
    """What a declared table was created from: its definition and its seed items, in order."""
    digest = hashlib.sha256(json.dumps(spec.to_create_table(), sort_keys=True).encode())
    encode = json.JSONEncoder(sort_keys=True, separators=(",", ":"), default=repr).encode
    for item in typed_items:
        digest.update(b"\n")
        digest.update(encode(item).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()
