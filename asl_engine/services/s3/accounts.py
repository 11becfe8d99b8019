"""The embedded S3 as part of a local account (``Resources``), shared by its API and ``asl.toml``."""

from __future__ import annotations

from asl_engine.errors import ConfigurationError
from asl_engine.services.integration import Embedded
from asl_engine.services.s3.errors import S3ServiceError
from asl_engine.services.s3.service import S3Service


def add_bucket(s3: Embedded[S3Service], name: str) -> None:
    """Create the bucket ``name`` (a ResultWriter needs its bucket to exist, as on AWS)."""
    try:
        s3.get().create_bucket(name)
    except S3ServiceError as error:
        raise ConfigurationError(f"S3 rejects bucket {name!r}: {error.message}") from None


def add_object(
    s3: Embedded[S3Service], bucket: str, key: str, body: bytes | str, *, content_type: str | None = None
) -> None:
    """Put an object (text is stored as UTF-8), creating its bucket if needed."""
    try:
        s3.get().put_object(bucket, key, body, content_type=content_type)
    except S3ServiceError as error:
        raise ConfigurationError(f"S3 rejects bucket {bucket!r}: {error.message}") from None
