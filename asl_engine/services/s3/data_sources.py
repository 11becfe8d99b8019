"""The S3 calls a Distributed Map makes itself: ``arn:aws:states:::s3:getObject|listObjectsV2|putObject``.

These resources appear only in a Map's ``ItemReader`` and ``ResultWriter``, never as a Task. Their
handlers speak S3's API, which is also the contract for a handler registered in their place with
``Resources.handler(...)``:

* ``getObject``: parameters ``{"Bucket", "Key"}``; returns the object's body (``bytes`` or ``str``).
* ``listObjectsV2``: parameters ``{"Bucket", "Prefix"?, "ContinuationToken"?, ...}``; returns one page,
  ``{"Contents": [{"Key", "ETag", "LastModified" (epoch seconds), "Size", "StorageClass"}],
  "IsTruncated": bool, "NextContinuationToken"?: str}``.
* ``putObject``: parameters ``{"Bucket", "Key", "Body"}`` (``Body`` is text); the return value is unused.

A failure is raised as ``StatesError`` with S3's error name and cause (``S3.NoSuchKeyException``),
which the Map reports as ``States.ItemReaderFailed`` or ``States.ResultWriterFailed``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from asl_engine.errors import StatesError
from asl_engine.runtime.handlers import TaskHandler, TaskRequest
from asl_engine.services.s3.errors import S3ServiceError, sdk_error
from asl_engine.services.s3.service import S3Service
from asl_engine.services.support import environment_of, parameters_error, parameters_object

ServiceSource = Callable[[], S3Service]

DATA_SOURCE_ACTIONS = frozenset({"getObject", "listObjectsV2", "putObject"})


def data_source_handler(service: ServiceSource, action: str) -> TaskHandler:
    """The handler answering ``arn:aws:states:::s3:<action>`` from the embedded S3."""
    if action == "getObject":
        return ObjectBody(service)
    if action == "listObjectsV2":
        return ObjectListing(service)
    return ObjectUpload(service)


def required_string(request: TaskRequest, parameters: Mapping[str, Any], name: str) -> str:
    value = parameters.get(name)
    if not isinstance(value, str):
        raise parameters_error(request, f"The field '{name}' must be a string")
    return value


def optional_string(request: TaskRequest, parameters: Mapping[str, Any], name: str) -> str | None:
    return None if parameters.get(name) is None else required_string(request, parameters, name)


def _failure(request: TaskRequest, error: S3ServiceError) -> StatesError:
    return sdk_error(error, environment_of(request).random)


class ObjectBody:
    """``s3:getObject`` for an ItemReader: the body of ``Bucket``/``Key``."""

    def __init__(self, service: ServiceSource) -> None:
        self.service = service

    def __call__(self, request: TaskRequest) -> bytes:
        parameters = parameters_object(request)
        bucket = required_string(request, parameters, "Bucket")
        key = required_string(request, parameters, "Key")
        try:
            return self.service().get_object(bucket, key).body
        except S3ServiceError as error:
            raise _failure(request, error) from None


class ObjectListing:
    """``s3:listObjectsV2`` for an ItemReader: one page of the objects under ``Prefix``."""

    def __init__(self, service: ServiceSource) -> None:
        self.service = service

    def __call__(self, request: TaskRequest) -> dict[str, Any]:
        parameters = parameters_object(request)
        bucket = required_string(request, parameters, "Bucket")
        max_keys = parameters.get("MaxKeys", 1000)
        if isinstance(max_keys, bool) or not isinstance(max_keys, int):
            raise parameters_error(request, "The field 'MaxKeys' must be an integer")
        try:
            page = self.service().list_objects_v2(
                bucket,
                prefix=optional_string(request, parameters, "Prefix") or "",
                delimiter=optional_string(request, parameters, "Delimiter"),
                max_keys=max_keys,
                continuation_token=optional_string(request, parameters, "ContinuationToken"),
                start_after=optional_string(request, parameters, "StartAfter"),
            )
        except S3ServiceError as error:
            raise _failure(request, error) from None
        response: dict[str, Any] = {
            "Contents": [
                {
                    "Key": obj.key,
                    "ETag": obj.etag,
                    "LastModified": obj.last_modified,
                    "Size": obj.size,
                    "StorageClass": obj.storage_class,
                }
                for obj in page.objects
            ],
            "IsTruncated": page.is_truncated,
        }
        if page.next_continuation_token is not None:
            response["NextContinuationToken"] = page.next_continuation_token
        return response


class ObjectUpload:
    """``s3:putObject`` for a ResultWriter: stores ``Body`` at ``Bucket``/``Key``."""

    def __init__(self, service: ServiceSource) -> None:
        self.service = service

    def __call__(self, request: TaskRequest) -> dict[str, Any]:
        parameters = parameters_object(request)
        bucket = required_string(request, parameters, "Bucket")
        key = required_string(request, parameters, "Key")
        body = parameters.get("Body")
        if not isinstance(body, str | bytes):
            raise parameters_error(request, "The field 'Body' must be a string")
        env = environment_of(request)
        try:
            obj = self.service().put_object(
                bucket, key, body, content_type="application/json", now=env.now(), create_bucket=False
            )
        except S3ServiceError as error:
            raise _failure(request, error) from None
        return {"ETag": obj.etag}
