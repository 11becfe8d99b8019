"""The transport details optimized integrations add to a service's response.

Step Functions calls services through the AWS SDK for Java (v1) and, for optimized integrations,
hands the state the SDK's response object: the API members plus ``SdkHttpMetadata`` (the HTTP
status and headers) and ``SdkResponseMetadata`` (the request id). AWS SDK integrations
(``aws-sdk:*``) return the API members only. The headers each service sends differ slightly; the
sets here are the ones recorded against AWS (see ASL_INVENTORY §9.0), with values computed from
the response this engine produced (its length, its CRC32, the execution's clock).
"""

from __future__ import annotations

import json
import random
import zlib
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

_DYNAMODB_REQUEST_ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def uuid_request_id(rng: random.Random) -> str:
    """A request id as Lambda, Glue and Step Functions issue them (a UUID), from the execution's seed."""
    return uuid4_text(rng.getrandbits(128))


_VARIANT = {digit: "89ab"[int(digit, 16) & 3] for digit in "0123456789abcdef"}
"""A hex digit with its two top bits set to the RFC 4122 variant (``10``)."""


def uuid4_text(bits: int) -> str:
    """``str(uuid.UUID(int=bits, version=4))``, without building the UUID (every task asks for one):
    the version and variant set in the hex text, cheaper than in the 128-bit integer."""
    text = "%032x" % bits  # noqa: UP031 - faster than a format spec
    return f"{text[:8]}-{text[8:12]}-4{text[13:16]}-{_VARIANT[text[16]]}{text[17:20]}-{text[20:]}"


def dynamodb_request_id(rng: random.Random) -> str:
    """DynamoDB's request ids: 52 upper-case letters and digits."""
    return "".join(rng.choices(_DYNAMODB_REQUEST_ID_ALPHABET, k=52))


def http_date(epoch_seconds: float) -> str:
    """The ``Date`` header (RFC 7231 IMF-fixdate)."""
    return datetime.fromtimestamp(epoch_seconds, UTC).strftime("%a, %d %b %Y %H:%M:%S GMT")


def epoch_millis(epoch_seconds: float) -> int:
    """How the Java SDK serializes a timestamp inside Step Functions results (``1638296059130``)."""
    return round(epoch_seconds * 1000)


def java_double(value: float) -> str:
    """``Double.toString`` for the epoch-seconds timestamps of AWS JSON protocols (``1.688131339577E9``)."""
    number = float(value)
    if number == 0 or 1e-3 <= abs(number) < 1e7:
        return repr(number)
    # Shortest round-tripping digits, as both Python's repr and Java's toString choose them.
    _sign, digits, exponent = Decimal(repr(abs(number))).normalize().as_tuple()
    text = "".join(map(str, digits))
    scale = int(exponent) + len(text) - 1
    return f"{'-' if number < 0 else ''}{text[0]}.{text[1:] or '0'}E{scale}"


def compact_json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def with_metadata(
    members: Mapping[str, Any],
    *,
    status_code: int,
    request_id: str,
    headers: Mapping[str, str],
) -> dict[str, Any]:
    """The response members plus ``SdkHttpMetadata``/``SdkResponseMetadata``, keys in AWS's order."""
    result: dict[str, Any] = dict(members)
    result["SdkHttpMetadata"] = {
        "AllHttpHeaders": {name: [value] for name, value in headers.items()},
        "HttpHeaders": dict(sorted(headers.items(), key=lambda item: item[0].lower())),
        "HttpStatusCode": status_code,
    }
    result["SdkResponseMetadata"] = {"RequestId": request_id}
    return dict(sorted(result.items()))


def json_protocol_headers(body: str, request_id: str, now: float) -> dict[str, str]:
    """Headers of a ``application/x-amz-json-1.0`` response (Step Functions, Glue)."""
    return {
        "x-amzn-RequestId": request_id,
        "connection": "keep-alive",
        "Content-Length": str(len(body.encode("utf-8"))),
        "Date": http_date(now),
        "Content-Type": "application/x-amz-json-1.0",
    }


def dynamodb_headers(body: str, request_id: str, now: float) -> dict[str, str]:
    """DynamoDB's response headers, including the CRC32 of the body it sends."""
    encoded = body.encode("utf-8")
    return {
        "Server": "Server",
        "Connection": "keep-alive",
        "x-amzn-RequestId": request_id,
        "x-amz-crc32": str(zlib.crc32(encoded)),
        "Content-Length": str(len(encoded)),
        "Date": http_date(now),
        "Content-Type": "application/x-amz-json-1.0",
    }


def lambda_headers(
    body_length: int, request_id: str, now: float, executed_version: str | None, trace_id: str
) -> dict[str, str]:
    """Lambda's Invoke response headers (``X-Amz-Executed-Version`` only for synchronous calls)."""
    headers = {
        "Connection": "keep-alive",
        "Content-Length": str(body_length),
        "Content-Type": "application/json",
        "Date": http_date(now),
    }
    if executed_version is not None:
        headers["X-Amz-Executed-Version"] = executed_version
    headers["x-amzn-Remapped-Content-Length"] = "0"
    headers["x-amzn-RequestId"] = request_id
    headers["X-Amzn-Trace-Id"] = trace_id
    return headers


def trace_id(rng: random.Random, now: float) -> str:
    """An X-Ray trace header value (``Root=1-<epoch hex>-<24 hex>;Sampled=0``)."""
    return f"Root=1-{int(now):08x}-{rng.getrandbits(96):024x};Sampled=0"
