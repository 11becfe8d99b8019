"""SQS's row in the table: ``arn:aws:states:::sqs:sendMessage`` (request-response and
``.waitForTaskToken``), answered by the account's embedded queues, and the ``[sqs]`` section."""

from __future__ import annotations

from asl_engine.services.integration import Integration, Route
from asl_engine.services.sqs import config
from asl_engine.services.sqs.queues import SqsService
from asl_engine.services.sqs.tasks import SendMessageTask

SEND_MESSAGE = Route("service", "sqs", frozenset({"sendMessage"}), ("request-response", "wait-for-task-token"))

INTEGRATION: Integration[SqsService] = Integration(
    name="sqs",
    new_state=SqsService,
    routes=((SEND_MESSAGE, lambda service, resource, account: SendMessageTask(service)),),
    section="sqs",
    configure=config.configure,
    describe=lambda service: f"sqs={service.queue_names()}" if service.queue_names() else None,
    outbox=lambda service: service.outbox(),
)
