"""``ServiceError``: an answer of the Step Functions API that is an error, with AWS's code and status."""

from __future__ import annotations


class ServiceError(Exception):
    """An AWS error answer: ``code`` is what botocore puts in ``ClientError.response["Error"]["Code"]``.

    ``status`` is the HTTP status (400 for every Step Functions client error; 413 for an oversized
    body, 500 for ``InternalFailure``).
    """

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status


def validation(message: str) -> ServiceError:
    return ServiceError("ValidationException", message)


def invalid_arn(arn: str, reason: str | None = None) -> ServiceError:
    """AWS: ``Invalid Arn: 'Invalid ARN prefix: <arn>'`` (the recorded wording)."""
    return ServiceError("InvalidArn", f"Invalid Arn: '{reason or 'Invalid ARN prefix: ' + arn}'")
