"""The Step Functions API as botocore's service model describes it: its operations and request checks.

The model ships inside botocore (``botocore/data/stepfunctions/<version>/service-2.json``), the same
file the SDK clients are generated from, so the server accepts exactly the operations and members
the clients send. Requests are checked as the service checks them: a member of the wrong JSON type
is a ``SerializationException``; a missing required member, a length, a range, a pattern or an
enum value that does not fit is a ``ValidationException`` worded as AWS words them (``1 validation
error detected: Value null at 'stateMachineArn' failed to satisfy constraint: Member must not be
null``).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

import regex

from asl_engine.server.errors import ServiceError

SERVICE = "stepfunctions"
TARGET_PREFIX = "AWSStepFunctions"


@functools.cache
def service_model() -> dict[str, Any]:
    """botocore's model of the Step Functions API (loaded once)."""
    from botocore.loaders import Loader

    model: dict[str, Any] = Loader().load_service_model(SERVICE, "service-2")
    return model


@functools.cache
def operation_names() -> frozenset[str]:
    return frozenset(service_model()["operations"])


def input_shape(operation: str) -> str | None:
    spec = service_model()["operations"][operation].get("input")
    return None if spec is None else str(spec["shape"])


def check_request(operation: str, request: Mapping[str, Any]) -> None:
    """Raise AWS's error for a request the service would refuse before looking at its meaning."""
    shape_name = input_shape(operation)
    if shape_name is None:
        return
    problems: list[str] = []
    _check(shape_name, request, "", problems)
    if problems:
        count = len(problems)
        noun = "error" if count == 1 else "errors"
        raise ServiceError("ValidationException", f"{count} validation {noun} detected: " + "; ".join(problems))


_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "long": (int,),
    "boolean": (bool,),
    "double": (int, float),
    "float": (int, float),
    "timestamp": (int, float, str),
    "blob": (str,),
    "structure": (dict,),
    "list": (list,),
    "map": (dict,),
}


def _check(shape_name: str, given: object, path: str, problems: list[str]) -> None:
    shape = service_model()["shapes"][shape_name]
    kind = shape["type"]
    expected = _JSON_TYPES.get(kind, (object,))
    if not isinstance(given, expected) or (kind in ("integer", "long", "double", "float") and isinstance(given, bool)):
        where = path or "the request"
        raise ServiceError(
            "SerializationException", f"Expected {_article(kind)} {kind} at '{where}', got {_json_kind(given)}"
        )
    value: Any = given
    if kind == "structure":
        for member in shape.get("required", ()):
            if value.get(member) is None:
                problems.append(
                    f"Value null at '{_join(path, member)}' failed to satisfy constraint: Member must not be null"
                )
        for member, spec in shape.get("members", {}).items():
            if value.get(member) is not None:
                _check(spec["shape"], value[member], _join(path, member), problems)
    elif kind == "list":
        _length(shape, len(value), value, path, problems)
        for index, item in enumerate(value):
            _check(shape["member"]["shape"], item, f"{path}.{index + 1}.member", problems)
    elif kind == "map":
        _length(shape, len(value), value, path, problems)
        for key, item in value.items():
            _check(shape["value"]["shape"], item, f"{path}.{key}", problems)
    elif kind == "string":
        size = len(value.encode("utf-8")) if shape.get("sensitive") else len(value)
        _length(shape, size, value, path, problems)
        enum = shape.get("enum")
        if enum and value not in enum:
            problems.append(
                f"Value '{value}' at '{path}' failed to satisfy constraint: Member must satisfy enum value set: "
                f"[{', '.join(enum)}]"
            )
        pattern = shape.get("pattern")
        if pattern and not _matches(pattern, value):
            problems.append(
                f"Value '{value}' at '{path}' failed to satisfy constraint: Member must satisfy regular expression "
                f"pattern: {pattern}"
            )
    elif kind in ("integer", "long"):
        if "min" in shape and value < shape["min"]:
            problems.append(
                f"Value '{value}' at '{path}' failed to satisfy constraint: Member must have value greater than or "
                f"equal to {shape['min']}"
            )
        if "max" in shape and value > shape["max"]:
            problems.append(
                f"Value '{value}' at '{path}' failed to satisfy constraint: Member must have value less than or "
                f"equal to {shape['max']}"
            )


def _length(shape: Mapping[str, Any], size: int, value: Any, path: str, problems: list[str]) -> None:
    shown = "null" if value is None else f"'{_short(value)}'"
    if "min" in shape and size < shape["min"]:
        problems.append(
            f"Value {shown} at '{path}' failed to satisfy constraint: Member must have length greater than or equal "
            f"to {shape['min']}"
        )
    if "max" in shape and size > shape["max"]:
        problems.append(
            f"Value {shown} at '{path}' failed to satisfy constraint: Member must have length less than or equal "
            f"to {shape['max']}"
        )


@functools.cache
def _compiled(pattern: str) -> regex.Pattern[str]:
    return regex.compile(pattern)


def _matches(pattern: str, value: str) -> bool:
    return _compiled(pattern).fullmatch(value) is not None


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else str(value)
    return text if len(text) <= 100 else text[:100] + "..."


def _join(path: str, member: str) -> str:
    return f"{path}.{member}" if path else member


def _article(kind: str) -> str:
    return "an" if kind[0] in "aeiou" else "a"


def _json_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return "null"
