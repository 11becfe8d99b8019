"""Parsing intrinsic function calls (``States.Format('{} {}', $.a, $.b)``) into a call tree.

Grammar (AWS): ``Name(arg, ...)`` where an argument is a single-quoted string (``\\'`` and ``\\\\``
unescaped; ``\\{`` and ``\\}`` kept for States.Format, which reads them as literal braces; unescaped
braces are accepted, as AWS does), a number, ``true``/``false``/``null``, a path rooted at ``$``, ``$$`` or a
variable, or a nested call. Calls nest at most 10 deep.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from asl_engine.language.errors import ExpressionSyntaxError

MAX_NESTING = 10
_NAME = re.compile(r"[A-Za-z0-9_.]+")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?")
_LOOKS_LIKE_CALL = re.compile(r"\s*[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)+\s*\(")


@dataclass(frozen=True, slots=True)
class Literal:
    value: Any


@dataclass(frozen=True, slots=True)
class PathArgument:
    text: str


@dataclass(frozen=True, slots=True)
class Call:
    name: str
    arguments: tuple[Literal | PathArgument | Call, ...]
    position: int


Node = Literal | PathArgument | Call


def looks_like_intrinsic(text: str) -> bool:
    """Cheap test used to route ``.$`` values: a dotted name followed by ``(``."""
    return isinstance(text, str) and _LOOKS_LIKE_CALL.match(text) is not None


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.position = 0

    def fail(self, message: str, position: int | None = None) -> ExpressionSyntaxError:
        return ExpressionSyntaxError(message, self.text, self.position if position is None else position)

    def skip_spaces(self) -> None:
        text = self.text
        while self.position < len(text) and text[self.position] in " \t\r\n":
            self.position += 1

    def peek(self) -> str:
        return self.text[self.position] if self.position < len(self.text) else ""

    def parse(self) -> Call:
        self.skip_spaces()
        call = self.call(1)
        self.skip_spaces()
        if self.position != len(self.text):
            raise self.fail("Unexpected text after the closing parenthesis")
        return call

    def call(self, depth: int) -> Call:
        if depth > MAX_NESTING:
            raise self.fail(f"Intrinsic functions can be nested at most {MAX_NESTING} levels deep")
        start = self.position
        match = _NAME.match(self.text, self.position)
        if match is None:
            raise self.fail("Expected an intrinsic function name")
        name = match.group(0)
        self.position = match.end()
        self.skip_spaces()
        if self.peek() != "(":
            raise self.fail(f"Expected '(' after {name}")
        self.position += 1
        arguments: list[Node] = []
        self.skip_spaces()
        if self.peek() == ")":
            self.position += 1
            return Call(name, (), start)
        while True:
            self.skip_spaces()
            arguments.append(self.argument(depth))
            self.skip_spaces()
            char = self.peek()
            if char == ",":
                self.position += 1
                continue
            if char == ")":
                self.position += 1
                return Call(name, tuple(arguments), start)
            raise self.fail("Expected ',' or ')' between arguments" if char else "Missing ')'")

    def argument(self, depth: int) -> Node:
        char = self.peek()
        if char == "'":
            return Literal(self.string())
        if char == "$":
            return PathArgument(self.path())
        if char == "-" or char.isdigit():
            match = _NUMBER.match(self.text, self.position)
            if match is None:
                raise self.fail("Invalid number")
            self.position = match.end()
            literal = match.group(0)
            number: int | float = float(literal) if any(c in literal for c in ".eE") else int(literal)
            return Literal(number)
        for word, value in (("true", True), ("false", False), ("null", None)):
            if self.text.startswith(word, self.position) and not self._continues_name(self.position + len(word)):
                self.position += len(word)
                return Literal(value)
        if char and (char.isalpha() or char == "_"):
            return self.call(depth + 1)
        raise self.fail("Expected an argument: a 'string', a number, true, false, null, a path or a function call")

    def _continues_name(self, index: int) -> bool:
        return index < len(self.text) and (self.text[index].isalnum() or self.text[index] in "_.(")

    def string(self) -> str:
        start = self.position
        self.position += 1
        chars: list[str] = []
        text = self.text
        while self.position < len(text):
            char = text[self.position]
            if char == "\\":
                following = text[self.position + 1] if self.position + 1 < len(text) else ""
                if following not in ("'", "{", "}", "\\") or not following:
                    raise self.fail("A backslash in a string argument must escape one of ' { } \\")
                # ``\{`` and ``\}`` stay escaped: they mean literal braces to States.Format.
                chars.append(following if following in "'\\" else char + following)
                self.position += 2
                continue
            if char == "'":
                self.position += 1
                return "".join(chars)
            chars.append(char)
            self.position += 1
        raise self.fail("Unterminated string argument", start)

    def path(self) -> str:
        """A path runs to the next ``,`` or ``)`` outside brackets, parentheses and quotes."""
        start = self.position
        text = self.text
        depth = 0
        quote = ""
        while self.position < len(text):
            char = text[self.position]
            if quote:
                if char == "\\":
                    self.position += 1
                elif char == quote:
                    quote = ""
            elif char in "'\"":
                quote = char
            elif char in "[(":
                depth += 1
            elif char in "])":
                if depth == 0:
                    break
                depth -= 1
            elif char == "," and depth == 0:
                break
            self.position += 1
        return text[start:self.position].rstrip()


def parse_intrinsic(text: str) -> Call:
    if not isinstance(text, str):
        raise ExpressionSyntaxError("An intrinsic function call must be a string", str(text))
    return _Parser(text).parse()
