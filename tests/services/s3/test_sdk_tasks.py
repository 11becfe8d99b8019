"""Task states on ``arn:aws:states:::aws-sdk:s3:*``, answered by the embedded S3."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from asl_engine import StateMachine
from asl_engine.services import Resources
from tests.services.support import clock, task_machine

SDK = "arn:aws:states:::aws-sdk:s3:{}"


@pytest.fixture
def resources() -> Resources:
    resources = Resources()
    resources.s3_object("bucket-name", "in/data.json", '{"a": 1}', content_type="application/json")
    return resources


def call(resources: Resources, action: str, parameters: dict[str, Any], **fields: Any) -> Any:
    machine = task_machine(SDK.format(action), Parameters=parameters, **fields)
    return machine.execute({}, resources=resources, clock=clock(), seed=3)


@pytest.mark.parametrize(
    ("body", "etag", "crc32"),
    [  # the recorded AWS responses (services/test_aws_sdk_task_service: test_s3_put_object)
        ("text data", "2b5df3712557f503a9977a8ea893b2c9", "KUmHvQ=="),
        (False, "68934a3e9455fa72420237eb05902327", "K81oMA=="),
        (0, "cfcd208495d565ef66e7dff9f98764da", "9NvfIQ=="),
        ({"Dict": "Value"}, "49e31cee5aec8faf3345893addb14346", "hnEfWw=="),
        (["List", "Data"], "6b23860357f6e63a0272b7f1143a663a", "1F2MPA=="),
    ],
)
def test_put_object_stores_the_body_as_json_and_answers_as_recorded(
    resources: Resources, body: Any, etag: str, crc32: str
) -> None:
    execution = call(resources, "putObject", {"Bucket": "bucket-name", "Key": "file-key", "Body": body})
    assert execution.status == "SUCCEEDED", execution.cause
    assert execution.output == {
        "ChecksumCRC32": crc32,
        "ChecksumType": "FULL_OBJECT",
        "ETag": f'"{etag}"',
        "ServerSideEncryption": "AES256",
    }
    stored = resources.s3.get_object("bucket-name", "file-key").body
    assert hashlib.md5(stored).hexdigest() == etag


def test_get_and_head_object(resources: Resources) -> None:
    got = call(resources, "getObject", {"Bucket": "bucket-name", "Key": "in/data.json"}).output
    assert got["Body"] == '{"a": 1}'
    assert got["ContentLength"] == 8 and got["ContentType"] == "application/json"
    assert got["ETag"] == resources.s3.get_object("bucket-name", "in/data.json").etag
    head = call(resources, "headObject", {"Bucket": "bucket-name", "Key": "in/data.json"}).output
    assert "Body" not in head and head["ETag"] == got["ETag"] and head["LastModified"] == got["LastModified"]


def test_missing_keys_fail_with_the_recorded_error_and_can_be_caught(resources: Resources) -> None:
    execution = call(resources, "getObject", {"Bucket": "bucket-name", "Key": "no_such_key.json"})
    assert execution.status == "FAILED"
    assert execution.error == "S3.NoSuchKeyException"
    assert execution.cause is not None
    assert execution.cause.startswith("The specified key does not exist. (Service: S3, Status Code: 404, Request ID: ")
    assert ", Extended Request ID: " in execution.cause
    machine = StateMachine.from_json({
        "StartAt": "Get",
        "States": {
            "Get": {
                "Type": "Task",
                "Resource": SDK.format("getObject"),
                "Parameters": {"Bucket": "bucket-name", "Key": "nope"},
                "Catch": [{"ErrorEquals": ["S3.NoSuchKeyException"], "ResultPath": "$.error", "Next": "Done"}],
                "End": True,
            },
            "Done": {"Type": "Pass", "End": True},
        },
    })  # fmt: skip
    caught = machine.execute({}, resources=resources, seed=3)
    assert caught.status == "SUCCEEDED" and caught.output["error"]["Error"] == "S3.NoSuchKeyException"


def test_missing_buckets_fail_with_no_such_bucket(resources: Resources) -> None:
    execution = call(resources, "putObject", {"Bucket": "other", "Key": "k", "Body": "x"})
    assert execution.error == "S3.NoSuchBucketException"
    assert execution.cause is not None and execution.cause.startswith(
        "The specified bucket does not exist (Service: S3"
    )


def test_delete_and_list(resources: Resources) -> None:
    resources.s3_object("bucket-name", "in/more.json", "[]")
    listed = call(resources, "listObjectsV2", {"Bucket": "bucket-name", "Prefix": "in/"}).output
    assert [entry["Key"] for entry in listed["Contents"]] == ["in/data.json", "in/more.json"]
    assert listed["KeyCount"] == 2 and listed["IsTruncated"] is False and listed["Name"] == "bucket-name"
    assert call(resources, "deleteObject", {"Bucket": "bucket-name", "Key": "in/more.json"}).output == {}
    listed = call(resources, "listObjectsV2", {"Bucket": "bucket-name", "MaxKeys": 1}).output
    assert [entry["Key"] for entry in listed["Contents"]] == ["in/data.json"]
    assert "NextContinuationToken" not in listed


def test_bad_parameters_are_runtime_errors(resources: Resources) -> None:
    execution = call(resources, "getObject", {"Bucket": "bucket-name"})
    assert execution.error == "States.Runtime"
    assert execution.cause is not None and "The field 'Key' must be a string" in execution.cause


def test_unsupported_actions_are_left_to_registered_handlers(resources: Resources) -> None:
    execution = call(resources, "listBuckets", {})
    assert execution.error == "States.Runtime"
    assert execution.cause is not None and "No mock or handler answers" in execution.cause
    resources.handler(SDK.format("listBuckets"), lambda request: {"Buckets": []})
    assert call(resources, "listBuckets", {}).output == {"Buckets": []}
