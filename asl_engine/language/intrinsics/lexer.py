"""Splitting intrinsic text into tokens: names, punctuation, strings, numbers and paths.

String literals are single-quoted; inside them ``\\'``, ``\\{``, ``\\}`` and ``\\\\`` are the only
escapes AWS accepts (any other backslash makes the definition invalid). Unescaped braces are
accepted (AWS runs ``States.StringToJson('{"a": 1}')``). A path runs from ``$`` to the first
``,``, ``)`` or blank outside brackets, so ``$['a, b']`` and ``$.xs[?(@.v > 1)]`` stay whole.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from typing import Any, Final

from asl_engine.language.errors import ExpressionSyntaxError

BLANKS: Final = " \t\n\r"
STRING_ESCAPES: Final = "'{}\\"
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_NUMBER_FOLLOWERS = re.compile(r"[A-Za-z0-9_.$]")


class Kind(Enum):
    NAME = "name"
    OPEN = "'('"
    CLOSE = "')'"
    COMMA = "','"
    STRING = "string"
    NUMBER = "number"
    PATH = "path"
    END = "end of text"


@dataclass(frozen=True, slots=True)
class Token:
    kind: Kind
    text: str
    start: int
    end: int
    value: Any = None


def tokenize(text: str) -> Iterator[Token]:
    position = 0
    length = len(text)
    while True:
        while position < length and text[position] in BLANKS:
            position += 1
        if position >= length:
            yield Token(Kind.END, "", length, length)
            return
        char = text[position]
        if char == "(":
            yield Token(Kind.OPEN, char, position, position + 1)
            position += 1
        elif char == ")":
            yield Token(Kind.CLOSE, char, position, position + 1)
            position += 1
        elif char == ",":
            yield Token(Kind.COMMA, char, position, position + 1)
            position += 1
        elif char == "'":
            token = _string(text, position)
            yield token
            position = token.end
        elif char == "$":
            token = _path(text, position)
            yield token
            position = token.end
        elif char == "-" or char.isdigit():
            token = _number(text, position)
            yield token
            position = token.end
        else:
            match = _NAME.match(text, position)
            if match is None:
                raise ExpressionSyntaxError(f"Unexpected character {char!r}", text, position)
            yield Token(Kind.NAME, match.group(), position, match.end())
            position = match.end()


def _string(text: str, start: int) -> Token:
    chars: list[str] = []
    position = start + 1
    length = len(text)
    while position < length:
        char = text[position]
        if char == "'":
            return Token(Kind.STRING, text[start + 1 : position], start, position + 1, "".join(chars))
        if char == "\\":
            escaped = text[position + 1] if position + 1 < length else ""
            if not escaped or escaped not in STRING_ESCAPES:
                sequence = "\\" + escaped
                raise ExpressionSyntaxError(
                    f"Invalid escape {sequence!r} in a string literal: only \\', \\{{, \\}} and \\\\ are allowed "
                    "(a backslash must be escaped as \\\\)",
                    text,
                    position,
                )
            chars.append(escaped)
            position += 2
            continue
        chars.append(char)
        position += 1
    raise ExpressionSyntaxError("Unterminated string literal (missing closing ')", text, start)


def _number(text: str, start: int) -> Token:
    match = _NUMBER.match(text, start)
    if match is None or _NUMBER_FOLLOWERS.match(text, match.end()):
        end = match.end() if match else start + 1
        while end < len(text) and _NUMBER_FOLLOWERS.match(text, end):
            end += 1
        raise ExpressionSyntaxError(f"Invalid number {text[start:end]!r}", text, start)
    literal = match.group()
    if any(marker in literal for marker in ".eE"):
        value: int | float = float(literal)
        if math.isinf(value):
            raise ExpressionSyntaxError(f"Number {literal} is too large", text, start)
    else:
        value = int(literal)
    return Token(Kind.NUMBER, literal, start, match.end(), value)


def _path(text: str, start: int) -> Token:
    position = start
    length = len(text)
    brackets = 0
    parentheses = 0
    quote = ""
    while position < length:
        char = text[position]
        if quote:
            if char == "\\":
                position += 1
            elif char == quote:
                quote = ""
        elif char == "\\":
            position += 1
        elif brackets:
            if char in "'\"":
                quote = char
            elif char == "[":
                brackets += 1
            elif char == "]":
                brackets -= 1
        elif char == "[":
            brackets += 1
        elif char == "(":
            parentheses += 1
        elif char == ")":
            if not parentheses:
                break
            parentheses -= 1
        elif (char == "," or char in BLANKS) and not parentheses:
            break
        position += 1
    if quote or brackets:
        raise ExpressionSyntaxError("Unterminated path: missing ']' or closing quote", text, start)
    position = min(position, length)
    return Token(Kind.PATH, text[start:position], start, position)
