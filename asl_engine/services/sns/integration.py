"""SNS's row in the table: ``arn:aws:states:::sns:publish`` (request-response and ``.waitForTaskToken``),
answered by the account's embedded topics (which deliver to its SQS queues), and the ``[sns]`` section."""

from __future__ import annotations

from asl_engine.services.integration import Integration, Route
from asl_engine.services.sns import config
from asl_engine.services.sns.tasks import PublishTask
from asl_engine.services.sns.topics import SnsService

PUBLISH = Route("service", "sns", frozenset({"publish"}), ("request-response", "wait-for-task-token"))

INTEGRATION: Integration[SnsService] = Integration(
    name="sns",
    new_state=SnsService,
    routes=((PUBLISH, lambda service, resource, account: PublishTask(service, account)),),
    section="sns",
    configure=config.configure,
    describe=lambda service: f"sns={service.topic_names()}" if service.topic_names() else None,
    outbox=lambda service: service.outbox(),
)
