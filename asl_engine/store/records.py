"""What a store keeps about state machines and executions, in the shapes the AWS API returns."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

REDRIVE_WINDOW_SECONDS = 14 * 86_400
"""AWS redrives executions that stopped within the last 14 days."""
NAME_REUSE_SECONDS = 90 * 86_400
"""AWS lets an execution name be used again 90 days after the execution it named closed."""
REDRIVE_EVENT_LIMIT = 24_999
"""A redrive needs room for ``ExecutionRedriven`` and at least one more event under the 25,000 quota."""
OPEN_STATUSES = frozenset({"RUNNING", "PENDING_REDRIVE"})
REDRIVABLE_STATUSES = frozenset({"FAILED", "TIMED_OUT", "ABORTED"})


def _date(epoch: float | None) -> datetime | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, UTC)


@dataclass(slots=True)
class StateMachineRecord:
    """A state machine the store knows (DescribeStateMachine's fields)."""

    arn: str
    name: str
    type: str
    definition: str
    role_arn: str
    created: float
    updated: float
    status: str = "ACTIVE"
    attributes: dict[str, Any] = field(default_factory=dict)
    """Anything else a server keeps with the machine (description, logging, tracing, tags...)."""

    def describe(self) -> dict[str, Any]:
        return {
            "stateMachineArn": self.arn,
            "name": self.name,
            "status": self.status,
            "definition": self.definition,
            "roleArn": self.role_arn,
            "type": self.type,
            "creationDate": _date(self.created),
        }


@dataclass(slots=True)
class ActivityRecord:
    """An activity the store keeps for a server (CreateActivity's): it exists again after a restart."""

    arn: str
    name: str
    created: float
    attributes: dict[str, Any] = field(default_factory=dict)
    """Anything else the server keeps with it (its tags)."""


@dataclass(slots=True)
class ExecutionRecord:
    """One execution as the store keeps it: its identity, what it runs with, and how far it got."""

    id: int
    arn: str
    name: str
    machine_arn: str
    machine_name: str
    type: str
    definition: str
    input: str
    options: dict[str, Any]
    """How it runs: ``seed``, ``region``, ``account``, ``partition``, ``role_arn``, ``clock``
    ("real"/"virtual"), ``start_mode``, ``express_id``, ``context``, ``mocks``, ``handlers``
    ("none", "file" or "object": what answered its Task states)."""
    resources: str | None
    """The resources file it was started with (an absolute path), if it came from one."""
    status: str
    start_time: float
    output: str | None = None
    error: str | None = None
    cause: str | None = None
    stop_time: float | None = None
    redrive_count: int = 0
    redrive_time: float | None = None
    redrive_requested: int = 0
    """Redrives asked for; one more than ``redrive_count`` until its ``ExecutionRedriven`` event is kept."""
    lease_owner: str | None = None
    lease_expires: float | None = None
    events: int = 0
    attributes: dict[str, Any] = field(default_factory=dict)
    """Fields of DescribeExecution and ListExecutions a server keeps with the execution (the API
    server: ``stateMachineVersionArn``, ``stateMachineAliasArn``): shown by ``summary`` and ``describe``."""

    @property
    def open(self) -> bool:
        return self.status in OPEN_STATUSES or self.redrive_requested > self.redrive_count

    def redrive_status(self, now: float | None = None) -> tuple[str, str | None]:
        """DescribeExecution's ``redriveStatus`` and ``redriveStatusReason``."""
        now = time.time() if now is None else now
        if self.type == "EXPRESS":
            return "NOT_REDRIVABLE", "Redrive is not supported for Express workflows"
        if self.status not in REDRIVABLE_STATUSES or self.open:
            return "NOT_REDRIVABLE", f"Execution is {self.status} and cannot be redriven"
        if self.stop_time is not None and now - self.stop_time > REDRIVE_WINDOW_SECONDS:
            return "NOT_REDRIVABLE", "Execution stopped more than 14 days ago"
        if self.events >= REDRIVE_EVENT_LIMIT:
            return "NOT_REDRIVABLE", f"Execution history has reached {self.events} events"
        return "REDRIVABLE", None

    def summary(self) -> dict[str, Any]:
        """ListExecutions' shape of this execution."""
        item: dict[str, Any] = {
            "executionArn": self.arn,
            "stateMachineArn": self.machine_arn,
            "name": self.name,
            "status": self.status,
            "startDate": _date(self.start_time),
        }
        if self.stop_time is not None:
            item["stopDate"] = _date(self.stop_time)
        if self.type == "STANDARD":
            item["redriveCount"] = self.redrive_count
            if self.redrive_time is not None:
                item["redriveDate"] = _date(self.redrive_time)
        item.update(self.attributes)
        return item

    def describe(self) -> dict[str, Any]:
        """DescribeExecution's shape (input and output as JSON text, dates as datetimes)."""
        described: dict[str, Any] = {
            "executionArn": self.arn,
            "stateMachineArn": self.machine_arn,
            "name": self.name,
            "status": self.status,
            "startDate": _date(self.start_time),
            "input": self.input,
            "inputDetails": {"included": True},
        }
        if self.stop_time is not None:
            described["stopDate"] = _date(self.stop_time)
        if self.output is not None:
            described["output"] = self.output
            described["outputDetails"] = {"included": True}
        if self.error is not None:
            described["error"] = self.error
        if self.cause is not None:
            described["cause"] = self.cause
        if self.type == "STANDARD":
            described["redriveCount"] = self.redrive_count
            if self.redrive_time is not None:
                described["redriveDate"] = _date(self.redrive_time)
            status, reason = self.redrive_status()
            described["redriveStatus"] = status
            if reason is not None:
                described["redriveStatusReason"] = reason
        described.update(self.attributes)
        return described

    @property
    def input_value(self) -> Any:
        return json.loads(self.input)
