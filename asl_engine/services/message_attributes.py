"""Message attributes, as SQS and SNS take them: ``{"name": {"DataType", "StringValue"|"BinaryValue"}}``.

Both services check them the same way and SQS returns ``MD5OfMessageAttributes``, the MD5 of a
canonical encoding of the attributes (documented by AWS for clients to verify): for each attribute,
in order of name, the length-prefixed UTF-8 name, data type and value, with a transport byte (1 for
strings and numbers, 2 for binary) before the value; lengths are 4-byte big-endian integers.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

MAX_ATTRIBUTES = 10
_NAME = re.compile(r"[A-Za-z0-9_.-]{1,256}\Z")
_DATA_TYPE = re.compile(r"(String|Number|Binary)(\.[A-Za-z0-9_.-]{1,256})?\Z")


class AttributeProblem(ValueError):
    """The attributes are not what the service accepts; the message is the service's wording."""


@dataclass(frozen=True, slots=True)
class MessageAttribute:
    data_type: str
    string_value: str | None = None
    binary_value: bytes | None = None

    @property
    def binary(self) -> bool:
        return self.data_type.split(".", 1)[0] == "Binary"

    def to_json(self) -> dict[str, Any]:
        """The attribute as the API shows it (``BinaryValue`` as base64)."""
        shown: dict[str, Any] = {"DataType": self.data_type}
        if self.binary_value is not None:
            shown["BinaryValue"] = base64.b64encode(self.binary_value).decode("ascii")
        else:
            shown["StringValue"] = self.string_value
        return shown


def parse_attributes(value: Any) -> dict[str, MessageAttribute]:
    """The attributes of a request (absent or null: none); ``AttributeProblem`` when unusable."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise AttributeProblem("The message attributes must be a map of attribute names to attribute values.")
    if len(value) > MAX_ATTRIBUTES:
        raise AttributeProblem(
            f"Number of message attributes [{len(value)}] exceeds the allowed maximum [{MAX_ATTRIBUTES}]."
        )
    parsed: dict[str, MessageAttribute] = {}
    for name, spec in value.items():
        if not isinstance(name, str) or not _NAME.match(name) or name.lower().startswith(("aws.", "amazon.")):
            raise AttributeProblem(f"Message attribute name '{name}' is invalid.")
        if not isinstance(spec, Mapping):
            raise AttributeProblem(f"The message attribute '{name}' must contain a non-empty message attribute value.")
        data_type = spec.get("DataType")
        if not isinstance(data_type, str) or not _DATA_TYPE.match(data_type):
            raise AttributeProblem(f"The message attribute '{name}' has an invalid message attribute type.")
        string_value, binary_value = spec.get("StringValue"), spec.get("BinaryValue")
        if data_type.startswith("Binary"):
            if not isinstance(binary_value, str):
                raise AttributeProblem(f"The message attribute '{name}' with type 'Binary' must use field 'Binary'.")
            try:
                decoded = base64.b64decode(binary_value, validate=True)
            except (binascii.Error, ValueError):
                raise AttributeProblem(f"The message attribute '{name}' has an invalid binary value.") from None
            parsed[name] = MessageAttribute(data_type, binary_value=decoded)
            continue
        if not isinstance(string_value, str) or string_value == "":
            raise AttributeProblem(f"The message attribute '{name}' must contain a non-empty message attribute value.")
        if data_type.startswith("Number"):
            try:
                float(string_value)
            except ValueError:
                raise AttributeProblem(
                    f"Can't cast the value of message (user) attribute '{name}' to a number."
                ) from None
        parsed[name] = MessageAttribute(data_type, string_value=string_value)
    return parsed


def attributes_md5(attributes: Mapping[str, MessageAttribute]) -> str:
    """SQS's ``MD5OfMessageAttributes``."""
    digest = hashlib.md5(usedforsecurity=False)
    for name in sorted(attributes):
        attribute = attributes[name]
        for text in (name, attribute.data_type):
            encoded = text.encode("utf-8")
            digest.update(struct.pack(">I", len(encoded)) + encoded)
        if attribute.binary_value is not None:
            digest.update(b"\x02" + struct.pack(">I", len(attribute.binary_value)) + attribute.binary_value)
        else:
            value = (attribute.string_value or "").encode("utf-8")
            digest.update(b"\x01" + struct.pack(">I", len(value)) + value)
    return digest.hexdigest()


def md5_hex(text: str) -> str:
    return hashlib.md5(text.encode("utf-8"), usedforsecurity=False).hexdigest()
