"""``SqliteStore``: durable executions in one SQLite file (standard library ``sqlite3``, WAL mode).

Layout (schema version 2; ``store_info`` holds the version, a store written by a newer version is
refused, never touched, and one of version 1 is migrated when opened, in one transaction):

* ``state_machines``: ARN, name, type, definition, role, dates, attributes (JSON);
* ``executions``: identity, the definition and input it runs, its options (JSON: seed, region,
  account, clock...), the resources file, status, output, error, cause, dates, redrive counts, a
  pending stop request, and the lease (owner, expiry);
* ``journal``: every row of every execution's journal (history events and marks), in order;
* ``tokens``: task tokens waiting for an answer, with their deadlines, and the answer or heartbeat
  another process left for them;
* ``activities`` (version 2): the activities an API server created, with their tags; and
  ``executions.attributes`` (version 2): fields a server keeps with an execution (JSON).

WAL lets readers (``asl executions list``) work while an execution commits. ``synchronous=NORMAL``
(the default) survives any crash of the process; ``durability="full"`` makes every commit survive
a power cut too, at the price of an fsync per commit.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from asl_engine.runtime.callbacks import TaskDoesNotExist
from asl_engine.runtime.durable.journal import Commit, EventRow, Input, Key, LeaseLost, MarkRow, Row
from asl_engine.store.base import Store
from asl_engine.store.errors import (
    StoreError,
    StoreLocked,
    StoreNotFound,
    StoreUnreadable,
    StoreVersionError,
    TaskTimedOut,
)
from asl_engine.store.records import ActivityRecord, ExecutionRecord, StateMachineRecord

SCHEMA_VERSION = 2
BUSY_TIMEOUT_SECONDS = 5.0

_SCHEMA = """
CREATE TABLE store_info (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE state_machines (
    arn TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    definition TEXT NOT NULL,
    role_arn TEXT NOT NULL,
    created REAL NOT NULL,
    updated REAL NOT NULL,
    status TEXT NOT NULL DEFAULT 'ACTIVE',
    attributes TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE executions (
    id INTEGER PRIMARY KEY,
    arn TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    machine_arn TEXT NOT NULL,
    machine_name TEXT NOT NULL,
    type TEXT NOT NULL,
    definition TEXT NOT NULL,
    input TEXT NOT NULL,
    options TEXT NOT NULL,
    resources TEXT,
    status TEXT NOT NULL,
    output TEXT,
    error TEXT,
    cause TEXT,
    start_time REAL NOT NULL,
    stop_time REAL,
    redrive_count INTEGER NOT NULL DEFAULT 0,
    redrive_time REAL,
    redrive_requested INTEGER NOT NULL DEFAULT 0,
    stop_request TEXT,
    lease_owner TEXT,
    lease_expires REAL,
    rows INTEGER NOT NULL DEFAULT 0,
    events INTEGER NOT NULL DEFAULT 0,
    attributes TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX executions_by_status ON executions (status, start_time);
CREATE INDEX executions_by_machine ON executions (machine_arn, start_time);
CREATE INDEX executions_by_name ON executions (name);
CREATE TABLE journal (
    execution_id INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    stream INTEGER NOT NULL,
    event_id INTEGER,
    previous_id INTEGER,
    ts REAL,
    type TEXT NOT NULL,
    name TEXT,
    payload TEXT,
    details TEXT,
    visit INTEGER,
    PRIMARY KEY (execution_id, seq)
) WITHOUT ROWID;
CREATE TABLE tokens (
    token TEXT PRIMARY KEY,
    execution_id INTEGER NOT NULL,
    stream INTEGER NOT NULL,
    scheduled_id INTEGER NOT NULL,
    state_name TEXT NOT NULL,
    status TEXT NOT NULL,
    opened REAL NOT NULL,
    timeout_at REAL,
    heartbeat_seconds REAL,
    last_beat REAL,
    answer TEXT,
    beat TEXT
);
CREATE INDEX tokens_by_execution ON tokens (execution_id, status);
CREATE TABLE activities (
    arn TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created REAL NOT NULL,
    attributes TEXT NOT NULL DEFAULT '{}'
);
"""

_MIGRATIONS: dict[int, str] = {
    1: """
ALTER TABLE executions ADD COLUMN attributes TEXT NOT NULL DEFAULT '{}';
CREATE TABLE activities (
    arn TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created REAL NOT NULL,
    attributes TEXT NOT NULL DEFAULT '{}'
);
""",
}
"""The statements that bring a store of each older version to the next one."""

_EXECUTION_COLUMNS = (
    "id, arn, name, machine_arn, machine_name, type, definition, input, options, resources, status, start_time, "
    "output, error, cause, stop_time, redrive_count, redrive_time, redrive_requested, lease_owner, lease_expires, "
    "events, attributes"
)
_MARK_PREFIX = "~"
WAITING = "WAITING"
ANSWERED = "ANSWERED"
CLOSED = "CLOSED"


def open_store(
    path: str | os.PathLike[str],
    *,
    create: bool = True,
    durability: str = "normal",
    lease_seconds: float = 30.0,
    poll_interval: float = 0.1,
    busy_timeout: float = BUSY_TIMEOUT_SECONDS,
) -> SqliteStore:
    """Open (or, with ``create``, create) the durable-execution store in the SQLite file ``path``.

    ``durability`` is "normal" (survives a crash of the process) or "full" (also a power cut).
    ``lease_seconds`` and ``poll_interval``: see ``Store``. ``busy_timeout``: how long a write
    waits for another process's transaction before ``StoreLocked``.
    """
    return SqliteStore(
        path,
        create=create,
        durability=durability,
        lease_seconds=lease_seconds,
        poll_interval=poll_interval,
        busy_timeout=busy_timeout,
    )


class SqliteStore(Store):
    """The embedded store: one SQLite file, shared by any number of processes."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        create: bool = True,
        durability: str = "normal",
        lease_seconds: float = 30.0,
        poll_interval: float = 0.1,
        busy_timeout: float = BUSY_TIMEOUT_SECONDS,
    ) -> None:
        super().__init__(lease_seconds=lease_seconds, poll_interval=poll_interval)
        if durability not in ("normal", "full"):
            raise StoreError(f"durability must be 'normal' or 'full', got {durability!r}")
        self.path = Path(path)
        self.busy_timeout = busy_timeout
        self._lock = threading.RLock()
        self._counters: dict[int, tuple[int, int]] = {}
        """Rows and events written so far, per execution this process commits (read once per run)."""
        self._db = _connect(self.path, create=create, durability=durability, busy_timeout=busy_timeout)

    def __repr__(self) -> str:
        return f"<SqliteStore {self.path}>"

    def _close(self) -> None:
        with self._lock:
            self._db.close()

    # -- transactions ------------------------------------------------------------------------------

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (``BEGIN IMMEDIATE``: the write lock is taken at once)."""
        with self._lock, _translated(self.path, self.busy_timeout):
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    @contextlib.contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        with self._lock, _translated(self.path, self.busy_timeout):
            yield self._db

    # -- state machines ----------------------------------------------------------------------------

    def _save_machine(self, record: StateMachineRecord) -> StateMachineRecord:
        with self._write() as db:
            row = db.execute("SELECT definition, created FROM state_machines WHERE arn = ?", (record.arn,)).fetchone()
            if row is None:
                db.execute(
                    "INSERT INTO state_machines (arn, name, type, definition, role_arn, created, updated, status,"
                    " attributes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        record.arn, record.name, record.type, record.definition, record.role_arn, record.created,
                        record.updated, record.status, json.dumps(record.attributes),
                    ),
                )  # fmt: skip
                return record
            if row[0] != record.definition:
                db.execute(
                    "UPDATE state_machines SET definition = ?, type = ?, updated = ? WHERE arn = ?",
                    (record.definition, record.type, record.updated, record.arn),
                )
            record.created = row[1]
            return record

    def _get_machine(self, arn: str) -> StateMachineRecord | None:
        with self._read() as db:
            row = db.execute(
                "SELECT arn, name, type, definition, role_arn, created, updated, status, attributes"
                " FROM state_machines WHERE arn = ?",
                (arn,),
            ).fetchone()
        return None if row is None else _machine(row)

    def _list_machines(self) -> list[StateMachineRecord]:
        with self._read() as db:
            rows = db.execute(
                "SELECT arn, name, type, definition, role_arn, created, updated, status, attributes"
                " FROM state_machines ORDER BY name"
            ).fetchall()
        return [_machine(row) for row in rows]

    def _delete_machine(self, arn: str) -> None:
        with self._write() as db:
            db.execute("DELETE FROM state_machines WHERE arn = ?", (arn,))

    def _put_machine(self, record: StateMachineRecord) -> None:
        with self._write() as db:
            db.execute(
                "INSERT OR REPLACE INTO state_machines (arn, name, type, definition, role_arn, created, updated,"
                " status, attributes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    record.arn, record.name, record.type, record.definition, record.role_arn, record.created,
                    record.updated, record.status, json.dumps(record.attributes),
                ),
            )  # fmt: skip

    # -- activities and execution attributes -------------------------------------------------------

    def _put_activity(self, record: ActivityRecord) -> None:
        with self._write() as db:
            db.execute(
                "INSERT OR REPLACE INTO activities (arn, name, created, attributes) VALUES (?, ?, ?, ?)",
                (record.arn, record.name, record.created, json.dumps(record.attributes)),
            )

    def _list_activities(self) -> list[ActivityRecord]:
        with self._read() as db:
            rows = db.execute("SELECT arn, name, created, attributes FROM activities ORDER BY created").fetchall()
        return [ActivityRecord(arn, name, created, json.loads(attributes)) for arn, name, created, attributes in rows]

    def _delete_activity(self, arn: str) -> None:
        with self._write() as db:
            db.execute("DELETE FROM activities WHERE arn = ?", (arn,))

    def _set_execution_attributes(self, execution_id: int, attributes: dict[str, Any]) -> None:
        with self._write() as db:
            db.execute("UPDATE executions SET attributes = ? WHERE id = ?", (json.dumps(attributes), execution_id))

    # -- executions --------------------------------------------------------------------------------

    def _create_execution(
        self,
        record: ExecutionRecord,
        owner: str,
        lease_seconds: float,
        name_rule: Callable[[ExecutionRecord, float], str],
    ) -> tuple[ExecutionRecord, bool]:
        now = time.time()
        with self._write() as db:
            existing = _fetch(db, "arn = ?", (record.arn,))
            if existing is not None:
                if name_rule(existing, now) == "reuse":
                    return existing, False
                _delete_execution(db, existing.id)
            cursor = db.execute(
                "INSERT INTO executions (arn, name, machine_arn, machine_name, type, definition, input, options,"
                " resources, status, start_time, lease_owner, lease_expires) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
                " ?, ?)",
                (
                    record.arn, record.name, record.machine_arn, record.machine_name, record.type, record.definition,
                    record.input, json.dumps(record.options), record.resources, record.status, record.start_time,
                    owner, now + lease_seconds,
                ),
            )  # fmt: skip
            record.id = int(cursor.lastrowid or 0)
            record.lease_owner, record.lease_expires = owner, now + lease_seconds
            return record, True

    def _get_execution(self, arn: str) -> ExecutionRecord | None:
        with self._read() as db:
            return _fetch(db, "arn = ?", (arn,))

    def _find_named(self, name: str) -> list[ExecutionRecord]:
        with self._read() as db:
            return _fetch_all(db, "name = ? ORDER BY start_time DESC, id DESC", (name,))

    def _list_executions(
        self, status: str | None, machine: str | None, limit: int | None, offset: int
    ) -> list[ExecutionRecord]:
        clauses, parameters = [], []
        if status is not None:
            clauses.append("status = ?")
            parameters.append(status)
        if machine is not None:
            clauses.append("(machine_arn = ? OR machine_name = ?)")
            parameters += [machine, machine]
        where = " AND ".join(clauses) or "1"
        limit_clause = f" LIMIT {int(limit) if limit is not None else -1} OFFSET {int(offset)}"
        with self._read() as db:
            return _fetch_all(db, f"{where} ORDER BY start_time DESC, id DESC{limit_clause}", tuple(parameters))

    def _unfinished(self) -> list[ExecutionRecord]:
        with self._read() as db:
            return _fetch_all(db, "status = 'RUNNING' OR redrive_requested > redrive_count ORDER BY start_time, id", ())

    # -- leases ------------------------------------------------------------------------------------

    def _claim(self, execution_id: int, owner: str, lease_seconds: float) -> ExecutionRecord | None:
        now = time.time()
        with self._write() as db:
            record = _fetch(db, "id = ?", (execution_id,))
            if record is None or not record.open:
                return None
            holder = record.lease_owner
            held = holder is not None and holder != owner and (record.lease_expires or 0) > now
            if held and not _owner_gone(holder or ""):
                return None
            db.execute(
                "UPDATE executions SET lease_owner = ?, lease_expires = ? WHERE id = ?",
                (owner, now + lease_seconds, execution_id),
            )
            record.lease_owner, record.lease_expires = owner, now + lease_seconds
            self._counters.pop(execution_id, None)
            return record

    def _renew(self, execution_ids: list[int], owner: str, lease_seconds: float) -> None:
        marks = ",".join("?" * len(execution_ids))
        with self._write() as db:
            db.execute(
                f"UPDATE executions SET lease_expires = ? WHERE lease_owner = ? AND id IN ({marks})",
                (time.time() + lease_seconds, owner, *execution_ids),
            )

    def _release(self, execution_id: int, owner: str) -> None:
        if self.closed:
            return
        with self._write() as db:
            db.execute(
                "UPDATE executions SET lease_owner = NULL, lease_expires = NULL WHERE id = ? AND lease_owner = ?",
                (execution_id, owner),
            )

    # -- the journal -------------------------------------------------------------------------------

    def _commit(self, execution_id: int, owner: str, lease_seconds: float, commit: Commit) -> None:
        if self.closed:
            raise LeaseLost("the store was closed while the execution ran")
        with self._write() as db:
            seq, events = self._counters.get(execution_id) or _counters(db, execution_id)
            values: list[tuple[Any, ...]] = []
            for row in commit.rows:
                seq += 1
                if isinstance(row, EventRow):
                    if row.stream == 0:
                        events = row.event_id
                    values.append(
                        (
                            execution_id, seq, row.stream, row.event_id, row.previous_id, row.timestamp, row.type,
                            row.name, row.payload_text(), row.details, row.visit,
                        )
                    )  # fmt: skip
                else:
                    data = json.dumps(row.data, separators=(",", ":"), ensure_ascii=False)
                    values.append(
                        (execution_id, seq, 0, None, None, None, _MARK_PREFIX + row.kind, None, None, data, None)
                    )
                    self._note_applied(db, execution_id, row)
            progress = commit.progress
            # The lease is checked in the same transaction as the rows are written: a process that lost
            # it (another one took the execution over) writes nothing.
            updated = db.execute(
                "UPDATE executions SET rows = ?, events = ?, status = ?, output = ?, error = ?, cause = ?,"
                " stop_time = ?, redrive_count = ?, redrive_time = ?, lease_expires = ?"
                " WHERE id = ? AND lease_owner = ?",
                (
                    seq, events, progress.status, progress.output, progress.error, progress.cause, progress.stop_time,
                    progress.redrive_count, progress.redrive_time, time.time() + lease_seconds, execution_id, owner,
                ),
            ).rowcount  # fmt: skip
            if updated != 1:
                self._counters.pop(execution_id, None)
                holder = db.execute("SELECT lease_owner FROM executions WHERE id = ?", (execution_id,)).fetchone()
                raise LeaseLost(f"another process took over the execution (its lease is now {holder and holder[0]})")
            db.executemany("INSERT INTO journal VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", values)
            for token in commit.opened:
                db.execute(
                    "INSERT OR REPLACE INTO tokens (token, execution_id, stream, scheduled_id, state_name, status,"
                    " opened, timeout_at, heartbeat_seconds, last_beat) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        token.token, execution_id, token.key[0], token.key[1], token.state_name, WAITING,
                        token.opened_at, token.timeout_at, token.heartbeat_seconds, token.opened_at,
                    ),
                )  # fmt: skip
            for closed in commit.closed:
                db.execute("UPDATE tokens SET status = ?, answer = NULL, beat = NULL WHERE token = ?", (CLOSED, closed))
            if progress.status not in ("RUNNING", "PENDING_REDRIVE"):
                db.execute("UPDATE tokens SET status = ? WHERE execution_id = ?", (CLOSED, execution_id))
                db.execute("UPDATE executions SET stop_request = NULL WHERE id = ?", (execution_id,))
        self._counters[execution_id] = (seq, events)

    @staticmethod
    def _note_applied(db: sqlite3.Connection, execution_id: int, row: MarkRow) -> None:
        """Inputs recorded in a turn were applied: what waited for them in the store is done."""
        for item in row.data.get("inputs", ()):
            kind = item["kind"]
            if kind == "stop":
                db.execute("UPDATE executions SET stop_request = NULL WHERE id = ?", (execution_id,))
            elif kind == "heartbeat":
                db.execute(
                    "UPDATE tokens SET beat = NULL WHERE token = ? AND json_extract(beat, '$.at') <= ?",
                    (item["token"], item["at"]),
                )

    def _journal(self, execution_id: int) -> list[Row]:
        with self._read() as db:
            rows = db.execute(
                "SELECT stream, event_id, previous_id, ts, type, name, payload, details, visit FROM journal"
                " WHERE execution_id = ? ORDER BY seq",
                (execution_id,),
            ).fetchall()
        return [_row(row) for row in rows]

    def _history_rows(self, execution_id: int, after: int | None, limit: int | None, reverse: bool) -> list[EventRow]:
        order = "DESC" if reverse else "ASC"
        clause = ""
        parameters: list[Any] = [execution_id]
        if after is not None:
            clause = " AND event_id < ?" if reverse else " AND event_id > ?"
            parameters.append(after)
        limit_clause = f" LIMIT {int(limit)}" if limit is not None else ""
        with self._read() as db:
            rows = db.execute(
                "SELECT stream, event_id, previous_id, ts, type, name, payload, details, visit FROM journal"
                f" WHERE execution_id = ? AND stream = 0 AND event_id IS NOT NULL{clause}"
                f" ORDER BY event_id {order}{limit_clause}",
                parameters,
            ).fetchall()
        return [row for row in map(_row, rows) if isinstance(row, EventRow)]

    # -- redrive and stop --------------------------------------------------------------------------

    def _request_redrive(self, execution_id: int, owner: str, lease_seconds: float) -> ExecutionRecord | None:
        now = time.time()
        with self._write() as db:
            record = _fetch(db, "id = ?", (execution_id,))
            if record is None or record.open:
                return None
            db.execute(
                "UPDATE executions SET redrive_requested = redrive_count + 1, status = 'RUNNING', stop_time = NULL,"
                " output = NULL, error = NULL, cause = NULL, lease_owner = ?, lease_expires = ? WHERE id = ?",
                (owner, now + lease_seconds, execution_id),
            )
            self._counters.pop(execution_id, None)
            return _fetch(db, "id = ?", (execution_id,))

    def _stop_elsewhere(self, execution_id: int, owner: str, error: str | None, cause: str | None, now: float) -> None:
        wall = time.time()
        with self._write() as db:
            record = _fetch(db, "id = ?", (execution_id,))
            if record is None or not record.open:
                return
            holder = record.lease_owner
            if holder is not None and (record.lease_expires or 0) > wall and not _owner_gone(holder):
                db.execute(
                    "UPDATE executions SET stop_request = ? WHERE id = ?",
                    (json.dumps({"error": error, "cause": cause}), execution_id),
                )
                return
            state = db.execute(
                "SELECT rows, events, (SELECT MAX(ts) FROM journal WHERE execution_id = ?) FROM executions"
                " WHERE id = ?",
                (execution_id, execution_id),
            ).fetchone()
            seq, events, last_time = state[0] + 1, state[1] + 1, state[2]
            at = max(now, last_time or now)
            details = {key: value for key, value in (("error", error), ("cause", cause)) if value is not None}
            db.execute(
                "INSERT INTO journal VALUES (?, ?, 0, ?, 0, ?, 'ExecutionAborted', NULL, NULL, ?, 0)",
                (execution_id, seq, events, at, json.dumps(details) if details else None),
            )
            db.execute(
                "UPDATE executions SET rows = ?, events = ?, status = 'ABORTED', error = ?, cause = ?, stop_time = ?,"
                " output = NULL, stop_request = NULL, redrive_requested = redrive_count, lease_owner = NULL,"
                " lease_expires = NULL WHERE id = ?",
                (seq, events, error, cause, at, execution_id),
            )
            db.execute("UPDATE tokens SET status = ? WHERE execution_id = ?", (CLOSED, execution_id))

    def _set_stop_request(self, execution_id: int, error: str | None, cause: str | None) -> None:
        with self._write() as db:
            db.execute(
                "UPDATE executions SET stop_request = ? WHERE id = ?",
                (json.dumps({"error": error, "cause": cause}), execution_id),
            )

    # -- task tokens -------------------------------------------------------------------------------

    def _record_answer(self, token: str, make: Callable[[Key, float], Input], now: float) -> tuple[int, Input]:
        with self._write() as db:
            row = db.execute(
                "SELECT t.execution_id, t.stream, t.scheduled_id, t.status, t.timeout_at, t.heartbeat_seconds,"
                " t.last_beat, e.options FROM tokens t JOIN executions e ON e.id = t.execution_id WHERE t.token = ?",
                (token,),
            ).fetchone()
            if row is None or row[3] != WAITING:
                raise TaskDoesNotExist(f"Task Does Not Exist: no task is waiting for the token {token[:24]}...")
            execution_id, stream, scheduled, _, timeout_at, heartbeat, last_beat, options = row
            if json.loads(options).get("clock") == "real":
                expired = (timeout_at is not None and now > timeout_at) or (
                    heartbeat is not None and last_beat is not None and now > last_beat + heartbeat
                )
                if expired:
                    raise TaskTimedOut(f"Task Timed Out: the task waiting for the token {token[:24]}... timed out")
            item = make((stream, scheduled), now)
            text = json.dumps(item, separators=(",", ":"), ensure_ascii=False)
            if item["kind"] == "heartbeat":
                db.execute("UPDATE tokens SET beat = ?, last_beat = ? WHERE token = ?", (text, now, token))
            else:
                db.execute("UPDATE tokens SET status = ?, answer = ? WHERE token = ?", (ANSWERED, text, token))
            return int(execution_id), item

    def _waiting_tokens(self, execution_id: int) -> dict[str, str]:
        with self._read() as db:
            rows = db.execute(
                "SELECT token, state_name FROM tokens WHERE execution_id = ? AND status = ? ORDER BY opened",
                (execution_id, WAITING),
            ).fetchall()
        return {token: state for token, state in rows}

    def _pending_inputs(self, execution_id: int) -> list[Input]:
        return [item for _, item in self._poll_inputs([execution_id])]

    def _poll_inputs(self, execution_ids: list[int]) -> list[tuple[int, Input]]:
        if not execution_ids:
            return []
        marks = ",".join("?" * len(execution_ids))
        with self._read() as db:
            tokens = db.execute(
                f"SELECT execution_id, answer, beat FROM tokens WHERE execution_id IN ({marks})"
                " AND (status = 'ANSWERED' OR beat IS NOT NULL) ORDER BY opened",
                execution_ids,
            ).fetchall()
            stops = db.execute(
                f"SELECT id, stop_request FROM executions WHERE id IN ({marks}) AND stop_request IS NOT NULL",
                execution_ids,
            ).fetchall()
        found: list[tuple[int, Input]] = []
        for execution_id, answer, beat in tokens:
            for text in (beat, answer):
                if text is not None:
                    found.append((int(execution_id), json.loads(text)))
        for execution_id, request in stops:
            stop = json.loads(request)
            found.append((int(execution_id), {"kind": "stop", "error": stop.get("error"), "cause": stop.get("cause")}))
        return found


# -- helpers -----------------------------------------------------------------------------------------


def _connect(path: Path, *, create: bool, durability: str, busy_timeout: float) -> sqlite3.Connection:
    """Open ``path`` and check it is an asl-engine store this version can read, before writing anything."""
    if not create and not path.exists():
        raise StoreNotFound(f"no store at {path} (it is created by 'asl run ... --store {path}')")
    if path.exists() and path.is_dir():
        raise StoreUnreadable(f"{path} is a directory, not a store file")
    with _translated(path, busy_timeout):
        db = sqlite3.connect(path, timeout=busy_timeout, isolation_level=None, check_same_thread=False)
    try:
        with _translated(path, busy_timeout):
            tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if "store_info" in tables:
                if _check_version(db, path) < SCHEMA_VERSION:
                    _migrate(db, path)
            elif tables:
                raise StoreUnreadable(
                    f"{path} is a SQLite database but not an asl-engine store (it has no store_info table)"
                )
            else:
                if not create:
                    raise StoreUnreadable(f"{path} is an empty file, not an asl-engine store")
                _create_schema(db, path)
            db.execute("PRAGMA journal_mode = WAL")
            db.execute(f"PRAGMA synchronous = {'FULL' if durability == 'full' else 'NORMAL'}")
    except BaseException:
        db.close()
        raise
    return db


def _check_version(db: sqlite3.Connection, path: Path) -> int:
    """The store's format version, after checking this asl-engine can read it."""
    info = dict(db.execute("SELECT key, value FROM store_info").fetchall())
    try:
        version = int(info.get("schema_version", "0"))
    except ValueError:
        raise StoreUnreadable(f"{path}: its schema version {info.get('schema_version')!r} is not a number") from None
    if version > SCHEMA_VERSION:
        from asl_engine import __version__

        writer = info.get("written_by", "a newer asl-engine")
        raise StoreVersionError(
            f"{path} was written by {writer} (store format {version}); this asl-engine ({__version__}) reads format "
            f"{SCHEMA_VERSION} and older: upgrade asl-engine to use it (the store was not modified)"
        )
    if version < 1:
        raise StoreUnreadable(f"{path}: unknown store format {version}")
    return version


def _migrate(db: sqlite3.Connection, path: Path) -> None:
    """Bring an older store to this version, one step at a time, in one transaction (a process that
    migrated it meanwhile leaves nothing to do)."""
    from asl_engine import __version__

    db.execute("BEGIN IMMEDIATE")
    try:
        version = _check_version(db, path)
        while version < SCHEMA_VERSION:
            for statement in _MIGRATIONS[version].split(";"):
                if statement.strip():
                    db.execute(statement)
            version += 1
        db.execute("UPDATE store_info SET value = ? WHERE key = 'schema_version'", (str(version),))
        db.execute(
            "INSERT OR REPLACE INTO store_info (key, value) VALUES ('written_by', ?)", (f"asl-engine {__version__}",)
        )
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


def _create_schema(db: sqlite3.Connection, path: Path) -> None:
    """Create the tables in one transaction; a process that lost the race to create them reads them."""
    from asl_engine import __version__

    info = (
        f"INSERT INTO store_info (key, value) VALUES ('schema_version', '{SCHEMA_VERSION}'),"
        f" ('written_by', 'asl-engine {__version__}'), ('created', '{time.time()}');"
    )
    try:
        db.executescript("BEGIN IMMEDIATE;" + _SCHEMA + info + "COMMIT;")
    except sqlite3.OperationalError as error:
        if db.in_transaction:
            db.execute("ROLLBACK")
        if "already exists" not in str(error):
            raise
        _check_version(db, path)


@contextlib.contextmanager
def _translated(path: Path, busy_timeout: float = BUSY_TIMEOUT_SECONDS) -> Iterator[None]:
    """SQLite's exceptions, as store errors that say what to do."""
    try:
        yield
    except sqlite3.OperationalError as error:
        text = str(error)
        if "locked" in text or "busy" in text:
            raise StoreLocked(f"{path} is locked by another process (waited {busy_timeout:g} s): try again") from None
        if "unable to open" in text:
            raise StoreNotFound(f"cannot open the store {path}: {text}") from None
        raise StoreUnreadable(f"{path}: {text}") from None
    except sqlite3.DatabaseError as error:
        raise StoreUnreadable(f"{path} is not a usable asl-engine store: {error}") from None


def _counters(db: sqlite3.Connection, execution_id: int) -> tuple[int, int]:
    row = db.execute("SELECT rows, events FROM executions WHERE id = ?", (execution_id,)).fetchone()
    return (int(row[0]), int(row[1])) if row is not None else (0, 0)


def _owner_gone(owner: str) -> bool:
    """Whether a lease owner is a process of this host that no longer exists (its lease is free)."""
    host, _, rest = owner.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return _is_zombie(pid)


def _is_zombie(pid: int) -> bool:
    """A process that has exited but was not reaped yet (a killed child of a test) is gone too."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return any(line.startswith("State:") and "Z" in line.split()[1:2] for line in status.splitlines())


def _machine(row: tuple[Any, ...]) -> StateMachineRecord:
    arn, name, type_, definition, role_arn, created, updated, status, attributes = row
    return StateMachineRecord(
        arn, name, type_, definition, role_arn, created, updated, status, json.loads(attributes or "{}")
    )


def _fetch(db: sqlite3.Connection, where: str, parameters: tuple[Any, ...]) -> ExecutionRecord | None:
    row = db.execute(f"SELECT {_EXECUTION_COLUMNS} FROM executions WHERE {where}", parameters).fetchone()
    return None if row is None else _execution(row)


def _fetch_all(db: sqlite3.Connection, where: str, parameters: tuple[Any, ...]) -> list[ExecutionRecord]:
    rows = db.execute(f"SELECT {_EXECUTION_COLUMNS} FROM executions WHERE {where}", parameters).fetchall()
    return [_execution(row) for row in rows]


def _execution(row: tuple[Any, ...]) -> ExecutionRecord:
    (
        id_, arn, name, machine_arn, machine_name, type_, definition, input_text, options, resources, status,
        start_time, output, error, cause, stop_time, redrive_count, redrive_time, redrive_requested, owner, expires,
        events, attributes,
    ) = row  # fmt: skip
    return ExecutionRecord(
        int(id_), arn, name, machine_arn, machine_name, type_, definition, input_text, json.loads(options), resources,
        status, start_time, output, error, cause, stop_time, int(redrive_count), redrive_time, int(redrive_requested),
        owner, expires, int(events), json.loads(attributes or "{}"),
    )  # fmt: skip


def _delete_execution(db: sqlite3.Connection, execution_id: int) -> None:
    db.execute("DELETE FROM journal WHERE execution_id = ?", (execution_id,))
    db.execute("DELETE FROM tokens WHERE execution_id = ?", (execution_id,))
    db.execute("DELETE FROM executions WHERE id = ?", (execution_id,))


def _row(row: tuple[Any, ...]) -> Row:
    stream, event_id, previous_id, ts, type_, name, payload, details, visit = row
    if type_.startswith(_MARK_PREFIX):
        return MarkRow(type_[len(_MARK_PREFIX) :], json.loads(details))
    return EventRow(int(stream), int(event_id), int(previous_id), ts, type_, name, payload, details, int(visit or 0))


__all__ = ["SCHEMA_VERSION", "SqliteStore", "StoreError", "open_store"]
