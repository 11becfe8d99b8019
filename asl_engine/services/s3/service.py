"""``S3Service``: an embedded Amazon S3 for a Map's ItemReader/ResultWriter and the ``aws-sdk:s3`` tasks.

>>> s3 = S3Service()
>>> s3.put_object("orders", "2024/orders.csv", "id,total\\n1,10\\n")       # creates the bucket
>>> s3.get_object("orders", "2024/orders.csv").body
b'id,total\\n1,10\\n'

Buckets and objects live in memory, or in a directory (``S3Service(directory="s3-data")``: one
subdirectory per bucket, one file per object). It speaks S3's semantics where a workflow can see
them: missing buckets and keys fail with S3's errors, ETags are the MD5 of the body, listings are
sorted by key, filtered by prefix, grouped by delimiter and paginated with continuation tokens.
Versioning, ACLs and multipart uploads are not emulated.
"""

from __future__ import annotations

import base64
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from asl_engine.services.s3.errors import INVALID_BUCKET_NAME, S3ServiceError, no_such_bucket, no_such_key
from asl_engine.services.s3.objects import S3Object, as_bytes
from asl_engine.services.s3.storage import Buckets, DirectoryBuckets, MemoryBuckets, valid_bucket_name

MAX_KEYS = 1000
"""ListObjectsV2's default (and largest) page."""


@dataclass(frozen=True, slots=True)
class ListPage:
    """One ListObjectsV2 response."""

    objects: list[S3Object]
    common_prefixes: list[str] = field(default_factory=list)
    is_truncated: bool = False
    next_continuation_token: str | None = None


class S3Service:
    """Buckets and objects of one account, safe to share between executions and threads."""

    def __init__(
        self, directory: str | os.PathLike[str] | None = None, *, clock: Callable[[], float] = time.time
    ) -> None:
        self._buckets: Buckets = DirectoryBuckets(directory) if directory is not None else MemoryBuckets()
        self._clock = clock
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"<S3Service buckets={self.bucket_names()}>"

    # -- buckets ---------------------------------------------------------------------------------------

    def bucket_names(self) -> list[str]:
        with self._lock:
            return self._buckets.names()

    def has_bucket(self, bucket: str) -> bool:
        if not valid_bucket_name(bucket):
            return False
        with self._lock:
            return self._buckets.exists(bucket)

    def create_bucket(self, bucket: str) -> None:
        """Create ``bucket`` (nothing happens if it exists); S3's InvalidBucketName for a bad name."""
        _check_name(bucket)
        with self._lock:
            self._buckets.create(bucket)

    # -- objects ---------------------------------------------------------------------------------------

    def put_object(
        self,
        bucket: str,
        key: str,
        body: bytes | str,
        *,
        content_type: str | None = None,
        now: float | None = None,
        create_bucket: bool = True,
    ) -> S3Object:
        """Store ``body`` (text is stored as UTF-8) at ``key``, replacing any object there.

        ``create_bucket`` (the default, for setting up data) creates a missing bucket; the service
        calls a workflow makes pass False, and a missing bucket fails with NoSuchBucket as on S3.
        """
        _check_name(bucket)
        obj = S3Object.create(key, as_bytes(body), self._clock() if now is None else now, content_type)
        with self._lock:
            if not self._buckets.exists(bucket):
                if not create_bucket:
                    raise no_such_bucket()
                self._buckets.create(bucket)
            self._buckets.put(bucket, obj)
        return obj

    def get_object(self, bucket: str, key: str) -> S3Object:
        _check_name(bucket)
        with self._lock:
            if not self._buckets.exists(bucket):
                raise no_such_bucket()
            obj = self._buckets.get(bucket, key)
        if obj is None:
            raise no_such_key()
        return obj

    def delete_object(self, bucket: str, key: str) -> None:
        """Delete ``key``; deleting a key that does not exist succeeds, as on S3."""
        _check_name(bucket)
        with self._lock:
            if not self._buckets.exists(bucket):
                raise no_such_bucket()
            self._buckets.delete(bucket, key)

    def list_objects_v2(
        self,
        bucket: str,
        *,
        prefix: str = "",
        delimiter: str | None = None,
        max_keys: int = MAX_KEYS,
        continuation_token: str | None = None,
        start_after: str | None = None,
    ) -> ListPage:
        """One page of the bucket's keys under ``prefix``, after ``start_after`` or the token's key."""
        _check_name(bucket)
        with self._lock:
            if not self._buckets.exists(bucket):
                raise no_such_bucket()
            keys = self._buckets.keys(bucket)
            after = _token_key(continuation_token) if continuation_token else start_after
            objects: list[S3Object] = []
            prefixes: list[str] = []
            limit = max(0, min(max_keys, MAX_KEYS))
            last: str | None = None
            truncated = False
            for key in keys:
                if not key.startswith(prefix) or (after is not None and key.encode() <= after.encode()):
                    continue
                grouped = _common_prefix(key, prefix, delimiter)
                if grouped is not None and prefixes and prefixes[-1] == grouped:
                    last = key
                    continue
                if len(objects) + len(prefixes) >= limit:
                    truncated = True
                    break
                if grouped is not None:
                    prefixes.append(grouped)
                else:
                    obj = self._buckets.get(bucket, key)
                    if obj is not None:
                        objects.append(obj)
                last = key
        token = _make_token(last) if truncated and last is not None else None
        return ListPage(objects, prefixes, truncated, token)


def _check_name(bucket: str) -> None:
    """Every request names a valid bucket first (S3's InvalidBucketName, 400): a name is never a path."""
    if not valid_bucket_name(bucket):
        raise S3ServiceError("InvalidBucketName", INVALID_BUCKET_NAME, 400)


def _common_prefix(key: str, prefix: str, delimiter: str | None) -> str | None:
    if not delimiter:
        return None
    position = key.find(delimiter, len(prefix))
    return None if position < 0 else key[: position + len(delimiter)]


def _make_token(key: str) -> str:
    return base64.urlsafe_b64encode(key.encode("utf-8")).decode("ascii")


def _token_key(token: str) -> str:
    try:
        return base64.b64decode(token.encode("ascii"), altchars=b"-_", validate=True).decode("utf-8")
    except (ValueError, UnicodeError):
        raise S3ServiceError("InvalidArgument", "The continuation token provided is incorrect", 400) from None
