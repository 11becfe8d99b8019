"""Tokens of DynamoDB's expression language.

The lexer never fails: a character that starts no token becomes an ``INVALID`` token of its own,
and the parser reports the first token it cannot use as DynamoDB does:
``Syntax error; token: "<token>", near: "<previous token> <token> <next token>"``.

Names follow DynamoDB's lexical rules: an attribute name written in the expression starts with a
letter and continues with letters, digits and ``_``; ``#name`` and ``:value`` placeholders take
one or more letters, digits and ``_`` after the sign.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum


class Kind(Enum):
    IDENTIFIER = "identifier"
    NAME = "name"  # #placeholder
    VALUE = "value"  # :placeholder
    NUMBER = "number"  # digits, only meaningful as a list index
    PUNCTUATION = "punctuation"
    INVALID = "invalid"
    EOF = "eof"


@dataclass(frozen=True, slots=True)
class Token:
    kind: Kind
    text: str
    start: int
    end: int

    def is_punct(self, text: str) -> bool:
        return self.kind is Kind.PUNCTUATION and self.text == text


_TOKEN = re.compile(
    r"""
      (?P<space>[ \t\r\n]+)
    | (?P<identifier>[A-Za-z][A-Za-z0-9_]*)
    | (?P<name>\#[A-Za-z0-9_]+)
    | (?P<value>:[A-Za-z0-9_]+)
    | (?P<number>[0-9]+)
    | (?P<punctuation><>|<=|>=|[()\[\],.=<>+\-])
    """,
    re.VERBOSE,
)

_KINDS = {
    "identifier": Kind.IDENTIFIER,
    "name": Kind.NAME,
    "value": Kind.VALUE,
    "number": Kind.NUMBER,
    "punctuation": Kind.PUNCTUATION,
}


def tokenize(text: str) -> list[Token]:
    """All tokens of ``text``, ending with an ``EOF`` token."""
    tokens: list[Token] = []
    position = 0
    length = len(text)
    while position < length:
        match = _TOKEN.match(text, position)
        if match is None:
            tokens.append(Token(Kind.INVALID, text[position], position, position + 1))
            position += 1
            continue
        group = match.lastgroup
        assert group is not None
        if group != "space":
            tokens.append(Token(_KINDS[group], match.group(), match.start(), match.end()))
        position = match.end()
    tokens.append(Token(Kind.EOF, "<EOF>", length, length))
    return tokens
