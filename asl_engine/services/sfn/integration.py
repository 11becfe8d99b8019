"""The ``aws-sdk:sfn`` row of the table: Step Functions' API calls against this account's machines,
executions, task tokens and activities (see ``tasks``). It has no ``asl.toml`` section of its own: the
machines are ``[state_machines]`` and the activities ``[activities]``."""

from __future__ import annotations

from asl_engine.services.activities.integration import INTEGRATION as ACTIVITIES
from asl_engine.services.integration import Integration, Route
from asl_engine.services.sfn.tasks import ACTIONS, SfnTask
from asl_engine.services.stepfunctions.integration import INTEGRATION as STEP_FUNCTIONS

SDK = Route("aws-sdk", "sfn", ACTIONS, ("request-response", "wait-for-task-token"))


class _Stateless:
    """The row keeps nothing of its own: its handlers work on other rows' state."""


INTEGRATION: Integration[_Stateless] = Integration(
    name="sfn",
    new_state=_Stateless,
    routes=(
        (
            SDK,
            lambda _, resource, account: SfnTask(
                account.state(STEP_FUNCTIONS), account.state(ACTIVITIES), account, resource.action
            ),
        ),
    ),
)
