"""Comparing JSON values in tests, and saying every place where they differ.

One comparison for every test-facing report: the ``assert_*`` helpers of ``asl_engine.testing`` and
``asl test`` both list the differences this module finds, in document order, each one as
``at /pointer: what differs`` (RFC 6901 pointers, so ``/items/0/sku``).

Numbers compare by value (``1`` equals ``1.0``) but booleans only equal booleans, as in JSON. With
``subset`` an expected object only names the keys that matter: the actual one may hold more, at any
depth (lists still need the same length, their items compared the same way), like Jest's
``toMatchObject``.
"""

from __future__ import annotations

import json
from typing import Any

REPORTED = 50
"""Differences listed before the rest are only counted (a Map's output can differ in every item)."""


def json_equal(expected: Any, actual: Any) -> bool:
    """Equality of JSON values: numbers by value, but booleans equal only booleans."""
    if isinstance(expected, bool) or isinstance(actual, bool):
        return type(expected) is type(actual) and expected == actual
    if isinstance(expected, dict):
        return (
            isinstance(actual, dict)
            and expected.keys() == actual.keys()
            and all(json_equal(value, actual[key]) for key, value in expected.items())
        )
    if isinstance(expected, list | tuple):
        return (
            isinstance(actual, list | tuple)
            and len(expected) == len(actual)
            and all(json_equal(a, b) for a, b in zip(expected, actual, strict=True))
        )
    return bool(expected == actual)


def json_differences(expected: Any, actual: Any, *, subset: bool = False, limit: int = REPORTED) -> list[str]:
    """Every difference between ``expected`` and ``actual`` (none when they match), in document order.

    Past ``limit`` differences the list ends with one line counting the others.
    """
    found: list[str] = []
    _compare(expected, actual, "", subset, found)
    if len(found) > limit:
        hidden = len(found) - limit
        found = [*found[:limit], f"… and {hidden} more difference{'s' if hidden > 1 else ''}"]
    return found


def _compare(expected: Any, actual: Any, pointer: str, subset: bool, found: list[str]) -> None:
    if isinstance(expected, dict) and isinstance(actual, dict):
        for key, value in expected.items():
            child = f"{pointer}/{_escape(str(key))}"
            if key in actual:
                _compare(value, actual[key], child, subset, found)
            else:
                found.append(f"at {child}: missing (expected {_short(value)})")
        if not subset:
            found.extend(
                f"at {pointer}/{_escape(str(key))}: unexpected {_short(value)}"
                for key, value in actual.items()
                if key not in expected
            )
        return
    if isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
        for index, (item, other) in enumerate(zip(expected, actual, strict=True)):
            _compare(item, other, f"{pointer}/{index}", subset, found)
        return
    if not json_equal(expected, actual):
        found.append(f"at {pointer or '/'}: expected {_short(expected)}, got {_short(actual)}")


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _short(value: Any, limit: int = 80) -> str:
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"
