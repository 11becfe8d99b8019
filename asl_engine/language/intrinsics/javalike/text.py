"""``String.valueOf`` of JSON values converted to Java objects, and ``Double.toString``.

AWS renders ``States.Format`` arguments with Java's ``toString``: strings as-is, ``null`` as
``null``, objects as ``Map.toString`` (``{Arg1=1, Arg2=[]}``) and arrays as ``List.toString``
(``[1, 2]``). ``States.ArrayContains`` compares elements by the same text (observed: ``true``
matches ``"true"``, reordered object keys do not match).
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any


def java_string(value: Any) -> str:
    """``String.valueOf(value)`` for a JSON value as AWS converts it to Java objects."""
    kind = type(value)
    if kind is str:
        return value  # type: ignore[no-any-return]
    if value is None:
        return "null"
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return str(value)
    if kind is float:
        return java_double(value)
    if kind is list:
        return "[" + ", ".join(java_string(item) for item in value) + "]"
    if kind is dict:
        return "{" + ", ".join(f"{key}={java_string(item)}" for key, item in value.items()) + "}"
    return str(value)


def java_double(value: float) -> str:
    """``Double.toString``: plain notation for 1e-3 <= |x| < 1e7, else ``d.dddE±n``.

    The digits are the shortest that round-trip (Python's ``repr``), which is what Java 19+
    prints; Jackson uses the same routine when it writes a double into JSON text.
    """
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "-0.0" if math.copysign(1.0, value) < 0 else "0.0"
    sign, digit_tuple, exponent = Decimal(repr(value)).as_tuple()
    assert isinstance(exponent, int)
    digits = "".join(map(str, digit_tuple)).rstrip("0")
    exponent += len(digit_tuple) - len(digits)
    scientific = len(digits) + exponent - 1
    prefix = "-" if sign else ""
    if -3 <= scientific < 7:
        if scientific >= 0:
            whole = digits[: scientific + 1].ljust(scientific + 1, "0")
            fraction = digits[scientific + 1 :] or "0"
            return f"{prefix}{whole}.{fraction}"
        return f"{prefix}0.{'0' * (-scientific - 1)}{digits}"
    return f"{prefix}{digits[0]}.{digits[1:] or '0'}E{scientific}"
