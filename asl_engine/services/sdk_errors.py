"""How a service's error response becomes a Step Functions error name and cause (ASL_INVENTORY §9.0).

Step Functions reports a failed service call as ``<Prefix>.<ExceptionClass>`` with a cause that is
the SDK exception's message. The two families of integrations use two SDK generations, and it
shows:

* Optimized integrations (``arn:aws:states:::dynamodb:putItem``) go through the AWS SDK for Java
  v1: ``DynamoDB.ResourceNotFoundException``, errors the API does not model become the SDK's base
  exception (``DynamoDB.AmazonDynamoDBException`` for a ValidationException), and the cause reads
  ``<message> (Service: AmazonDynamoDBv2; Status Code: 400; Error Code: <code>; Request ID: <id>;
  Proxy: null)``.
* AWS SDK integrations (``arn:aws:states:::aws-sdk:dynamodb:putItem``) go through the SDK v2:
  ``DynamoDb.ResourceNotFoundException``, unmodelled errors become ``DynamoDb.DynamoDbException``,
  and the cause reads ``<message> (Service: DynamoDb, Status Code: 400, Request ID: <id>)``.

In both, the exception class is the wire error code with ``Exception`` appended when the code
lacks it (``StateMachineDoesNotExist`` -> ``StepFunctions.StateMachineDoesNotExistException``,
``RequestLimitExceeded`` -> ``DynamoDB.RequestLimitExceededException``), as the SDKs name their classes.
Each service package declares its own (``lambda_/errors.py``...): the sets of modelled codes are the error
shapes of each service's API model (botocore 1.43).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from asl_engine.errors import StatesError


def exception_class(code: str) -> str:
    """The SDK's exception class name for a wire error code."""
    return code if code.endswith("Exception") else code + "Exception"


@dataclass(frozen=True, slots=True)
class OptimizedService:
    """A service as the optimized integrations (SDK for Java v1) report its errors."""

    prefix: str
    """``DynamoDB``, ``Lambda``, ``Glue``, ``StepFunctions``."""
    sdk_service_name: str
    """What the cause names as ``Service:`` (``AmazonDynamoDBv2``, ``AWSLambda``...)."""
    base_exception: str
    """The SDK's catch-all class for errors the API does not model (``AmazonDynamoDBException``)."""
    modeled: frozenset[str]
    classes: Mapping[str, str] = field(default_factory=dict)
    """Wire codes whose class is not the code plus ``Exception`` (SNS's ``ParameterValueInvalid`` is
    ``InvalidParameterValueException``; SQS's ``AWS.SimpleQueueService.NonExistentQueue`` is
    ``QueueDoesNotExistException``), as the API model's error shapes name them."""

    def error(self, code: str, message: str, *, status_code: int, request_id: str) -> StatesError:
        if code in self.classes:
            name = self.classes[code]
        else:
            name = exception_class(code) if code in self.modeled else self.base_exception
        cause = (
            f"{message} (Service: {self.sdk_service_name}; Status Code: {status_code}; Error Code: {code}; "
            f"Request ID: {request_id}; Proxy: null)"
        )
        return StatesError(f"{self.prefix}.{name}", cause)


@dataclass(frozen=True, slots=True)
class SdkService:
    """A service as the AWS SDK integrations (SDK v2) report its errors."""

    prefix: str
    """The exception prefix from the Developer Guide's table (``DynamoDb``, ``Sfn``, ``Lambda``, ``Glue``)."""
    modeled: frozenset[str]
    attempt_count: bool = False
    """Whether causes end with `` (SDK Attempt Count: 1)``, as the SDK version behind AWS SDK integrations
    has added since 2025 (recorded for ``Sfn``; the older recordings of other services lack it)."""

    def error(self, code: str, message: str, *, status_code: int, request_id: str) -> StatesError:
        name = exception_class(code) if code in self.modeled else f"{self.prefix}Exception"
        cause = f"{message} (Service: {self.prefix}, Status Code: {status_code}, Request ID: {request_id})"
        if self.attempt_count:
            cause += " (SDK Attempt Count: 1)"
        return StatesError(f"{self.prefix}.{name}", cause)
