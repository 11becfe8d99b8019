"""Typed AttributeValues: validation, equality, ordering, size and copies.

Values keep DynamoDB's JSON wire form (``{"S": "x"}``, ``{"N": "1.5"}``, ``{"M": {...}}``) so a
stored item can be returned as it is, but every value that enters the service is normalised
first: numbers to DynamoDB's canonical string, binaries to canonical base64. Two equal values are
then equal strings, and a value never needs re-validation once stored.

Validation failures raise ``InvalidValue``; the caller knows where the value came from (a key, an
item, ``ExpressionAttributeValues``, ``ExclusiveStartKey``) and words the final message the way
DynamoDB does for that place (see ``InvalidValue.render``).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from asl_engine.services.dynamodb import numbers
from asl_engine.services.dynamodb.errors import INVALID_PARAMETERS

TypedValue = dict[str, Any]
Item = dict[str, TypedValue]

TYPES = ("S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL")
SET_ELEMENT_TYPES = {"SS": "S", "NS": "N", "BS": "B"}
SCALAR_KEY_TYPES = frozenset({"S", "N", "B"})
MAX_NESTING = 32
NESTING_MESSAGE = (
    "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit"
)
EMPTY_MESSAGE = "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"
MULTIPLE_MESSAGE = (
    "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes"
)
UNEXPECTED_PAYLOAD = "Unexpected value type in payload"


class InvalidValue(Exception):
    """A value DynamoDB would reject.

    ``parameter`` marks the messages DynamoDB prefixes with "One or more parameter values were
    invalid: "; ``starting_key_prefix`` those it prefixes with "The provided starting key is
    invalid: " when the value is part of ``ExclusiveStartKey`` (DynamoDB is not uniform here).
    """

    def __init__(
        self,
        message: str,
        *,
        parameter: bool = False,
        starting_key_prefix: bool = False,
        code: str = "ValidationException",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.parameter = parameter
        self.starting_key_prefix = starting_key_prefix
        self.code = code

    def render(self) -> str:
        return INVALID_PARAMETERS + self.message if self.parameter else self.message


# --------------------------------------------------------------------------- validation


def normalize_value(raw: Any, depth: int = 0) -> TypedValue:
    """Validate a wire AttributeValue and return its normalised copy."""
    if not isinstance(raw, Mapping):
        raise InvalidValue(UNEXPECTED_PAYLOAD, code="SerializationException")
    present = [key for key in TYPES if raw.get(key) is not None]
    if not present:
        raise InvalidValue(EMPTY_MESSAGE, starting_key_prefix=True)
    if len(present) > 1:
        raise InvalidValue(MULTIPLE_MESSAGE, starting_key_prefix=True)
    kind = present[0]
    data = raw[kind]
    if kind == "S":
        return {"S": _string(data)}
    if kind == "N":
        return {"N": _number(_string(data))}
    if kind == "B":
        return {"B": _binary(data)}
    if kind == "BOOL":
        if not isinstance(data, bool):
            raise InvalidValue(UNEXPECTED_PAYLOAD, code="SerializationException")
        return {"BOOL": data}
    if kind == "NULL":
        if not isinstance(data, bool):
            raise InvalidValue(UNEXPECTED_PAYLOAD, code="SerializationException")
        if not data:
            raise InvalidValue(
                "Null attribute value types must have the value of true",
                parameter=True,
                starting_key_prefix=True,
            )
        return {"NULL": True}
    if kind in SET_ELEMENT_TYPES:
        return {kind: _set(kind, data)}
    if depth >= MAX_NESTING:
        raise InvalidValue(NESTING_MESSAGE)
    if kind == "M":
        if not isinstance(data, Mapping):
            raise InvalidValue(UNEXPECTED_PAYLOAD, code="SerializationException")
        return {"M": {_string(name): normalize_value(value, depth + 1) for name, value in data.items()}}
    if not isinstance(data, list | tuple):
        raise InvalidValue(UNEXPECTED_PAYLOAD, code="SerializationException")
    return {"L": [normalize_value(value, depth + 1) for value in data]}


def normalize_item(raw: Any) -> Item:
    """Validate a map of attribute names to AttributeValues (an item, a key)."""
    if not isinstance(raw, Mapping):
        raise InvalidValue(UNEXPECTED_PAYLOAD, code="SerializationException")
    return {_string(name): normalize_value(value) for name, value in raw.items()}


def _string(data: Any) -> str:
    if isinstance(data, str):
        return data
    raise InvalidValue(_serialization_detail(data), code="SerializationException")


def _serialization_detail(data: Any) -> str:
    """Jackson's wording for a JSON token found where a string was expected."""
    if isinstance(data, bool):
        return f"{'TRUE' if data else 'FALSE'}_VALUE cannot be converted to String"
    if isinstance(data, int | float | Decimal):
        return "NUMBER_VALUE cannot be converted to String"
    if isinstance(data, Mapping):
        return "Start of structure or map found where not expected."
    if isinstance(data, list | tuple):
        return "Start of list found where not expected"
    return UNEXPECTED_PAYLOAD


