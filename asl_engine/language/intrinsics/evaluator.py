"""Compiling a parsed call tree into a closure: names resolved, paths compiled, literals pre-built."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from asl_engine.language.errors import ExpressionSyntaxError
from asl_engine.language.intrinsics.functions import FUNCTIONS
from asl_engine.language.intrinsics.parser import Call, Literal, Node, PathArgument, parse_intrinsic
from asl_engine.language.jsonpath import compile_path
from asl_engine.language.scope import EvaluationScope

Evaluate = Callable[[Any, EvaluationScope], Any]


class CompiledIntrinsic:
    """An intrinsic call compiled once; ``evaluate(document, scope)`` runs it."""

    __slots__ = ("evaluate", "text")

    def __init__(self, text: str, evaluate: Evaluate) -> None:
        self.text = text
        self.evaluate = evaluate

    def __repr__(self) -> str:
        return f"CompiledIntrinsic({self.text!r})"


def compile_intrinsic(text: str) -> CompiledIntrinsic:
    """Parse and compile; raise ExpressionSyntaxError for syntax, unknown names, arity or bad paths."""
    return CompiledIntrinsic(text, _compile(parse_intrinsic(text), text))


def _compile(node: Node, text: str) -> Evaluate:
    if isinstance(node, Literal):
        value = node.value
        return lambda document, scope: value
    if isinstance(node, PathArgument):
        try:
            path = compile_path(node.text)
        except ExpressionSyntaxError as error:
            raise ExpressionSyntaxError(f"Invalid path argument {node.text!r}: {error.message}", text) from None
        return path.get
    return _compile_call(node, text)


def _compile_call(call: Call, text: str) -> Evaluate:
    signature = FUNCTIONS.get(call.name)
    if signature is None:
        known = ", ".join(sorted(FUNCTIONS))
        raise ExpressionSyntaxError(f"Unknown intrinsic function '{call.name}' (known: {known})", text, call.position)
    count = len(call.arguments)
    if not signature.min_args <= count <= signature.max_args:
        expected = (str(signature.min_args) if signature.min_args == signature.max_args
                    else f"{signature.min_args} to {signature.max_args}")
        raise ExpressionSyntaxError(
            f"{call.name} takes {expected} argument(s), but {count} were given", text, call.position
        )
    function = signature.function
    arguments = tuple(_compile(argument, text) for argument in call.arguments)

    def evaluate(document: Any, scope: EvaluationScope) -> Any:
        return function([argument(document, scope) for argument in arguments], scope)

    return evaluate
