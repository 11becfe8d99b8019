"""Compact JSON text of payloads, made once per state (quota, history and next input share it).

Step Functions writes payloads as compact JSON with non-ASCII characters kept as they are. Every
state exit encodes its output, so this sits on the hottest path of the interpreter: the C encoder
is built once here rather than on every ``json.dumps`` call (about a third cheaper per payload),
and circular-reference checks are skipped because payloads come from JSON and are never cyclic.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any, Final

__all__ = ["int_text", "int_texts", "object_text_writer", "shaped_text_writer", "to_json_text", "to_strict_json_text"]


def _not_json(value: Any) -> Any:
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


_python_encoder: Final = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, check_circular=False)


_strict_python_encoder: Final = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False)


INT_TEXT_CACHE_SIZE: Final = 1 << 16
"""How many integers' texts ``int_texts`` keeps at most (about 9 MB when full, the ints kept with their texts)."""


int_texts: Final[dict[int, str]] = {}
"""The JSON text of ints, by value (``int.__repr__``, what the encoder writes for an int), for the
first ``INT_TEXT_CACHE_SIZE`` values written: read as ``int_texts.get(n) or int_text(n)``.

CPython's int-to-decimal conversion costs about 650 machine instructions even for a one-digit int
(a scratch int in base 10**9, then the digits), and the string is allocated and later freed; a hit
here is one lookup. An iteration over numbered items writes each item's number, and what is computed
from it, several times (its input, each state's output), W3 five times per item. Hits share one
string object, which the history keeps once. A plain dict, read with ``get``: subscripting a dict
subclass with ``__missing__`` goes through the generic ``__getitem__`` slot, which costs more than
the conversion it saves. Keys are only ever exact ints (callers test ``type(n) is int``: ``True``
and ``1.0`` equal ``1`` as keys but are written otherwise)."""


INT_TEXT_CACHED_DIGITS: Final = 20
"""Only ints whose text is this long at most are kept: the cache's bound is in entries, and a
process that writes a few huge ints (JSON allows any number of digits) must not keep them."""


def int_text(number: int) -> str:
    """``int.__repr__(number)``, kept in ``int_texts`` while it has room (its lookup missed) and is
    short (``INT_TEXT_CACHED_DIGITS``)."""
    text = int.__repr__(number)
    if len(text) <= INT_TEXT_CACHED_DIGITS and len(int_texts) < INT_TEXT_CACHE_SIZE:
        int_texts[number] = text
    return text


def _build(allow_nan: bool = True) -> Callable[[Any], str]:
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # an interpreter without the C accelerator (PyPy, some builds)
        return _python_encoder.encode if allow_nan else _strict_python_encoder.encode
    encode_chunks = make(None, _not_json, json.encoder.encode_basestring, None, ":", ",", False, False, allow_nan)
    join = "".join
    encode_string = json.encoder.encode_basestring
    cached_int_text = int_texts.get  # what the encoder writes for an int (a bool is not one here)

    def to_json_text(value: Any) -> str:
        kind = type(value)
        if kind is dict:
            return join(encode_chunks(value, 0))
        if kind is str:
            return encode_string(value)
        if kind is int:
            return cached_int_text(value) or int_text(value)
        return join(encode_chunks(value, 0))

    return to_json_text


to_json_text: Final = _build()
"""``json.dumps(value, separators=(",", ":"), ensure_ascii=False)``, faster."""

_strict: Final = _build(allow_nan=False)


def to_strict_json_text(value: Any) -> str:
    """The same for values from outside (an execution's input): NaN, infinities and Python objects
    raise ``ValueError`` or ``TypeError``, and so does a value that contains itself."""
    try:
        return _strict(value)
    except RecursionError:
        raise ValueError("the value contains itself (a circular reference) or is nested too deeply") from None


def object_text_writer(keys: Sequence[str]) -> Callable[[dict[str, Any]], str] | None:
    """``to_json_text`` for objects that have exactly ``keys``, in that order (what a Parameters
    template of one or two fields builds), written as the text around the keys made once and each
    member's own text: the same text, at about a third of the encoder's cost for a small object
    (its call, not its work, dominates). None for other numbers of keys."""
    if not 1 <= len(keys) <= 2:
        return None
    encode_string = json.encoder.encode_basestring
    cached_int_text = int_texts.get
    head = "{" + encode_string(keys[0]) + ":"
    if len(keys) == 1:

        def write_one(value: dict[str, Any]) -> str:
            if len(value) != 1:
                return to_json_text(value)
            (member,) = value.values()
            member_text = (cached_int_text(member) or int_text(member)) if type(member) is int else to_json_text(member)
            return f"{head}{member_text}}}"

        return write_one
    middle = "," + encode_string(keys[1]) + ":"

    def write_two(value: dict[str, Any]) -> str:
        if len(value) != 2:
            return to_json_text(value)
        first, second = value.values()
        first_text = (cached_int_text(first) or int_text(first)) if type(first) is int else to_json_text(first)
        second_text = (cached_int_text(second) or int_text(second)) if type(second) is int else to_json_text(second)
        return f"{head}{first_text}{middle}{second_text}}}"

    return write_two


def shaped_text_writer(members: Sequence[tuple[str, bool, Any]]) -> Callable[[dict[str, Any]], str] | None:
    """``to_json_text`` for the objects a Parameters template with constant members builds
    (``members``: each key in order, whether its value is a constant, and the constant): the text
    of the constant members is made once, around the one or two values that change (W4's
    ``{"branch": 0, "step": 5, "count.$": ...}``), each written as ``object_text_writer`` writes
    it. None without a constant member or with more than two others."""
    dynamic = [key for key, constant, _ in members if not constant]
    if len(dynamic) == len(members) or not 1 <= len(dynamic) <= 2:
        return None
    encode_string = json.encoder.encode_basestring
    cached_int_text = int_texts.get
    size = len(members)
    pieces: list[str] = []  # the text before the first dynamic value, between them, after the last
    text = "{"
    for index, (key, constant, value) in enumerate(members):
        text += ("," if index else "") + encode_string(key) + ":"
        if constant:
            text += to_json_text(value)
        else:
            pieces.append(text)
            text = ""
    pieces.append(text + "}")
    if len(dynamic) == 1:
        (key,) = dynamic
        head, tail = pieces

        def write_one_member(value: dict[str, Any]) -> str:
            if len(value) != size:
                return to_json_text(value)
            member = value[key]
            member_text = (cached_int_text(member) or int_text(member)) if type(member) is int else to_json_text(member)
            return f"{head}{member_text}{tail}"

        return write_one_member
    first_key, second_key = dynamic
    head, middle, tail = pieces

    def write_two_members(value: dict[str, Any]) -> str:
        if len(value) != size:
            return to_json_text(value)
        first, second = value[first_key], value[second_key]
        first_text = (cached_int_text(first) or int_text(first)) if type(first) is int else to_json_text(first)
        second_text = (cached_int_text(second) or int_text(second)) if type(second) is int else to_json_text(second)
        return f"{head}{first_text}{middle}{second_text}{tail}"

    return write_two_members
