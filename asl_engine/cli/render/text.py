"""Short texts for people: compact JSON, cut strings, durations, a folded path of states."""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Sequence
from typing import Any


def compact(value: Any) -> str:
    return printable(json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str))


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def printable(text: str) -> str:
    """``text`` with any lone surrogate (which UTF-8 cannot encode) written as a ``\\uXXXX`` escape,
    as AWS's JSON writer writes one: JSON stays valid, and writing it never fails."""
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return _LONE_SURROGATE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)
    return text


def shorten(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters, ending in an ellipsis when cut."""
    if width <= 0:
        return ""
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def format_duration(seconds: float) -> str:
    """``0.4 ms``, ``250 ms``, ``1.25 s``, ``2 min 05 s``, ``3 h 02 min``: precise when short, readable when long."""
    if seconds < 0.01:
        return f"{seconds * 1000:.1f} ms".replace(".0 ms", " ms")
    if seconds < 1:
        return f"{round(seconds * 1000)} ms"
    if seconds < 60:
        return f"{seconds:.2f} s".replace(".00 s", " s")
    minutes, secs = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def describe_path(names: Sequence[str], limit: int = 40) -> str:
    """``A → B → Item (100 times) → C``: repeats folded, long paths cut to their end."""
    folded = [
        name if count == 1 else f"{name} ({count} times)"
        for name, count in ((name, len(list(group))) for name, group in itertools.groupby(names))
    ]
    if len(folded) > limit:
        return f"… ({len(folded) - limit} earlier) → " + " → ".join(folded[-limit:])
    return " → ".join(folded)
