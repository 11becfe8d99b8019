"""Measuring large state outputs without re-encoding what they share with earlier ones.

Every state output must be checked against the 256 KiB quota, which AWS measures on its JSON text.
For small payloads encoding is cheap and the text doubles as the history's payload, so the engine
simply encodes. A large document flowing through many states is different: each state typically
changes a small part (``ResultPath: $.meta``) and shares the rest with its input, yet a full
encode per state costs about 1.4 ms per 200 KB. The meter measures such outputs member by member
and remembers the sizes of large members by identity (payloads are never mutated, so an object
that is still alive has the size it had), so a state costs what its changes cost. The history then
holds the payload itself (``LazyText``) and encodes it only if somebody reads it.

The meter belongs to one execution (no global state) and remembers a bounded number of members.
"""

from __future__ import annotations

import json
from typing import Any, Final

from asl_engine.runtime.json_text import to_json_text

__all__ = ["LARGE_TEXT_CHARS", "LazyText", "PayloadMeter", "payload_text"]

LARGE_TEXT_CHARS: Final = 16_384
"""Payloads whose JSON text is at least this long are measured piecewise from then on."""

_REMEMBERED_MEMBERS: Final = 64
_MEMBERS_TAKEN_APART: Final = 32
_encode_string: Final = json.encoder.encode_basestring


def _utf8_size(text: str) -> int:
    if text.isascii():
        return len(text)
    return len(text.encode("utf-8", "surrogatepass"))  # lone surrogates count 3 bytes, as in Java


class LazyText:
    """A payload whose JSON text is made on first use (history rows of large payloads)."""

    __slots__ = ("_text", "value")

    def __init__(self, value: Any) -> None:
        self.value = value
        self._text: str | None = None

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = to_json_text(self.value)
        return self._text

    def __repr__(self) -> str:
        return f"<LazyText of a {type(self.value).__name__}>"


def payload_text(text: str | LazyText) -> str:
    """The JSON text of a recorded payload, whichever way it was recorded."""
    return text if type(text) is str else text.text  # type: ignore[union-attr]


class PayloadMeter:
    """UTF-8 sizes of compact JSON, remembering the sizes of large containers by identity."""

    __slots__ = ("_sizes",)

    def __init__(self) -> None:
        self._sizes: dict[int, tuple[Any, int]] = {}
        """id -> (the object, kept alive so its id stays its own; its size)."""

    def size(self, value: Any) -> int:
        """The size AWS measures for ``value``; its own members are measured (or remembered) one by one.

        Only a document with few members is taken apart: it is the shape that shares large members
        with its input (``{"meta": ..., "blob": ...}``). A long list or object (a Map's results) is
        encoded whole, which is faster than a Python loop over its members.
        """
        if type(value) is dict and len(value) <= _MEMBERS_TAKEN_APART:
            total = 1 + 2 * len(value) if value else 2  # braces, commas and colons
            for key, member in value.items():
                total += _utf8_size(_encode_string(key)) + self._member_size(member)
            return total
        if type(value) is list and len(value) <= _MEMBERS_TAKEN_APART:
            total = 1 + len(value) if value else 2  # brackets and commas
            for member in value:
                total += self._member_size(member)
            return total
        return self._member_size(value)

    def _member_size(self, member: Any) -> int:
        kind = type(member)
        if kind is not dict and kind is not list and kind is not str:
            return _utf8_size(to_json_text(member))
        remembered = self._sizes.get(id(member))
        if remembered is not None and remembered[0] is member:
            return remembered[1]
        text = to_json_text(member)
        size = _utf8_size(text)
        if len(text) >= LARGE_TEXT_CHARS:
            sizes = self._sizes
            if len(sizes) >= _REMEMBERED_MEMBERS:
                del sizes[next(iter(sizes))]  # the oldest entry
            sizes[id(member)] = (member, size)
        return size
