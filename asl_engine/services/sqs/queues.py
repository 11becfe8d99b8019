"""The embedded SQS of one account: queues, the messages workflows sent to them, and consumers.

A queue is named in a call by its URL (``https://sqs.<region>.amazonaws.com/<account>/<name>``; any
``http(s)`` URL whose last path segment is the name is accepted, LocalStack's and ElasticMQ's
included). Without configuration every queue a call names exists (created on first use, FIFO when
its name ends in ``.fifo``); once queues are declared (``declare``, or ``[sqs] queues`` in
``asl.toml``) the list is closed and an unknown queue fails as on AWS. Messages stay in their queue
for tests to read (``messages``); ``on_message`` consumers see each one as it arrives (on the sending
execution's thread), e.g. to answer the task token a ``.waitForTaskToken`` task put in it.
"""

from __future__ import annotations

import json
import re
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from asl_engine.errors import ConfigurationError
from asl_engine.services.message_attributes import MessageAttribute
from asl_engine.services.sent import NOBODY, SentBy

_QUEUE_URL = re.compile(r"https?://[^/\s]+/(?:[^/\s]+/)*(?P<name>[^/\s]+)/?\Z")
_QUEUE_NAME = re.compile(r"[A-Za-z0-9_-]{1,80}\Z")
DEDUPLICATION_WINDOW_SECONDS = 300.0


@dataclass(frozen=True, slots=True)
class SqsMessage:
    """A message as it sits in a queue (what ``ReceiveMessage`` would return, and who sent it)."""

    queue: str
    message_id: str
    body: str
    md5_of_body: str
    attributes: Mapping[str, MessageAttribute] = field(default_factory=dict)
    group_id: str | None = None
    deduplication_id: str | None = None
    sequence_number: str | None = None
    delay_seconds: int = 0
    sent_by: SentBy = NOBODY

    def json(self) -> Any:
        """The body parsed as JSON (a message a workflow sent as an object comes back as one)."""
        return json.loads(self.body)

    def to_json(self) -> dict[str, Any]:
        shown: dict[str, Any] = {"MessageId": self.message_id, "Body": self.body, "MD5OfBody": self.md5_of_body}
        if self.attributes:
            shown["MessageAttributes"] = {name: value.to_json() for name, value in self.attributes.items()}
        for key, value in (
            ("MessageGroupId", self.group_id),
            ("MessageDeduplicationId", self.deduplication_id),
            ("SequenceNumber", self.sequence_number),
        ):
            if value is not None:
                shown[key] = value
        if self.delay_seconds:
            shown["DelaySeconds"] = self.delay_seconds
        shown["sentBy"] = self.sent_by.to_json()
        return shown


Consumer = Callable[[SqsMessage], None]


class Queue:
    """One queue: its settings and the messages sent to it, oldest first."""

    def __init__(self, name: str, *, content_based_deduplication: bool = False) -> None:
        self.name = name
        self.fifo = name.endswith(".fifo")
        self.content_based_deduplication = content_based_deduplication
        self.messages: list[SqsMessage] = []
        self.consumers: list[Consumer] = []
        self._sequence = 0
        self._deduplication: dict[str, tuple[float, str]] = {}

    def next_sequence_number(self) -> str:
        self._sequence += 1
        return str(10**19 + self._sequence)

    def duplicate_of(self, deduplication_id: str, now: float) -> str | None:
        """The id of a message sent with this deduplication id in the last five minutes."""
        seen = self._deduplication.get(deduplication_id)
        if seen is not None and now - seen[0] < DEDUPLICATION_WINDOW_SECONDS:
            return seen[1]
        return None

    def remember(self, deduplication_id: str, now: float, message_id: str) -> None:
        self._deduplication[deduplication_id] = (now, message_id)


def queue_name_of(target: str) -> str | None:
    """The queue a ``QueueUrl`` names (None when it is not a queue URL)."""
    match = _QUEUE_URL.match(target)
    return match["name"] if match else None


def queue_url(name: str, region: str, account: str) -> str:
    return f"https://sqs.{region}.amazonaws.com/{account}/{name}"


def queue_arn(name: str, region: str, account: str) -> str:
    return f"arn:aws:sqs:{region}:{account}:{name}"


def check_queue_name(name: str) -> None:
    base = name[: -len(".fifo")] if name.endswith(".fifo") else name
    if not isinstance(name, str) or not _QUEUE_NAME.match(base) or len(name) > 80:
        raise ConfigurationError(
            f"invalid SQS queue name {name!r}: 1 to 80 letters, digits, hyphens and underscores "
            "(with '.fifo' at the end of a FIFO queue's name)"
        )


class SqsService:
    """The queues of one account and the messages sent to them."""

    def __init__(self) -> None:
        self._queues: dict[str, Queue] = {}
        self.closed = False
        """True once queues are declared: then only they exist."""
        self._lock = threading.Lock()

    # -- queues --------------------------------------------------------------------------------------

    def declare(self, name: str, *, content_based_deduplication: bool = False) -> Queue:
        """Create the queue ``name`` and close the list: queues not declared do not exist."""
        queue = self.create_queue(name, content_based_deduplication=content_based_deduplication)
        self.closed = True
        return queue

    def create_queue(self, name: str, *, content_based_deduplication: bool = False) -> Queue:
        """Create (or return) the queue ``name``; FIFO when the name ends in ``.fifo``."""
        check_queue_name(name)
        with self._lock:
            queue = self._queues.get(name)
            if queue is None:
                queue = self._queues[name] = Queue(name, content_based_deduplication=content_based_deduplication)
            return queue

    def delete_queue(self, name: str) -> None:
        with self._lock:
            self._queues.pop(self._name(name), None)

    def queue_names(self) -> list[str]:
        with self._lock:
            return list(self._queues)

    def find(self, target: str) -> Queue | None:
        """The queue a URL (or name) names: created on first use unless the list is closed."""
        name = self._name(target)
        with self._lock:
            queue = self._queues.get(name)
        if queue is None and not self.closed:
            try:
                return self.create_queue(name)
            except ConfigurationError:
                return None
        return queue

    # -- messages ------------------------------------------------------------------------------------

    def messages(self, queue: str) -> list[SqsMessage]:
        """The messages sent to ``queue`` (a name or URL), oldest first; empty for an unknown queue."""
        with self._lock:
            found = self._queues.get(self._name(queue))
            return list(found.messages) if found is not None else []

    def on_message(self, queue: str, consumer: Consumer) -> None:
        """Call ``consumer(message)`` for each message sent to ``queue`` from now on (creating the queue)."""
        if not callable(consumer):
            raise ConfigurationError(f"on_message({queue!r}): the consumer must be callable, got {consumer!r}")
        self.create_queue(self._name(queue)).consumers.append(consumer)

    def deliver(self, queue: Queue, message: SqsMessage) -> None:
        """Put ``message`` in ``queue`` and hand it to the queue's consumers."""
        with self._lock:
            queue.messages.append(message)
            consumers = list(queue.consumers)
        for consumer in consumers:
            consumer(message)

    def new_message_id(self, rng: Any) -> str:
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))

    def outbox(self) -> dict[str, Any]:
        with self._lock:
            queues = {name: list(queue.messages) for name, queue in self._queues.items()}
        return {name: [message.to_json() for message in messages] for name, messages in queues.items() if messages}

    @staticmethod
    def _name(target: str) -> str:
        return queue_name_of(target) or target
