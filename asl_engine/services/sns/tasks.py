"""``arn:aws:states:::sns:publish`` (request-response and ``.waitForTaskToken``), answered by the
embedded SNS.

Parameters are Publish's: ``TopicArn`` (or ``TargetArn`` naming a topic), ``Message`` (a string, or
any JSON value, sent as JSON text), ``Subject``, ``MessageAttributes``, ``MessageStructure``
(``json``: a ``default`` entry, and an ``sqs`` one for queues), ``MessageGroupId`` and
``MessageDeduplicationId`` (FIFO topics). The result is ``{MessageId}`` (plus ``SequenceNumber`` on a
FIFO topic) with the SDK metadata of SNS's XML protocol, as recorded on AWS (``Content-Length`` is
the length of the XML answer SNS sends). Publishing to a phone number or a mobile endpoint is not
emulated: such a task fails with ``States.Runtime`` saying so.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Mapping
from typing import Any

from asl_engine.errors import StatesError
from asl_engine.runtime.handlers import MissingTarget, TaskRequest
from asl_engine.runtime.history import format_timestamp
from asl_engine.services.integration import Account
from asl_engine.services.message_attributes import AttributeProblem, md5_hex, parse_attributes
from asl_engine.services.sdk_metadata import http_date, uuid_request_id, with_metadata
from asl_engine.services.sent import SentBy
from asl_engine.services.sns.errors import SNS
from asl_engine.services.sns.topics import SnsMessage, SnsService, Topic, topic_name_of
from asl_engine.services.sqs.integration import INTEGRATION as SQS_INTEGRATION
from asl_engine.services.sqs.queues import SqsMessage
from asl_engine.services.support import environment_of, json_text, not_found, parameters_object, state_prefix

MAX_MESSAGE_BYTES = 262_144
MAX_SUBJECT_LENGTH = 100


def publish_answer_xml(message_id: str, request_id: str, sequence_number: str | None) -> str:
    """The XML document SNS answers Publish with (its length is the recorded ``Content-Length``)."""
    sequence = f"    <SequenceNumber>{sequence_number}</SequenceNumber>\n" if sequence_number is not None else ""
    return (
        '<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">\n'
        f"  <PublishResult>\n    <MessageId>{message_id}</MessageId>\n{sequence}  </PublishResult>\n"
        f"  <ResponseMetadata>\n    <RequestId>{request_id}</RequestId>\n  </ResponseMetadata>\n"
        "</PublishResponse>\n"
    )


class PublishTask:
    """Answers ``arn:aws:states:::sns:publish`` and its ``.waitForTaskToken`` form."""

    def __init__(self, service: SnsService, account: Account) -> None:
        self.service = service
        self.account = account

    def __call__(self, request: TaskRequest) -> dict[str, Any]:
        env = environment_of(request)
        parameters = parameters_object(request)
        request_id = uuid_request_id(env.random)

        def invalid(message: str, code: str = "InvalidParameter", status: int = 400) -> StatesError:
            return SNS.error(code, message, status_code=status, request_id=request_id)

        target = parameters.get("TopicArn", parameters.get("TargetArn"))
        if target is None and parameters.get("PhoneNumber") is not None:
            raise StatesError(
                "States.Runtime",
                f"{state_prefix(request)}Publishing to a phone number (SMS) is not emulated by asl-engine; mock this "
                "state or register a handler for its resource.",
            )
        if not isinstance(target, str) or not target:
            raise invalid("Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter")
        name = topic_name_of(target)
        if name is None:
            if ":endpoint/" in target:
                raise StatesError(
                    "States.Runtime",
                    f"{state_prefix(request)}Publishing to a mobile platform endpoint is not emulated by asl-engine; "
                    "mock this state or register a handler for its resource.",
                )
            raise invalid("Invalid parameter: TopicArn")
        topic = self.service.find(target)
        if topic is None:
            raise not_found(
                request,
                invalid("Topic does not exist", "NotFound", 404),
                MissingTarget("SNS topic", name, "sns", f'topics = ["{name}"]', f'resources.sns.declare("{name}")'),
            )
        message_value = parameters.get("Message")
        if message_value is None:
            raise invalid("Invalid parameter: Empty message")
        message = json_text(message_value)
        if message == "":
            raise invalid("Invalid parameter: Empty message")
        if len(message.encode("utf-8")) > MAX_MESSAGE_BYTES:
            raise invalid("Invalid parameter: Message too long")
        structure = parameters.get("MessageStructure")
        if structure is not None:
            _check_structure(structure, message, invalid)
        subject = parameters.get("Subject")
        if subject is not None and (not isinstance(subject, str) or not 1 <= len(subject) <= MAX_SUBJECT_LENGTH):
            raise invalid("Invalid parameter: Subject")
        try:
            attributes = parse_attributes(parameters.get("MessageAttributes"))
        except AttributeProblem as problem:
            raise invalid(f"Invalid parameter: MessageAttributes: {problem}", "ParameterValueInvalid") from None
        group_id, deduplication_id = _fifo_ids(topic, parameters, message, invalid)
        message_id = str(uuid.UUID(int=env.random.getrandbits(128), version=4))
        sequence = topic.next_sequence_number() if topic.fifo else None
        published = SnsMessage(
            topic_arn=target,
            message_id=message_id,
            message=message,
            subject=subject,
            attributes=attributes,
            message_structure=structure,
            group_id=group_id,
            deduplication_id=deduplication_id,
            sequence_number=sequence,
            timestamp=format_timestamp(env.now()),
            sent_by=SentBy.of(request),
        )
        self.service.record(topic, published)
        self._deliver(topic, published, env.random, env.region)
        members: dict[str, Any] = {"MessageId": message_id}
        if sequence is not None:
            members["SequenceNumber"] = sequence
        body = publish_answer_xml(message_id, request_id, sequence)
        headers = {
            "x-amzn-RequestId": request_id,
            "connection": "keep-alive",
            "Content-Length": str(len(body.encode("utf-8"))),
            "Date": http_date(env.now()),
            "Content-Type": "text/xml",
        }
        return with_metadata(members, status_code=200, request_id=request_id, headers=headers)

    def _deliver(self, topic: Topic, published: SnsMessage, rng: Any, region: str) -> None:
        """Hand the message to the topic's SQS subscriptions (a queue that does not exist misses it, as on
        AWS, where a failed delivery does not fail the publisher)."""
        if not topic.subscriptions:
            return
        queues = self.account.state(SQS_INTEGRATION)
        for subscription in topic.subscriptions:
            queue = queues.find(subscription.queue)
            if queue is None:
                continue
            text = _for_queues(published)
            if subscription.raw:
                body, attributes = text, dict(published.attributes)
            else:
                body, attributes = _envelope(published, text, rng, region), {}
            group_id = published.group_id if queue.fifo else None
            deduplication_id = (published.deduplication_id or md5_hex(text)) if queue.fifo else None
            sequence = queue.next_sequence_number() if queue.fifo else None
            queues.deliver(queue, SqsMessage(
                queue.name, str(uuid.UUID(int=rng.getrandbits(128), version=4)), body, md5_hex(body), attributes,
                group_id, deduplication_id, sequence, sent_by=published.sent_by,
            ))  # fmt: skip


def _check_structure(structure: Any, message: str, invalid: Any) -> None:
    if structure != "json":
        raise invalid("Invalid parameter: MessageStructure")
    try:
        document = json.loads(message)
    except ValueError:
        raise invalid("Invalid parameter: Message Structure - JSON message body failed to parse") from None
    if not isinstance(document, dict) or not isinstance(document.get("default"), str):
        raise invalid("Invalid parameter: Message Structure - No default entry in JSON message body")


def _fifo_ids(topic: Topic, parameters: Mapping[str, Any], message: str, invalid: Any) -> tuple[str | None, str | None]:
    group_id = parameters.get("MessageGroupId")
    deduplication_id = parameters.get("MessageDeduplicationId")
    for name, value in (("MessageGroupId", group_id), ("MessageDeduplicationId", deduplication_id)):
        if value is not None and (not isinstance(value, str) or not 1 <= len(value) <= 128):
            raise invalid(f"Invalid parameter: {name}")
    if not topic.fifo:
        if deduplication_id is not None:
            raise invalid("Invalid parameter: The MessageDeduplicationId parameter can be used only with FIFO topics")
        return group_id, None
    if group_id is None:
        raise invalid("Invalid parameter: The MessageGroupId parameter is required for FIFO topics")
    if deduplication_id is None:
        if not topic.content_based_deduplication:
            raise invalid(
                "Invalid parameter: The topic should either have ContentBasedDeduplication enabled or "
                "MessageDeduplicationId provided explicitly"
            )
        deduplication_id = md5_hex(message)
    return group_id, deduplication_id


def _for_queues(published: SnsMessage) -> str:
    """The text an SQS subscriber gets: with ``MessageStructure: json``, its ``sqs`` entry or ``default``."""
    if published.message_structure != "json":
        return published.message
    document = json.loads(published.message)
    chosen = document.get("sqs", document["default"])
    return chosen if isinstance(chosen, str) else json.dumps(chosen)


def _envelope(published: SnsMessage, text: str, rng: Any, region: str) -> str:
    """SNS's notification, as an SQS subscriber without raw delivery receives it (the signature is random
    bytes: it cannot be verified against AWS's certificate)."""
    envelope: dict[str, Any] = {"Type": "Notification", "MessageId": published.message_id}
    if published.sequence_number is not None:
        envelope["SequenceNumber"] = published.sequence_number
    envelope["TopicArn"] = published.topic_arn
    if published.subject is not None:
        envelope["Subject"] = published.subject
    envelope["Message"] = text
    envelope["Timestamp"] = published.timestamp
    envelope["SignatureVersion"] = "1"
    envelope["Signature"] = base64.b64encode(rng.getrandbits(2048).to_bytes(256, "big")).decode("ascii")
    envelope["SigningCertURL"] = (
        f"https://sns.{region}.amazonaws.com/SimpleNotificationService-{rng.getrandbits(128):032x}.pem"
    )
    subscription = f"{published.topic_arn}:{uuid.UUID(int=rng.getrandbits(128), version=4)}"
    envelope["UnsubscribeURL"] = (
        f"https://sns.{region}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn={subscription}"
    )
    if published.attributes:
        envelope["MessageAttributes"] = {
            name: {
                "Type": attribute.data_type,
                "Value": attribute.to_json().get("StringValue", attribute.to_json().get("BinaryValue")),
            }
            for name, attribute in published.attributes.items()
        }
    return json.dumps(envelope, indent=2, separators=(",", " : "), ensure_ascii=False)
