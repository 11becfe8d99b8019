"""Compiling a call tree into nested closures, once, and running them with AWS's error wording.

Everything that can be decided from the text is decided here: function names are resolved,
paths compiled, literals pre-built, ``States.Format`` templates parsed. Evaluating is then a
chain of plain function calls with no parsing and no lookups.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from typing import Any, Final

from asl_engine.language.errors import EvaluationError, ExpressionSyntaxError, PathNotFoundError, VariableNotFoundError
from asl_engine.language.intrinsics.failures import IntrinsicFailure, MissingPathArgument, invalid_arguments
from asl_engine.language.intrinsics.functions import FUNCTIONS, arithmetic
from asl_engine.language.intrinsics.functions.spec import Implementation, IntrinsicFunction
from asl_engine.language.intrinsics.javalike.jackson import to_json
from asl_engine.language.intrinsics.parser import parse_intrinsic
from asl_engine.language.intrinsics.syntax_tree import Call, Literal, Node, PathArgument
from asl_engine.language.jsonpath import compile_path
from asl_engine.language.scope import EvaluationScope

Evaluator = Callable[[Any, EvaluationScope], Any]

MAX_NESTING: Final = 10
RUNTIME_ERROR: Final = "States.Runtime"


class CompiledIntrinsic:
    """An intrinsic expression compiled once; ``evaluate(document, scope)`` runs it.

    ``evaluate`` raises ``EvaluationError("States.Runtime", ...)`` with AWS's cause text (without
    the "An error occurred while executing the state ..." prefix, which the runtime adds), and lets
    ``VariableNotFoundError`` through for the caller to word. ``warnings`` lists what AWS accepts
    in a definition but fails on at run time (a wrong argument count).
    """

    __slots__ = ("_root", "text", "tree", "warnings")

    def __init__(self, text: str, tree: Call, root: Evaluator, warnings: tuple[str, ...]) -> None:
        self.text = text
        self.tree = tree
        self.warnings = warnings
        self._root = root

    def __repr__(self) -> str:
        return f"CompiledIntrinsic({self.text!r})"

    def evaluate(self, document: Any, scope: EvaluationScope) -> Any:
        try:
            return self._root(document, scope)
        except IntrinsicFailure as failure:
            raise EvaluationError(
                RUNTIME_ERROR,
                f"There was an error while evaluating the intrinsic function: {self.text}. {failure.detail}",
            ) from None
        except MissingPathArgument as missing:
            raise EvaluationError(
                RUNTIME_ERROR,
                f"The function '{missing.call_text}' had the following error: The JsonPath argument for the field "
                f"'{missing.path}' could not be found in the input '{to_json(missing.document)}'",
            ) from None


def compile_intrinsic(text: str) -> CompiledIntrinsic:
    """Parse and compile ``text``.

    Raises ``ExpressionSyntaxError`` for what AWS rejects in a definition: malformed syntax, an
    unknown function, an invalid path argument, or calls nested more than 10 deep. A wrong number
    of arguments is *not* rejected: AWS accepts the definition and the call fails when it runs
    (observed: ``States.MathAdd(1)`` -> "Invalid arguments in States.MathAdd").
    """
    tree = parse_intrinsic(text)
    _check_nesting(tree, text)
    warnings: list[str] = []
    root = _Compiler(text, warnings).call(tree)
    return CompiledIntrinsic(text, tree, root, tuple(warnings))


def _check_nesting(call: Call, text: str, depth: int = 1) -> None:
    if depth > MAX_NESTING:
        raise ExpressionSyntaxError(
            f"Intrinsic functions can be nested at most {MAX_NESTING} deep; {call.name} is at depth {depth}",
            text,
            call.start,
        )
    for argument in call.arguments:
        if isinstance(argument, Call):
            _check_nesting(argument, text, depth + 1)


class _Compiler:
    __slots__ = ("_text", "_warnings")

    def __init__(self, text: str, warnings: list[str]) -> None:
        self._text = text
        self._warnings = warnings

    def call(self, call: Call) -> Evaluator:
        function = self._resolve(call)
        call_text = self._text[call.start : call.end]
        count = len(call.arguments)
        if function.ignores_arguments:
            if count:
                self._warnings.append(f"{call_text}: {function.name} takes no arguments; AWS ignores them")
            implementation = function.implementation
            return lambda document, scope: implementation((), scope)
        if function.accepts(count):
            specialized = function.specialize(call.arguments) if function.specialize else None
            implementation = specialized or function.implementation
        else:
            self._warnings.append(
                f"{call_text}: {function.name} takes {function.signature()}, got {count}; AWS accepts the "
                f"definition but the call fails when it runs (Invalid arguments in {function.name})"
            )
            implementation = _always_invalid(function.name)
        arguments = tuple(self.node(argument) for argument in call.arguments)
        if implementation is arithmetic.math_add:
            general = _bind(implementation, arguments, call_text)
            added = _plus_constant(call.arguments, arguments, general) or _sum_of_paths(
                call.arguments, arguments, general
            )
            if added is not None:
                return added
        return _bind(implementation, arguments, call_text)

    def node(self, node: Node) -> Evaluator:
        if isinstance(node, Literal):
            value = node.value
            return lambda document, scope: value
        if isinstance(node, PathArgument):
            try:
                return compile_path(node.text).get
            except ExpressionSyntaxError as error:
                raise ExpressionSyntaxError(
                    f"Invalid path argument {node.text!r}: {error.message}",
                    self._text,
                    node.start + (error.position or 0),
                ) from None
        return self.call(node)

    def _resolve(self, call: Call) -> IntrinsicFunction:
        function = FUNCTIONS.get(call.name)
        if function is not None:
            return function
        close = difflib.get_close_matches(call.name, list(FUNCTIONS), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else f"; the functions are {', '.join(FUNCTIONS)}"
        raise ExpressionSyntaxError(f"Unknown intrinsic function '{call.name}'{hint}", self._text, call.start)


def _always_invalid(name: str) -> Implementation:
    def reject(arguments: Sequence[Any], scope: EvaluationScope) -> Any:
        raise invalid_arguments(name)

    return reject


def _plus_constant(nodes: tuple[Node, ...], arguments: tuple[Evaluator, ...], general: Evaluator) -> Evaluator | None:
    """``States.MathAdd`` of a path and an int literal (a counter: ``States.MathAdd($.n, 1)``) as one
    closure: an int in range is added at once; anything else (a miss, a float, a sum out of range)
    goes to ``general``, the bound call, which reads the path again (a path read has no effects)
    and fails or rounds as it always does. None for any other pair of arguments."""
    if len(nodes) != 2:
        return None
    first, second = nodes
    if isinstance(first, PathArgument) and isinstance(second, Literal):
        read, constant = arguments[0], second.value
    elif isinstance(first, Literal) and isinstance(second, PathArgument):
        read, constant = arguments[1], first.value
    else:
        return None
    bounds = arithmetic.math_add_range(constant)
    if bounds is None:
        return None
    low, high = bounds

    def plus_constant(document: Any, scope: EvaluationScope) -> Any:
        try:
            value = read(document, scope)
        except PathNotFoundError:
            return general(document, scope)  # raises the miss, worded as every call words it
        if type(value) is int and low <= value <= high:
            return value + constant
        return general(document, scope)

    return plus_constant


def _sum_of_paths(nodes: tuple[Node, ...], arguments: tuple[Evaluator, ...], general: Evaluator) -> Evaluator | None:
    """``States.MathAdd`` of two paths (W3's ``States.MathAdd($.n, $.n)``) as one closure, as
    ``_plus_constant`` does it: two ints whose sum fits a Java ``int`` are added at once, anything
    else goes to ``general``. None for any other pair of arguments."""
    if len(nodes) != 2 or not all(isinstance(node, PathArgument) for node in nodes):
        return None
    read_first, read_second = arguments

    def sum_of_paths(document: Any, scope: EvaluationScope) -> Any:
        try:
            first, second = read_first(document, scope), read_second(document, scope)
        except PathNotFoundError:
            return general(document, scope)  # raises the miss, worded as every call words it
        if type(first) is int and type(second) is int:
            total = first + second
            # INT32_MIN and INT32_MAX written out, as in ``math_add``
            if (
                -0x80000000 <= first <= 0x7FFFFFFF
                and -0x80000000 <= second <= 0x7FFFFFFF
                and -0x80000000 <= total <= 0x7FFFFFFF
            ):
                return total
        return general(document, scope)

    return sum_of_paths


def _bind(implementation: Implementation, arguments: tuple[Evaluator, ...], call_text: str) -> Evaluator:
    """The closure for one call; small arities are unrolled because they are the common case."""

    def missing(error: PathNotFoundError, document: Any) -> Exception:
        if isinstance(error, VariableNotFoundError):
            return error
        return MissingPathArgument(call_text, error.path, document)

    if not arguments:
        return lambda document, scope: implementation((), scope)
    if len(arguments) == 1:
        (first,) = arguments

        def call_one(document: Any, scope: EvaluationScope) -> Any:
            try:
                values = (first(document, scope),)
            except PathNotFoundError as error:
                raise missing(error, document) from None
            return implementation(values, scope)

        return call_one
    if len(arguments) == 2:
        first, second = arguments

        def call_two(document: Any, scope: EvaluationScope) -> Any:
            try:
                values = (first(document, scope), second(document, scope))
            except PathNotFoundError as error:
                raise missing(error, document) from None
            return implementation(values, scope)

        return call_two

    def call_many(document: Any, scope: EvaluationScope) -> Any:
        try:
            values = tuple([argument(document, scope) for argument in arguments])
        except PathNotFoundError as error:
            raise missing(error, document) from None
        return implementation(values, scope)

    return call_many
