"""ExpressionAttributeNames and ExpressionAttributeValues of one request.

The maps are checked as DynamoDB checks them (not empty, keys of the right form, values valid),
shared by all the expressions of the request, and remember which entries the expressions used:
DynamoDB rejects a request whose maps hold entries no expression refers to.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from asl_engine.services.dynamodb.attribute_values import InvalidValue, TypedValue, normalize_value
from asl_engine.services.dynamodb.errors import DynamoDBServiceError, validation

_NAME_KEY = re.compile(r"#[A-Za-z0-9_]+")
_VALUE_KEY = re.compile(r":[A-Za-z0-9_]+")


class Placeholders:
    def __init__(self, names: Mapping[str, str], values: Mapping[str, TypedValue]) -> None:
        self.names = names
        self.values = values
        self.used_names: set[str] = set()
        self.used_values: set[str] = set()

    @classmethod
    def from_request(cls, raw_names: Any, raw_values: Any) -> Placeholders:
        """Validate the two request maps (either may be absent) in DynamoDB's order."""
        names: dict[str, str] = {}
        values: dict[str, TypedValue] = {}
        if raw_names is not None:
            if not isinstance(raw_names, Mapping):
                raise DynamoDBServiceError("SerializationException", "Unexpected value type in payload")
            if not raw_names:
                raise validation("ExpressionAttributeNames must not be empty")
            for key, name in raw_names.items():
                if not _NAME_KEY.fullmatch(str(key)):
                    raise validation(f'ExpressionAttributeNames contains invalid key: Syntax error; key: "{key}"')
                if not isinstance(name, str):
                    raise DynamoDBServiceError("SerializationException", "NUMBER_VALUE cannot be converted to String")
                names[key] = name
        if raw_values is not None:
            if not isinstance(raw_values, Mapping):
                raise DynamoDBServiceError("SerializationException", "Unexpected value type in payload")
            if not raw_values:
                raise validation("ExpressionAttributeValues must not be empty")
            for key in raw_values:
                if not _VALUE_KEY.fullmatch(str(key)):
                    raise validation(f'ExpressionAttributeValues contains invalid key: Syntax error; key: "{key}"')
            for key, raw in raw_values.items():
                try:
                    values[key] = normalize_value(raw)
                except InvalidValue as error:
                    if error.code != "ValidationException":
                        raise DynamoDBServiceError(error.code, error.message) from None
                    raise validation(
                        f"ExpressionAttributeValues contains invalid value: {error.render()} for key {key}"
                    ) from None
        return cls(names, values)

    def name(self, placeholder: str) -> str | None:
        name = self.names.get(placeholder)
        if name is not None:
            self.used_names.add(placeholder)
        return name

    def value(self, placeholder: str) -> TypedValue | None:
        value = self.values.get(placeholder)
        if value is not None:
            self.used_values.add(placeholder)
        return value

    def check_all_used(self) -> None:
        unused_names = [key for key in self.names if key not in self.used_names]
        if unused_names:
            raise validation(
                f"Value provided in ExpressionAttributeNames unused in expressions: keys: {{{', '.join(unused_names)}}}"
            )
        unused_values = [key for key in self.values if key not in self.used_values]
        if unused_values:
            raise validation(
                "Value provided in ExpressionAttributeValues unused in expressions: "
                f"keys: {{{', '.join(unused_values)}}}"
            )
