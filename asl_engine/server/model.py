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


def check_request(operation: str, request: Mapping[str, Any]) -> None:
    """Raise AWS's error for a request the service would refuse before looking at its meaning."""
    shape = request_shapes().get(operation)
    if shape is None:
        return
    problems: list[str] = []
    shape.check(request, "", problems)
    if problems:
        count = len(problems)
        noun = "error" if count == 1 else "errors"
        raise ServiceError("ValidationException", f"{count} validation {noun} detected: " + "; ".join(problems))


@functools.cache
def request_shapes() -> dict[str, Shape]:
    """Every operation's input shape, compiled once (the server calls this when it starts): a request
    is then checked without looking anything up in the model."""
    model = service_model()
    compiled: dict[str, Shape] = {}
    shapes = {
        operation: _compile(str(spec["input"]["shape"]), model["shapes"], compiled)
        for operation, spec in model["operations"].items()
        if spec.get("input") is not None
    }
    for shape in compiled.values():
        shape.link(compiled)
    return shapes


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
_NUMBERS = frozenset({"integer", "long", "double", "float"})


def _compile(name: str, model_shapes: Mapping[str, Any], compiled: dict[str, Shape]) -> Shape:
    shape = compiled.get(name)
    if shape is None:
        shape = compiled[name] = Shape(model_shapes[name])
        for child in shape.child_names():
            _compile(child, model_shapes, compiled)
    return shape


class Shape:
    """One shape of the model with what checking a value against it needs, looked up once."""

    __slots__ = (
        "enum", "enum_text", "expected", "item", "item_name", "kind", "maximum", "member_names", "members",
        "minimum", "numeric", "pattern", "pattern_text", "required", "sensitive",
    )  # fmt: skip

    def __init__(self, spec: Mapping[str, Any]) -> None:
        self.kind: str = spec["type"]
        self.expected = _JSON_TYPES.get(self.kind, (object,))
        self.numeric = self.kind in _NUMBERS
        self.required: tuple[str, ...] = tuple(spec.get("required", ()))
        self.member_names: tuple[tuple[str, str], ...] = tuple(
            (member, str(child["shape"])) for member, child in spec.get("members", {}).items()
        )
        self.members: tuple[tuple[str, Shape], ...] = ()
        item = spec.get("member") if self.kind == "list" else spec.get("value") if self.kind == "map" else None
        self.item_name: str | None = None if item is None else str(item["shape"])
        self.item: Shape | None = None
        self.minimum: int | float | None = spec.get("min")
        self.maximum: int | float | None = spec.get("max")
        self.sensitive = bool(spec.get("sensitive"))
        enum = spec.get("enum")
        self.enum: frozenset[str] | None = frozenset(enum) if enum else None
        self.enum_text = ", ".join(enum) if enum else ""
        self.pattern_text: str | None = spec.get("pattern") or None
        self.pattern = regex.compile(self.pattern_text) if self.pattern_text else None

    def child_names(self) -> list[str]:
        names = [child for _, child in self.member_names]
        return names if self.item_name is None else [*names, self.item_name]

    def link(self, compiled: Mapping[str, Shape]) -> None:
        self.members = tuple((member, compiled[child]) for member, child in self.member_names)
        self.item = None if self.item_name is None else compiled[self.item_name]

    def check(self, given: object, path: str, problems: list[str]) -> None:
        kind = self.kind
        if not isinstance(given, self.expected) or (self.numeric and isinstance(given, bool)):
            where = path or "the request"
            raise ServiceError(
                "SerializationException", f"Expected {_article(kind)} {kind} at '{where}', got {_json_kind(given)}"
            )
        value: Any = given
        if kind == "structure":
            for member in self.required:
                if value.get(member) is None:
                    problems.append(
                        f"Value null at '{_join(path, member)}' failed to satisfy constraint: Member must not be null"
                    )
            for member, child in self.members:
                item = value.get(member)
                if item is not None:
                    child.check(item, _join(path, member), problems)
        elif kind == "string":
            self._length(len(value.encode("utf-8")) if self.sensitive else len(value), value, path, problems)
            if self.enum is not None and value not in self.enum:
                problems.append(
                    f"Value '{value}' at '{path}' failed to satisfy constraint: Member must satisfy enum value set: "
                    f"[{self.enum_text}]"
                )
            if self.pattern is not None and self.pattern.fullmatch(value) is None:
                problems.append(
                    f"Value '{value}' at '{path}' failed to satisfy constraint: Member must satisfy regular expression "
                    f"pattern: {self.pattern_text}"
                )
        elif kind == "list":
            self._length(len(value), value, path, problems)
            item_shape = self.item
            assert item_shape is not None
            for index, item in enumerate(value):
                item_shape.check(item, f"{path}.{index + 1}.member", problems)
        elif kind == "map":
            self._length(len(value), value, path, problems)
            value_shape = self.item
            assert value_shape is not None
            for key, item in value.items():
                value_shape.check(item, f"{path}.{key}", problems)
        elif self.numeric:
            if self.minimum is not None and value < self.minimum:
                problems.append(
                    f"Value '{value}' at '{path}' failed to satisfy constraint: Member must have value greater than "
                    f"or equal to {self.minimum}"
                )
            if self.maximum is not None and value > self.maximum:
                problems.append(
                    f"Value '{value}' at '{path}' failed to satisfy constraint: Member must have value less than or "
                    f"equal to {self.maximum}"
                )

    def _length(self, size: int, value: Any, path: str, problems: list[str]) -> None:
        if self.minimum is not None and size < self.minimum:
            problems.append(
                f"Value {_shown(value)} at '{path}' failed to satisfy constraint: Member must have length greater "
                f"than or equal to {self.minimum}"
            )
        if self.maximum is not None and size > self.maximum:
            problems.append(
                f"Value {_shown(value)} at '{path}' failed to satisfy constraint: Member must have length less than "
                f"or equal to {self.maximum}"
            )


def _shown(value: Any) -> str:
    return "null" if value is None else f"'{_short(value)}'"


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
