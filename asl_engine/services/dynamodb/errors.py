"""DynamoDB's errors, as the service itself reports them.

Every failure a request can meet is a ``DynamoDBServiceError`` carrying DynamoDB's error code
(``ValidationException``, ``ConditionalCheckFailedException``...), its message text and the HTTP
status. The texts are DynamoDB's own wherever they are known (see ``docs/dynamodb.md``); callers
(the Step Functions integration) turn them into ``DynamoDB.<Code>`` errors and causes.

``DYNAMODB`` and ``SDK_DYNAMODB`` are how Step Functions' two DynamoDB integrations name and
describe them (``DynamoDB.<Exception>`` through the SDK for Java v1, ``DynamoDb.<Exception>`` through
the SDK v2).

``UnsupportedActionError`` is different in kind: it says that this emulation does not implement
an action at all, which DynamoDB would never say, so it is an engine error, not a service error.
"""

from __future__ import annotations

from typing import Any

from asl_engine.errors import AslEngineError
from asl_engine.services.sdk_errors import OptimizedService, SdkService

_CORAL_VALIDATE = "com.amazon.coral.validate#"
_CORAL_SERVICE = "com.amazon.coral.service#"
_DYNAMODB = "com.amazonaws.dynamodb.v20120810#"

#: Where the JSON ``__type`` of each code lives, as DynamoDB's responses show it.
_TYPE_PREFIXES = {
    "ValidationException": _CORAL_VALIDATE,
    "SerializationException": _CORAL_SERVICE,
    "UnknownOperationException": _CORAL_SERVICE,
}

NOT_FOUND_MESSAGE = "Requested resource not found"
CONDITIONAL_CHECK_FAILED_MESSAGE = "The conditional request failed"
INVALID_PARAMETERS = "One or more parameter values were invalid: "


class DynamoDBServiceError(Exception):
    """An error response of the DynamoDB service.

    ``item`` is the ``Item`` a ``ConditionalCheckFailedException`` carries when the request asked
    for ``ReturnValuesOnConditionCheckFailure: ALL_OLD``; ``cancellation_reasons`` the
    ``CancellationReasons`` of a ``TransactionCanceledException``.
    """

    def __init__(
        self,
        code: str,
        message: str,
        status_code: int = 400,
        item: dict[str, Any] | None = None,
        cancellation_reasons: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status_code = status_code
        self.item = item
        self.cancellation_reasons = cancellation_reasons

    def to_response(self) -> dict[str, Any]:
        """The JSON error body DynamoDB sends (``__type``, ``message`` and the extra members)."""
        body: dict[str, Any] = {
            "__type": _TYPE_PREFIXES.get(self.code, _DYNAMODB) + self.code,
            "message": self.message,
        }
        if self.item is not None:
            body["Item"] = self.item
        if self.cancellation_reasons is not None:
            body["CancellationReasons"] = self.cancellation_reasons
        return body

    def __repr__(self) -> str:
        return f"DynamoDBServiceError({self.code!r}, {self.message!r})"


class UnsupportedActionError(AslEngineError):
    """The emulation does not implement this DynamoDB action (DynamoDB itself would)."""


def validation(message: str) -> DynamoDBServiceError:
    return DynamoDBServiceError("ValidationException", message)


def invalid_parameters(detail: str) -> DynamoDBServiceError:
    """DynamoDB's common 'One or more parameter values were invalid: ...' validation error."""
    return DynamoDBServiceError("ValidationException", INVALID_PARAMETERS + detail)


def serialization(message: str) -> DynamoDBServiceError:
    return DynamoDBServiceError("SerializationException", message)


def resource_not_found(message: str = NOT_FOUND_MESSAGE) -> DynamoDBServiceError:
    return DynamoDBServiceError("ResourceNotFoundException", message)


def conditional_check_failed(item: dict[str, Any] | None = None) -> DynamoDBServiceError:
    return DynamoDBServiceError("ConditionalCheckFailedException", CONDITIONAL_CHECK_FAILED_MESSAGE, item=item)


# -- as Step Functions reports them ----------------------------------------------------------------

_DYNAMODB_MODELED = frozenset(
    {
        "BackupInUseException", "BackupNotFoundException", "ConditionalCheckFailedException",
        "ContinuousBackupsUnavailableException", "DuplicateItemException", "ExportConflictException",
        "ExportNotFoundException", "GlobalTableAlreadyExistsException", "GlobalTableNotFoundException",
        "IdempotentParameterMismatchException", "ImportConflictException", "ImportNotFoundException",
        "IndexNotFoundException", "InternalServerError", "InvalidExportTimeException",
        "InvalidRestoreTimeException", "ItemCollectionSizeLimitExceededException", "LimitExceededException",
        "PointInTimeRecoveryUnavailableException", "PolicyNotFoundException",
        "ProvisionedThroughputExceededException", "ReplicaAlreadyExistsException", "ReplicaNotFoundException",
        "ReplicatedWriteConflictException", "RequestLimitExceeded", "ResourceInUseException",
        "ResourceNotFoundException", "TableAlreadyExistsException", "TableInUseException",
        "TableNotFoundException", "ThrottlingException", "TransactionCanceledException",
        "TransactionConflictException", "TransactionInProgressException",
    }
)  # fmt: skip

DYNAMODB = OptimizedService("DynamoDB", "AmazonDynamoDBv2", "AmazonDynamoDBException", _DYNAMODB_MODELED)
SDK_DYNAMODB = SdkService("DynamoDb", _DYNAMODB_MODELED)
