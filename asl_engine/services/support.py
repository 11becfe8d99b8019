"""Small pieces every local integration needs: the task's environment and parameter failures."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from asl_engine.errors import StatesError
from asl_engine.runtime.environment import TaskEnvironment
from asl_engine.runtime.handlers import TaskRequest


def environment_of(request: TaskRequest) -> TaskEnvironment:
    """The running execution's services; integrations cannot work without them."""
    if request.environment is None:
        raise RuntimeError(
            f"the Task request for state {request.state_name!r} has no environment; local integrations run "
            "only inside an execution (StateMachine.execute/start)"
        )
    return request.environment


def parameters_error(request: TaskRequest, problem: str) -> StatesError:
    """Parameters the integration cannot use: AWS fails the execution with ``States.Runtime``.

    AWS's text is "The Parameters '<json>' could not be used to start the Task: [<problem>]",
    prefixed with the state and the id of its entered event; the request does not carry that id,
    so the prefix names the state only.
    """
    text = json.dumps(request.parameters, separators=(",", ":"), ensure_ascii=False)
    return StatesError(
        "States.Runtime",
        f"An error occurred while executing the state '{request.state_name}'. The Parameters '{text}' could not "
        f"be used to start the Task: [{problem}]",
    )


def parameters_object(request: TaskRequest) -> Mapping[str, Any]:
    """The Parameters of a service integration, which must be a JSON object."""
    parameters = request.parameters
    if not isinstance(parameters, Mapping):
        raise parameters_error(request, "The Parameters must be a JSON object")
    return parameters
