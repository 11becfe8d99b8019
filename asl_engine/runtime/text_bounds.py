"""Bounds of a state output's JSON text, known from what the output is made of (history off).

The payload quota (256 KiB) is measured on an output's JSON text. With the history on that text is
made anyway (the history keeps it); with the history off it is made only to be measured, and for
the usual small payload it is far from the quota. A Pass whose output is built from its input by a
Parameters template and an OutputPath has an output whose text is at most ``per_input`` times its
input's text plus ``constant`` characters, both known when the state is compiled:

* a member read from the input by a definite path (``"n.$": "$.n"``) is a node of the input, and
  the compact JSON text of a node is a part of its document's text, so at most as long;
* a constant member, a key and the punctuation have a fixed text;
* a few intrinsic functions return a value of bounded text whatever their arguments
  (``States.MathAdd``: a Java ``int``, at most 11 characters);
* a definite OutputPath selects a node of the output (at most as long), ``OutputPath: null`` is
  ``{}``.

Anything else (a context path, a variable, an indefinite path, any other intrinsic) has no bound
here: the caller measures the text, as it would without bounds. The bounds are in characters of the
text ``json_text.to_json_text`` writes; a text of fewer than ``QUICK_PAYLOAD_CHARS`` characters is
within the quota whatever its characters (at most 4 UTF-8 bytes each), so a bound below that
settles the quota without the text.
"""

from __future__ import annotations

import json
from typing import Any, Final

from asl_engine.language.errors import ExpressionSyntaxError
from asl_engine.language.intrinsics import compile_intrinsic, looks_like_intrinsic
from asl_engine.language.jsonpath import CompiledPath, compile_path
from asl_engine.runtime.json_text import to_json_text

__all__ = ["INTRINSIC_TEXT_CHARS", "SAME", "TextBound", "chained", "path_bound", "template_bound"]

TextBound = tuple[int, int]
"""``(per_input, constant)``: the output's text has at most ``per_input * len(input text) + constant``
characters."""

SAME: Final[TextBound] = (1, 0)
"""The input itself, or a node of it."""

INTRINSIC_TEXT_CHARS: Final[dict[str, int]] = {
    "States.MathAdd": 11,  # a Java int (``arithmetic.math_add`` fails a sum out of range): -2147483648
    "States.MathRandom": 11,  # an int in [start, end), both Java ints
    "States.ArrayLength": 19,  # the length of a list in memory, under 10**19
    "States.ArrayContains": 5,  # true or false
    "States.UUID": 38,  # 36 characters and the quotes
}
"""The longest text of each intrinsic function's result that does not depend on its arguments (an
argument that does not fit makes the call fail, which bounds nothing because nothing is output)."""

_encode_key: Final = json.encoder.encode_basestring


def chained(first: TextBound | None, second: TextBound | None) -> TextBound | None:
    """The bound of ``second`` applied to what ``first`` made (None when either is unknown)."""
    if first is None or second is None:
        return None
    return second[0] * first[0], second[0] * first[1] + second[1]


def path_bound(path: Any) -> TextBound | None:
    """What a definite path rooted at the input selects (an OutputPath: a node of its document);
    ``None`` as the path (``OutputPath: null``) gives ``{}``."""
    if path is None:
        return 0, 2
    if isinstance(path, CompiledPath) and path.root == "input" and path.definite:
        return SAME
    return None


def template_bound(source: Any) -> TextBound | None:
    """The bound of what a JSONPath payload template (``Parameters``) builds from its input, read
    from the template's own text (as ``language.template`` compiles it: a ``key.$`` member holds a
    path or an intrinsic call, every other member is a template or a constant)."""
    if isinstance(source, dict):
        per_input, constant = 0, 1 + 2 * len(source) if source else 2  # braces, colons and commas
        for key, member in source.items():
            if key.endswith(".$") and len(key) > 2:
                bound = _dynamic_bound(member)
                key = key[:-2]
            else:
                bound = template_bound(member)
            if bound is None:
                return None
            per_input += bound[0]
            constant += len(_encode_key(key)) + bound[1]
        return per_input, constant
    if isinstance(source, list):
        per_input, constant = 0, 1 + len(source) if source else 2  # brackets and commas
        for member in source:
            bound = template_bound(member)
            if bound is None:
                return None
            per_input += bound[0]
            constant += bound[1]
        return per_input, constant
    return 0, len(to_json_text(source))


def _dynamic_bound(expression: Any) -> TextBound | None:
    """A ``key.$`` member: a path into the input (a node of it), or an intrinsic whose result's text
    has a fixed bound; None for anything else, and for what does not compile (its state fails)."""
    if not isinstance(expression, str):
        return None
    try:
        if looks_like_intrinsic(expression):
            chars = INTRINSIC_TEXT_CHARS.get(compile_intrinsic(expression).tree.name)
            return None if chars is None else (0, chars)
        if expression.startswith("$"):
            return path_bound(compile_path(expression))
    except ExpressionSyntaxError:
        return None
    return None
