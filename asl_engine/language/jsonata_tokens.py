"""Finding ``$`` and ``$$`` used at the top level of a JSONata expression, with JSONata's own tokenizer.

In Step Functions a JSONata expression has no input document (the state's input is
``$states.input``), so a top-level ``$`` or ``$$`` is a mistake the engine reports at load time.
Inside ``[...]`` predicates and ``{...}`` constructors ``$`` has a context and is fine. Telling a
reference from a ``$`` inside a string, a backtick name, a comment or a regular expression
(``/^hello\\$/``) needs the expression tokenized as JSONata does; the tokenizer is jsonata-python's.

A ``/`` starts a regular expression or divides depending on where the parser is, which the
tokenizer is told with each call (Pratt parsing): the token after one that *starts* an operand
(a value, or a prefix operator such as a grouping ``(``) is read in infix mode, where ``/``
divides; the token after a binary operator (``,``, ``:``, ``?``, ``&``, a call's ``(``...) in
prefix mode, where ``/`` opens a regex. Closing brackets end an operand.
"""

from __future__ import annotations

from typing import Any

from jsonata.jexception import JException
from jsonata.tokenizer import Tokenizer

_OPENERS = frozenset({"[", "{"})
_CLOSERS = frozenset({")", "]", "}"})
_WILDCARDS = frozenset({"*", "**"})


def top_level_context_references(text: str) -> list[str]:
    """``"$"``/``"$$"`` for each bare context reference outside ``[...]`` and ``{...}``, in order.

    An expression the tokenizer cannot read yields what was found before the problem (the
    compiler reports the syntax error itself).
    """
    found: list[str] = []
    depth = 0
    tokenizer = Tokenizer(text)
    starts_operand = True  # the next token begins an operand (prefix position)
    infix_mode = False  # how the next token is read: in infix mode '/' divides
    while True:
        try:
            token: Any = tokenizer.next(infix_mode)
        except (JException, IndexError):
            return found
        if token is None:
            return found
        kind, value = token.type, token.value
        if kind == "operator" and value in _CLOSERS:
            depth = max(0, depth - 1) if value != ")" else depth
            starts_operand, infix_mode = False, True
        elif kind == "operator" and not (value in _WILDCARDS and starts_operand):
            if value in _OPENERS:
                depth += 1
            # a prefix operator is a nud: the parser reads what follows in infix mode
            infix_mode = starts_operand
            starts_operand = True
        else:
            if kind == "variable" and depth == 0 and value in ("", "$"):
                found.append("$" + value)
            starts_operand, infix_mode = False, True
