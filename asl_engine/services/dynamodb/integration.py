"""DynamoDB's row in the table: Step Functions' two DynamoDB integrations, and the ``[dynamodb]`` section.

* ``arn:aws:states:::dynamodb:getItem|putItem|updateItem|deleteItem`` (optimized, request-response);
* ``arn:aws:states:::aws-sdk:dynamodb:<action>`` (AWS SDK, request-response).

Both are answered by the account's embedded DynamoDB, made on first use (in memory, or in the SQLite
file the section's ``path`` names).
"""

from __future__ import annotations

from asl_engine.services.dynamodb import config
from asl_engine.services.dynamodb.service import DynamoDBService
from asl_engine.services.dynamodb.tasks import OPTIMIZED_ACTIONS, OptimizedDynamoDBTask, SdkDynamoDBTask
from asl_engine.services.integration import Embedded, Integration, Route

OPTIMIZED = Route("service", "dynamodb", OPTIMIZED_ACTIONS)
SDK = Route("aws-sdk", "dynamodb")


def _describe(dynamodb: Embedded[DynamoDBService]) -> str | None:
    service = dynamodb.created
    return None if service is None else f"dynamodb={service.table_names()}"


INTEGRATION: Integration[Embedded[DynamoDBService]] = Integration(
    name="dynamodb",
    new_state=lambda: Embedded(DynamoDBService),
    routes=(
        (OPTIMIZED, lambda dynamodb, resource, account: OptimizedDynamoDBTask(dynamodb.get, resource.action)),
        (SDK, lambda dynamodb, resource, account: SdkDynamoDBTask(dynamodb.get, resource.action)),
    ),
    section="dynamodb",
    configure=config.configure,
    describe=_describe,
)
