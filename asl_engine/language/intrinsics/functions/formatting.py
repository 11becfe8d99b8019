"""``States.Format``: a template with ``{}`` placeholders and its arguments rendered as Java does.

Template rules (observed on AWS; a bad template fails when the state runs, not at definition):
``{}`` is a placeholder; ``\\{``, ``\\}`` (and any backslash-escaped character) are literal; a ``{``
not directly followed by ``}`` fails with "Invalid template in States.Format: matching '}' not
found for '{'." and a lone ``}`` with "... matching '{' not found for '}'.". The number of
placeholders must equal the number of further arguments.

Arguments are rendered with Java's ``toString``: strings as-is, ``null`` -> ``null``, ``1.0`` ->
``1.0``, objects -> ``{Arg1=1, Arg2=[]}``, arrays -> ``[1, 2]`` (observed).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Final

from asl_engine.language.intrinsics.failures import IntrinsicFailure, invalid_arguments
from asl_engine.language.intrinsics.functions.arguments import require_string
from asl_engine.language.intrinsics.functions.spec import Implementation
from asl_engine.language.intrinsics.javalike.text import java_string
from asl_engine.language.intrinsics.syntax_tree import Literal, Node
from asl_engine.language.scope import EvaluationScope

NAME: Final = "States.Format"
_UNCLOSED: Final = "Invalid template in States.Format: matching '}' not found for '{'."
_UNOPENED: Final = "Invalid template in States.Format: matching '{' not found for '}'."


@dataclass(frozen=True, slots=True)
class Template:
    """The literal text around the placeholders (``len(pieces) - 1`` placeholders), or the
    error AWS reports for this template when it is used."""

    pieces: tuple[str, ...]
    error: str | None = None


@lru_cache(maxsize=512)
def parse_template(raw: str) -> Template:
    pieces: list[str] = []
    current: list[str] = []
    index = 0
    length = len(raw)
    while index < length:
        char = raw[index]
        if char == "\\" and index + 1 < length:
            current.append(raw[index + 1])
            index += 2
            continue
        if char == "{":
            if index + 1 < length and raw[index + 1] == "}":
                pieces.append("".join(current))
                current = []
                index += 2
                continue
            return Template((), _UNCLOSED)
        if char == "}":
            return Template((), _UNOPENED)
        current.append(char)
        index += 1
    pieces.append("".join(current))
    return Template(tuple(pieces))


def render(template: Template, values: Sequence[Any]) -> str:
    if template.error is not None:
        raise IntrinsicFailure(template.error)
    pieces = template.pieces
    if len(values) != len(pieces) - 1:
        raise invalid_arguments(NAME)
    parts = [pieces[0]]
    for value, piece in zip(values, pieces[1:], strict=True):
        parts.append(value if type(value) is str else java_string(value))
        parts.append(piece)
    return "".join(parts)


def format_string(arguments: Sequence[Any], scope: EvaluationScope) -> str:
    """The general form: the template is computed at run time (a path or a nested call)."""
    return render(parse_template(require_string(NAME, arguments[0])), arguments[1:])


def specialize(arguments: tuple[Node, ...]) -> Implementation | None:
    """A literal template is parsed once, from its source text so ``\\{`` stays literal."""
    first = arguments[0] if arguments else None
    if not isinstance(first, Literal) or first.source is None:
        return None
    template = parse_template(first.source)

    def format_literal(values: Sequence[Any], scope: EvaluationScope) -> str:
        return render(template, values[1:])

    return format_literal
