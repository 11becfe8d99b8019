"""Step Functions' row in the table: ``arn:aws:states:::states:startExecution`` in all its patterns, and
the ``[state_machines]`` section. The tasks of the executions it starts are answered by the same account."""

from __future__ import annotations

from asl_engine.services.integration import Integration, Route
from asl_engine.services.stepfunctions import config
from asl_engine.services.stepfunctions.executions import StartExecutionTask, StateMachines

START_EXECUTION = Route(
    "service", "states", frozenset({"startExecution"}), ("request-response", "sync", "sync:2", "wait-for-task-token")
)

INTEGRATION: Integration[StateMachines] = Integration(
    name="stepfunctions",
    new_state=StateMachines,
    routes=((START_EXECUTION, lambda machines, resource, account: StartExecutionTask(machines, account)),),
    section="state_machines",
    configure=config.configure,
    describe=lambda machines: f"state_machines={machines.names()}",
)
