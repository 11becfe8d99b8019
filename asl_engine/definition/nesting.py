"""How deeply JSON may nest: the engine's documented limit, and a check that never recurses.

The engine walks JSON values recursively (templates, expressions, copies, the validator), and
Python stops recursion at about a thousand frames. Rather than fail somewhere inside with a
``RecursionError``, definitions and execution inputs nested deeper than ``MAX_NESTING_DEPTH`` are
refused where they come in, with an error that names the place and the limit. AWS's own JSON reader
(Jackson) refuses documents nested deeper than 1,000; no real definition or payload comes near
either limit. The walk here is iterative, so it also stops on a value that contains itself.
"""

from __future__ import annotations

import math
import re
from itertools import accumulate
from typing import Any, Final

from asl_engine.definition import pointers

MAX_NESTING_DEPTH: Final = 150
"""Objects and arrays inside one another, at most (the document itself is level 1)."""

TOO_DEEP: Final = "NESTING_TOO_DEEP"
"""Our diagnostic code for a definition nested deeper than ``MAX_NESTING_DEPTH``."""


Path = tuple[Any, "Path"] | None
"""Where a node is, as (its key, its parent's path): made per node without writing a pointer, which
is written (``_pointer``) only for the node a check reports."""


_CONTAINERS: Final = (dict, list)
_NONE_TYPE: Final = type(None)


def survey(value: Any, limit: int = MAX_NESTING_DEPTH) -> tuple[bool, bool]:
    """(nested deeper than ``limit``, holds a number that is not finite), in one walk.

    The walk a loaded definition always takes (``loader``): level by level, without writing where
    anything is, since a valid definition has nothing to report; ``too_deep_at`` and ``non_finite_at``
    find the place when it says there is one. A value that contains itself ends the walk at the limit.
    """
    if isinstance(value, float):
        return False, not math.isfinite(value)
    if not isinstance(value, _CONTAINERS):
        return False, False
    non_finite = False
    level: list[Any] = [value]
    for _ in range(limit):
        level, found = _next_level(level)
        non_finite = non_finite or found
        if not level:
            return False, non_finite
    return True, non_finite


def _next_level(level: list[Any]) -> tuple[list[Any], bool]:
    """The objects and arrays directly inside those of ``level``, and whether a number among their
    members is not finite.

    Members are told apart by their exact type first (what ``json.loads`` makes: ``type(x) is``
    costs half an ``isinstance`` with a tuple); any other type (a subclass, in a dict given by the
    caller) takes ``isinstance``, which treats a subclass as its base.
    """
    deeper: list[Any] = []
    append = deeper.append
    non_finite = False
    for node in level:
        for item in node.values() if isinstance(node, dict) else node:
            kind = type(item)
            if kind is dict or kind is list:
                append(item)
            elif kind is not str and kind is not int and kind is not bool and kind is not _NONE_TYPE:
                if isinstance(item, _CONTAINERS):
                    append(item)
                elif isinstance(item, float) and not math.isfinite(item):
                    non_finite = True
    return deeper, non_finite


def too_deep_at(value: Any, limit: int = MAX_NESTING_DEPTH) -> str | None:
    """The JSON pointer of the first object or array nested deeper than ``limit``, or None.

    A level-by-level walk without pointers answers first (the common case: not too deep); only a
    document too deep is walked again, breadth by depth with an explicit stack and each node's path,
    to name the first place. Either walk ends at the limit on a value that contains itself."""
    if not isinstance(value, dict | list) or not survey(value, limit)[0]:
        return None
    stack: list[tuple[Any, Path, int]] = [(value, None, 1)]
    while stack:
        node, path, depth = stack.pop()
        if depth > limit:
            return _pointer(path)
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, item in items:
            if isinstance(item, dict | list):
                stack.append((item, (key, path), depth + 1))
    return None


def non_finite_at(value: Any) -> str | None:
    """The JSON pointer of the first number that is NaN or infinite (``NaN``, ``Infinity`` or a
    literal beyond a double such as ``1e309``, which Python's reader accepts and AWS's refuses)."""
    if isinstance(value, float):
        return None if math.isfinite(value) else "/"
    if not isinstance(value, dict | list):
        return None
    stack: list[tuple[Any, Path]] = [(value, None)]
    while stack:
        node, path = stack.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, item in items:
            if isinstance(item, float):
                if not math.isfinite(item):
                    return _pointer((key, path))
            elif isinstance(item, dict | list):
                stack.append((item, (key, path)))
    return None


def _pointer(path: Path) -> str:
    """The JSON pointer of ``path`` ("/" for the document itself)."""
    keys: list[Any] = []
    while path is not None:
        key, path = path
        keys.append(key)
    pointer = ""
    for key in reversed(keys):
        pointer = pointers.join(pointer, key)
    return pointer or "/"


def text_too_deep(text: str, limit: int = MAX_NESTING_DEPTH) -> bool:
    """Whether JSON ``text`` opens more than ``limit`` objects or arrays inside one another.

    At C speed, for the input of every execution: text shorter than ``2 * limit`` characters cannot
    nest that deep; otherwise strings are cut out, the brackets left are summed as +1/-1 and the
    running total's maximum is the depth.
    """
    if len(text) <= 2 * limit or text.count("[") + text.count("{") <= limit:
        return False
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    return max(accumulate(map(_DEPTH_CHANGE.__getitem__, brackets)), default=0) > limit


_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_DEPTH_CHANGE = {"[": 1, "{": 1, "]": -1, "}": -1}


def too_deep_message(what: str, pointer: str | None, limit: int = MAX_NESTING_DEPTH) -> str:
    where = f" at {pointer}" if pointer else ""
    return (
        f"{what} nests objects and arrays more than {limit} levels deep{where}: asl-engine's limit "
        f"(MAX_NESTING_DEPTH; AWS's JSON reader allows 1000). Flatten the structure."
    )
