"""Step Functions' two DynamoDB integrations, answered by the embedded ``DynamoDBService``.

* Optimized, ``arn:aws:states:::dynamodb:getItem|putItem|updateItem|deleteItem`` (request-response
  only; AWS rejects other actions when the state machine is created): the API response plus
  ``SdkHttpMetadata``/``SdkResponseMetadata``; errors ``DynamoDB.<Exception>``, with
  ``DynamoDB.AmazonDynamoDBException`` for validation errors, and SDK v1 causes.
* AWS SDK, ``arn:aws:states:::aws-sdk:dynamodb:<action>``: the API response alone; errors
  ``DynamoDb.<Exception>``, with ``DynamoDb.DynamoDbException`` for validation errors, and SDK v2 causes.

The service itself (tables, expressions, limits, error texts) lives in ``resources.dynamodb``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from asl_engine.errors import StatesError
from asl_engine.runtime.handlers import TaskRequest
from asl_engine.services.dynamodb import DynamoDBService, DynamoDBServiceError, UnsupportedActionError
from asl_engine.services.dynamodb.errors import DYNAMODB, SDK_DYNAMODB
from asl_engine.services.sdk_metadata import compact_json, dynamodb_headers, dynamodb_request_id, with_metadata
from asl_engine.services.support import environment_of, parameters_object

OPTIMIZED_ACTIONS = frozenset({"getItem", "putItem", "updateItem", "deleteItem"})

ServiceSource = Callable[[], DynamoDBService]


def api_action(action: str) -> str:
    """``putItem`` (as resources spell it) -> ``PutItem`` (as the API does)."""
    return action[:1].upper() + action[1:]


class OptimizedDynamoDBTask:
    """Answers ``arn:aws:states:::dynamodb:<action>``."""

    def __init__(self, service: ServiceSource, action: str) -> None:
        self.service = service
        self.action = api_action(action)

    def __call__(self, request: TaskRequest) -> dict[str, Any]:
        env = environment_of(request)
        parameters = parameters_object(request)
        request_id = dynamodb_request_id(env.random)
        try:
            response = self.service().call(self.action, parameters)
        except DynamoDBServiceError as error:
            raise DYNAMODB.error(
                error.code, error.message, status_code=error.status_code, request_id=request_id
            ) from None
        except UnsupportedActionError as error:
            raise _not_emulated(request, error) from None
        headers = dynamodb_headers(compact_json(response), request_id, env.clock.now())
        return with_metadata(response, status_code=200, request_id=request_id, headers=headers)


class SdkDynamoDBTask:
    """Answers ``arn:aws:states:::aws-sdk:dynamodb:<action>``."""

    def __init__(self, service: ServiceSource, action: str) -> None:
        self.service = service
        self.action = api_action(action)

    def __call__(self, request: TaskRequest) -> dict[str, Any]:
        env = environment_of(request)
        parameters = parameters_object(request)
        request_id = dynamodb_request_id(env.random)
        try:
            return self.service().call(self.action, parameters)
        except DynamoDBServiceError as error:
            raise SDK_DYNAMODB.error(
                error.code, error.message, status_code=error.status_code, request_id=request_id
            ) from None
        except UnsupportedActionError as error:
            raise _not_emulated(request, error) from None


def _not_emulated(request: TaskRequest, error: UnsupportedActionError) -> StatesError:
    return StatesError(
        "States.Runtime",
        f"State '{request.state_name}' (resource {request.resource.arn}): {error}. Mock this state or register "
        "a handler for the resource.",
    )
