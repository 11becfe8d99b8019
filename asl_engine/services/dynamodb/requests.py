"""Request parameter checks with DynamoDB's wording.

Model constraints (required members, enums, patterns, ranges) are reported together, the way
DynamoDB's front end does: ``2 validation errors detected: Value null at 'tableName' failed to
satisfy constraint: Member must not be null; Value ...``. Members are named in camelCase and
enum sets listed in the order DynamoDB prints them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from asl_engine.services.dynamodb.errors import serialization, validation

RETURN_VALUES = ("ALL_NEW", "UPDATED_OLD", "ALL_OLD", "NONE", "UPDATED_NEW")
RETURN_CONSUMED_CAPACITY = ("INDEXES", "TOTAL", "NONE")
RETURN_ITEM_COLLECTION_METRICS = ("SIZE", "NONE")
RETURN_VALUES_ON_FAILURE = ("ALL_OLD", "NONE")
SELECT = ("SPECIFIC_ATTRIBUTES", "COUNT", "ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES")
CONDITIONAL_OPERATOR = ("OR", "AND")

_TABLE_NAME = re.compile(r"[a-zA-Z0-9_.-]+")


def _shown(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"'{str(value).lower()}'"
    return f"'{value}'"


class ConstraintErrors:
    def __init__(self) -> None:
        self.messages: list[str] = []

    def add(self, member: str, value: Any, constraint: str) -> None:
        self.messages.append(f"Value {_shown(value)} at '{member}' failed to satisfy constraint: {constraint}")

    def required(self, member: str, value: Any) -> None:
        if value is None:
            self.add(member, None, "Member must not be null")

    def enum(self, member: str, value: Any, allowed: Sequence[str]) -> None:
        if value is not None and value not in allowed:
            self.add(member, value, f"Member must satisfy enum value set: [{', '.join(allowed)}]")

    def minimum(self, member: str, value: Any, minimum: int) -> None:
        if isinstance(value, int) and not isinstance(value, bool) and value < minimum:
            self.add(member, value, f"Member must have value greater than or equal to {minimum}")

    def maximum(self, member: str, value: Any, maximum: int) -> None:
        if isinstance(value, int) and not isinstance(value, bool) and value > maximum:
            self.add(member, value, f"Member must have value less than or equal to {maximum}")

    def table_name(self, value: Any, *, allow_arn: bool = True, member: str = "tableName") -> str | None:
        """Check a TableName (a name, or where ``allow_arn`` a table ARN)."""
        if value is None:
            self.required(member, value)
            return None
        if not isinstance(value, str):
            raise serialization(token_message(value))
        if allow_arn and value.startswith("arn:"):
            if len(value) > 1024:
                self.add(member, value, "Member must have length less than or equal to 1024")
            return value
        if not _TABLE_NAME.fullmatch(value):
            self.add(member, value, "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+")
        if len(value) < 3:
            self.add(member, value, "Member must have length greater than or equal to 3")
        if len(value) > 255:
            self.add(member, value, "Member must have length less than or equal to 255")
        return value

    def raise_if_any(self) -> None:
        count = len(self.messages)
        if count:
            plural = "s" if count > 1 else ""
            raise validation(f"{count} validation error{plural} detected: " + "; ".join(self.messages))


def token_message(value: Any) -> str:
    """Jackson's wording for a JSON value found where a string was expected."""
    if isinstance(value, bool):
        return f"{'TRUE' if value else 'FALSE'}_VALUE cannot be converted to String"
    if isinstance(value, int | float):
        return "NUMBER_VALUE cannot be converted to String"
    if isinstance(value, Mapping):
        return "Start of structure or map found where not expected."
    if isinstance(value, list | tuple):
        return "Start of list found where not expected"
    return "Unexpected value type in payload"


def string_param(params: Mapping[str, Any], name: str) -> str | None:
    value = params.get(name)
    if value is None or isinstance(value, str):
        return value
    raise serialization(token_message(value))


def boolean_param(params: Mapping[str, Any], name: str) -> bool | None:
    value = params.get(name)
    if value is None or isinstance(value, bool):
        return value
    raise serialization("Unexpected value type in payload")


def integer_param(params: Mapping[str, Any], name: str) -> int | None:
    value = params.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or int(value) != value:
        raise serialization("Unexpected value type in payload")
    return int(value)


def list_param(params: Mapping[str, Any], name: str) -> list[Any] | None:
    value = params.get(name)
    if value is None or isinstance(value, list | tuple):
        return list(value) if value is not None else None
    raise serialization("Unexpected value type in payload")


def check_expression_mode(
    params: Mapping[str, Any],
    expressions: Sequence[str],
    legacy: Sequence[str],
    values_hint: str | None,
) -> bool:
    """DynamoDB's rules on mixing expression and legacy parameters; True when expressions are used."""
    used_expressions = [name for name in expressions if params.get(name) is not None]
    used_legacy = [name for name in legacy if params.get(name) is not None]
    if used_expressions and used_legacy:
        raise validation(
            "Can not use both expression and non-expression parameters in the same request: "
            f"Non-expression parameters: {{{', '.join(used_legacy)}}} "
            f"Expression parameters: {{{', '.join(used_expressions)}}}"
        )
    if not used_expressions:
        if params.get("ExpressionAttributeNames") is not None:
            raise validation("ExpressionAttributeNames can only be specified when using expressions")
        if values_hint is not None and params.get("ExpressionAttributeValues") is not None:
            raise validation(f"ExpressionAttributeValues can only be specified when using expressions: {values_hint}")
    return bool(used_expressions)


def reject_legacy(params: Mapping[str, Any], names: Sequence[str]) -> None:
    """Legacy (pre-expression) parameters this emulation does not implement."""
    from asl_engine.services.dynamodb.errors import UnsupportedActionError

    for name in names:
        if params.get(name) is not None:
            raise UnsupportedActionError(
                f"the legacy DynamoDB parameter {name!r} is not supported by the local emulation; "
                "use the expression parameters (ConditionExpression, UpdateExpression, "
                "KeyConditionExpression, FilterExpression, ProjectionExpression) instead"
            )
