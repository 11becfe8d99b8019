"""Names of AWS services in the three places they appear: a Task's ``aws-sdk:<service>`` (the AWS SDK for
Java v2's package name: ``sfn``, ``eventbridge``, ``cloudwatchlogs``), botocore's (``stepfunctions``,
``events``, ``logs``), and Step Functions' error prefix (the SDK v2 client prefix: ``Sfn``,
``EventBridge``, ``CloudWatchLogs``, ``DynamoDb``, ``SecretsManager``).

The SDK v2 derives both from a service's ``serviceId`` (``SFN``, ``EventBridge``, ``CloudWatch Logs``,
``DynamoDB``, ``Secrets Manager``): the package name is the id without spaces in lower case; the
prefix is its words, split where the letters change case, each capitalized (``DynamoDB`` ->
``Dynamo`` ``DB`` -> ``DynamoDb``).
"""

from __future__ import annotations

import functools
import re
from typing import Any

_ALIASES = {
    "sfn": "stepfunctions",
    "states": "stepfunctions",
    "eventbridge": "events",
    "cloudwatchlogs": "logs",
    "elasticloadbalancingv2": "elbv2",
    "elasticloadbalancing": "elb",
    "cognitoidentityprovider": "cognito-idp",
    "databasemigration": "dms",
    "costexplorer": "ce",
    "applicationautoscaling": "application-autoscaling",
    "sagemakerruntime": "sagemaker-runtime",
    "bedrockruntime": "bedrock-runtime",
}
"""Packages whose botocore name differs from the one a scan of the ids would give cheaply."""
_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")


def botocore_name(service: str) -> str:
    """botocore's name for a service named as in ``aws-sdk:<service>`` or in an optimized resource."""
    lowered = service.lower()
    if lowered in _ALIASES:
        return _ALIASES[lowered]
    names = _available()
    if lowered in names:
        return lowered
    by_package = {name.replace("-", ""): name for name in names}
    if lowered in by_package:
        return by_package[lowered]
    return _scan(lowered) or lowered


@functools.cache
def _available() -> frozenset[str]:
    import botocore.session

    loader = botocore.session.get_session().get_component("data_loader")
    return frozenset(loader.list_available_services("service-2"))


@functools.cache
def _scan(package: str) -> str | None:
    """The botocore service whose id, without spaces and lowered, is ``package`` (loads models: slow, rare)."""
    for name in sorted(_available()):
        if service_model(name).service_id.replace(" ", "").lower() == package:
            return name
    return None


@functools.cache
def service_model(name: str) -> Any:
    import botocore.session

    return botocore.session.get_session().get_service_model(name)


def error_prefix(service_id: str) -> str:
    """Step Functions' prefix of an AWS SDK integration's errors (``DynamoDB`` -> ``DynamoDb``)."""
    words = [word for part in service_id.split() for word in _WORD.findall(part)]
    return "".join(word[:1].upper() + word[1:].lower() for word in words)


def operation_name(model: Any, action: str) -> str:
    """The API operation an ``aws-sdk`` action names (``putItem`` -> ``PutItem``)."""
    wanted = action.lower()
    for name in model.operation_names:
        if name.lower() == wanted:
            return str(name)
    raise KeyError(action)
