"""What can go wrong with a store, and with the API calls made through it (AWS's error names)."""

from __future__ import annotations

from asl_engine.errors import AslEngineError
from asl_engine.runtime.callbacks import InvalidOutput, TaskDoesNotExist

__all__ = [
    "ExecutionAlreadyExists",
    "ExecutionDoesNotExist",
    "ExecutionNotRedrivable",
    "InvalidOutput",
    "StateMachineDoesNotExist",
    "StoreError",
    "StoreLocked",
    "StoreNotFound",
    "StoreUnreadable",
    "StoreVersionError",
    "TaskDoesNotExist",
    "TaskTimedOut",
]


class StoreError(AslEngineError):
    """The store file cannot be used (it is never modified when this is raised)."""


class StoreNotFound(StoreError):
    """No store at the given path (read-only commands never create one)."""


class StoreUnreadable(StoreError):
    """The file is not a SQLite database, is damaged, or is not an asl-engine store."""


class StoreLocked(StoreError):
    """Another process kept the store's write lock for longer than the busy timeout."""


class StoreVersionError(StoreError):
    """The store was written by a newer asl-engine, whose format this version does not know."""


class StateMachineDoesNotExist(AslEngineError):
    """AWS: StateMachineDoesNotExist (``State Machine Does Not Exist: '<arn>'``)."""


class ExecutionDoesNotExist(AslEngineError):
    """AWS: ExecutionDoesNotExist (``Execution Does Not Exist: '<arn>'``)."""


class ExecutionAlreadyExists(AslEngineError):
    """AWS: ExecutionAlreadyExists: the name is taken by a closed execution, or by a running one with
    a different input."""


class ExecutionNotRedrivable(AslEngineError):
    """AWS: ExecutionNotRedrivable: only a FAILED, TIMED_OUT or ABORTED Standard execution can be redriven."""


class TaskTimedOut(AslEngineError):
    """AWS: TaskTimedOut: the task's TimeoutSeconds or HeartbeatSeconds ran out before the answer."""
