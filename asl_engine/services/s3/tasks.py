"""Task states on ``arn:aws:states:::aws-sdk:s3:<action>``, answered by the embedded S3.

Supported actions: ``getObject``, ``putObject``, ``headObject``, ``deleteObject`` and
``listObjectsV2`` (others are left to registered handlers). As with every AWS SDK integration the
result is the API response without SDK metadata, and a failure is ``S3.<Code>Exception`` with
SDK v2's cause (``S3.NoSuchKeyException``: "The specified key does not exist. (Service: S3,
Status Code: 404, Request ID: ..., Extended Request ID: ...)").

``putObject`` stores its ``Body`` as JSON text: Step Functions serializes the parameter, so a
string body is stored with its quotes (recorded on AWS: the ETag of ``"text data"`` is the MD5 of
``"text data"`` quoted). ``getObject`` returns the body as text.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from asl_engine.runtime.handlers import TaskRequest
from asl_engine.runtime.history import format_timestamp
from asl_engine.services.s3.data_sources import ServiceSource, optional_string, required_string
from asl_engine.services.s3.errors import S3ServiceError, sdk_error
from asl_engine.services.s3.objects import S3Object
from asl_engine.services.s3.service import MAX_KEYS
from asl_engine.services.support import environment_of, parameters_error, parameters_object

SDK_ACTIONS = frozenset({"getObject", "putObject", "headObject", "deleteObject", "listObjectsV2"})


def _metadata(obj: S3Object) -> dict[str, Any]:
    """The object members GetObject and HeadObject share (Last-Modified has whole seconds, as its header)."""
    return {
        "AcceptRanges": "bytes",
        "ContentLength": obj.size,
        "ContentType": obj.content_type,
        "ETag": obj.etag,
        "LastModified": format_timestamp(int(obj.last_modified)),
        "Metadata": {},
        "ServerSideEncryption": "AES256",
    }


class SdkS3Task:
    """Answers ``arn:aws:states:::aws-sdk:s3:<action>`` for the supported actions."""

    def __init__(self, service: ServiceSource, action: str) -> None:
        self.service = service
        actions: dict[str, Callable[[TaskRequest, Any], dict[str, Any]]] = {
            "getObject": self._get_object,
            "headObject": self._head_object,
            "putObject": self._put_object,
            "deleteObject": self._delete_object,
            "listObjectsV2": self._list_objects_v2,
        }
        self._call = actions[action]

    def __call__(self, request: TaskRequest) -> dict[str, Any]:
        parameters = parameters_object(request)
        try:
            return self._call(request, parameters)
        except S3ServiceError as error:
            raise sdk_error(error, environment_of(request).random) from None

    def _get_object(self, request: TaskRequest, parameters: Any) -> dict[str, Any]:
        obj = self.service().get_object(
            required_string(request, parameters, "Bucket"), required_string(request, parameters, "Key")
        )
        return dict(sorted({**_metadata(obj), "Body": obj.body.decode("utf-8", "replace")}.items()))

    def _head_object(self, request: TaskRequest, parameters: Any) -> dict[str, Any]:
        obj = self.service().get_object(
            required_string(request, parameters, "Bucket"), required_string(request, parameters, "Key")
        )
        return _metadata(obj)

    def _put_object(self, request: TaskRequest, parameters: Any) -> dict[str, Any]:
        bucket = required_string(request, parameters, "Bucket")
        key = required_string(request, parameters, "Key")
        if "Body" not in parameters:
            raise parameters_error(request, "The field 'Body' is required")
        body = json.dumps(parameters["Body"], separators=(",", ":"), ensure_ascii=False)
        obj = self.service().put_object(
            bucket,
            key,
            body,
            content_type=optional_string(request, parameters, "ContentType"),
            now=environment_of(request).now(),
            create_bucket=False,
        )
        return {
            "ChecksumCRC32": obj.checksum_crc32,
            "ChecksumType": "FULL_OBJECT",
            "ETag": obj.etag,
            "ServerSideEncryption": "AES256",
        }

    def _delete_object(self, request: TaskRequest, parameters: Any) -> dict[str, Any]:
        self.service().delete_object(
            required_string(request, parameters, "Bucket"), required_string(request, parameters, "Key")
        )
        return {}

    def _list_objects_v2(self, request: TaskRequest, parameters: Any) -> dict[str, Any]:
        bucket = required_string(request, parameters, "Bucket")
        prefix = optional_string(request, parameters, "Prefix")
        delimiter = optional_string(request, parameters, "Delimiter")
        max_keys = parameters.get("MaxKeys", MAX_KEYS)
        if isinstance(max_keys, bool) or not isinstance(max_keys, int):
            raise parameters_error(request, "The field 'MaxKeys' must be an integer")
        page = self.service().list_objects_v2(
            bucket,
            prefix=prefix or "",
            delimiter=delimiter,
            max_keys=max_keys,
            continuation_token=optional_string(request, parameters, "ContinuationToken"),
            start_after=optional_string(request, parameters, "StartAfter"),
        )
        response: dict[str, Any] = {
            "IsTruncated": page.is_truncated,
            "KeyCount": len(page.objects) + len(page.common_prefixes),
            "MaxKeys": max_keys,
            "Name": bucket,
            "Prefix": prefix or "",
        }
        if page.objects:
            response["Contents"] = [
                {
                    "ETag": obj.etag,
                    "Key": obj.key,
                    "LastModified": format_timestamp(obj.last_modified),
                    "Size": obj.size,
                    "StorageClass": obj.storage_class,
                }
                for obj in page.objects
            ]
        if page.common_prefixes:
            response["CommonPrefixes"] = [{"Prefix": value} for value in page.common_prefixes]
        if delimiter is not None:
            response["Delimiter"] = delimiter
        for name in ("ContinuationToken", "StartAfter"):
            if parameters.get(name) is not None:
                response[name] = parameters[name]
        if page.next_continuation_token is not None:
            response["NextContinuationToken"] = page.next_continuation_token
        return dict(sorted(response.items()))
