"""Pages of list answers: ``maxResults`` (100 by default, 1,000 at most) and an opaque ``nextToken``."""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from asl_engine.server.errors import ServiceError

T = TypeVar("T")
DEFAULT_PAGE = 100
MAX_PAGE = 1000


def page(items: Sequence[T], request: Mapping[str, Any]) -> tuple[list[T], str | None]:
    """The page ``request`` asks for, and the token of the next one (None after the last)."""
    size = request.get("maxResults") or DEFAULT_PAGE
    size = min(int(size), MAX_PAGE)
    offset = decode_token(request.get("nextToken"))
    chunk = list(items[offset : offset + size])
    following = offset + size
    return chunk, encode_token(following) if following < len(items) else None


def encode_token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"asl-page:{offset}".encode()).decode()


def decode_token(token: Any) -> int:
    if token is None:
        return 0
    try:
        prefix, _, number = base64.urlsafe_b64decode(str(token).encode()).decode().partition(":")
        if prefix == "asl-page" and number.isdigit():
            return int(number)
    except (ValueError, UnicodeDecodeError):
        pass
    raise ServiceError("InvalidToken", f"Invalid Token: '{token}'")


def with_page(response: dict[str, Any], key: str, items: Sequence[Any], request: Mapping[str, Any]) -> dict[str, Any]:
    chunk, token = page(items, request)
    response[key] = chunk
    if token is not None:
        response["nextToken"] = token
    return response
