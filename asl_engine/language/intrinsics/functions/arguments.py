"""Argument checks shared by the functions, each failing with AWS's ``Invalid arguments`` text.

Integers: AWS turns a non-integer into an integer differently per function (observed):
``States.MathAdd`` rounds like Java's ``Math.round`` (1.5 -> 2, -1.5 -> -1, 0.5 -> 1), while
``ArrayRange``, ``ArrayPartition``, ``ArrayGetItem`` and ``MathRandom`` truncate toward zero
(``ArrayRange(1.6, 1.4, 1)`` is ``[1]``; ``ArrayPartition(arr, 2.6)`` makes chunks of 2;
``ArrayGetItem(arr, 1.2)`` reads index 1). Values outside Java's ``int`` are rejected.
"""

from __future__ import annotations

import math
from typing import Any, Final

from asl_engine.language.intrinsics.failures import invalid_arguments

INT32_MIN: Final = -(2**31)
INT32_MAX: Final = 2**31 - 1
# Base64Encode, Base64Decode and Hash take at most this many characters (UTF-16 code units).
MAX_TEXT_LENGTH: Final = 10_000


def is_number(value: Any) -> bool:
    kind = type(value)
    return kind is int or kind is float


def require_list(function: str, value: Any) -> list[Any]:
    if type(value) is not list:
        raise invalid_arguments(function)
    return value


def require_string(function: str, value: Any) -> str:
    if type(value) is not str:
        raise invalid_arguments(function)
    return value


def require_object(function: str, value: Any) -> dict[str, Any]:
    if type(value) is not dict:
        raise invalid_arguments(function)
    return value


INT64_MIN: Final = -(2**63)
INT64_MAX: Final = 2**63 - 1


def truncated_int(function: str, value: Any, low: int = INT32_MIN, high: int = INT32_MAX) -> int:
    """A number turned into a Java ``int`` (or, with wider bounds, ``long``) by dropping its fraction."""
    if type(value) is int:
        number: int = value
    elif type(value) is float and math.isfinite(value):
        number = math.trunc(value)
    else:
        raise invalid_arguments(function)
    if not low <= number <= high:
        raise invalid_arguments(function)
    return number


def rounded_int(function: str, value: Any) -> int:
    """A number turned into a Java ``int`` with ``Math.round`` (halves go toward +infinity)."""
    if type(value) is int:
        number: int = value
    elif type(value) is float and math.isfinite(value):
        number = java_round(value)
    else:
        raise invalid_arguments(function)
    if not INT32_MIN <= number <= INT32_MAX:
        raise invalid_arguments(function)
    return number


def java_round(value: float) -> int:
    """``Math.round(double)``: ``floor(x + 0.5)`` computed without the double-rounding error."""
    floor = math.floor(value)
    return floor + 1 if value - floor >= 0.5 else floor


def utf16_length(text: str) -> int:
    """Java's ``String.length()``: characters outside the BMP count twice."""
    length = len(text)
    if text.isascii():
        return length
    return length + sum(1 for char in text if ord(char) > 0xFFFF)


def utf8_bytes(text: str) -> bytes:
    """``getBytes(UTF_8)``: an unpaired surrogate (legal in JSON text) becomes ``?`` as in Java."""
    return text.encode("utf-8", errors="replace")
