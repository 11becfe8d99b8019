"""The AWS JSON 1.0 protocol, as botocore speaks it: one ``POST /`` per call.

A request names its operation in ``X-Amz-Target: AWSStepFunctions.<Operation>`` and carries its
members as a JSON object (``Content-Type: application/x-amz-json-1.0``). An answer is a JSON object;
an error is a JSON object with ``__type`` (the error code, which botocore reads after any ``#``) and
``message``, with the HTTP status of the error (400 for the service's errors). Timestamps travel as
epoch seconds (numbers).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from asl_engine.server.errors import ServiceError
from asl_engine.server.settings import MAX_BODY_BYTES

CONTENT_TYPE = "application/x-amz-json-1.0"
TARGET_HEADER = "x-amz-target"
TARGET_PREFIX = "AWSStepFunctions."


def operation_of(headers: Mapping[str, str]) -> str:
    """The operation a request calls (``UnknownOperationException`` without a Step Functions target)."""
    target = headers.get(TARGET_HEADER, "")
    if not target.startswith(TARGET_PREFIX) or len(target) == len(TARGET_PREFIX):
        shown = target or "none"
        raise ServiceError("UnknownOperationException", f"Unknown operation: X-Amz-Target {shown}")
    return target[len(TARGET_PREFIX) :]


def parse_body(body: bytes) -> dict[str, Any]:
    """The request's members (``SerializationException`` for a body that is not a JSON object)."""
    if len(body) > MAX_BODY_BYTES:
        raise ServiceError(
            "ValidationException",
            f"Request body of {len(body)} bytes exceeds the maximum request size of {MAX_BODY_BYTES} bytes",
            413,
        )
    if not body.strip():
        return {}
    try:
        value = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ServiceError("SerializationException", f"The request body is not valid JSON: {error}") from None
    if not isinstance(value, dict):
        raise ServiceError("SerializationException", "The request body must be a JSON object")
    return value


def encode(value: Mapping[str, Any]) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def encode_error(error: ServiceError) -> bytes:
    return encode({"__type": f"com.amazonaws.swf.service.v2.model#{error.code}", "message": error.message})


def wire_shape(value: Any) -> Any:
    """A response as JSON 1.0 sends it: datetimes as epoch seconds, everything else unchanged."""
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, dict):
        return {key: wire_shape(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [wire_shape(item) for item in value]
    return value
