"""Local answers for Task states: Lambda functions, Glue jobs, DynamoDB tables, S3, nested state machines,
activities, SQS, SNS, EventBridge, Secrets Manager, API Gateway, HTTP tasks, and real endpoints.

>>> resources = Resources()
>>> @resources.lambda_function("ProcessOrder")
... def process_order(event, context):
...     return {"ok": True}
>>> machine.execute({"orderId": "1"}, resources=resources)        # doctest: +SKIP

Or from a file: ``load_resources("asl.toml")``. See docs/resources.md.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from asl_engine.runtime.handlers import MissingTarget, TaskRequest, UnansweredTask
    from asl_engine.services.activities import Activity, ActivityTask
    from asl_engine.services.config import load_resources
    from asl_engine.services.dynamodb import DynamoDBService, IndexSpec, TableSpec
    from asl_engine.services.http import HttpRequest, HttpResponse
    from asl_engine.services.lambda_ import ClientContext, LambdaContext, LambdaError
    from asl_engine.services.outbox import Outbox
    from asl_engine.services.registry import Resources
    from asl_engine.services.s3 import S3Service

# Imported on first use (PEP 562), as in ``asl_engine/__init__.py``: the mocks, which every execution
# may use, must not pull every service integration (and their dependencies) in with them.
_EXPORTS: dict[str, str] = {
    "Activity": "asl_engine.services.activities",
    "ActivityTask": "asl_engine.services.activities",
    "ClientContext": "asl_engine.services.lambda_",
    "DynamoDBService": "asl_engine.services.dynamodb",
    "HttpRequest": "asl_engine.services.http",
    "HttpResponse": "asl_engine.services.http",
    "IndexSpec": "asl_engine.services.dynamodb",
    "LambdaContext": "asl_engine.services.lambda_",
    "LambdaError": "asl_engine.services.lambda_",
    "MissingTarget": "asl_engine.runtime.handlers",
    "Outbox": "asl_engine.services.outbox",
    "Resources": "asl_engine.services.registry",
    "S3Service": "asl_engine.services.s3",
    "TableSpec": "asl_engine.services.dynamodb",
    "TaskRequest": "asl_engine.runtime.handlers",
    "UnansweredTask": "asl_engine.runtime.handlers",
    "load_resources": "asl_engine.services.config",
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'asl_engine.services' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])


__all__ = [
    "Activity",
    "ActivityTask",
    "ClientContext",
    "DynamoDBService",
    "HttpRequest",
    "HttpResponse",
    "IndexSpec",
    "LambdaContext",
    "LambdaError",
    "MissingTarget",
    "Outbox",
    "Resources",
    "S3Service",
    "TableSpec",
    "TaskRequest",
    "UnansweredTask",
    "load_resources",
]
