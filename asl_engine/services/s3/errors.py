"""S3's errors, as the service reports them, and as Step Functions' AWS SDK integration names them.

A failed request is an ``S3ServiceError`` with S3's error code (``NoSuchKey``, ``NoSuchBucket``),
its message and HTTP status. The ``aws-sdk:s3`` integration (AWS SDK for Java v2) turns it into
``S3.<Code>Exception`` when the S3 API models that error, else ``S3.S3Exception``, with SDK v2's
cause, which for S3 also carries the extended request id (recorded on AWS)::

    S3.NoSuchKeyException
    The specified key does not exist. (Service: S3, Status Code: 404, Request ID: 4442587FB7D0A2F9,
    Extended Request ID: ...)
"""

from __future__ import annotations

import base64
import random

from asl_engine.errors import StatesError
from asl_engine.services.sdk_errors import exception_class

NO_SUCH_BUCKET = "The specified bucket does not exist"
NO_SUCH_KEY = "The specified key does not exist."
INVALID_BUCKET_NAME = "The specified bucket is not valid."

_MODELED = frozenset(
    {
        "BucketAlreadyExists", "BucketAlreadyOwnedByYou", "EncryptionTypeMismatch", "IdempotencyParameterMismatch",
        "InvalidObjectState", "InvalidRequest", "InvalidWriteOffset", "NoSuchBucket", "NoSuchKey", "NoSuchUpload",
        "ObjectAlreadyInActiveTierError", "ObjectNotInActiveTierError", "TooManyParts",
    }
)  # fmt: skip
"""The error shapes of the S3 API model: the SDK has a class for each; other codes get ``S3Exception``."""


class S3ServiceError(Exception):
    """An error response of the S3 service."""

    def __init__(self, code: str, message: str, status_code: int) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status_code = status_code


def no_such_bucket() -> S3ServiceError:
    return S3ServiceError("NoSuchBucket", NO_SUCH_BUCKET, 404)


def no_such_key() -> S3ServiceError:
    return S3ServiceError("NoSuchKey", NO_SUCH_KEY, 404)


def request_ids(rng: random.Random) -> tuple[str, str]:
    """S3's request id (16 upper-case hex digits) and extended request id (base64), from the seed."""
    request_id = f"{rng.getrandbits(64):016X}"
    extended = base64.b64encode(rng.getrandbits(56 * 8).to_bytes(56, "big")).decode("ascii")
    return request_id, extended


def sdk_error(error: S3ServiceError, rng: random.Random) -> StatesError:
    """The Step Functions error of an ``aws-sdk:s3`` call that S3 answered with ``error``."""
    name = exception_class(error.code) if error.code in _MODELED else "S3Exception"
    request_id, extended = request_ids(rng)
    cause = (
        f"{error.message} (Service: S3, Status Code: {error.status_code}, Request ID: {request_id}, "
        f"Extended Request ID: {extended})"
    )
    return StatesError(f"S3.{name}", cause)
