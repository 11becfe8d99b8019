"""A fresh copy of a plain JSON value: what a round trip through JSON text gives, without the text.

Lambda sees JSON, never the engine's objects: the event a function receives is what
``json.loads(json.dumps(event))`` makes of the Task's parameters, and the result a Task gets is
what ``json.loads`` makes of the text the runtime marshalled. For values made only of exact
``dict`` (string keys), ``list``, ``str``, ``int``, ``float``, ``bool`` and ``None`` a recursive
copy is that round trip exactly (the same keys in the same order, equal numbers, a new container
for every occurrence of a shared one) at a tenth of its cost; anything else (tuples, subclasses,
non-string keys, ``Decimal``, very large integers, a value that contains itself) is not plain, and
the caller takes the general path, which keeps its behaviour and its errors.

``plain_copy`` also gives an upper bound of the length of ``json.dumps(value)`` (default
separators, ASCII escapes), so the runtime's response limit can be checked without the text: when
the bound is under the limit so is the text; when it is not, the caller marshals for real.
"""

from __future__ import annotations

from typing import Any

MAX_INT_BITS = 2000
"""Larger integers are not plain: ``json.dumps`` refuses more than ``sys.get_int_max_str_digits()``
decimal digits (640 at the lowest setting; 2,000 bits are at most 603 digits)."""

_FLOAT_CHARS = 24
"""The longest ``repr`` of a finite float (``-2.2250738585072014e-308``), and longer than ``NaN``,
``Infinity`` and ``-Infinity``."""

_CHAR_CHARS = 12
"""A character's longest ASCII escape: a surrogate pair, ``\\ud83d\\ude00``."""


class NotPlain(Exception):
    """The value is not plain JSON (or is too deep to copy here): take the general path."""


def plain_copy(value: Any, *, finite: bool) -> tuple[Any, int]:
    """``value`` copied as a JSON round trip would, with an upper bound of its ``json.dumps`` length.

    ``finite`` refuses NaN and the infinities (the runtime marshals with ``allow_nan=False``).
    Raises ``NotPlain`` when the round trip could differ from the copy, or fail.
    """
    size = [0]
    try:
        return _copy(value, size, finite), size[0]
    except RecursionError:
        raise NotPlain from None


def _copy(value: Any, size: list[int], finite: bool) -> Any:
    kind = type(value)
    if kind is str:
        size[0] += 2 + _CHAR_CHARS * len(value)
        return value
    if kind is dict:
        copied: dict[str, Any] = {}
        total = 2
        for key, item in value.items():
            if type(key) is not str:
                raise NotPlain
            if type(item) is str:  # most members: no call for them
                # The key's quotes, ": " and ", " (6), the value's quotes (2), their characters.
                total += 8 + _CHAR_CHARS * (len(key) + len(item))
                copied[key] = item
            else:
                total += 6 + _CHAR_CHARS * len(key)
                copied[key] = _copy(item, size, finite)
        size[0] += total
        return copied
    if kind is list:
        size[0] += 2 + 2 * len(value)
        return [_copy(item, size, finite) for item in value]
    if kind is int:
        bits = value.bit_length()
        if bits > MAX_INT_BITS:
            raise NotPlain
        size[0] += 2 + bits // 3  # the sign, and at least one decimal digit per 3 bits
        return value
    if kind is float:
        if finite and (value != value or value in (_INFINITY, -_INFINITY)):
            raise NotPlain
        size[0] += _FLOAT_CHARS
        return value
    if value is None or kind is bool:
        size[0] += 5
        return value
    raise NotPlain


_INFINITY = float("inf")
