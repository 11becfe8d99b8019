"""Local answers for Task states: Lambda functions, Glue jobs, DynamoDB tables, S3, nested state machines,
activities, SQS, SNS, EventBridge, Secrets Manager, API Gateway, HTTP tasks, and real endpoints.

>>> resources = Resources()
>>> @resources.lambda_function("ProcessOrder")
... def process_order(event, context):
...     return {"ok": True}
>>> machine.execute({"orderId": "1"}, resources=resources)        # doctest: +SKIP

Or from a file: ``load_resources("asl.toml")``. See docs/resources.md.
"""

from asl_engine.runtime.handlers import MissingTarget, TaskRequest, UnansweredTask
from asl_engine.services.activities import Activity, ActivityTask
from asl_engine.services.config import load_resources
from asl_engine.services.dynamodb import DynamoDBService, IndexSpec, TableSpec
from asl_engine.services.http import HttpRequest, HttpResponse
from asl_engine.services.lambda_ import ClientContext, LambdaContext, LambdaError
from asl_engine.services.outbox import Outbox
from asl_engine.services.registry import Resources
from asl_engine.services.s3 import S3Service

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
