"""Lambda function names as the Invoke API accepts them: names, partial ARNs, ARNs, qualifiers.

``FunctionName`` may be ``my-function``, ``my-function:prod``, ``123456789012:function:my-function``
or ``arn:aws:lambda:us-east-1:123456789012:function:my-function:1``; a ``Qualifier`` parameter may
name the version or alias instead. Parsing follows the pattern of Lambda's API model, and the
errors are the ones Lambda answers with.
"""

from __future__ import annotations

import re
from typing import NamedTuple

#: The ``NamespacedFunctionName`` pattern of Lambda's API model (botocore lambda/2015-03-31).
FUNCTION_NAME_PATTERN = (
    r"(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?"
    r"([a-zA-Z0-9-_\.]+)(:(\$LATEST(\.PUBLISHED)?|[a-zA-Z0-9-_]+))?"
)
QUALIFIER_PATTERN = r"\$(LATEST(\.PUBLISHED)?)|[a-zA-Z0-9-_$]+"

_FUNCTION_NAME = re.compile(
    r"(?:arn:(?P<partition>aws[a-zA-Z-]*)?:lambda:)?"
    r"(?:(?P<region>[a-z]{2}(?:(?:-gov)|(?:-iso(?:[a-z]?)))?-[a-z]+-\d):)?"
    r"(?:(?P<account>\d{12}):)?"
    r"(?:function:)?"
    r"(?P<name>[a-zA-Z0-9\-_.]+)"
    r"(?::(?P<qualifier>\$LATEST(?:\.PUBLISHED)?|[a-zA-Z0-9\-_]+))?"
)
_QUALIFIER = re.compile(QUALIFIER_PATTERN)
MAX_FUNCTION_NAME_LENGTH = 256
MAX_QUALIFIER_LENGTH = 128


class InvalidFunctionName(ValueError):
    """The value breaks a constraint of the Invoke API; ``message`` is Lambda's validation text."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class FunctionRef(NamedTuple):
    """What a FunctionName designates: a function name and, when given, qualifier, region, account.

    A named tuple: it keys the function lookups every invocation makes, and a tuple's hash is computed
    in C where a frozen dataclass's runs Python code.
    """

    name: str
    qualifier: str | None = None
    region: str | None = None
    account: str | None = None
    partition: str | None = None

    def arn(self, region: str, account: str, *, qualifier: str | None = None, partition: str = "aws") -> str:
        """The function's ARN, taking region/account/partition from the reference when it has them."""
        base = (
            f"arn:{self.partition or partition}:lambda:{self.region or region}:{self.account or account}"
            f":function:{self.name}"
        )
        return f"{base}:{qualifier}" if qualifier else base


def parse_function_name(value: str) -> FunctionRef:
    """Parse a FunctionName, raising ``InvalidFunctionName`` with Lambda's message when it is invalid."""
    if not 1 <= len(value) <= MAX_FUNCTION_NAME_LENGTH:
        raise InvalidFunctionName(
            f"1 validation error detected: Value '{value}' at 'functionName' failed to satisfy constraint: "
            f"Member must have length less than or equal to {MAX_FUNCTION_NAME_LENGTH}"
            if value
            else "1 validation error detected: Value '' at 'functionName' failed to satisfy constraint: "
            "Member must have length greater than or equal to 1"
        )
    match = _FUNCTION_NAME.fullmatch(value)
    if match is None:
        raise InvalidFunctionName(
            f"1 validation error detected: Value '{value}' at 'functionName' failed to satisfy constraint: "
            f"Member must satisfy regular expression pattern: {FUNCTION_NAME_PATTERN}"
        )
    return FunctionRef(match["name"], match["qualifier"], match["region"], match["account"], match["partition"])


def check_qualifier(value: str) -> None:
    """Raise ``InvalidFunctionName`` (Lambda's validation message) for an invalid ``Qualifier``."""
    if not 1 <= len(value) <= MAX_QUALIFIER_LENGTH or _QUALIFIER.fullmatch(value) is None:
        raise InvalidFunctionName(
            f"1 validation error detected: Value '{value}' at 'qualifier' failed to satisfy constraint: "
            f"Member must satisfy regular expression pattern: {QUALIFIER_PATTERN}"
        )
