"""The ``[s3]`` section of ``asl.toml``: where the buckets live, and buckets with objects from local files.

::

    [s3]
    path = "s3-data"                               # optional: buckets are its subdirectories, objects files
    [s3.buckets.orders-in]                         # a bucket (created even when empty)
    "2024/orders.csv" = "data/orders.csv"          # object key = local file whose bytes it holds
"""

from __future__ import annotations

from asl_engine.errors import AslEngineError, ConfigurationError
from asl_engine.services.integration import Embedded
from asl_engine.services.s3.accounts import add_bucket, add_object
from asl_engine.services.s3.service import S3Service
from asl_engine.services.sections import ConfigSection, table_at


def configure(section: ConfigSection, s3: Embedded[S3Service]) -> None:
    path = section.values.get("path")
    if path is not None and not isinstance(path, str):
        raise (section.where / "path").error(f"expected a directory path string, got {path!r}")
    if path is not None:
        s3.path = section.base / path
    unknown = [key for key in section.values if key not in ("path", "buckets")]
    if unknown:
        raise (section.where / unknown[0]).error("unknown key; expected 'path' or 'buckets'")
    buckets = table_at(section.values.get("buckets", {}), section.where / "buckets")
    for bucket, objects in buckets.items():
        where = section.where / "buckets" / bucket
        try:
            add_bucket(s3, bucket)
        except ConfigurationError as error:
            raise where.error(str(error)) from None
        for key, source in table_at(objects, where).items():
            at = where / key
            if not isinstance(source, str):
                raise at.error(f"expected the path of the local file the object holds, got {source!r}")
            file = section.base / source
            try:
                body = file.read_bytes()
            except OSError as error:
                raise at.error(f"cannot read {file}: {error.strerror or error}") from None
            try:
                add_object(s3, bucket, key, body)
            except AslEngineError as error:
                raise at.error(str(error)) from None
