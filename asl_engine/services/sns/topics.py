"""The embedded SNS of one account: topics, what workflows published to them, and their subscriptions.

A topic is named in a call by its ARN (``arn:aws:sns:<region>:<account>:<name>``). Without
configuration every topic a call names exists (created on first use, FIFO when its name ends in
``.fifo``); once topics are declared (``declare``, or ``[sns] topics`` in ``asl.toml``) the list is
closed and an unknown topic fails with ``SNS.NotFoundException`` as on AWS. Every published message
is kept for tests (``published``) and delivered to the topic's SQS subscriptions: wrapped in SNS's
notification envelope, or as it is with raw message delivery.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from asl_engine.errors import ConfigurationError
from asl_engine.services.message_attributes import MessageAttribute
from asl_engine.services.sent import NOBODY, SentBy

_TOPIC_ARN = re.compile(r"arn:(?P<partition>aws[\w-]*):sns:(?P<region>[\w-]+):(?P<account>\d{12}):(?P<name>[^:\s]+)\Z")
_TOPIC_NAME = re.compile(r"[A-Za-z0-9_-]{1,256}\Z")


@dataclass(frozen=True, slots=True)
class Subscription:
    """An SQS queue subscribed to a topic."""

    queue: str
    raw: bool = False
    """Raw message delivery: the queue gets the message itself, not SNS's JSON envelope."""


@dataclass(frozen=True, slots=True)
class SnsMessage:
    """A message published to a topic."""

    topic_arn: str
    message_id: str
    message: str
    subject: str | None = None
    attributes: Mapping[str, MessageAttribute] = field(default_factory=dict)
    message_structure: str | None = None
    group_id: str | None = None
    deduplication_id: str | None = None
    sequence_number: str | None = None
    timestamp: str = ""
    sent_by: SentBy = NOBODY

    def json(self) -> Any:
        """The message parsed as JSON."""
        return json.loads(self.message)

    def to_json(self) -> dict[str, Any]:
        shown: dict[str, Any] = {"MessageId": self.message_id, "TopicArn": self.topic_arn, "Message": self.message}
        for key, value in (
            ("Subject", self.subject),
            ("MessageStructure", self.message_structure),
            ("MessageGroupId", self.group_id),
            ("MessageDeduplicationId", self.deduplication_id),
            ("SequenceNumber", self.sequence_number),
        ):
            if value is not None:
                shown[key] = value
        if self.attributes:
            shown["MessageAttributes"] = {name: value.to_json() for name, value in self.attributes.items()}
        shown["sentBy"] = self.sent_by.to_json()
        return shown


class Topic:
    def __init__(self, name: str, *, content_based_deduplication: bool = False) -> None:
        self.name = name
        self.fifo = name.endswith(".fifo")
        self.content_based_deduplication = content_based_deduplication
        self.published: list[SnsMessage] = []
        self.subscriptions: list[Subscription] = []
        self._sequence = 0

    def next_sequence_number(self) -> str:
        self._sequence += 1
        return str(10**19 + self._sequence)


def topic_name_of(target: str) -> str | None:
    """The topic a ``TopicArn`` names (None when it is not a topic ARN)."""
    match = _TOPIC_ARN.match(target)
    return match["name"] if match else None


def topic_arn(name: str, region: str, account: str) -> str:
    return f"arn:aws:sns:{region}:{account}:{name}"


def check_topic_name(name: str) -> None:
    base = name[: -len(".fifo")] if name.endswith(".fifo") else name
    if not isinstance(name, str) or not _TOPIC_NAME.match(base):
        raise ConfigurationError(
            f"invalid SNS topic name {name!r}: 1 to 256 letters, digits, hyphens and underscores "
            "(with '.fifo' at the end of a FIFO topic's name)"
        )


class SnsService:
    """The topics of one account, what was published to them and their subscriptions."""

    def __init__(self) -> None:
        self._topics: dict[str, Topic] = {}
        self.closed = False
        self._lock = threading.Lock()

    def declare(self, name: str, *, content_based_deduplication: bool = False) -> Topic:
        """Create the topic ``name`` and close the list: topics not declared do not exist."""
        topic = self.create_topic(name, content_based_deduplication=content_based_deduplication)
        self.closed = True
        return topic

    def create_topic(self, name: str, *, content_based_deduplication: bool = False) -> Topic:
        """Create (or return) the topic ``name``; FIFO when the name ends in ``.fifo``."""
        name = topic_name_of(name) or name
        check_topic_name(name)
        with self._lock:
            topic = self._topics.get(name)
            if topic is None:
                topic = self._topics[name] = Topic(name, content_based_deduplication=content_based_deduplication)
            return topic

    def delete_topic(self, name: str) -> None:
        with self._lock:
            self._topics.pop(topic_name_of(name) or name, None)

    def topic_names(self) -> list[str]:
        with self._lock:
            return list(self._topics)

    def find(self, target: str) -> Topic | None:
        """The topic an ARN names: created on first use unless the list is closed."""
        name = topic_name_of(target) or target
        with self._lock:
            topic = self._topics.get(name)
        if topic is None and not self.closed:
            try:
                return self.create_topic(name)
            except ConfigurationError:
                return None
        return topic

    def subscribe(self, topic: str, queue: str, *, raw: bool = False) -> Subscription:
        """Deliver what is published to ``topic`` (a name or ARN) to the SQS queue ``queue`` (a name or URL)."""
        subscription = Subscription(queue, raw)
        self.create_topic(topic).subscriptions.append(subscription)
        return subscription

    def published(self, topic: str) -> list[SnsMessage]:
        """The messages published to ``topic`` (a name or ARN), oldest first."""
        with self._lock:
            found = self._topics.get(topic_name_of(topic) or topic)
            return list(found.published) if found is not None else []

    def record(self, topic: Topic, message: SnsMessage) -> None:
        with self._lock:
            topic.published.append(message)

    def outbox(self) -> dict[str, Any]:
        with self._lock:
            topics = {name: list(topic.published) for name, topic in self._topics.items()}
        return {name: [message.to_json() for message in messages] for name, messages in topics.items() if messages}
