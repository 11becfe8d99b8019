"""Where the embedded S3 keeps buckets and objects: in memory, or in a directory on disk.

In a directory, each bucket is a subdirectory and each object a file at the path its key names
(``data/2024/orders.csv`` in bucket ``in`` is ``<directory>/in/data/2024/orders.csv``), so test
data can be laid out by hand and results written by a Map's ResultWriter can be opened directly.
A file system cannot hold every key S3 can (``a//b``, ``../x``, a key ending in ``/``): such keys
are refused with ``UnstorableKeyError``, which names the key. Objects on disk take their last
modified time from the file and their content type is not kept.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from pathlib import Path
from typing import Protocol

from asl_engine.errors import AslEngineError
from asl_engine.services.s3.objects import S3Object

STAGING_DIRECTORY = ".tmp"
"""Where a directory-backed store writes objects before renaming them into place (never a bucket
name: those start with a letter or a digit)."""

_BUCKET_NAME = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\Z")
_IP_ADDRESS = re.compile(r"\d+\.\d+\.\d+\.\d+\Z")
_RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")


def valid_bucket_name(name: object) -> bool:
    """S3's naming rules for general purpose buckets: 3-63 lower-case letters, digits, dots and
    hyphens, starting and ending with a letter or digit, no ``..``, not an IP address, none of the
    reserved prefixes and suffixes. Such a name is always one safe path segment."""
    return (
        isinstance(name, str)
        and bool(_BUCKET_NAME.match(name))
        and ".." not in name
        and not _IP_ADDRESS.match(name)
        and not name.startswith(_RESERVED_PREFIXES)
        and not name.endswith(_RESERVED_SUFFIXES)
    )


class UnstorableKeyError(AslEngineError):
    """A key the directory-backed store cannot map to a file."""


class UnsafePathError(AslEngineError):
    """A path of the directory-backed store that resolves outside its directory (through a link)."""


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
    """Buckets as subdirectories of ``root``, objects as files below them.

    Every path is checked to stay inside ``root`` once symbolic links are resolved, so neither a
    key nor a link placed in the directory can reach a file outside it (``UnsafePathError``).
    Objects are written to a temporary file under ``root/.tmp``, flushed to disk (fsync) and
    renamed over the old file: a kill or a crash at any moment leaves the old object or the new
    one, never a partial file.
    """

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self._real_root = os.path.realpath(self.root)
        self._staging = Path(self._real_root, STAGING_DIRECTORY)

    def names(self) -> list[str]:
        return sorted(
            entry.name
            for entry in self.root.iterdir()
            if valid_bucket_name(entry.name) and entry.is_dir() and self._inside(entry)
        )

    def exists(self, bucket: str) -> bool:
        return self._bucket(bucket).is_dir()

    def create(self, bucket: str) -> None:
        self._bucket(bucket).mkdir(exist_ok=True)

    def put(self, bucket: str, obj: S3Object) -> None:
        path = self._path(bucket, obj.key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError):
            raise self._conflict(bucket, obj.key, "a parent of its path is an object (a file)") from None
        self._confine(path.parent)
        if path.is_dir():
            raise self._conflict(bucket, obj.key, "other objects' keys start with it (it is a folder)")
        self._staging.mkdir(exist_ok=True)
        handle, staged = tempfile.mkstemp(dir=self._staging, prefix="put-")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(obj.body)
                stream.flush()
                os.fsync(stream.fileno())
            os.utime(staged, (obj.last_modified, obj.last_modified))
            os.replace(staged, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(staged)
            raise

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
            path = self._path(bucket, key)
        except UnstorableKeyError:
            return
        if path.is_file():
            path.unlink(missing_ok=True)

    def keys(self, bucket: str) -> list[str]:
        base = self._bucket(bucket)
        found: list[str] = []
        for directory, _, files in os.walk(base):  # does not descend into linked directories
            for name in files:
                path = Path(directory, name)
                if self._inside(path):
                    found.append(path.relative_to(base).as_posix())
        return _sorted_keys(found)

    def _bucket(self, bucket: str) -> Path:
        path = self.root / bucket
        self._confine(path)
        return path

    def _path(self, bucket: str, key: str) -> Path:
        parts = key.split("/")
        if not key or any(part in ("", ".", "..") for part in parts) or "\\" in key or "\x00" in key:
            raise UnstorableKeyError(
                f"the key {key!r} of bucket {bucket!r} cannot be stored as a file below {self.root} (keys with "
                "empty, '.' or '..' segments, a trailing '/', backslashes or NUL need the in-memory S3)"
            )
        path = self._bucket(bucket).joinpath(*parts)
        self._confine(path)
        return path

    def _inside(self, path: Path) -> bool:
        real = os.path.realpath(path)
        return real != self._real_root and os.path.commonpath((self._real_root, real)) == self._real_root

    def _confine(self, path: Path) -> None:
        if not self._inside(path):
            raise UnsafePathError(
                f"{path} resolves to {os.path.realpath(path)}, outside the S3 directory {self._real_root} "
                "(a symbolic link?): the embedded S3 never reads or writes outside its directory"
            )

    def _conflict(self, bucket: str, key: str, reason: str) -> UnstorableKeyError:
        return UnstorableKeyError(
            f"the key {key!r} of bucket {bucket!r} cannot be stored as a file below {self.root}: {reason}; "
            "S3 allows such keys side by side, a directory does not (use the in-memory S3)"
        )
