"""The embedded SQS behind ``arn:aws:states:::sqs:sendMessage``: shapes recorded on AWS, FIFO rules,
closed queue lists, consumers, ``.waitForTaskToken`` and the outbox."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from asl_engine.errors import ConfigurationError
from asl_engine.services import Resources, load_resources
from asl_engine.services.message_attributes import attributes_md5, parse_attributes
from tests.services.support import clock, events, submitted_output, task_machine

URL = "https://sqs.us-east-1.amazonaws.com/123456789012/orders"
SEND = "arn:aws:states:::sqs:sendMessage"


def send(resources: Resources, parameters: dict[str, Any], **fields: Any) -> Any:
    return task_machine(SEND, Parameters=parameters, **fields).execute({}, resources=resources, clock=clock())


def test_send_message_answers_in_the_recorded_shape() -> None:
    resources = Resources()
    execution = send(resources, {"QueueUrl": URL, "MessageBody": "hello"})
    output = execution.output
    assert output["MD5OfMessageBody"] == hashlib.md5(b"hello").hexdigest()
    assert set(output) == {"MD5OfMessageBody", "MessageId", "SdkHttpMetadata", "SdkResponseMetadata"}
    headers = output["SdkHttpMetadata"]["HttpHeaders"]
    # {"MD5OfMessageBody":"<32>","MessageId":"<36>"} is 106 bytes, as recorded on AWS.
    assert headers["Content-Length"] == "106"
    assert headers["Content-Type"] == "application/x-amz-json-1.0"
    assert output["SdkResponseMetadata"]["RequestId"] == headers["x-amzn-RequestId"]
    (message,) = resources.sqs.messages("orders")
    assert (message.body, message.message_id, message.sent_by.state) == ("hello", output["MessageId"], "Call")


def test_a_body_that_is_not_text_is_sent_as_json_and_reads_back() -> None:
    resources = Resources()
    send(resources, {"QueueUrl": URL, "MessageBody": {"order": 7, "items": ["a"]}})
    (message,) = resources.outbox.sqs(URL)
    assert message.body == '{"order":7,"items":["a"]}'
    assert message.json() == {"order": 7, "items": ["a"]}


def test_attributes_give_the_md5_sqs_computes() -> None:
    pytest.importorskip("moto")
    from moto.sqs.models import Message

    attributes = {
        "name": {"DataType": "String", "StringValue": "Hello"},
        "count": {"DataType": "Number", "StringValue": "3"},
        "blob": {"DataType": "Binary", "BinaryValue": "AAEC"},
    }
    resources = Resources()
    output = send(resources, {"QueueUrl": URL, "MessageBody": "x", "MessageAttributes": attributes}).output
    assert output["MD5OfMessageAttributes"] == attributes_md5(parse_attributes(attributes))
    reference = Message("id", "x")  # moto's SQS computes the same checksum, independently
    reference.message_attributes = {
        name: {**spec, "BinaryValue": bytes([0, 1, 2])} if "BinaryValue" in spec else spec
        for name, spec in attributes.items()
    }
    assert output["MD5OfMessageAttributes"] == reference.attribute_md5
    # {"MD5OfMessageAttributes":...,"MD5OfMessageBody":...,"MessageId":...}: 166 bytes, as recorded.
    assert output["SdkHttpMetadata"]["HttpHeaders"]["Content-Length"] == "166"


def test_a_missing_body_fails_as_recorded() -> None:
    execution = send(Resources(), {"QueueUrl": URL})
    assert execution.error == "SQS.AmazonSQSException"
    assert execution.cause is not None
    assert execution.cause.startswith(
        "The request must contain the parameter MessageBody. (Service: AmazonSQS; Status Code: 400; "
        "Error Code: MissingParameter; Request ID: "
    )


def test_queue_urls_must_be_urls() -> None:
    execution = send(Resources(), {"QueueUrl": "orders", "MessageBody": "x"})
    assert execution.error == "SQS.InvalidAddressException"
    assert execution.cause is not None and "The address orders is not valid for this endpoint." in execution.cause


def test_a_declared_list_of_queues_is_closed() -> None:
    resources = Resources()
    resources.sqs.declare("orders")
    assert send(resources, {"QueueUrl": URL, "MessageBody": "x"}).status == "SUCCEEDED"
    execution = send(resources, {"QueueUrl": URL.replace("orders", "other"), "MessageBody": "x"})
    assert execution.error == "SQS.QueueDoesNotExistException"
    assert execution.cause is not None
    assert "Error Code: AWS.SimpleQueueService.NonExistentQueue" in execution.cause
    (unanswered,) = execution.unanswered_tasks
    assert unanswered.missing is not None
    assert (unanswered.missing.kind, unanswered.missing.name, unanswered.missing.section) == (
        "SQS queue",
        "other",
        "sqs",
    )


def test_fifo_queues_need_a_group_and_deduplicate() -> None:
    resources = Resources()
    fifo = URL + ".fifo"
    missing_group = send(resources, {"QueueUrl": fifo, "MessageBody": "x", "MessageDeduplicationId": "d"})
    assert missing_group.cause is not None and "MessageGroupId" in missing_group.cause
    no_dedup = send(resources, {"QueueUrl": fifo, "MessageBody": "x", "MessageGroupId": "g"})
    assert no_dedup.cause is not None and "ContentBasedDeduplication" in no_dedup.cause
    parameters = {"QueueUrl": fifo, "MessageBody": "x", "MessageGroupId": "g", "MessageDeduplicationId": "d"}
    first, second = send(resources, parameters).output, send(resources, parameters).output
    assert first["MessageId"] == second["MessageId"]
    assert int(second["SequenceNumber"]) > int(first["SequenceNumber"])
    assert len(resources.sqs.messages("orders.fifo")) == 1


def test_content_based_deduplication_from_the_config(tmp_path: Path) -> None:
    file = tmp_path / "asl.toml"
    file.write_text('[sqs.queues."jobs.fifo"]\ncontent_based_deduplication = true\n')
    resources = load_resources(file)
    url = "https://sqs.us-east-1.amazonaws.com/123456789012/jobs.fifo"
    for _ in range(2):
        assert send(resources, {"QueueUrl": url, "MessageBody": "x", "MessageGroupId": "g"}).status == "SUCCEEDED"
    assert len(resources.sqs.messages("jobs.fifo")) == 1
    assert send(resources, {"QueueUrl": URL, "MessageBody": "x"}).error == "SQS.QueueDoesNotExistException"


def test_config_mistakes_name_the_key(tmp_path: Path) -> None:
    file = tmp_path / "asl.toml"
    file.write_text('[sqs]\nqueues = ["bad name"]\n')
    with pytest.raises(ConfigurationError, match=r"asl.toml: sqs.queues.\"bad name\": invalid SQS queue name"):
        load_resources(file)


def test_wait_for_task_token_is_answered_by_whoever_reads_the_message() -> None:
    resources = Resources()
    machine = task_machine(
        SEND + ".waitForTaskToken",
        Parameters={"QueueUrl": URL, "MessageBody": {"order": 1, "token.$": "$$.Task.Token"}},
    )
    answered: list[str] = []

    def approve(message: Any) -> None:
        token = message.json()["token"]
        answered.append(token)
        resources.send_task_success(token, {"approved": True})

    resources.sqs.on_message("orders", approve)
    execution = machine.execute({}, resources=resources, clock=clock())
    assert execution.output == {"approved": True}
    assert [e["type"] for e in execution.history][2:6] == [
        "TaskScheduled",
        "TaskStarted",
        "TaskSubmitted",
        "TaskSucceeded",
    ]
    assert set(submitted_output(execution)) >= {"MD5OfMessageBody", "MessageId"}
    assert resources.task_tokens.outstanding() == []
    assert len(answered) == 1


def test_a_test_thread_answers_from_the_outbox() -> None:
    resources = Resources()
    machine = task_machine(SEND + ".waitForTaskToken", Parameters={"QueueUrl": URL, "MessageBody.$": "$$.Task.Token"})
    handle = machine.start({}, resources=resources, clock=clock())
    handle.wait_for_task_token()
    (message,) = resources.outbox.sqs("orders")
    resources.send_task_failure(message.body, "Order.Rejected", "out of stock")
    execution = handle.wait(5)
    assert (execution.error, execution.cause) == ("Order.Rejected", "out of stock")
    (failed,) = events(execution, "TaskFailed")
    assert failed["error"] == "Order.Rejected"


def test_the_outbox_as_json() -> None:
    resources = Resources()
    send(resources, {"QueueUrl": URL, "MessageBody": "x", "DelaySeconds": 5})
    document = resources.outbox.to_json()
    assert document["format"] == "asl-engine/outbox@1"
    (message,) = document["sqs"]["orders"]
    assert message["Body"] == "x" and message["DelaySeconds"] == 5 and message["sentBy"]["state"] == "Call"
    json.dumps(document)
