"""Snapshot placeholders: the parts of a recording that stand for values AWS generated.

The recordings replaced ARNs, ids, account numbers and timestamps by placeholders. In an expected
string they are wildcards: ``<anything>``, each string the case lists under
``comparison.placeholders``, the account ``111111111111`` (any 12 digits) and the word ``date``
(any ISO-8601 timestamp). An expected value that is exactly ``timestamp``, ``date`` or one of the
case's ``value_placeholders`` matches any non-null value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

ACCOUNT = "111111111111"
WHOLE_VALUE_WILDCARDS = frozenset({"timestamp", "date"})

_ANGLE = r"<[^<>\s]+>"
_ACCOUNT_TOKEN = r"(?<!\d)" + ACCOUNT + r"(?!\d)"
_DATE_TOKEN = r"\bdate\b"
_ISO_8601 = r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?"


class Wildcards:
    """The wildcards of one case; compiles each expected string once, on first use."""

    __slots__ = ("_compiled", "_token", "_whole")

    def __init__(self, placeholders: Iterable[str] = (), value_placeholders: Iterable[str] = ()) -> None:
        self._whole = WHOLE_VALUE_WILDCARDS | frozenset(value_placeholders)
        listed = sorted({text for text in placeholders if text and text != ACCOUNT}, key=len, reverse=True)
        # Longest first so that a placeholder containing another one wins.
        alternatives = [_ANGLE, _ACCOUNT_TOKEN, _DATE_TOKEN, *(re.escape(text) for text in listed)]
        self._token = re.compile("|".join(f"(?:{alternative})" for alternative in alternatives))
        self._compiled: dict[str, re.Pattern[str] | None] = {}

    def matches_any_value(self, expected: Any) -> bool:
        """Whether ``expected`` is a whole-value wildcard (matches any non-null value)."""
        return isinstance(expected, str) and expected in self._whole

    def string_matches(self, expected: str, actual: str) -> bool:
        """Whether ``actual`` is ``expected`` with each placeholder standing for some text."""
        if expected == actual:
            return True
        pattern = self._pattern(expected)
        return pattern is not None and pattern.fullmatch(actual) is not None

    def has_placeholder(self, expected: str) -> bool:
        return self._pattern(expected) is not None

    def _pattern(self, expected: str) -> re.Pattern[str] | None:
        try:
            return self._compiled[expected]
        except KeyError:
            pass
        parts: list[str] = []
        position = 0
        for token in self._token.finditer(expected):
            parts.append(re.escape(expected[position : token.start()]))
            parts.append(_wildcard_for(token.group()))
            position = token.end()
        pattern = None
        if parts:
            parts.append(re.escape(expected[position:]))
            pattern = re.compile("".join(parts), re.DOTALL)
        self._compiled[expected] = pattern
        return pattern


def _wildcard_for(token: str) -> str:
    if token == ACCOUNT:
        return r"\d{12}"
    if token == "date":
        return f"(?:date|{_ISO_8601})"
    return ".*?"
