"""The call tree an intrinsic expression parses into. Positions index the source text."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Literal:
    """A string, number, ``true``, ``false`` or ``null`` argument.

    ``source`` is a string literal's text between the quotes, escapes still in place:
    ``States.Format`` reads its template from it so that ``\\{`` stays a literal brace.
    """

    value: Any
    start: int
    end: int
    source: str | None = None


@dataclass(frozen=True, slots=True)
class PathArgument:
    """A path rooted at ``$`` (input), ``$$`` (context object) or ``$name`` (variable)."""

    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Call:
    name: str
    arguments: tuple[Node, ...]
    start: int
    end: int
    name_end: int

    def depth(self) -> int:
        """How many calls deep this tree goes (a call without nested calls has depth 1)."""
        return 1 + max((argument.depth() for argument in self.arguments if isinstance(argument, Call)), default=0)


Node = Literal | PathArgument | Call
