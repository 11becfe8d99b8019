"""Step Functions' payload quota: 256 KiB of UTF-8 JSON per input, result and output."""

from __future__ import annotations

import json
from typing import Any

from asl_engine.errors import StatesError
from asl_engine.runtime.failures import DATA_LIMIT
from asl_engine.runtime.json_text import to_json_text

PAYLOAD_LIMIT_BYTES = 262_144
HISTORY_EVENT_LIMIT = 25_000
VARIABLE_LIMIT_BYTES = 262_144
"""One variable, and all the variables of one ``Assign``, at most 256 KiB (DG: workflow variables)."""
EXECUTION_VARIABLES_LIMIT_BYTES = 10 * 1024 * 1024
"""All the variables an execution stores at once, at most 10 MiB."""

_encode_ascii = json.JSONEncoder(separators=(",", ":")).encode
_encode_utf8 = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


QUICK_PAYLOAD_CHARS = PAYLOAD_LIMIT_BYTES // 4
"""A JSON text of at most this many characters is within the quota whatever its characters (<= 4 bytes each)."""


def text_size(text: str) -> int:
    """UTF-8 bytes of a JSON text (lone surrogates counted as AWS's Java would, 3 bytes)."""
    return len(text.encode("utf-8", "surrogatepass"))


def payload_size(value: Any) -> int:
    """The size AWS measures: UTF-8 bytes of the compact JSON text."""
    return len(_encode_utf8(value).encode("utf-8"))


def exceeds_payload_limit(value: Any) -> bool:
    # Scalars and small containers cannot reach the limit; skip serializing them at all.
    if value is None or type(value) in (bool, int, float):
        return False
    if type(value) is str:
        return len(value) * 4 + 2 > PAYLOAD_LIMIT_BYTES and payload_size(value) > PAYLOAD_LIMIT_BYTES
    # The usual result is small: its compact text, made by the encoder built once (``json_text``; a
    # ``JSONEncoder.encode`` builds one per call, which cost more than the encoding), settles it when
    # it has at most a quarter of the quota's bytes in characters. Anything else, or a value that
    # encoder refuses (it does not look for cycles), takes the measure below, errors included.
    try:
        if len(to_json_text(value)) <= QUICK_PAYLOAD_CHARS:
            return False
    except (TypeError, ValueError, RecursionError):
        pass
    # ASCII-escaped JSON is never shorter than its UTF-8 encoding, so a short one settles it quickly.
    if len(_encode_ascii(value)) <= PAYLOAD_LIMIT_BYTES:
        return False
    return payload_size(value) > PAYLOAD_LIMIT_BYTES


def data_limit_error(subject: str) -> StatesError:
    return StatesError(
        DATA_LIMIT,
        f"The state/task '{subject}' returned a result with a size exceeding the maximum number of bytes "
        "service limit.",
    )
