"""One S3 object: its bytes and the metadata S3 derives from them (ETag, size, checksum)."""

from __future__ import annotations

import base64
import hashlib
import zlib
from dataclasses import dataclass

DEFAULT_CONTENT_TYPE = "binary/octet-stream"
"""What S3 records for an object put without a Content-Type."""
STANDARD = "STANDARD"


@dataclass(frozen=True, slots=True)
class S3Object:
    """An object version as S3 holds it. Create with ``S3Object.create``, which computes the ETag once."""

    key: str
    body: bytes
    last_modified: float
    """Epoch seconds (S3 keeps whole milliseconds)."""
    etag: str
    """The MD5 of the body in hex, within double quotes, as S3 reports single-part uploads."""
    content_type: str = DEFAULT_CONTENT_TYPE
    storage_class: str = STANDARD

    @classmethod
    def create(cls, key: str, body: bytes, last_modified: float, content_type: str | None = None) -> S3Object:
        return cls(
            key,
            body,
            round(last_modified, 3),
            f'"{hashlib.md5(body, usedforsecurity=False).hexdigest()}"',
            content_type or DEFAULT_CONTENT_TYPE,
        )

    @property
    def size(self) -> int:
        return len(self.body)

    @property
    def checksum_crc32(self) -> str:
        """The full-object CRC32 S3 computes for new objects, base64 of its four big-endian bytes."""
        return base64.b64encode(zlib.crc32(self.body).to_bytes(4, "big")).decode("ascii")


def as_bytes(body: bytes | str) -> bytes:
    """Object bodies are bytes; text is stored as UTF-8."""
    return body.encode("utf-8") if isinstance(body, str) else bytes(body)
