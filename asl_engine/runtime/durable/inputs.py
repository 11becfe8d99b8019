"""Inputs: what reaches a running durable execution from outside, as data.

A task's result, a handler's ``TaskSubmitted`` response, a worker taking an activity task, an
answer to a task token, a heartbeat and a stop request are all posted to the execution's scheduler
as small JSON-ready dictionaries.
The journal applies them between turns and records them with the turn, so a replay applies the
same inputs at the same points. (A function posted by a handler's own machinery, a worker thread
finishing for instance, is run but not recorded: it only touches the handler.)
"""

from __future__ import annotations

from typing import Any

from asl_engine.errors import StatesError
from asl_engine.runtime import failures
from asl_engine.runtime.durable.journal import Input, Key


def key_of(item: Input) -> Key:
    stream, event_id = item["key"]
    return int(stream), int(event_id)


def outcome_input(key: Key, outcome: Any = None, error: StatesError | None = None) -> Input:
    """A task's result (or its failure) as an input; also the body of an inline outcome row."""
    item: Input = {"kind": "outcome", "key": list(key)}
    item.update(outcome_fields(outcome, error))
    return item


def outcome_fields(outcome: Any = None, error: StatesError | None = None) -> dict[str, Any]:
    if error is None:
        return {"ok": True, "result": outcome}
    fields: dict[str, Any] = {"ok": False, "error": error.error, "cause": error.cause}
    if isinstance(error, failures.HeartbeatTimeoutError):
        fields["timeout"] = "heartbeat"
    elif isinstance(error, failures.TimeoutFailure):
        fields["timeout"] = "task"
    return fields


def outcome_error(fields: dict[str, Any]) -> StatesError:
    """The failure an outcome records, of the class the task state tells apart (timeouts)."""
    timeout = fields.get("timeout")
    if timeout == "heartbeat":
        return failures.HeartbeatTimeoutError()
    if timeout == "task":
        return failures.TimeoutFailure()
    return StatesError(fields.get("error"), fields.get("cause"))


def answer_input(key: Key, token: str, output: Any = None, error: StatesError | None = None) -> Input:
    """SendTaskSuccess (``output``) or SendTaskFailure (``error``) for a task token."""
    if error is None:
        return {"kind": "answer", "key": list(key), "token": token, "ok": True, "output": output}
    return {"kind": "answer", "key": list(key), "token": token, "ok": False, "error": error.error, "cause": error.cause}


def heartbeat_input(key: Key, token: str, at: float) -> Input:
    return {"kind": "heartbeat", "key": list(key), "token": token, "at": at}


def stop_input(error: str | None, cause: str | None) -> Input:
    return {"kind": "stop", "error": error, "cause": cause}


def submitted_input(key: Key, output: Any) -> Input:
    return {"kind": "submitted", "key": list(key), "output": output}


def started_input(key: Key, worker: str | None) -> Input:
    """A worker took an activity task (``ActivityStarted``, with the worker's name)."""
    return {"kind": "started", "key": list(key), "worker": worker}
