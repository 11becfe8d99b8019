"""EventBridge's row in the table: ``arn:aws:states:::events:putEvents`` (request-response and
``.waitForTaskToken``), answered by the account's embedded buses (whose rules deliver to its SQS
queues), and the ``[events]`` section."""

from __future__ import annotations

from asl_engine.services.events import config
from asl_engine.services.events.buses import EventsService
from asl_engine.services.events.tasks import PutEventsTask
from asl_engine.services.integration import Integration, Route

PUT_EVENTS = Route("service", "events", frozenset({"putEvents"}), ("request-response", "wait-for-task-token"))

INTEGRATION: Integration[EventsService] = Integration(
    name="events",
    new_state=EventsService,
    routes=((PUT_EVENTS, lambda service, resource, account: PutEventsTask(service, account)),),
    section="events",
    configure=config.configure,
    describe=lambda service: f"events={service.bus_names()}" if service.bus_names() != ["default"] else None,
    outbox=lambda service: service.outbox(),
)
