"""Durable executions: an embedded SQLite store (``open_store``) behind the ``Store`` interface.

>>> store = open_store("runs.db")                                           # doctest: +SKIP
>>> handle = machine.start({"orderId": "1"}, store=store, resources=resources)  # doctest: +SKIP
>>> store.resume(resources=resources)        # after a crash, in any process  # doctest: +SKIP

See docs/durability.md.
"""

from asl_engine.runtime.durable.journal import ExecutionAbandoned, LeaseLost, ReplayDivergence
from asl_engine.store.base import AttachedExecution, Store
from asl_engine.store.errors import (
    ExecutionAlreadyExists,
    ExecutionDoesNotExist,
    ExecutionNotRedrivable,
    InvalidOutput,
    StateMachineDoesNotExist,
    StoreError,
    StoreLocked,
    StoreNotFound,
    StoreUnreadable,
    StoreVersionError,
    TaskDoesNotExist,
    TaskTimedOut,
)
from asl_engine.store.records import ExecutionRecord, StateMachineRecord
from asl_engine.store.sqlite import SCHEMA_VERSION, SqliteStore, open_store

__all__ = [
    "SCHEMA_VERSION",
    "AttachedExecution",
    "ExecutionAbandoned",
    "ExecutionAlreadyExists",
    "ExecutionDoesNotExist",
    "ExecutionNotRedrivable",
    "ExecutionRecord",
    "InvalidOutput",
    "LeaseLost",
    "ReplayDivergence",
    "SqliteStore",
    "StateMachineDoesNotExist",
    "StateMachineRecord",
    "Store",
    "StoreError",
    "StoreLocked",
    "StoreNotFound",
    "StoreUnreadable",
    "StoreVersionError",
    "TaskDoesNotExist",
    "TaskTimedOut",
    "open_store",
]
