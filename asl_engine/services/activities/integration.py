"""Activities' row in the table: Task states on ``arn:aws:states:<region>:<account>:activity:<name>``,
and the ``[activities]`` section. Unlike service integrations, an activity's resource is an ARN of its
own (``ResourceKind`` ``activity``), and its tasks are answered by workers (``WaitsForWorker``)."""

from __future__ import annotations

from asl_engine.services.activities import config
from asl_engine.services.activities.registry import Activities
from asl_engine.services.activities.tasks import ActivityTaskHandler
from asl_engine.services.integration import Integration, Route

ACTIVITY = Route("activity", None)

INTEGRATION: Integration[Activities] = Integration(
    name="activities",
    new_state=Activities,
    routes=((ACTIVITY, lambda activities, resource, account: ActivityTaskHandler(activities)),),
    section="activities",
    configure=config.configure,
    describe=lambda activities: f"activities={activities.names()}" if activities.names() else None,
)
