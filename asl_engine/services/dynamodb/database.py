"""The tables of one service and their storage: lookups, reads, writes, index views."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence

from asl_engine.services.dynamodb.attribute_values import Item, item_size
from asl_engine.services.dynamodb.errors import resource_not_found
from asl_engine.services.dynamodb.ordering import encode_key_value
from asl_engine.services.dynamodb.storage import Storage, StorageKey, TableRecord, Write
from asl_engine.services.dynamodb.tables import IndexSpec, Table, TableSpec, table_name_from


class Database:
    def __init__(
        self,
        storage: Storage,
        *,
        region: str,
        account_id: str,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.storage = storage
        self.region = region
        self.account_id = account_id
        self.clock = clock
        self.tables: dict[str, Table] = {}
        self.seed_digests: dict[str, str | None] = {}
        """Per table, the digest of the declaration it was seeded from (``DynamoDBService.create_table``)."""
        for record in storage.tables():
            spec = TableSpec.from_create_table(record.definition)
            self.tables[record.name] = Table(spec, record.created, record.table_id, region, account_id)
            self.seed_digests[record.name] = record.seed_digest

    def table(self, name: str) -> Table:
        table = self.tables.get(table_name_from(name))
        if table is None:
            raise resource_not_found()
        return table

    def add_table(self, spec: TableSpec) -> Table:
        table = Table(spec, self.clock(), region=self.region, account_id=self.account_id)
        self.storage.create_table(TableRecord(spec.name, spec.to_create_table(), table.created, table.table_id))
        self.tables[spec.name] = table
        self.seed_digests[spec.name] = None
        return table

    def new_table(self, spec: TableSpec) -> Table:
        """A table not stored yet (``install_table`` stores it with its items)."""
        return Table(spec, self.clock(), region=self.region, account_id=self.account_id)

    def install_table(self, table: Table, writes: Sequence[Write], seed_digest: str) -> None:
        """Store ``table`` with exactly these items in one transaction, replacing any table of its name."""
        record = TableRecord(table.name, table.spec.to_create_table(), table.created, table.table_id, seed_digest)
        self.storage.install_table(record, writes)
        self.tables[table.name] = table
        self.seed_digests[table.name] = seed_digest

    def drop_table(self, name: str) -> None:
        self.storage.delete_table(name)
        self.tables.pop(name, None)
        self.seed_digests.pop(name, None)

    # ------------------------------------------------------------------ items

    def get(self, table: Table, key: Item) -> Item | None:
        return self.storage.get(table.name, table.storage_key(key))

    def write(self, writes: Sequence[Write]) -> None:
        self.storage.write(writes)

    def items(self, table: Table) -> Iterator[tuple[StorageKey, Item]]:
        return self.storage.scan(table.name, None)

    def index_entries(self, table: Table, index: IndexSpec) -> list[tuple[tuple[bytes, bytes, StorageKey], Item]]:
        """The items an index holds (those with all its key attributes), in index order:
        index hash key, index range key, then the table key (DynamoDB leaves ties unordered)."""
        entries: list[tuple[tuple[bytes, bytes, StorageKey], Item]] = []
        for storage_key, item in self.storage.scan(table.name, None):
            hash_value = item.get(index.hash_key[0])
            if hash_value is None or next(iter(hash_value)) != index.hash_key[1]:
                continue
            range_bytes = b""
            if index.range_key is not None:
                range_value = item.get(index.range_key[0])
                if range_value is None or next(iter(range_value)) != index.range_key[1]:
                    continue
                range_bytes = encode_key_value(range_value)
            entries.append(((encode_key_value(hash_value), range_bytes, storage_key), item))
        entries.sort(key=lambda entry: entry[0])
        return entries

    def statistics(self, table: Table) -> tuple[int, int, dict[str, tuple[int, int]]]:
        """Item count, size in bytes, and per index (count, size), for DescribeTable."""
        count = size = 0
        indexes = {index.name: (0, 0) for index in (*table.spec.global_indexes, *table.spec.local_indexes)}
        for _, item in self.storage.scan(table.name, None):
            item_bytes = item_size(item)
            count += 1
            size += item_bytes
            for index in (*table.spec.global_indexes, *table.spec.local_indexes):
                if all(name in item for name, _ in index.key_attributes()):
                    index_count, index_size = indexes[index.name]
                    indexes[index.name] = (index_count + 1, index_size + item_bytes)
        return count, size, indexes

    def close(self) -> None:
        self.storage.close()
