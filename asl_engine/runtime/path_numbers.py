"""Numbers read through a ``*Path`` field: a JSON number, or a string that holds one.

AWS runs a Map whose ``MaxItemsPath`` reads the string ``"2"`` from a variable (recorded:
MAP_STATE_REFERENCE_IN_MAX_ITEMS_PATH), and one whose ``MaxConcurrencyPath`` reads ``"1"`` (seen in
deployed definitions), so every count and percentage read through a path accepts a numeric
string. Anything else fails the execution with AWS's recorded cause, which quotes the value's text:
``The MaxConcurrencyPath field refers to value "NoNumber" which is not a valid integer: $.p`` (a
string unquoted, anything else as JSON: ``"{}"``, ``"1.5"``).

What counts as numeric text follows Java's parsers, which AWS's service runs: an integer is an
optional sign and digits (``Long.parseLong``: ``"1.5"``, ``" 2"``, ``"1e2"`` and ``"abc"`` are not
integers; the recorded ``1.5`` for ``MaxItemsPath`` fails the same way); a percentage is a decimal
number with optional fraction and exponent. Surrounding whitespace is refused in both (AWS's
handling of it is not recorded; refusing makes a local run fail where AWS might not, never the
reverse). An integral JSON number such as ``2.0`` counts as the integer 2.
"""

from __future__ import annotations

import math
import re
from typing import Any

from asl_engine.language.template import to_json

_INTEGER_TEXT = re.compile(r"[+-]?[0-9]+\Z")
_DECIMAL_TEXT = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\Z")


def integer_value(value: Any) -> int | None:
    """The integer ``value`` stands for (a number or numeric text); None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if math.isfinite(value) and value.is_integer() else None
    if isinstance(value, str) and _INTEGER_TEXT.match(value):
        return int(value)
    return None


def number_value(value: Any) -> int | float | None:
    """The number ``value`` stands for (a finite number or decimal text); None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, str) and _DECIMAL_TEXT.match(value):
        number = float(value)
        return number if math.isfinite(number) else None
    return None


def shown(value: Any) -> str:
    """The value as AWS's messages quote it: a string's text, anything else as compact JSON."""
    return value if isinstance(value, str) else to_json(value)
