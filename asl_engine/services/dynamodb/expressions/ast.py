"""Syntax trees of the five expression kinds, before placeholders are resolved.

A tree depends only on the expression text, so it can be cached and shared between requests;
``#name`` and ``:value`` placeholders stay unresolved here and are bound per request.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class NameElement:
    """A map key in a document path: a literal attribute name or a ``#placeholder``."""

    text: str
    placeholder: bool


@dataclass(frozen=True, slots=True)
class IndexElement:
    """A list position in a document path (``[3]``)."""

    index: int


PathElement = NameElement | IndexElement


@dataclass(frozen=True, slots=True)
class PathNode:
    elements: tuple[PathElement, ...]


@dataclass(frozen=True, slots=True)
class ValueNode:
    """A ``:placeholder`` of ExpressionAttributeValues."""

    name: str


@dataclass(frozen=True, slots=True)
class FunctionNode:
    name: str
    args: tuple[Operand, ...]


Operand = PathNode | ValueNode | FunctionNode


@dataclass(frozen=True, slots=True)
class Comparison:
    operator: str  # = <> < <= > >=
    left: Operand
    right: Operand


@dataclass(frozen=True, slots=True)
class Between:
    subject: Operand
    low: Operand
    high: Operand


@dataclass(frozen=True, slots=True)
class In:
    subject: Operand
    options: tuple[Operand, ...]


@dataclass(frozen=True, slots=True)
class FunctionCondition:
    """A function call standing as a condition (``attribute_exists(a)``)."""

    call: FunctionNode


@dataclass(frozen=True, slots=True)
class And:
    left: Condition
    right: Condition


@dataclass(frozen=True, slots=True)
class Or:
    left: Condition
    right: Condition


@dataclass(frozen=True, slots=True)
class Not:
    operand: Condition


Condition = Comparison | Between | In | FunctionCondition | And | Or | Not


@dataclass(frozen=True, slots=True)
class ConditionTree:
    root: Condition
    redundant_parentheses: bool


@dataclass(frozen=True, slots=True)
class Arithmetic:
    operator: str  # + or -
    left: Operand
    right: Operand


SetValue = Operand | Arithmetic


@dataclass(frozen=True, slots=True)
class SetAction:
    path: PathNode
    value: SetValue


@dataclass(frozen=True, slots=True)
class RemoveAction:
    path: PathNode


@dataclass(frozen=True, slots=True)
class AddAction:
    path: PathNode
    value: ValueNode


@dataclass(frozen=True, slots=True)
class DeleteAction:
    path: PathNode
    value: ValueNode


UpdateAction = SetAction | RemoveAction | AddAction | DeleteAction


@dataclass(frozen=True, slots=True)
class UpdateTree:
    actions: tuple[UpdateAction, ...]  # in source order
    clauses: tuple[str, ...]  # clause keywords in source order (SET, REMOVE, ADD, DELETE)


@dataclass(frozen=True, slots=True)
class ProjectionTree:
    paths: tuple[PathNode, ...]
