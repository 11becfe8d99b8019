"""Turning failures into the Step Functions errors AWS reports, with AWS's wording.

AWS prefixes the cause of errors raised by the engine itself (States.Runtime,
States.QueryEvaluationError) with the state and the id of its StateEntered event; the language
layer only knows the failure, so the prefix is added here, where the frame is known.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from asl_engine.errors import StatesError
from asl_engine.language.errors import EvaluationError, PathNotFoundError

if TYPE_CHECKING:
    from asl_engine.runtime.frame import Frame

RUNTIME = "States.Runtime"
QUERY_EVALUATION = "States.QueryEvaluationError"
DATA_LIMIT = "States.DataLimitExceeded"
TIMEOUT = "States.Timeout"
HEARTBEAT_TIMEOUT = "States.HeartbeatTimeout"
TASK_FAILED = "States.TaskFailed"
ALL = "States.ALL"
NO_CHOICE_MATCHED = "States.NoChoiceMatched"


class TimeoutFailure(StatesError):
    """A timeout the engine itself raised (task or heartbeat): no cause, but ``"Cause": ""`` in a
    Catcher's error output, as observed on AWS."""

    def __init__(self) -> None:
        super().__init__(TIMEOUT, None)


class HeartbeatTimeoutError(TimeoutFailure):
    """A missed heartbeat: reported as States.Timeout, also matched by ``States.HeartbeatTimeout``."""


class EvaluationFailure(StatesError):
    """A JSONata/variable evaluation failure; AWS records an EvaluationFailed event for it."""

    def __init__(self, error: str, cause: str, location: str | None) -> None:
        super().__init__(error, cause)
        self.location = location


def state_prefix(frame: Frame) -> str:
    return (
        f"An error occurred while executing the state '{frame.state_name}' "
        f"(entered at the event id #{frame.entered_event_id}). "
    )


def runtime_error(frame: Frame, message: str) -> StatesError:
    """A States.Runtime failure: never retried, never caught (even by an explicit ErrorEquals)."""
    return StatesError(RUNTIME, state_prefix(frame) + message)


def from_evaluation(frame: Frame, error: EvaluationError) -> StatesError:
    return StatesError(error.error, state_prefix(frame) + error.message)


def from_path(frame: Frame, error: PathNotFoundError) -> StatesError:
    return runtime_error(frame, str(error))


def error_matches(error: StatesError, names: tuple[str, ...]) -> bool:
    """Whether a Retrier's or Catcher's ErrorEquals covers ``error``.

    ``States.ALL`` matches everything but ``States.Runtime`` (which the caller never offers);
    ``States.TaskFailed`` matches everything except ``States.Timeout``; a heartbeat timeout is
    ``States.Timeout`` and also answers to ``States.HeartbeatTimeout``.
    """
    name = error.error
    for candidate in names:
        if candidate in (name, ALL):
            return True
        if candidate == TASK_FAILED and name != TIMEOUT:
            return True
        if candidate == HEARTBEAT_TIMEOUT and isinstance(error, HeartbeatTimeoutError):
            return True
    return False
