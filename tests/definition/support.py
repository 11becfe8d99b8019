"""Small builders shared by the definition tests."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from tests import recorded

CASES = recorded.CASES_DIR
"""The AWS-recorded conformance cases (read-only, outside the repository; ``ASL_CONFORMANCE_CASES``
points a clone elsewhere at them, as CI does). Tests that read them call ``recorded.require``."""

LAMBDA_ARN = "arn:aws:lambda:us-east-1:123456789012:function:worker"
LAMBDA_RETRY = [
    {
        "ErrorEquals": [
            "Lambda.ServiceException",
            "Lambda.AWSLambdaException",
            "Lambda.SdkClientException",
            "Lambda.TooManyRequestsException",
        ],
        "MaxAttempts": 3,
    }
]


def machine(states: dict[str, Any], start: str | None = None, **top: Any) -> dict[str, Any]:
    return {"StartAt": start or next(iter(states)), "States": states, **top}


def codes(diagnostics: list[Any]) -> list[tuple[str, str | None]]:
    return [(d.code, d.location) for d in diagnostics]


def errors(diagnostics: list[Any]) -> list[Any]:
    return [d for d in diagnostics if d.severity == "ERROR"]


def deep(value: Any) -> Any:
    return copy.deepcopy(value)


def case_files(kind: str) -> list[Path]:
    return recorded.case_files(kind)


_PLACEHOLDER_RESOURCES = {"activity_arn": "arn:aws:states:us-east-1:111111111111:activity:recorded-activity"}


def resolve_recording_placeholders(value: Any) -> Any:
    """The recordings hide a few resources behind placeholders; AWS saw real ARNs in their place."""
    if isinstance(value, dict):
        return {key: resolve_recording_placeholders(item) for key, item in value.items()}
    if isinstance(value, list):
        return [resolve_recording_placeholders(item) for item in value]
    if isinstance(value, str):
        if value in _PLACEHOLDER_RESOURCES:
            return _PLACEHOLDER_RESOURCES[value]
        if value.startswith("<unresolved:fixture_create_lambda_function"):
            return LAMBDA_ARN
    return value
