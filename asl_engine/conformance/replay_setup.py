"""Replaying the data a recorded conformance case put in place before its execution.

A case's ``setup_calls`` list what its test did around the execution. Calls that only created
resources or read data leave nothing a local run needs; those that put data somewhere decide what
an ItemReader or an ``aws-sdk`` task finds. Two kinds are replayed into the embedded S3:

* ``fixture:s3_create_bucket``: the bucket the test created. Its recorded name is hidden behind a
  placeholder (``bucket-name``), which is also what the recorded input and the other calls use:
  the bucket is created under the names those calls give, or, when no other call names it, under
  the case's placeholders that name a bucket.
* ``aws_client.s3.put_object`` with a text ``Body``: the object, as boto3 put it.

Anything else that writes data (an upload from a local file, a DynamoDB item, a queued message)
cannot be replayed: ``unreplayable_write`` says so and the case is skipped with that reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from asl_engine.services.registry import Resources

CREATE_BUCKET = "fixture:s3_create_bucket"
PUT_OBJECT = "aws_client.s3.put_object"

DATA_WRITES = {
    "s3": {"put_object", "upload_file", "upload_fileobj", "copy_object"},
    "dynamodb": {"put_item", "update_item", "batch_write_item", "transact_write_items"},
    "sqs": {"send_message", "send_message_batch"},
    "sns": {"publish", "publish_batch"},
    "events": {"put_events"},
    "kinesis": {"put_record", "put_records"},
    "secretsmanager": {"put_secret_value"},
}
"""Setup calls that leave data the execution could read outside its tasks (e.g. an ItemReader)."""


def data_write(call: str) -> tuple[str, str] | None:
    """``aws_client.s3.put_object`` -> ("s3", "put_object") when the call writes data."""
    parts = call.split(".")
    if len(parts) < 3 or parts[0] != "aws_client":
        return None
    service, operation = parts[1], parts[-1]
    return (service, operation) if operation in DATA_WRITES.get(service, ()) else None


def replayable(call: Mapping[str, Any]) -> bool:
    """Whether ``replay_setup_calls`` reproduces this setup call's data."""
    if call.get("call") != PUT_OBJECT:
        return False
    kwargs = call.get("kwargs") or {}
    return all(isinstance(kwargs.get(name), str) for name in ("Bucket", "Key", "Body"))


def unreplayable_write(calls: Iterable[Mapping[str, Any]]) -> tuple[str, str] | None:
    """The first setup call that wrote data this module cannot replay, as (service, operation)."""
    for call in calls:
        write = data_write(str(call.get("call", "")))
        if write is not None and not replayable(call):
            return write
    return None


def needs_s3(calls: Iterable[Mapping[str, Any]]) -> bool:
    return any(call.get("call") in (CREATE_BUCKET, PUT_OBJECT) for call in calls)


def replay_setup_calls(
    resources: Resources, calls: Iterable[Mapping[str, Any]], placeholders: Iterable[str] = ()
) -> None:
    """Create the buckets and objects the recorded setup calls created, in ``resources.s3``."""
    calls = list(calls)
    named = [
        (call.get("kwargs") or {}).get("Bucket")
        for call in calls
        if str(call.get("call", "")).startswith("aws_client.s3.")
    ]
    buckets = [name for name in named if isinstance(name, str)]
    if not buckets:
        buckets = [name for name in placeholders if "bucket" in name.lower()]
    for call in calls:
        if call.get("call") == CREATE_BUCKET:
            for bucket in dict.fromkeys(buckets):
                resources.s3_bucket(bucket)
        elif replayable(call):
            kwargs = call["kwargs"]
            resources.s3_object(kwargs["Bucket"], kwargs["Key"], kwargs["Body"])
