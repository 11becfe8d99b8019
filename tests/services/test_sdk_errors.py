"""Error names and causes of service failures, in both SDK generations (ASL_INVENTORY §9.0)."""

from __future__ import annotations

import pytest

from asl_engine.services.dynamodb.errors import DYNAMODB, SDK_DYNAMODB
from asl_engine.services.glue.errors import GLUE
from asl_engine.services.lambda_.errors import LAMBDA
from asl_engine.services.sdk_metadata import epoch_millis, http_date, java_double, with_metadata
from asl_engine.services.stepfunctions.errors import SDK_SFN, STEP_FUNCTIONS


def test_optimized_modelled_error_matches_the_recorded_text() -> None:
    error = DYNAMODB.error(
        "ResourceNotFoundException", "Requested resource not found", status_code=400, request_id="RID"
    )
    assert error.error == "DynamoDB.ResourceNotFoundException"
    assert error.cause == (
        "Requested resource not found (Service: AmazonDynamoDBv2; Status Code: 400; "
        "Error Code: ResourceNotFoundException; Request ID: RID; Proxy: null)"
    )


def test_optimized_unmodelled_error_becomes_the_sdk_base_exception() -> None:
    error = DYNAMODB.error("ValidationException", "1 validation error detected: x", status_code=400, request_id="R")
    assert error.error == "DynamoDB.AmazonDynamoDBException"
    assert "Error Code: ValidationException;" in (error.cause or "")


@pytest.mark.parametrize(
    ("service", "code", "name"),
    [
        (STEP_FUNCTIONS, "StateMachineDoesNotExist", "StepFunctions.StateMachineDoesNotExistException"),
        (DYNAMODB, "RequestLimitExceeded", "DynamoDB.RequestLimitExceededException"),
        (GLUE, "ConcurrentRunsExceededException", "Glue.ConcurrentRunsExceededException"),
        (LAMBDA, "ValidationException", "Lambda.AWSLambdaException"),
        (LAMBDA, "TooManyRequestsException", "Lambda.TooManyRequestsException"),
    ],
)
def test_exception_class_names(service: object, code: str, name: str) -> None:
    assert service.error(code, "m", status_code=400, request_id="r").error == name  # type: ignore[attr-defined]


def test_sdk_errors_use_the_v2_prefix_and_cause_format() -> None:
    error = SDK_DYNAMODB.error(
        "ResourceNotFoundException", "Requested resource not found", status_code=400, request_id="RID"
    )
    assert (error.error, error.cause) == (
        "DynamoDb.ResourceNotFoundException",
        "Requested resource not found (Service: DynamoDb, Status Code: 400, Request ID: RID)",
    )
    assert SDK_DYNAMODB.error("ValidationException", "v", status_code=400, request_id="r").error == (
        "DynamoDb.DynamoDbException"
    )
    assert SDK_SFN.error("InvalidToken", "t", status_code=400, request_id="r").error == "Sfn.InvalidTokenException"


def test_metadata_wraps_members_in_alphabetical_order() -> None:
    result = with_metadata({"b": 1, "a": 2}, status_code=200, request_id="id", headers={"Content-Length": "2"})
    assert list(result) == ["SdkHttpMetadata", "SdkResponseMetadata", "a", "b"]
    assert result["SdkHttpMetadata"] == {
        "AllHttpHeaders": {"Content-Length": ["2"]},
        "HttpHeaders": {"Content-Length": "2"},
        "HttpStatusCode": 200,
    }
    assert result["SdkResponseMetadata"] == {"RequestId": "id"}


def test_formats_of_dates_and_numbers() -> None:
    assert http_date(1_700_000_000) == "Tue, 14 Nov 2023 22:13:20 GMT"
    assert epoch_millis(1_638_296_059.13) == 1_638_296_059_130
    assert java_double(1_688_131_339.577) == "1.688131339577E9"
    assert java_double(1_700_000_000.0) == "1.7E9"
    assert java_double(12.5) == "12.5"
