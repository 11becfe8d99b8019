"""DynamoDB's number type: 38 significant decimal digits, magnitudes from 1E-130 to below 1E+126.

Numbers travel as strings. DynamoDB accepts Java ``BigDecimal`` syntax (``+3``, ``.5``,
``0001.23``, ``1e+5``) and nothing else (no ``NaN``, ``Infinity``, spaces or ``_``), stores the
value with leading and trailing zeros trimmed, and returns it in plain notation: ``"1.0"`` comes
back as ``"1"``, ``"1.5E2"`` as ``"150"``, ``"-0"`` as ``"0"``.

Python's ``Decimal`` constructor is exact, but most ``Decimal`` operations round to the context
precision (28 digits by default), so this module works on ``as_tuple()`` digits and does its
arithmetic in a local context wide enough to be exact over the whole range.
"""

from __future__ import annotations

import decimal
import re
from decimal import Decimal

MAX_DIGITS = 38
MAX_EXPONENT = 125  # largest magnitude: 9.99...E+125
MIN_EXPONENT = -130  # smallest magnitude: 1E-130

_SYNTAX = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
# Exact for any sum or difference of two in-range numbers (exponent span 256 + 38 digits).
_EXACT = decimal.Context(prec=400, Emax=10**9, Emin=-(10**9), traps=[decimal.InvalidOperation])

TOO_MANY_DIGITS = "Attempting to store more than 38 significant digits in a Number"
OVERFLOW = "Number overflow. Attempting to store a number with magnitude larger than supported range"
UNDERFLOW = "Number underflow. Attempting to store a number with magnitude smaller than supported range"
NOT_NUMERIC = "The parameter cannot be converted to a numeric value"


class NumberError(ValueError):
    """A string that is not a storable DynamoDB number; ``message`` is DynamoDB's text."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _significant(value: Decimal) -> tuple[int, str, int]:
    """(sign, digits without leading or trailing zeros, exponent of the last digit)."""
    sign, digit_tuple, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    digits = "".join(map(str, digit_tuple)).lstrip("0")
    stripped = digits.rstrip("0")
    exponent += len(digits) - len(stripped)
    return sign, stripped, exponent


def _checked(value: Decimal, *, arithmetic: bool = False) -> Decimal:
    sign, digits, exponent = _significant(value)
    if not digits:
        return Decimal(0)
    if len(digits) > MAX_DIGITS:
        # DynamoDB reports precision lost by + and - as an overflow (observed behaviour).
        raise NumberError(OVERFLOW if arithmetic else TOO_MANY_DIGITS)
    magnitude = exponent + len(digits) - 1
    if magnitude > MAX_EXPONENT:
        raise NumberError(OVERFLOW)
    if magnitude < MIN_EXPONENT:
        raise NumberError(UNDERFLOW)
    return Decimal((sign, tuple(int(d) for d in digits), exponent))


def parse_number(text: str) -> Decimal:
    """The exact value of a DynamoDB number string, or ``NumberError`` with DynamoDB's message."""
    if not _SYNTAX.fullmatch(text):
        raise NumberError(f"{NOT_NUMERIC}: {text}" if text else NOT_NUMERIC)
    try:
        value = Decimal(text)
    except decimal.InvalidOperation:
        # An exponent beyond what Decimal can hold (e.g. "1e999999999999999999999").
        mantissa, _, exponent = text.lower().partition("e")
        if not mantissa.strip("+-.0"):
            return Decimal(0)
        raise NumberError(UNDERFLOW if exponent.startswith("-") else OVERFLOW) from None
    return _checked(value)


def canonical_number(text: str) -> str:
    """The string DynamoDB stores and returns for a number string."""
    return format_number(parse_number(text))


def format_number(value: Decimal) -> str:
    """Plain notation without superfluous zeros, as DynamoDB writes numbers."""
    sign, digits, exponent = _significant(value)
    if not digits:
        return "0"
    prefix = "-" if sign else ""
    if exponent >= 0:
        return prefix + digits + "0" * exponent
    point = len(digits) + exponent
    if point > 0:
        return f"{prefix}{digits[:point]}.{digits[point:]}"
    return f"{prefix}0.{'0' * -point}{digits}"


def add(left: Decimal, right: Decimal) -> Decimal:
    """``left + right`` exactly, or ``NumberError`` when the result cannot be stored."""
    return _checked(_EXACT.add(left, right), arithmetic=True)


def subtract(left: Decimal, right: Decimal) -> Decimal:
    return _checked(_EXACT.subtract(left, right), arithmetic=True)


def number_size(text: str) -> int:
    """Bytes a canonical number takes in item-size accounting: 1 per two digits, plus 1."""
    digits = text.lstrip("-").replace(".", "").strip("0")
    return (len(digits) + 1) // 2 + 1
