"""Payload templates (``Parameters``, ``ResultSelector``, ``ItemSelector``, JSONPath ``Assign``...).

A template is compiled once into a tree of closures. Subtrees without any ``.$`` key are constants
and are returned as-is on every evaluation: the engine never mutates JSON values in place, so
sharing them is safe and saves rebuilding literal objects on every transition.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from asl_engine.language.errors import EvaluationError, ExpressionSyntaxError, LocatedSyntaxError, PathNotFoundError
from asl_engine.language.intrinsics import compile_intrinsic, looks_like_intrinsic
from asl_engine.language.jsonpath import compile_path
from asl_engine.language.scope import EvaluationScope

Evaluator = Callable[[Any, EvaluationScope], Any]


class TemplateError(LocatedSyntaxError):
    """A template is malformed; ``pointer`` is relative to the template's own field."""


class CompiledTemplate:
    """A compiled payload template; ``evaluate(document, scope)`` builds the effective value."""

    __slots__ = ("constant", "evaluate", "source")

    def __init__(self, source: Any, evaluate: Evaluator, constant: bool) -> None:
        self.source = source
        self.evaluate = evaluate
        self.constant = constant


def compile_template(template: Any) -> CompiledTemplate:
    evaluator = _compile_node(template)
    if evaluator is None:
        return CompiledTemplate(template, lambda document, scope: template, True)
    return CompiledTemplate(template, evaluator, False)


def compile_dynamic_value(key: str, expression: Any, pointer: str = "") -> Evaluator:
    """Compile the value of one ``key.$`` entry: a path, a context path, a variable, or an intrinsic."""
    return _guard(key, _compile_unguarded(key, expression, pointer))


def _compile_unguarded(key: str, expression: Any, pointer: str) -> Evaluator:
    """The evaluator of a ``key.$`` value; a path miss escapes as ``PathNotFoundError``."""
    if not isinstance(expression, str):
        raise TemplateError(_invalid_value_message(key), pointer)
    if expression.startswith("$"):  # never a call (``looks_like_intrinsic`` wants a name first)
        try:
            return compile_path(expression).get
        except ExpressionSyntaxError as error:
            raise TemplateError(f"{_invalid_value_message(key)}: {error.message}", pointer) from None
    if looks_like_intrinsic(expression):
        try:
            return compile_intrinsic(expression).evaluate
        except ExpressionSyntaxError as error:
            raise TemplateError(f"{_invalid_value_message(key)}: {error.message}", pointer) from None
    raise TemplateError(_invalid_value_message(key), pointer)


def _invalid_value_message(key: str) -> str:
    return f"The value for the field '{key}' must be a valid JSONPath or a valid intrinsic function call"


def _guard(key: str, evaluate: Evaluator) -> Evaluator:
    """Turn a path miss into AWS's wording, which names the template key and the input."""

    def guarded(document: Any, scope: EvaluationScope) -> Any:
        try:
            return evaluate(document, scope)
        except PathNotFoundError as error:
            raise path_miss(key, error, document) from None

    return guarded


def path_miss(key: str, error: PathNotFoundError, document: Any) -> EvaluationError:
    return EvaluationError(
        "States.Runtime",
        f"The JSONPath '{error.path}' specified for the field '{key}' could not be found in the input "
        f"'{to_json(document)}'",
    )


def to_json(value: Any) -> str:
    """Compact JSON as Step Functions writes it into messages and history."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _escape_pointer(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def _compile_node(node: Any) -> Evaluator | None:
    """The evaluator of a template node, None when it is a constant; a ``TemplateError``'s pointer
    is relative to ``node``: each enclosing object or array puts its key in front on the way out,
    so no pointer is written while compiling a template that has nothing to report."""
    if isinstance(node, dict):
        return _compile_object(node)
    if isinstance(node, list):
        return _compile_array(node)
    return None


def _inside(key: str | int, error: TemplateError) -> TemplateError:
    """``error`` of a member, located from its parent: ``/key`` in front of its pointer."""
    token = _escape_pointer(key) if isinstance(key, str) else key
    return TemplateError(error.message, f"/{token}{error.pointer}")


def _compile_object(node: dict[str, Any]) -> Evaluator | None:
    shape: dict[str, Any] = {}
    source_keys: dict[str, str] = {}  # output key -> the template's key ("name.$"), which AWS's messages quote
    dynamic_members: list[tuple[str, Evaluator]] = []
    for key, value in node.items():
        try:
            if key.endswith(".$") and len(key) > 2:
                out_key = key[:-2]
                evaluator: Evaluator | None = _compile_unguarded(key, value, "")
            else:
                out_key = key
                evaluator = _compile_node(value)
        except TemplateError as error:
            raise _inside(key, error) from None
        if out_key in source_keys:
            raise TemplateError(
                f"The fields '{source_keys[out_key]}' and '{key}' both produce the field '{out_key}'",
                f"/{_escape_pointer(key)}",
            )
        source_keys[out_key] = key
        shape[out_key] = value
        if evaluator is not None:
            dynamic_members.append((out_key, evaluator))
    if not dynamic_members:
        return None
    if len(shape) <= 2 and len(dynamic_members) == len(shape):
        return _small_object(dynamic_members, source_keys)
    # ``shape``: every key in the template's order, the constant members already in place; a copy of
    # it, then each dynamic member set where its key already is (setting a key keeps its place).
    members = tuple(dynamic_members)

    def build_object(document: Any, scope: EvaluationScope) -> dict[str, Any]:
        # One try around the loop rather than a wrapper per field: free when nothing is missing.
        result = shape.copy()
        out_key = ""
        try:
            for out_key, evaluator in members:
                result[out_key] = evaluator(document, scope)
        except PathNotFoundError as error:
            raise path_miss(source_keys[out_key], error, document) from None
        return result

    return build_object


def _small_object(members: list[tuple[str, Evaluator]], source_keys: dict[str, str]) -> Evaluator:
    """``build_object`` for one or two ``.$`` fields and nothing else (the usual Parameters of a
    loop or an iteration), without the loop: the same values, the same error for the field that misses."""
    if len(members) == 1:
        ((key, evaluate),) = members

        def build_one(document: Any, scope: EvaluationScope) -> dict[str, Any]:
            try:
                return {key: evaluate(document, scope)}
            except PathNotFoundError as error:
                raise path_miss(source_keys[key], error, document) from None

        return build_one
    (first_key, first), (second_key, second) = members

    def build_two(document: Any, scope: EvaluationScope) -> dict[str, Any]:
        key = first_key
        try:
            value = first(document, scope)
            key = second_key
            return {first_key: value, second_key: second(document, scope)}
        except PathNotFoundError as error:
            raise path_miss(source_keys[key], error, document) from None

    return build_two


def _compile_array(node: list[Any]) -> Evaluator | None:
    items: list[tuple[Evaluator | None, Any]] = []
    for index, item in enumerate(node):
        try:
            items.append((_compile_node(item), item))
        except TemplateError as error:
            raise _inside(index, error) from None
    if all(evaluator is None for evaluator, _ in items):
        return None
    frozen = tuple(items)

    def build_array(document: Any, scope: EvaluationScope) -> list[Any]:
        return [constant if evaluator is None else evaluator(document, scope) for evaluator, constant in frozen]

    return build_array