def _number(text: str) -> str:
    try:
        return numbers.canonical_number(text)
    except numbers.NumberError as error:
        raise InvalidValue(error.message) from None


def _binary(data: Any) -> str:
    if isinstance(data, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(data)).decode("ascii")
    text = _string(data)
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidValue(
            f"Invalid base64 in binary AttributeValue: {text!r}", code="SerializationException"
        ) from None
    return base64.b64encode(raw).decode("ascii")


def _set(kind: str, data: Any) -> list[str]:
    if not isinstance(data, list | tuple):
        raise InvalidValue(UNEXPECTED_PAYLOAD, code="SerializationException")
    if not data:
        if kind == "SS":
            raise InvalidValue("An string set  may not be empty", parameter=True, starting_key_prefix=True)
        if kind == "NS":
            raise InvalidValue("An number set  may not be empty", parameter=True)
        raise InvalidValue("Binary sets should not be empty", parameter=True, starting_key_prefix=True)
    if kind == "SS":
        elements = [_string(element) for element in data]
    elif kind == "NS":
        elements = [_number(_string(element)) for element in data]
    else:
        elements = [_binary(element) for element in data]
    if len(set(elements)) != len(elements):
        if kind == "NS":
            raise InvalidValue("Input collection contains duplicates")
        shown = ", ".join(e if isinstance(e, str) else _binary(e) for e in data)
        suffix = "of type BS contains duplicates." if kind == "BS" else " contains duplicates."
        raise InvalidValue(f"Input collection [{shown}]{suffix}", parameter=True)
    return elements


# --------------------------------------------------------------------------- inspection


def value_type(value: TypedValue) -> str:
    """The type descriptor of a normalised value (``"S"``, ``"NS"``, ``"M"``...)."""
    return next(iter(value))


def decode_binary(text: str) -> bytes:
    return base64.b64decode(text)


def number_value(value: TypedValue) -> Decimal:
    return Decimal(value["N"])


def values_equal(left: TypedValue, right: TypedValue) -> bool:
    """DynamoDB equality: same type and same value; sets compare without order."""
    kind = value_type(left)
    if kind != value_type(right):
        return False
    if kind in SET_ELEMENT_TYPES:
        return set(left[kind]) == set(right[kind])
    if kind == "L":
        a, b = left["L"], right["L"]
        return len(a) == len(b) and all(values_equal(x, y) for x, y in zip(a, b, strict=True))
    if kind == "M":
        a, b = left["M"], right["M"]
        return a.keys() == b.keys() and all(values_equal(a[k], b[k]) for k in a)
    # Normalised scalars (numbers and binaries included) are equal exactly when their texts are.
    return bool(left[kind] == right[kind])


def compare_values(left: TypedValue, right: TypedValue) -> int | None:
    """-1, 0 or 1 for two values of the same ordered type (N, S, B); ``None`` otherwise.

    Strings order by their UTF-8 bytes, which is code-point order; binaries as unsigned bytes.
    """
    kind = value_type(left)
    if kind != value_type(right) or kind not in SCALAR_KEY_TYPES:
        return None
    a: Any
    b: Any
    if kind == "N":
        a, b = Decimal(left["N"]), Decimal(right["N"])
    elif kind == "S":
        a, b = left["S"], right["S"]
    else:
        a, b = decode_binary(left["B"]), decode_binary(right["B"])
    return int(a > b) - int(a < b)


