"""The outbox: what the workflows of one account sent out, for tests to read.

One model behind three ways in: ``resources.outbox`` in Python, the ``asl_outbox`` fixture in pytest,
``asl run --outbox FILE`` on the command line (``to_json``). It is a live view over the account's
services, which keep what they were sent: the messages of each SQS queue (those SNS topics and
EventBridge rules delivered included), the messages published to each SNS topic, the events put on
each EventBridge bus, and the requests made to API Gateway APIs and HTTPS endpoints. Every record
names the Task state that sent it (``sent_by``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from asl_engine.services.events.buses import DEFAULT_BUS, Event
from asl_engine.services.http.messages import HttpRequest
from asl_engine.services.sns.topics import SnsMessage
from asl_engine.services.sqs.queues import SqsMessage
from asl_engine.services.table import APIGATEWAY, EVENTS, HTTP, SNS, SQS

if TYPE_CHECKING:
    from asl_engine.services.registry import Resources

OUTBOX_FORMAT = "asl-engine/outbox@1"


class Outbox:
    """What an account's workflows sent (see the module docstring)."""

    def __init__(self, resources: Resources) -> None:
        self._resources = resources

    def sqs(self, queue: str) -> list[SqsMessage]:
        """The messages in queue ``queue`` (its name or URL), oldest first."""
        return self._resources.state(SQS).messages(queue)

    def sns(self, topic: str) -> list[SnsMessage]:
        """The messages published to topic ``topic`` (its name or ARN), oldest first."""
        return self._resources.state(SNS).published(topic)

    def events(self, bus: str = DEFAULT_BUS) -> list[Event]:
        """The events put on bus ``bus`` (its name or ARN), oldest first."""
        return self._resources.state(EVENTS).put(bus)

    def apigateway(self) -> list[HttpRequest]:
        """The requests made to API Gateway APIs, oldest first."""
        return self._resources.state(APIGATEWAY).requests()

    def http(self) -> list[HttpRequest]:
        """The requests HTTP tasks made, oldest first."""
        return self._resources.state(HTTP).requests()

    def to_json(self) -> dict[str, Any]:
        """Everything, as JSON: one member per service that kept something (``asl run --outbox``)."""
        document: dict[str, Any] = {"format": OUTBOX_FORMAT}
        for integration in self._resources.integrations:
            if integration.outbox is None:
                continue
            part = integration.outbox(self._resources.state(integration))
            if part:
                document[integration.name] = part
        return document
