"""An embedded emulation of Amazon DynamoDB, for the Task integrations of Step Functions.

>>> svc = DynamoDBService()
>>> svc.create_table(TableSpec("Orders", hash_key=("pk", "S")), items=[{"pk": "a", "amount": 3}])
>>> svc.call("GetItem", {"TableName": "Orders", "Key": {"pk": {"S": "a"}}})
{'Item': {'pk': {'S': 'a'}, 'amount': {'N': '3'}}}

See docs/dynamodb.md for what is supported.
"""

from asl_engine.services.dynamodb.attribute_values import to_plain, to_typed
from asl_engine.services.dynamodb.errors import DynamoDBServiceError, UnsupportedActionError
from asl_engine.services.dynamodb.service import DynamoDBService
from asl_engine.services.dynamodb.tables import IndexSpec, TableSpec

__all__ = [
    "DynamoDBService",
    "DynamoDBServiceError",
    "IndexSpec",
    "TableSpec",
    "UnsupportedActionError",
    "to_plain",
    "to_typed",
]
