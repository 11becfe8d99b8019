"""Calling S3 on a Distributed Map's behalf: through the registered integration, never a mock.

The ItemReader and ResultWriter resources (``arn:aws:states:::s3:getObject``...) are answered by
the ``Resources`` passed to the execution (its embedded S3, or a handler registered for the
resource). Mocks stand in for Task states and do not apply. With nothing to answer, the execution
fails with ``States.Runtime`` saying how to provide the data.
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any

from asl_engine.definition.arns import ResourceRef, parse_resource
from asl_engine.errors import StatesError
from asl_engine.runtime import failures
from asl_engine.runtime.handlers import TaskHandler, TaskRequest

if TYPE_CHECKING:
    from asl_engine.runtime.frame import Frame


def s3_resource(partition_of: ResourceRef, action: str) -> ResourceRef:
    """``arn:<partition>:states:::s3:<action>``, in the partition of another S3 resource."""
    partition = partition_of.arn.split(":", 2)[1]
    return parse_resource(f"arn:{partition}:states:::s3:{action}")


def integration(frame: Frame, resource: ResourceRef, field: str, how_to: str) -> TaskHandler:
    """The handler answering ``resource`` for this Map's ``field`` (ItemReader or ResultWriter)."""
    handler = frame.run.find_integration(frame.state_name, resource)
    if handler is None:
        raise failures.runtime_error(
            frame,
            f"Nothing answers the {field} of the Map state '{frame.state_name}' ({resource.arn}): mocks stand in "
            f"for Task states only. Pass resources= to the execution, with {how_to} (see the resources "
            "documentation, 'S3 and Distributed Map data sources').",
        )
    return handler


async def call(frame: Frame, handler: TaskHandler, resource: ResourceRef, parameters: Any) -> Any:
    """One request to the integration; a crash of a user-written handler becomes a StatesError."""
    run = frame.run
    request = TaskRequest(
        frame.state_name,
        resource,
        parameters,
        0,
        context=frame.context_object(),
        environment=run.task_environment,
        entered_event_id=frame.entered_event_id,
    )
    try:
        outcome = handler(request)
        if inspect.isawaitable(outcome):
            outcome = await outcome
    except StatesError:
        raise
    except Exception as error:
        raise StatesError(type(error).__name__, str(error)) from error
    return outcome
