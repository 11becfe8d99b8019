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


def operation_of(target: str | None) -> str:
    """The operation the ``X-Amz-Target`` header calls (``UnknownOperationException`` without a Step
    Functions target)."""
    if target is None or not target.startswith(TARGET_PREFIX) or len(target) == len(TARGET_PREFIX):
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


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
"""One encoder for every answer (``json.dumps`` with options builds one per call)."""


def encode(value: Mapping[str, Any]) -> bytes:
    return _ENCODER.encode(value).encode("utf-8")


def encode_error(error: ServiceError) -> bytes:
    return encode({"__type": f"com.amazonaws.swf.service.v2.model#{error.code}", "message": error.message})


_PLAIN: frozenset[type] = frozenset({str, int, float, bool})
"""Values a response carries to the wire as they are."""


def wire_shape(value: Any) -> Any:
    """A response as JSON 1.0 sends it: datetimes as epoch seconds, members that are None left out,
    everything else unchanged. Called on every answer, so plain values are passed by type, not tested."""
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is dict:
        return {
            key: item if type(item) in _PLAIN else wire_shape(item) for key, item in value.items() if item is not None
        }
    if kind is list:
        return [item if type(item) in _PLAIN else wire_shape(item) for item in value]
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, dict):
        return {key: wire_shape(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [wire_shape(item) for item in value]
    return value
