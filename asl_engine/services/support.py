"""Small pieces every local integration needs: the task's environment and parameter failures."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from asl_engine.errors import StatesError
from asl_engine.runtime.environment import TaskEnvironment
from asl_engine.runtime.handlers import MissingTarget, TaskRequest, UnansweredTask


def environment_of(request: TaskRequest) -> TaskEnvironment:
    """The running execution's services; integrations cannot work without them."""
    environment = request.environment
    if environment is None:
        raise RuntimeError(
            f"the Task request for state {request.state_name!r} has no environment; local integrations run "
            "only inside an execution (StateMachine.execute/start)"
        )
    return environment


def parameters_error(request: TaskRequest, problem: str) -> StatesError:
    """Parameters the integration cannot use: AWS fails the execution with ``States.Runtime``.

    AWS's text is "The Parameters '<json>' could not be used to start the Task: [<problem>]",
    prefixed with the state and the id of its entered event (when the request knows it).
    """
    text = json.dumps(request.parameters, separators=(",", ":"), ensure_ascii=False)
    return StatesError(
        "States.Runtime",
        f"{state_prefix(request)}The Parameters '{text}' could not be used to start the Task: [{problem}]",
    )


def state_prefix(request: TaskRequest) -> str:
    """How AWS opens the cause of a ``States.Runtime`` error: the state and the id of its entered event."""
    where = f" (entered at the event id #{request.entered_event_id})" if request.entered_event_id else ""
    return f"An error occurred while executing the state '{request.state_name}'{where}. "


def parameters_object(request: TaskRequest) -> Mapping[str, Any]:
    """The Parameters of a service integration, which must be a JSON object."""
    parameters = request.parameters
    if not isinstance(parameters, Mapping):
        raise parameters_error(request, "The Parameters must be a JSON object")
    return parameters


def not_found(request: TaskRequest, error: StatesError, missing: MissingTarget) -> UnansweredTask:
    """``error`` (AWS's name and cause, unchanged) for a task whose function, queue or activity does not
    exist, carrying what was missing so that the caller can say how to define it."""
    return UnansweredTask(
        error.error, error.cause, state_name=request.state_name, resource=request.resource, missing=missing
    )


def json_text(value: Any) -> str:
    """A parameter Step Functions serializes before sending it (a message body given as an object)."""
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"), ensure_ascii=False)
