"""KeyConditionExpression analysis: from a bound condition to the key range a Query reads.

A key condition is an equality on the partition key, optionally AND-ed with one condition on
the sort key (``=``, ``<``, ``<=``, ``>``, ``>=``, ``BETWEEN``, ``begins_with``). The checks and
their order follow DynamoDB's observed messages, most of which carry no "Invalid
KeyConditionExpression:" prefix.
"""

from __future__ import annotations

from dataclasses import dataclass

from asl_engine.services.dynamodb.attribute_values import TypedValue, compare_values, value_type
from asl_engine.services.dynamodb.errors import invalid_parameters, validation
from asl_engine.services.dynamodb.expressions.conditions import (
    BoundBetween,
    BoundComparison,
    BoundFunction,
    BoundIn,
    BoundLogical,
    BoundNode,
    BoundOperand,
    ConstOperand,
    PathOperand,
    SizeOperand,
    begins_with,
)
from asl_engine.services.dynamodb.ordering import encode_key_value

_FLIPPED = {"=": "=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}


@dataclass(frozen=True, slots=True)
class RangeCondition:
    operator: str  # = < <= > >= BETWEEN begins_with
    values: tuple[TypedValue, ...]

    def matches(self, key: TypedValue) -> bool:
        if self.operator == "begins_with":
            return begins_with(key, self.values[0])
        orders = [compare_values(key, value) for value in self.values]
        if any(order is None for order in orders):
            return False
        first = orders[0]
        assert first is not None
        if self.operator == "BETWEEN":
            last = orders[1]
            assert last is not None
            return first >= 0 and last <= 0
        return {
            "=": first == 0,
            "<": first < 0,
            "<=": first <= 0,
            ">": first > 0,
            ">=": first >= 0,
        }[self.operator]

    def bounds(self) -> tuple[bytes | None, bool, bytes | None, bool]:
        """(lower, lower inclusive, upper, upper inclusive) in key-encoding space."""
        first = encode_key_value(self.values[0])
        if self.operator == "=":
            return first, True, first, True
        if self.operator in ("<", "<="):
            return None, True, first, self.operator == "<="
        if self.operator in (">", ">="):
            return first, self.operator == ">=", None, True
        if self.operator == "BETWEEN":
            return first, True, encode_key_value(self.values[1]), True
        return first, True, _prefix_end(first, value_type(self.values[0])), False


def _prefix_end(prefix: bytes, kind: str) -> bytes | None:
    """The smallest encoding above every key starting with ``prefix``."""
    if kind == "S":
        return prefix + b"\xff"  # UTF-8 never contains 0xFF
    stripped = prefix.rstrip(b"\xff")
    if not stripped:
        return None
    return stripped[:-1] + bytes([stripped[-1] + 1])


@dataclass(frozen=True, slots=True)
class KeyQuery:
    hash_value: TypedValue
    range_condition: RangeCondition | None


@dataclass(frozen=True, slots=True)
class _Leaf:
    attribute: str
    operator: str
    values: tuple[TypedValue, ...]


def analyse_key_condition(root: BoundNode, hash_key: tuple[str, str], range_key: tuple[str, str] | None) -> KeyQuery:
    """Check a bound KeyConditionExpression against a key schema (``(name, type)`` pairs)."""
    _check_operators(root)
    leaves = [_leaf(node) for node in _conjuncts(root)]
    attributes = [leaf.attribute for leaf in leaves]
    if len(set(attributes)) != len(attributes):
        raise validation("KeyConditionExpressions must only contain one condition per key")
    if len(leaves) > 2:
        raise validation("Conditions can be of length 1 or 2 only")
    hash_name, hash_type = hash_key
    by_attribute = {leaf.attribute: leaf for leaf in leaves}
    key_names = {hash_name} | ({range_key[0]} if range_key else set())
    if any(name not in key_names for name in attributes):
        if range_key is None:
            raise validation("Query key condition not supported")
        missing = hash_name if hash_name not in by_attribute else range_key[0]
        raise validation(f"Query condition missed key schema element: {missing}")
    hash_leaf = by_attribute.get(hash_name)
    if hash_leaf is None:
        raise validation(f"Query condition missed key schema element: {hash_name}")
    if hash_leaf.operator != "=":
        raise validation("Query key condition not supported")
    _check_types(hash_leaf, hash_type)
    range_condition = None
    if range_key is not None and range_key[0] in by_attribute:
        range_leaf = by_attribute[range_key[0]]
        _check_types(range_leaf, range_key[1])
        range_condition = RangeCondition(range_leaf.operator, range_leaf.values)
    return KeyQuery(hash_leaf.values[0], range_condition)


def _check_operators(root: BoundNode) -> None:
    invalid: str | None = None
    nested = False
    stack: list[BoundNode] = [root]
    order: list[BoundNode] = []
    while stack:
        node = stack.pop()
        order.append(node)
        if isinstance(node, BoundLogical):
            stack.extend(reversed(node.operands))
    for node in order:
        name: str | None = None
        operands: tuple[BoundOperand, ...] = ()
        if isinstance(node, BoundLogical):
            name = None if node.operator == "AND" else node.operator
        elif isinstance(node, BoundComparison):
            name = "<>" if node.operator == "<>" else None
            operands = (node.left, node.right)
        elif isinstance(node, BoundBetween):
            operands = (node.subject, node.low, node.high)
        elif isinstance(node, BoundIn):
            name = "IN"
            operands = (node.subject, *node.options)
        elif isinstance(node, BoundFunction):
            name = None if node.name == "begins_with" else node.name
            operands = node.args
        if name is not None and invalid is None:
            invalid = name
        nested = nested or any(isinstance(operand, SizeOperand) for operand in operands)
    if invalid is not None:
        raise validation(f"Invalid operator used in KeyConditionExpression: {invalid}")
    if nested:
        raise validation("KeyConditionExpressions cannot contain nested operations")


def _conjuncts(node: BoundNode) -> list[BoundNode]:
    if isinstance(node, BoundLogical):
        return [leaf for operand in node.operands for leaf in _conjuncts(operand)]
    return [node]


def _leaf(node: BoundNode) -> _Leaf:
    operands: tuple[BoundOperand, ...]
    if isinstance(node, BoundComparison):
        operator, operands = node.operator, (node.left, node.right)
    elif isinstance(node, BoundBetween):
        operator, operands = "BETWEEN", (node.subject, node.low, node.high)
    else:
        assert isinstance(node, BoundFunction)
        operator, operands = node.name, node.args
    if operator in ("BETWEEN", "begins_with") and not isinstance(operands[0], PathOperand):
        raise validation(
            f"Invalid condition in KeyConditionExpression: {operator} operator must have the key "
            "attribute as its first operand"
        )
    paths = [operand for operand in operands if isinstance(operand, PathOperand)]
    if paths and operands[0] in paths and len(paths[0].path) > 1:
        raise validation("KeyConditionExpressions cannot have conditions on nested attributes")
    if len(paths) > 1:
        raise validation("Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition")
    if not paths:
        raise validation("Invalid condition in KeyConditionExpression: No key attribute specified")
    path = paths[0].path
    if len(path) > 1:
        raise validation("KeyConditionExpressions cannot have conditions on nested attributes")
    values = tuple(operand.value for operand in operands if isinstance(operand, ConstOperand))
    if isinstance(node, BoundComparison) and not isinstance(operands[0], PathOperand):
        operator = _FLIPPED[operator]
    attribute = path[0]
    assert isinstance(attribute, str)
    return _Leaf(attribute, operator, values)


def _check_types(leaf: _Leaf, key_type: str) -> None:
    for value in leaf.values:
        if value_type(value) != key_type:
            raise invalid_parameters("Condition parameter type does not match schema type")
