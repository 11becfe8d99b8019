"""What every record of the outbox says about where it came from: the Task state that sent it.

The embedded messaging services (SQS, SNS, EventBridge) and the HTTP integrations (API Gateway, the
HTTP task) keep what the workflows sent them, so that a test can read it (``Outbox``). Each record
carries a ``SentBy``: the state, its execution and the time on the execution's clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from asl_engine.runtime.handlers import TaskRequest
from asl_engine.runtime.history import format_timestamp
from asl_engine.services.support import environment_of


@dataclass(frozen=True, slots=True)
class SentBy:
    """The Task state that sent a message, an event or a request."""

    state: str
    execution_arn: str
    time: str
    """When, on the execution's clock (ISO-8601, milliseconds, UTC)."""

    @classmethod
    def of(cls, request: TaskRequest) -> SentBy:
        env = environment_of(request)
        return cls(request.state_name, env.execution_arn, format_timestamp(env.now()))

    def to_json(self) -> dict[str, Any]:
        return {"state": self.state, "executionArn": self.execution_arn, "time": self.time}


NOBODY = SentBy("", "", "")
"""For what a test or a setup put in place itself, outside any execution."""
