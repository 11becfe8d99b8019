"""Translating between Step Functions' shape of an API call and botocore's, following the API model.

Step Functions names every member of a request and a response with a capital first letter
(``StateMachineArn`` for Step Functions' ``stateMachineArn``; DynamoDB's ``TableName`` stays as it is)
and gives timestamps back as ISO-8601 text. Blobs: a streaming payload (S3's ``Body``) is sent as the
JSON text of the value (a string with its quotes, as recorded on AWS) and comes back as text; other
blobs travel as the AWS JSON protocols carry them, base64 text (a value that is not text is sent as
its JSON text).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from asl_engine.runtime.history import format_timestamp


class ParameterProblem(ValueError):
    """The parameters do not fit the API (an unknown member, a value of the wrong type)."""


def capitalized(name: str) -> str:
    return name[:1].upper() + name[1:]


def to_botocore(value: Any, shape: Any, where: str = "") -> Any:
    """``value`` in Step Functions' shape as botocore takes it for ``shape``."""
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, Mapping):
            raise ParameterProblem(f"The value of the field '{where or 'Parameters'}' must be an object")
        members = {capitalized(name): name for name in shape.members}
        converted = {}
        for key, item in value.items():
            member = key if key in shape.members else members.get(key)
            if member is None:
                raise ParameterProblem(f"The field '{_join(where, key)}' is not supported by the API")
            converted[member] = to_botocore(item, shape.members[member], _join(where, key))
        return converted
    if kind == "list":
        if not isinstance(value, list):
            raise ParameterProblem(f"The value of the field '{where}' must be an array")
        return [to_botocore(item, shape.member, f"{where}[{index}]") for index, item in enumerate(value)]
    if kind == "map":
        if not isinstance(value, Mapping):
            raise ParameterProblem(f"The value of the field '{where}' must be an object")
        return {key: to_botocore(item, shape.value, _join(where, key)) for key, item in value.items()}
    if kind == "blob":
        if shape.serialization.get("streaming") or not isinstance(value, str):
            return _json_text(value).encode("utf-8")
        try:
            return base64.b64decode(value, validate=True)
        except ValueError:
            raise ParameterProblem(f"The value of the field '{where}' must be base64 text") from None
    if kind == "timestamp" and isinstance(value, str):
        return value
    return value


def from_botocore(value: Any, shape: Any) -> Any:
    """A botocore result (``ResponseMetadata`` dropped) in Step Functions' shape."""
    if shape is None:
        return _plain(value)
    kind = shape.type_name
    if kind == "structure" and isinstance(value, Mapping):
        result = {}
        for name, item in value.items():
            if name == "ResponseMetadata":
                continue
            member = shape.members.get(name)
            result[capitalized(name)] = from_botocore(item, member)
        return result
    if kind == "list" and isinstance(value, list):
        return [from_botocore(item, shape.member) for item in value]
    if kind == "map" and isinstance(value, Mapping):
        return {key: from_botocore(item, shape.value) for key, item in value.items()}
    if kind == "blob" and not shape.serialization.get("streaming"):
        data = value.read() if hasattr(value, "read") else value
        if isinstance(data, bytes | bytearray):
            return base64.b64encode(bytes(data)).decode("ascii")
    return _plain(value)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return format_timestamp(value.timestamp())
    if isinstance(value, bytes | bytearray):
        return _text(bytes(value))
    if hasattr(value, "read"):  # a streaming body (S3's GetObject)
        return _text(value.read())
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items() if key != "ResponseMetadata"}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return base64.b64encode(data).decode("ascii")


def _json_text(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key
