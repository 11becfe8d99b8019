"""Recursive-descent parsing of an intrinsic expression into a call tree.

Grammar (as AWS accepts it)::

    expression := call
    call       := NAME '(' [argument (',' argument)*] ')'
    argument   := STRING | NUMBER | 'true' | 'false' | 'null' | PATH | call

Only syntax is checked here; function names, argument counts and paths are resolved by the
compiler (``evaluator``), which knows the function table.
"""

from __future__ import annotations

import re
from typing import Final

from asl_engine.language.errors import ExpressionSyntaxError
from asl_engine.language.intrinsics.lexer import Kind, Token, tokenize
from asl_engine.language.intrinsics.syntax_tree import Call, Literal, Node, PathArgument

_KEYWORDS: Final = {"true": True, "false": False, "null": None}
# A dotted name immediately opening a call: what tells an intrinsic apart from a path.
_CALL_PREFIX = re.compile(r"[ \t\n\r]*[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)+[ \t\n\r]*\(")


def looks_like_intrinsic(text: str) -> bool:
    """Whether ``text`` is written as a call (``States.Name(``...), as opposed to a path.

    Deliberately a prefix test: a malformed call such as ``States.UUID(`` still counts, so the
    caller compiles it and reports what is wrong instead of "not a path".
    """
    return isinstance(text, str) and _CALL_PREFIX.match(text) is not None


def parse_intrinsic(text: str) -> Call:
    """Parse ``text`` into a call tree; raise ``ExpressionSyntaxError`` on malformed syntax."""
    if not isinstance(text, str):
        raise ExpressionSyntaxError("An intrinsic function call must be a string", str(text), None)
    return _Parser(text).parse()


class _Parser:
    __slots__ = ("_current", "_text", "_tokens")

    def __init__(self, text: str) -> None:
        self._text = text
        self._tokens = tokenize(text)
        self._current = next(self._tokens)

    def parse(self) -> Call:
        token = self._current
        if token.kind is not Kind.NAME or token.text in _KEYWORDS:
            raise self._error(token, "an intrinsic function call such as States.Format(...)")
        self._advance()
        call = self._call(token)
        if self._kind() is not Kind.END:
            raise self._error(self._current, "the end of the expression after the closing ')'")
        return call

    def _kind(self) -> Kind:
        """The next token's kind (a method, so type checkers do not freeze it across ``_advance``)."""
        return self._current.kind

    def _advance(self) -> Token:
        token = self._current
        if token.kind is not Kind.END:
            self._current = next(self._tokens)
        return token

    def _call(self, name: Token) -> Call:
        if self._kind() is not Kind.OPEN:
            raise self._error(self._current, f"'(' after {name.text}")
        self._advance()
        arguments: list[Node] = []
        if self._kind() is not Kind.CLOSE:
            while True:
                arguments.append(self._argument())
                if self._kind() is Kind.COMMA:
                    self._advance()
                    continue
                if self._kind() is Kind.CLOSE:
                    break
                raise self._error(self._current, "',' or ')'")
        close = self._advance()
        return Call(name.text, tuple(arguments), name.start, close.end, name.end)

    def _argument(self) -> Node:
        token = self._advance()
        if token.kind is Kind.STRING:
            return Literal(token.value, token.start, token.end, token.text)
        if token.kind is Kind.NUMBER:
            return Literal(token.value, token.start, token.end)
        if token.kind is Kind.PATH:
            return PathArgument(token.text, token.start, token.end)
        if token.kind is Kind.NAME:
            if self._kind() is Kind.OPEN:
                return self._call(token)
            if token.text in _KEYWORDS:
                return Literal(_KEYWORDS[token.text], token.start, token.end)
            raise ExpressionSyntaxError(
                f"Unexpected {token.text!r}: an argument is a 'string', a number, true, false, null, a path starting "
                "with '$' or a nested call",
                self._text,
                token.start,
            )
        raise self._error(token, "an argument")

    def _error(self, token: Token, expected: str) -> ExpressionSyntaxError:
        found = "the end of the expression" if token.kind is Kind.END else repr(token.text)
        return ExpressionSyntaxError(f"Expected {expected}, found {found}", self._text, token.start)
