"""The embedded SNS behind ``arn:aws:states:::sns:publish``: the recorded answer, errors, FIFO topics,
delivery to subscribed queues (enveloped or raw) and ``.waitForTaskToken``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from asl_engine.errors import ConfigurationError
from asl_engine.services import Resources, load_resources
from tests.services.support import clock, task_machine

TOPIC = "arn:aws:sns:us-east-1:123456789012:orders"
PUBLISH = "arn:aws:states:::sns:publish"


def publish(resources: Resources, parameters: dict[str, Any], resource: str = PUBLISH) -> Any:
    return task_machine(resource, Parameters=parameters).execute({}, resources=resources, clock=clock())


def test_publish_answers_with_the_recorded_shape() -> None:
    resources = Resources()
    output = publish(resources, {"TopicArn": TOPIC, "Message": {"order": 1}}).output
    assert set(output) == {"MessageId", "SdkHttpMetadata", "SdkResponseMetadata"}
    headers = output["SdkHttpMetadata"]["HttpHeaders"]
    # The XML answer SNS sends is 294 bytes with a UUID message id and request id (recorded on AWS).
    assert (headers["Content-Length"], headers["Content-Type"]) == ("294", "text/xml")
    (published,) = resources.outbox.sns("orders")
    assert (published.message, published.json(), published.topic_arn) == ('{"order":1}', {"order": 1}, TOPIC)


def test_fifo_topics_need_a_group_and_answer_a_sequence_number() -> None:
    resources = Resources()
    fifo = TOPIC + ".fifo"
    refused = publish(resources, {"TopicArn": fifo, "Message": "m"})
    assert refused.error == "SNS.InvalidParameterException"
    assert refused.cause is not None and refused.cause.startswith(
        "Invalid parameter: The MessageGroupId parameter is required for FIFO topics (Service: AmazonSNS; "
        "Status Code: 400; Error Code: InvalidParameter; Request ID: "
    )
    output = publish(
        resources, {"TopicArn": fifo, "Message": "m", "MessageGroupId": "g", "MessageDeduplicationId": "d"}
    ).output
    assert len(output["SequenceNumber"]) == 20
    assert output["SdkHttpMetadata"]["HttpHeaders"]["Content-Length"] == "352"  # as recorded on AWS


def test_a_topic_outside_the_declared_list_does_not_exist(tmp_path: Path) -> None:
    file = tmp_path / "asl.toml"
    file.write_text('[sns]\ntopics = ["orders"]\n')
    resources = load_resources(file)
    assert publish(resources, {"TopicArn": TOPIC, "Message": "m"}).status == "SUCCEEDED"
    execution = publish(resources, {"TopicArn": TOPIC + "-old", "Message": "m"})
    assert execution.error == "SNS.NotFoundException"
    assert execution.cause is not None and execution.cause.startswith(
        "Topic does not exist (Service: AmazonSNS; Status Code: 404; Error Code: NotFound; Request ID: "
    )
    assert execution.advice is not None and "resources.sns.declare" in execution.advice


def test_bad_parameters_are_sns_errors() -> None:
    resources = Resources()
    assert publish(resources, {"TopicArn": "orders", "Message": "m"}).cause.startswith(  # type: ignore[union-attr]
        "Invalid parameter: TopicArn (Service: AmazonSNS"
    )
    assert publish(resources, {"TopicArn": TOPIC}).cause.startswith("Invalid parameter: Empty message")  # type: ignore[union-attr]
    structured = publish(resources, {"TopicArn": TOPIC, "Message": '{"sqs": "x"}', "MessageStructure": "json"})
    assert structured.cause is not None and "No default entry in JSON message body" in structured.cause


def test_phone_numbers_are_not_emulated_and_say_so() -> None:
    execution = publish(Resources(), {"PhoneNumber": "+15555550100", "Message": "m"})
    assert execution.error == "States.Runtime"
    assert execution.cause is not None and "Publishing to a phone number (SMS) is not emulated" in execution.cause


def test_subscribed_queues_receive_the_notification_envelope() -> None:
    resources = Resources()
    resources.sns.subscribe("orders", "audit")
    publish(
        resources,
        {
            "TopicArn": TOPIC,
            "Subject": "New order",
            "Message": "m",
            "MessageAttributes": {"kind": {"DataType": "String", "StringValue": "order"}},
        },
    )
    (delivered,) = resources.sqs.messages("audit")
    envelope = delivered.json()
    assert envelope["Type"] == "Notification"
    assert (envelope["TopicArn"], envelope["Subject"], envelope["Message"]) == (TOPIC, "New order", "m")
    assert envelope["MessageAttributes"] == {"kind": {"Type": "String", "Value": "order"}}
    assert envelope["MessageId"] == resources.sns.published("orders")[0].message_id
    assert delivered.sent_by.state == "Call"


def test_raw_delivery_and_message_structure(tmp_path: Path) -> None:
    file = tmp_path / "asl.toml"
    file.write_text('[sns.topics.orders]\nsubscriptions = ["raw"]\nraw_message_delivery = true\n')
    resources = load_resources(file)
    publish(
        resources, {"TopicArn": TOPIC, "Message": '{"default": "d", "sqs": "for queues"}', "MessageStructure": "json"}
    )
    (delivered,) = resources.sqs.messages("raw")
    assert delivered.body == "for queues"


def test_wait_for_task_token_through_a_subscribed_queue() -> None:
    resources = Resources()
    resources.sns.subscribe("orders", "approvals")

    def approve(message: Any) -> None:
        inner = message.json()["Message"]
        token = next(t for t in resources.task_tokens.outstanding() if t in inner)
        resources.send_task_success(token, {"ok": True})

    resources.sqs.on_message("approvals", approve)
    machine = task_machine(
        PUBLISH + ".waitForTaskToken", Parameters={"TopicArn": TOPIC, "Message": {"token.$": "$$.Task.Token"}}
    )
    assert machine.execute({}, resources=resources, clock=clock()).output == {"ok": True}


def test_config_mistakes() -> None:
    with pytest.raises(ConfigurationError, match="invalid SNS topic name"):
        Resources().sns.create_topic("no spaces please")
