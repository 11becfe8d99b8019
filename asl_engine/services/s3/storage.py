"""Where the embedded S3 keeps buckets and objects: in memory, or in a directory on disk.

In a directory, each bucket is a subdirectory and each object a file at the path its key names
(``data/2024/orders.csv`` in bucket ``in`` is ``<directory>/in/data/2024/orders.csv``), so test
data can be laid out by hand and results written by a Map's ResultWriter can be opened directly.
A file system cannot hold every key S3 can (``a//b``, ``../x``, a key ending in ``/``): such keys
are refused with ``UnstorableKeyError``, which names the key. Objects on disk take their last
modified time from the file and their content type is not kept.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol

from asl_engine.errors import AslEngineError
from asl_engine.services.s3.objects import S3Object


class UnstorableKeyError(AslEngineError):
    """A key the directory-backed store cannot map to a file."""


class Buckets(Protocol):
    def names(self) -> list[str]: ...

    def exists(self, bucket: str) -> bool: ...

    def create(self, bucket: str) -> None: ...

    def put(self, bucket: str, obj: S3Object) -> None: ...

    def get(self, bucket: str, key: str) -> S3Object | None: ...

    def delete(self, bucket: str, key: str) -> None: ...

    def keys(self, bucket: str) -> list[str]:
        """Every key of an existing bucket, sorted as S3 lists them (by UTF-8 bytes)."""
        ...


def _sorted_keys(keys: list[str]) -> list[str]:
    return sorted(keys, key=lambda key: key.encode("utf-8"))


class MemoryBuckets:
    """Buckets held in memory for the lifetime of the ``S3Service``."""

    def __init__(self) -> None:
        self._buckets: dict[str, dict[str, S3Object]] = {}

    def names(self) -> list[str]:
        return sorted(self._buckets)

    def exists(self, bucket: str) -> bool:
        return bucket in self._buckets

    def create(self, bucket: str) -> None:
        self._buckets.setdefault(bucket, {})

    def put(self, bucket: str, obj: S3Object) -> None:
        self._buckets[bucket][obj.key] = obj

    def get(self, bucket: str, key: str) -> S3Object | None:
        return self._buckets[bucket].get(key)

    def delete(self, bucket: str, key: str) -> None:
        self._buckets[bucket].pop(key, None)

    def keys(self, bucket: str) -> list[str]:
        return _sorted_keys(list(self._buckets[bucket]))


class DirectoryBuckets:
    """Buckets as subdirectories of ``root``, objects as files below them."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def names(self) -> list[str]:
        return sorted(entry.name for entry in self.root.iterdir() if entry.is_dir())

    def exists(self, bucket: str) -> bool:
        return (self.root / bucket).is_dir()

    def create(self, bucket: str) -> None:
        (self.root / bucket).mkdir(exist_ok=True)

    def put(self, bucket: str, obj: S3Object) -> None:
        path = self._path(bucket, obj.key)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(obj.body)
        os.utime(path, (obj.last_modified, obj.last_modified))

    def get(self, bucket: str, key: str) -> S3Object | None:
        try:
            path = self._path(bucket, key)
        except UnstorableKeyError:
            return None
        if not path.is_file():
            return None
        return S3Object.create(key, path.read_bytes(), path.stat().st_mtime)

    def delete(self, bucket: str, key: str) -> None:
        try:
            self._path(bucket, key).unlink(missing_ok=True)
        except UnstorableKeyError:
            return

    def keys(self, bucket: str) -> list[str]:
        base = self.root / bucket
        found = [path.relative_to(base).as_posix() for path in base.rglob("*") if path.is_file()]
        return _sorted_keys(found)

    def _path(self, bucket: str, key: str) -> Path:
        parts = key.split("/")
        if not key or any(part in ("", ".", "..") for part in parts) or "\\" in key or "\x00" in key:
            raise UnstorableKeyError(
                f"the key {key!r} of bucket {bucket!r} cannot be stored as a file below {self.root} (keys with "
                "empty, '.' or '..' segments, a trailing '/', backslashes or NUL need the in-memory S3)"
            )
        return self.root.joinpath(bucket, *parts)