def value_size(value: TypedValue) -> int:
    """Bytes the value counts for in DynamoDB's item-size accounting (names excluded)."""
    for kind, data in value.items():
        if kind == "S":
            return _text_size(data)
        if kind == "N":
            return numbers.number_size(data)
        if kind == "M":
            return 3 + sum(_text_size(name) + value_size(e) + 1 for name, e in data.items())
        if kind == "L":
            return 3 + sum(value_size(e) + 1 for e in data)
        if kind == "B":
            return len(decode_binary(data))
        if kind == "SS":
            return sum(_text_size(e) for e in data)
        if kind == "NS":
            return sum(numbers.number_size(e) for e in data)
        if kind == "BS":
            return sum(len(decode_binary(e)) for e in data)
        return 1  # NULL, BOOL
    raise ValueError("an AttributeValue needs a type")


def _text_size(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))


def item_size(item: Mapping[str, TypedValue]) -> int:
    return sum(_text_size(name) + value_size(value) for name, value in item.items())


def copy_value(value: TypedValue) -> TypedValue:
    """A deep copy, cheaper than ``copy.deepcopy`` because the shape is known."""
    for kind, data in value.items():
        if kind == "M":
            return {"M": {name: copy_value(e) for name, e in data.items()}}
        if kind == "L":
            return {"L": [copy_value(e) for e in data]}
        if kind in SET_ELEMENT_TYPES:
            return {kind: list(data)}
        return {kind: data}
    raise ValueError("an AttributeValue needs a type")


def copy_item(item: Mapping[str, TypedValue]) -> Item:
    return {name: copy_value(value) for name, value in item.items()}


def render_value(value: TypedValue) -> str:
    """DynamoDB's short form in messages: ``AttributeValue: {N:1}``."""
    kind = value_type(value)
    return f"AttributeValue: {{{kind}:{value[kind]}}}"


# --------------------------------------------------------------------------- plain values


def is_typed_item(item: Mapping[str, Any]) -> bool:
    """Whether every attribute of ``item`` looks like a wire AttributeValue."""
    return all(isinstance(value, Mapping) and len(value) == 1 and next(iter(value)) in TYPES for value in item.values())


def to_typed(value: Any) -> TypedValue:
    """Marshal a plain Python value the way boto3's TypeSerializer does.

    ``str`` → S, ``bool`` → BOOL, ``int``/``float``/``Decimal`` → N, ``None`` → NULL,
    ``bytes`` → B, ``set``/``frozenset`` of one kind → SS/NS/BS, ``list``/``tuple`` → L,
    mappings → M.
    """
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, int | float | Decimal):
        return {"N": _plain_number(value)}
    if isinstance(value, bytes | bytearray | memoryview):
        return {"B": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, set | frozenset):
        return _typed_set(value)
    if isinstance(value, Mapping):
        return {"M": {str(name): to_typed(e) for name, e in value.items()}}
    if isinstance(value, list | tuple):
        return {"L": [to_typed(e) for e in value]}
    raise TypeError(f"cannot convert {type(value).__name__} to a DynamoDB AttributeValue")


def _plain_number(value: int | float | Decimal) -> str:
    text = repr(value) if isinstance(value, float) else str(value)
    return text


def _typed_set(value: set[Any] | frozenset[Any]) -> TypedValue:
    elements = list(value)
    if all(isinstance(e, str) for e in elements):
        return {"SS": sorted(elements)}
    if all(isinstance(e, int | float | Decimal) and not isinstance(e, bool) for e in elements):
        return {"NS": [_plain_number(e) for e in sorted(elements)]}
    if all(isinstance(e, bytes | bytearray) for e in elements):
        return {"BS": [base64.b64encode(bytes(e)).decode("ascii") for e in sorted(elements)]}
    raise TypeError("a set must hold only strings, only numbers or only bytes")


def to_plain(value: TypedValue) -> Any:
    """Unmarshal a typed value: N → ``int`` when integral, else ``Decimal``; B → ``bytes``."""
    kind = value_type(value)
    data = value[kind]
    if kind == "S" or kind == "BOOL":
        return data
    if kind == "NULL":
        return None
    if kind == "N":
        return _plain_decimal(data)
    if kind == "B":
        return decode_binary(data)
    if kind == "SS":
        return set(data)
    if kind == "NS":
        return {_plain_decimal(e) for e in data}
    if kind == "BS":
        return {decode_binary(e) for e in data}
    if kind == "L":
        return [to_plain(e) for e in data]
    return {name: to_plain(e) for name, e in data.items()}


def _plain_decimal(text: str) -> int | Decimal:
    number = Decimal(text)
    return int(number) if number == number.to_integral_value() else number
