"""Local answers for Task states: Lambda functions, Glue jobs, DynamoDB tables, S3, nested state machines.

>>> resources = Resources()
>>> @resources.lambda_function("ProcessOrder")
... def process_order(event, context):
...     return {"ok": True}
>>> machine.execute({"orderId": "1"}, resources=resources)        # doctest: +SKIP

Or from a file: ``load_resources("asl.toml")``. See docs/resources.md.
"""

from asl_engine.resources.base import TaskRequest
from asl_engine.resources.config import load_resources
from asl_engine.resources.dynamodb import DynamoDBService, IndexSpec, TableSpec
from asl_engine.resources.lambda_ import ClientContext, LambdaContext, LambdaError
from asl_engine.resources.registry import Resources
from asl_engine.resources.s3 import S3Service

__all__ = [
    "ClientContext",
    "DynamoDBService",
    "IndexSpec",
    "LambdaContext",
    "LambdaError",
    "Resources",
    "S3Service",
    "TableSpec",
    "TaskRequest",
    "load_resources",
]
