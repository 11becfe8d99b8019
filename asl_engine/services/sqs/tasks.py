"""``arn:aws:states:::sqs:sendMessage`` (request-response and ``.waitForTaskToken``), answered by the
embedded SQS.

Parameters are SendMessage's: ``QueueUrl``, ``MessageBody`` (a string, or any JSON value, which Step
Functions sends as JSON text), ``MessageAttributes``, ``DelaySeconds``, ``MessageGroupId`` and
``MessageDeduplicationId`` (FIFO queues), ``MessageSystemAttributes`` (accepted, not kept). The result
is SendMessage's answer, ``{MD5OfMessageBody, MessageId}`` (plus ``MD5OfMessageAttributes`` with
attributes and ``SequenceNumber`` on a FIFO queue), with the SDK metadata of SQS's JSON protocol, as
recorded on AWS. Under ``.waitForTaskToken`` the message carries the token (``$$.Task.Token``) to
whoever answers it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from asl_engine.errors import StatesError
from asl_engine.runtime.handlers import MissingTarget, TaskRequest
from asl_engine.services.message_attributes import AttributeProblem, attributes_md5, md5_hex, parse_attributes
from asl_engine.services.sdk_metadata import compact_json, json_protocol_headers, uuid_request_id, with_metadata
from asl_engine.services.sent import SentBy
from asl_engine.services.sqs.errors import NON_EXISTENT_QUEUE, SQS
from asl_engine.services.sqs.queues import SqsMessage, SqsService, queue_name_of
from asl_engine.services.support import environment_of, json_text, not_found, parameters_object

MAX_MESSAGE_BYTES = 262_144
MAX_DELAY_SECONDS = 900


class SendMessageTask:
    """Answers ``arn:aws:states:::sqs:sendMessage`` and its ``.waitForTaskToken`` form."""

    def __init__(self, service: SqsService) -> None:
        self.service = service

    def __call__(self, request: TaskRequest) -> dict[str, Any]:
        env = environment_of(request)
        parameters = parameters_object(request)
        request_id = uuid_request_id(env.random)

        def fail(code: str, message: str, status: int = 400) -> StatesError:
            return SQS.error(code, message, status_code=status, request_id=request_id)

        target = parameters.get("QueueUrl")
        if not isinstance(target, str) or not target:
            raise fail("MissingParameter", "The request must contain the parameter QueueUrl.")
        if queue_name_of(target) is None:
            raise fail("InvalidAddress", f"The address {target} is not valid for this endpoint.", 404)
        queue = self.service.find(target)
        if queue is None:
            name = queue_name_of(target) or target
            raise not_found(
                request,
                fail(NON_EXISTENT_QUEUE, "The specified queue does not exist."),
                MissingTarget("SQS queue", name, "sqs", f'queues = ["{name}"]', f'resources.sqs.declare("{name}")'),
            )
        body_value = parameters.get("MessageBody")
        if body_value is None:
            raise fail("MissingParameter", "The request must contain the parameter MessageBody.")
        body = json_text(body_value)
        if body == "":
            raise fail("MissingParameter", "The request must contain the parameter MessageBody.")
        if len(body.encode("utf-8")) > MAX_MESSAGE_BYTES:
            raise fail(
                "InvalidParameterValue",
                f"One or more parameters are invalid. Reason: Message must be shorter than {MAX_MESSAGE_BYTES} bytes.",
            )
        try:
            attributes = parse_attributes(parameters.get("MessageAttributes"))
        except AttributeProblem as problem:
            raise fail("InvalidParameterValue", str(problem)) from None
        delay = _delay(parameters, queue.fifo, fail)
        group_id = _optional_string(parameters, "MessageGroupId", fail)
        deduplication_id = _optional_string(parameters, "MessageDeduplicationId", fail)
        if queue.fifo:
            if group_id is None:
                raise fail("MissingParameter", "The request must contain the parameter MessageGroupId.")
            if deduplication_id is None:
                if not queue.content_based_deduplication:
                    raise fail(
                        "InvalidParameterValue",
                        "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId "
                        "provided explicitly",
                    )
                deduplication_id = md5_hex(body)
        elif deduplication_id is not None:
            raise fail(
                "InvalidParameterValue",
                f"Value {deduplication_id} for parameter MessageDeduplicationId is invalid. Reason: The request "
                "includes a parameter that is not valid for this queue type.",
            )
        md5_of_body = md5_hex(body)
        message_id = self.service.new_message_id(env.random)
        answer: dict[str, Any] = {"MD5OfMessageBody": md5_of_body, "MessageId": message_id}
        if attributes:
            answer["MD5OfMessageAttributes"] = attributes_md5(attributes)
        if queue.fifo:
            assert deduplication_id is not None
            earlier = queue.duplicate_of(deduplication_id, env.now())
            sequence = queue.next_sequence_number()
            answer["SequenceNumber"] = sequence
            if earlier is not None:
                answer["MessageId"] = earlier  # accepted, not enqueued again (SQS's five-minute window)
            else:
                queue.remember(deduplication_id, env.now(), message_id)
                self.service.deliver(queue, SqsMessage(
                    queue.name, message_id, body, md5_of_body, attributes, group_id, deduplication_id, sequence,
                    sent_by=SentBy.of(request),
                ))  # fmt: skip
        else:
            self.service.deliver(queue, SqsMessage(
                queue.name, message_id, body, md5_of_body, attributes, delay_seconds=delay, sent_by=SentBy.of(request)
            ))  # fmt: skip
        members = dict(sorted(answer.items()))
        return with_metadata(
            members,
            status_code=200,
            request_id=request_id,
            headers=json_protocol_headers(compact_json(members), request_id, env.now()),
        )


def _delay(parameters: Mapping[str, Any], fifo: bool, fail: Any) -> int:
    value = parameters.get("DelaySeconds")
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_DELAY_SECONDS:
        raise fail(
            "InvalidParameterValue",
            f"Value {value} for parameter DelaySeconds is invalid. Reason: must be between 0 and {MAX_DELAY_SECONDS}, "
            "if provided.",
        )
    if fifo and value:
        raise fail(
            "InvalidParameterValue",
            f"Value {value} for parameter DelaySeconds is invalid. Reason: The request include parameter that is not "
            "valid for this queue type.",
        )
    return value


def _optional_string(parameters: Mapping[str, Any], name: str, fail: Any) -> str | None:
    value = parameters.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not 1 <= len(value) <= 128:
        raise fail("InvalidParameterValue", f"Value {value} for parameter {name} is invalid. Reason: Invalid value.")
    return value
