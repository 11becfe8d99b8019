"""Byte encodings of key values whose byte order is DynamoDB's sort order.

A table keeps its items ordered by ``(encode(hash key), encode(range key))``; with these
encodings a plain byte comparison (Python ``bytes`` or SQLite ``BLOB``) orders range keys as
DynamoDB does: numbers numerically, strings by UTF-8 bytes, binaries as unsigned bytes. The
hash-key encoding only has to be unique, but using the same one keeps scans deterministic.

Numbers: a sign class byte (negative < zero < positive), then the decimal exponent, then the
digits; for negatives the exponent and digits are complemented and the digits terminated, so a
longer negative (-1.23) sorts before its prefix (-1.2).
"""

from __future__ import annotations

from decimal import Decimal

from asl_engine.services.dynamodb.attribute_values import TypedValue, decode_binary

_NEGATIVE, _ZERO, _POSITIVE = b"\x01", b"\x02", b"\x03"
_EXPONENT_BIAS = 1 << 15


def encode_key_value(value: TypedValue) -> bytes:
    """The order-preserving encoding of a key value (type S, N or B)."""
    if "S" in value:
        return value["S"].encode("utf-8", "surrogatepass")  # type: ignore[no-any-return]
    if "B" in value:
        return decode_binary(value["B"])
    return encode_number(Decimal(value["N"]))


def encode_number(number: Decimal) -> bytes:
    sign, digit_tuple, exponent = number.as_tuple()
    assert isinstance(exponent, int)
    digits = "".join(map(str, digit_tuple)).lstrip("0").rstrip("0")
    if not digits:
        return _ZERO
    # Position of the most significant digit: 0.0123 → -2, 123 → 2.
    magnitude = exponent + len("".join(map(str, digit_tuple)).lstrip("0")) - 1
    if not sign:
        return _POSITIVE + (magnitude + _EXPONENT_BIAS).to_bytes(2, "big") + digits.encode("ascii")
    complemented = "".join(chr(ord("9") - int(d) + ord("0")) for d in digits)
    return _NEGATIVE + (_EXPONENT_BIAS - magnitude).to_bytes(2, "big") + complemented.encode("ascii") + b"\xff"
