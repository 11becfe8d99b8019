"""Task ``Resource`` strings, parsed once at load time.

The resource decides the shape of the history (legacy Lambda ARNs produce ``LambdaFunction*``
events, activities ``Activity*`` events, service integrations ``Task*`` events with a
``resourceType``/``resource`` pair) and the integration pattern (request-response, ``.sync``,
``.sync:2``, ``.waitForTaskToken``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

DEFAULT_REGION = "us-east-1"
"""The region an execution runs in unless told otherwise (ARNs, the context object, templates)."""
DEFAULT_ACCOUNT = "123456789012"
"""The account id an execution runs in unless told otherwise."""


def partition_of(region: str) -> str:
    """The partition a region belongs to (``aws``, ``aws-cn``, ``aws-us-gov``...)."""
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    if region.startswith("us-iso-"):
        return "aws-iso"
    if region.startswith("us-isob-"):
        return "aws-iso-b"
    return "aws"


ResourceKind = Literal["lambda-function", "activity", "service", "aws-sdk"]
Pattern = Literal["request-response", "sync", "sync:2", "wait-for-task-token"]

_SUFFIXES: dict[str, Pattern] = {".sync:2": "sync:2", ".sync": "sync", ".waitForTaskToken": "wait-for-task-token"}

_LAMBDA_FUNCTION = re.compile(
    r"arn:(?P<partition>aws[\w-]*):lambda:(?P<region>[\w-]+):(?P<account>\d{12}):function:(?P<name>[\w-]+)(?::(?P<qualifier>[\w$-]+))?\Z"
)
_ACTIVITY = re.compile(
    r"arn:(?P<partition>aws[\w-]*):states:(?P<region>[\w-]+):(?P<account>\d{12}):activity:(?P<name>[\w.-]+)\Z"
)
_SERVICE = re.compile(r"arn:(?P<partition>aws[\w-]*):states:(?P<region>[\w-]*):(?P<account>\d{12})?:(?P<rest>.+)\Z")


@dataclass(frozen=True, slots=True)
class ResourceRef:
    arn: str
    kind: ResourceKind
    service: str
    """``lambda`` for Lambda ARNs, ``activity``, else the integration's service (``dynamodb``, ``glue``...)."""
    action: str
    """The API action without suffix (``invoke``, ``putItem``, ``startJobRun``), or the function/activity name."""
    pattern: Pattern
    region: str | None = None
    account: str | None = None
    qualifier: str | None = None

    @property
    def history_resource_type(self) -> str:
        """``resourceType`` in Task* history events (``lambda``, ``aws-sdk:dynamodb``)."""
        return f"aws-sdk:{self.service}" if self.kind == "aws-sdk" else self.service

    @property
    def history_resource(self) -> str:
        """``resource`` in Task* history events: the action with its pattern suffix."""
        suffix = next((text for text, pattern in _SUFFIXES.items() if pattern == self.pattern), "")
        return self.action + suffix


class UnknownResourceError(ValueError):
    """The string is not a Resource ARN Step Functions recognises."""


def parse_resource(arn: str) -> ResourceRef:
    if not isinstance(arn, str):
        raise UnknownResourceError("The resource must be a string")
    match = _LAMBDA_FUNCTION.match(arn)
    if match:
        return ResourceRef(
            arn,
            "lambda-function",
            "lambda",
            match["name"],
            "request-response",
            match["region"],
            match["account"],
            match["qualifier"],
        )
    match = _ACTIVITY.match(arn)
    if match:
        return ResourceRef(
            arn, "activity", "activity", match["name"], "request-response", match["region"], match["account"]
        )
    match = _SERVICE.match(arn)
    if match:
        rest = match["rest"]
        pattern: Pattern = "request-response"
        for suffix, suffix_pattern in _SUFFIXES.items():
            if rest.endswith(suffix):
                rest = rest[: -len(suffix)]
                pattern = suffix_pattern
                break
        parts = rest.split(":")
        if len(parts) == 3 and parts[0] == "aws-sdk" and parts[1] and parts[2]:
            return ResourceRef(arn, "aws-sdk", parts[1], parts[2], pattern, match["region"] or None, match["account"])
        if len(parts) == 2 and parts[0] and parts[1] and parts[0] not in ("activity", "stateMachine", "execution"):
            return ResourceRef(arn, "service", parts[0], parts[1], pattern, match["region"] or None, match["account"])
    raise UnknownResourceError(
        f"The resource provided {arn} is not recognized. The value is not a valid resource ARN, or the resource "
        "is not available in this region."
    )
