"""Comparing JSON values the way the conformance README defines it, and saying what differs.

Objects need the same keys, lists the same length and order; numbers compare by value (``1 ==
1.0``) but booleans only equal booleans; strings may hold placeholders (see ``wildcards``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from asl_engine.conformance.wildcards import Wildcards

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
EXCERPT = 60


@dataclass(frozen=True, slots=True)
class Difference:
    """One place where the actual value does not match the expected one."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def differences(
    expected: Any, actual: Any, wildcards: Wildcards, *, path: str = "$", limit: int = 5
) -> list[Difference]:
    """Up to ``limit`` differences between ``expected`` and ``actual``, in document order."""
    found: list[Difference] = []
    _compare(expected, actual, wildcards, path, found, limit)
    return found


def values_match(expected: Any, actual: Any, wildcards: Wildcards) -> bool:
    return not differences(expected, actual, wildcards, limit=1)


def _compare(expected: Any, actual: Any, wildcards: Wildcards, path: str, found: list[Difference], limit: int) -> None:
    if len(found) >= limit:
        return
    if wildcards.matches_any_value(expected):
        if actual is None:
            found.append(Difference(path, f"expected any value ({expected!r}), got null"))
        return
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            found.append(Difference(path, f"expected an object, got {describe(actual)}"))
            return
        for key, value in expected.items():
            if key not in actual:
                found.append(Difference(_child(path, key), f"missing (expected {describe(value)})"))
            else:
                _compare(value, actual[key], wildcards, _child(path, key), found, limit)
            if len(found) >= limit:
                return
        for key in [key for key in actual if key not in expected]:  # in the engine's order: the same on every run
            found.append(Difference(_child(path, key), f"unexpected key (got {describe(actual[key])})"))
            if len(found) >= limit:
                return
        return
    if isinstance(expected, list):
        if not isinstance(actual, list):
            found.append(Difference(path, f"expected a list, got {describe(actual)}"))
            return
        if len(expected) != len(actual):
            found.append(
                Difference(
                    path,
                    f"expected {len(expected)} items, got {len(actual)}: "
                    f"expected {describe(expected)}, got {describe(actual)}",
                )
            )
            return
        for index, (item, other) in enumerate(zip(expected, actual, strict=True)):
            _compare(item, other, wildcards, f"{path}[{index}]", found, limit)
        return
    if isinstance(expected, str):
        if not isinstance(actual, str):
            found.append(Difference(path, f"expected {describe(expected)}, got {describe(actual)}"))
        elif not wildcards.string_matches(expected, actual):
            found.append(Difference(path, string_difference(expected, actual)))
        return
    if not scalars_equal(expected, actual):
        found.append(Difference(path, f"expected {describe(expected)}, got {describe(actual)}"))


def scalars_equal(expected: Any, actual: Any) -> bool:
    """JSON scalar equality: numbers by value, booleans only with booleans, null only with null."""
    if isinstance(expected, bool) or isinstance(actual, bool):
        return isinstance(expected, bool) and isinstance(actual, bool) and expected == actual
    if isinstance(expected, int | float) and isinstance(actual, int | float):
        return expected == actual
    return type(expected) is type(actual) and bool(expected == actual)


def string_difference(expected: str, actual: str) -> str:
    """``expected '…abc', got '…abd'``: both strings from a little before where they part ways."""
    common = 0
    for left, right in zip(expected, actual, strict=False):
        if left != right:
            break
        common += 1
    start = max(0, common - 20)
    return f"expected {_excerpt(expected, start)}, got {_excerpt(actual, start)}"


def describe(value: Any) -> str:
    """A short, single-line rendering of a JSON value for a failure message."""
    try:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= EXCERPT else text[: EXCERPT - 1] + "…"


def _excerpt(text: str, start: int) -> str:
    piece = text[start : start + EXCERPT]
    head = "…" if start else ""
    tail = "…" if start + EXCERPT < len(text) else ""
    return repr(head + piece + tail)


def _child(path: str, key: str) -> str:
    return f"{path}.{key}" if _IDENTIFIER.match(key) else f"{path}[{key!r}]"
