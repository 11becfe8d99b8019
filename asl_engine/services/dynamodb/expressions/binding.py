"""What binding a syntax tree to one request's placeholders shares across expression kinds.

Binding resolves ``#name`` and ``:value`` placeholders and performs DynamoDB's semantic checks.
DynamoDB reports only one error per expression and picks it by category, not by position (a
reserved word anywhere beats an undefined placeholder earlier in the text), so checks record the
first finding of each category and ``Findings.raise_first`` applies the precedence.
"""

from __future__ import annotations

from collections.abc import Sequence

from asl_engine.services.dynamodb.errors import validation
from asl_engine.services.dynamodb.expressions.ast import IndexElement, PathNode
from asl_engine.services.dynamodb.expressions.paths import ResolvedPath
from asl_engine.services.dynamodb.expressions.placeholders import Placeholders
from asl_engine.services.dynamodb.expressions.reserved_words import is_reserved

ATTRIBUTE_TYPES = ("B", "NULL", "SS", "BOOL", "L", "BS", "N", "NS", "S", "M")


class Findings:
    def __init__(self) -> None:
        self._first: dict[str, str] = {}

    def add(self, category: str, message: str) -> None:
        self._first.setdefault(category, message)

    def __contains__(self, category: str) -> bool:
        return category in self._first

    def __bool__(self) -> bool:
        return bool(self._first)

    def first(self, order: Sequence[str]) -> str | None:
        for category in order:
            if category in self._first:
                return self._first[category]
        return None

    def raise_first(self, order: Sequence[str], label: str) -> None:
        message = self.first(order)
        if message is not None:
            raise validation(f"Invalid {label}: {message}")


def undefined_name(placeholder: str) -> str:
    return f"An expression attribute name used in the document path is not defined; attribute name: {placeholder}"


def undefined_value(placeholder: str) -> str:
    return f"An expression attribute value used in expression is not defined; attribute value: {placeholder}"


def resolve_path(
    node: PathNode,
    placeholders: Placeholders,
    findings: Findings,
    *,
    name_category: str,
    reserved: Findings | None = None,
) -> ResolvedPath | None:
    """The path with ``#names`` replaced; ``None`` when a placeholder is undefined.

    Reserved words go to ``reserved`` (the expression-wide findings) because DynamoDB ranks them
    above the per-condition errors that ``findings`` may collect.
    """
    resolved: list[str | int] = []
    complete = True
    for element in node.elements:
        if isinstance(element, IndexElement):
            resolved.append(element.index)
        elif element.placeholder:
            name = placeholders.name(element.text)
            if name is None:
                findings.add(name_category, undefined_name(element.text))
                complete = False
            else:
                resolved.append(name)
        else:
            if is_reserved(element.text):
                (reserved if reserved is not None else findings).add(
                    "reserved", f"Attribute name is a reserved keyword; reserved keyword: {element.text}"
                )
            resolved.append(element.text)
    return tuple(resolved) if complete else None


def operand_type_error(function: str, operand_type: str) -> str:
    return (
        "Incorrect operand type for operator or function; "
        f"operator or function: {function}, operand type: {operand_type}"
    )


def operand_count_error(function: str, count: int) -> str:
    return (
        "Incorrect number of operands for operator or function; "
        f"operator or function: {function}, number of operands: {count}"
    )


def requires_path_error(function: str) -> str:
    return f"Operator or function requires a document path; operator or function: {function}"


def misused_function_error(function: str) -> str:
    return f"The function is not allowed to be used this way in an expression; function: {function}"
