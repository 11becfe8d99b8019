"""Condition expressions (ConditionExpression, FilterExpression, KeyConditionExpression).

``bind_condition`` checks a parsed tree against the request's placeholders and returns a
``BoundCondition``: a tree of resolved operands (used by key-condition analysis and key checks)
and a predicate compiled once into closures, so evaluating it per item walks no syntax.

Evaluation follows DynamoDB: a comparison involving a missing attribute is false (``<>`` is
true), values of different types are unequal and unordered, and only N, S and B order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from asl_engine.services.dynamodb.attribute_values import (
    Item,
    TypedValue,
    compare_values,
    decode_binary,
    render_value,
    value_type,
    values_equal,
)
from asl_engine.services.dynamodb.expressions import ast
from asl_engine.services.dynamodb.expressions.binding import (
    ATTRIBUTE_TYPES,
    Findings,
    misused_function_error,
    operand_count_error,
    operand_type_error,
    requires_path_error,
    resolve_path,
    undefined_value,
)
from asl_engine.services.dynamodb.expressions.paths import ResolvedPath, format_path, get_path
from asl_engine.services.dynamodb.expressions.placeholders import Placeholders

CONDITION_FUNCTIONS = {
    "attribute_exists": 1,
    "attribute_not_exists": 1,
    "attribute_type": 2,
    "begins_with": 2,
    "contains": 2,
    "size": 1,
}
UPDATE_FUNCTIONS = frozenset({"if_not_exists", "list_append"})
ORDERED_TYPES = frozenset({"N", "S", "B"})
_EXPRESSION_ORDER = ("parens", "unknownFunction", "misusedFunction", "reserved", "condition")
_CONDITION_ORDER = ("attrNameVal", "operand", "distinct", "function")
_MAX_IN_OPTIONS = 100


# --------------------------------------------------------------------------- bound tree


@dataclass(frozen=True, slots=True)
class PathOperand:
    path: ResolvedPath


@dataclass(frozen=True, slots=True)
class ConstOperand:
    value: TypedValue


@dataclass(frozen=True, slots=True)
class SizeOperand:
    operand: BoundOperand


BoundOperand = PathOperand | ConstOperand | SizeOperand


@dataclass(frozen=True, slots=True)
class BoundComparison:
    operator: str
    left: BoundOperand
    right: BoundOperand


@dataclass(frozen=True, slots=True)
class BoundBetween:
    subject: BoundOperand
    low: BoundOperand
    high: BoundOperand


@dataclass(frozen=True, slots=True)
class BoundIn:
    subject: BoundOperand
    options: tuple[BoundOperand, ...]


@dataclass(frozen=True, slots=True)
class BoundFunction:
    name: str
    args: tuple[BoundOperand, ...]


@dataclass(frozen=True, slots=True)
class BoundLogical:
    operator: str  # AND, OR, NOT
    operands: tuple[BoundNode, ...]


BoundNode = BoundComparison | BoundBetween | BoundIn | BoundFunction | BoundLogical

Predicate = Callable[[Item], bool]


@dataclass(frozen=True, slots=True)
class BoundCondition:
    root: BoundNode
    predicate: Predicate
    paths: tuple[ResolvedPath, ...]

    def __call__(self, item: Item) -> bool:
        return self.predicate(item)


# --------------------------------------------------------------------------- binding


class _Binder:
    def __init__(self, placeholders: Placeholders) -> None:
        self.placeholders = placeholders
        self.expression = Findings()
        self.leaf: Findings = Findings()
        self.paths: list[ResolvedPath] = []

    def bind(self, node: ast.Condition) -> BoundNode:
        if isinstance(node, ast.And | ast.Or):
            operator = "AND" if isinstance(node, ast.And) else "OR"
            return BoundLogical(operator, (self.bind(node.left), self.bind(node.right)))
        if isinstance(node, ast.Not):
            return BoundLogical("NOT", (self.bind(node.operand),))
        self.leaf = Findings()
        bound = self.bind_leaf(node)
        message = self.leaf.first(_CONDITION_ORDER)
        if message is not None:
            self.expression.add("condition", message)
        return bound

    def bind_leaf(self, node: ast.Condition) -> BoundNode:
        if isinstance(node, ast.Comparison):
            left, right = self.operand(node.left), self.operand(node.right)
            self.check_distinct(node.operator, (left, right))
            if node.operator not in ("=", "<>"):
                self.check_ordered(node.operator, (left, right))
            return BoundComparison(node.operator, left, right)
        if isinstance(node, ast.Between):
            subject, low, high = (self.operand(o) for o in (node.subject, node.low, node.high))
            self.check_ordered("BETWEEN", (subject, low, high))
            self.check_bounds(low, high)
            return BoundBetween(subject, low, high)
        if isinstance(node, ast.In):
            subject = self.operand(node.subject)
            options = tuple(self.operand(o) for o in node.options)
            if len(options) > _MAX_IN_OPTIONS:
                self.leaf.add(
                    "operand",
                    f"The IN operator is provided with too many operands; number of operands: {len(options)}",
                )
            return BoundIn(subject, options)
        assert isinstance(node, ast.FunctionCondition)
        call = node.call
        if call.name == "size":
            self.expression.add("misusedFunction", misused_function_error("size"))
        return self.function(call)

    def operand(self, node: ast.Operand) -> BoundOperand:
        if isinstance(node, ast.PathNode):
            path = resolve_path(
                node, self.placeholders, self.leaf, name_category="attrNameVal", reserved=self.expression
            )
            if path is None:
                return PathOperand(())
            self.paths.append(path)
            return PathOperand(path)
        if isinstance(node, ast.ValueNode):
            value = self.placeholders.value(node.name)
            if value is None:
                self.leaf.add("attrNameVal", undefined_value(node.name))
                return ConstOperand({"NULL": True})
            return ConstOperand(value)
        if node.name != "size":
            if node.name in CONDITION_FUNCTIONS:
                self.expression.add("misusedFunction", misused_function_error(node.name))
            self.function(node)
            return ConstOperand({"BOOL": True})
        bound = self.function(node)
        assert isinstance(bound, BoundFunction)
        return SizeOperand(bound.args[0]) if bound.args else ConstOperand({"N": "0"})

    def function(self, call: ast.FunctionNode) -> BoundNode:
        if call.name in UPDATE_FUNCTIONS:
            self.expression.add(
                "unknownFunction",
                f"The function is not allowed in a condition expression; function: {call.name}",
            )
        elif call.name not in CONDITION_FUNCTIONS:
            self.expression.add("unknownFunction", f"Invalid function name; function: {call.name}")
        args = tuple(self.operand(arg) for arg in call.args)
        arity = CONDITION_FUNCTIONS.get(call.name)
        if arity is None:
            return BoundFunction(call.name, args)
        if len(args) != arity:
            self.leaf.add("operand", operand_count_error(call.name, len(args)))
            return BoundFunction(call.name, args)
        if arity == 2:
            self.check_distinct(call.name, args)
        self.check_function_types(call.name, args)
        return BoundFunction(call.name, args)

    def check_function_types(self, name: str, args: tuple[BoundOperand, ...]) -> None:
        if name in ("attribute_exists", "attribute_not_exists"):
            if not isinstance(args[0], PathOperand):
                self.leaf.add("function", requires_path_error(name))
        elif name == "begins_with":
            for arg in args:
                kind = static_type(arg)
                if kind is not None and kind not in ("S", "B"):
                    self.leaf.add("function", operand_type_error(name, kind))
                    break
        elif name == "attribute_type":
            kind = static_type(args[1])
            if kind != "S":
                shown = kind if kind is not None else "{NS,SS,L,BS,N,M,B,BOOL,NULL,S}"
                self.leaf.add("function", operand_type_error(name, shown))
            elif isinstance(args[1], ConstOperand) and args[1].value["S"] not in ATTRIBUTE_TYPES:
                self.leaf.add(
                    "function",
                    f"Invalid attribute type name found; type: {args[1].value['S']}, "
                    "valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}",
                )
        elif name == "size":
            kind = static_type(args[0])
            if kind in ("N", "BOOL", "NULL"):
                self.leaf.add("function", operand_type_error(name, kind))

    def check_distinct(self, operator: str, operands: tuple[BoundOperand, ...]) -> None:
        if len(operands) != 2:
            return
        first, second = operands
        if isinstance(first, PathOperand) and isinstance(second, PathOperand) and first.path == second.path:
            self.leaf.add(
                "distinct",
                "The first operand must be distinct from the remaining operands for this operator "
                f"or function; operator: {operator}, first operand: {format_path(first.path)}",
            )

    def check_ordered(self, operator: str, operands: tuple[BoundOperand, ...]) -> None:
        for operand in operands:
            if isinstance(operand, ConstOperand):
                kind = value_type(operand.value)
                if kind not in ORDERED_TYPES:
                    self.leaf.add("function", operand_type_error(operator, kind))
                    return

    def check_bounds(self, low: BoundOperand, high: BoundOperand) -> None:
        if not (isinstance(low, ConstOperand) and isinstance(high, ConstOperand)):
            return
        detail = f"lower bound operand: {render_value(low.value)}, upper bound operand: {render_value(high.value)}"
        if value_type(low.value) != value_type(high.value):
            self.leaf.add(
                "function", f"The BETWEEN operator requires same data type for lower and upper bounds; {detail}"
            )
            return
        order = compare_values(low.value, high.value)
        if order is not None and order > 0:
            self.leaf.add(
                "function",
                "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; " + detail,
            )


def static_type(operand: BoundOperand) -> str | None:
    """The type an operand has before any item is read (constants and size())."""
    if isinstance(operand, ConstOperand):
        return value_type(operand.value)
    if isinstance(operand, SizeOperand):
        return "N"
    return None


def bind_condition(tree: ast.ConditionTree, placeholders: Placeholders, label: str) -> BoundCondition:
    """Resolve and check ``tree``; ``label`` names the parameter in messages (``ConditionExpression``)."""
    binder = _Binder(placeholders)
    if tree.redundant_parentheses:
        binder.expression.add("parens", "The expression has redundant parentheses;")
    root = binder.bind(tree.root)
    binder.expression.raise_first(_EXPRESSION_ORDER, label)
    return BoundCondition(root, compile_node(root), tuple(binder.paths))


# --------------------------------------------------------------------------- evaluation

Getter = Callable[[Item], TypedValue | None]


def compile_operand(operand: BoundOperand) -> Getter:
    if isinstance(operand, PathOperand):
        path = operand.path
        if len(path) == 1 and isinstance(path[0], str):
            name = path[0]
            return lambda item: item.get(name)
        return lambda item: get_path(item, path)
    if isinstance(operand, ConstOperand):
        value = operand.value
        return lambda item: value
    inner = compile_operand(operand.operand)

    def size(item: Item) -> TypedValue | None:
        value = inner(item)
        length = value_length(value) if value is not None else None
        return {"N": str(length)} if length is not None else None

    return size


def value_length(value: TypedValue) -> int | None:
    """What ``size()`` returns: string bytes, binary bytes, element counts; None otherwise."""
    kind = value_type(value)
    data = value[kind]
    if kind == "S":
        return len(data.encode("utf-8", "surrogatepass"))
    if kind == "B":
        return len(decode_binary(data))
    if kind in ("SS", "NS", "BS", "L", "M"):
        return len(data)
    return None


_ORDERINGS: dict[str, Callable[[int], bool]] = {
    "<": lambda order: order < 0,
    "<=": lambda order: order <= 0,
    ">": lambda order: order > 0,
    ">=": lambda order: order >= 0,
}


def compile_node(node: BoundNode) -> Predicate:
    if isinstance(node, BoundLogical):
        parts = [compile_node(operand) for operand in node.operands]
        if node.operator == "NOT":
            inner = parts[0]
            return lambda item: not inner(item)
        first, second = parts
        if node.operator == "AND":
            return lambda item: first(item) and second(item)
        return lambda item: first(item) or second(item)
    if isinstance(node, BoundComparison):
        return _compile_comparison(node)
    if isinstance(node, BoundBetween):
        subject, low, high = (compile_operand(o) for o in (node.subject, node.low, node.high))

        def between(item: Item) -> bool:
            value, lower, upper = subject(item), low(item), high(item)
            if value is None or lower is None or upper is None:
                return False
            above, below = compare_values(value, lower), compare_values(value, upper)
            return above is not None and below is not None and above >= 0 and below <= 0

        return between
    if isinstance(node, BoundIn):
        subject_getter = compile_operand(node.subject)
        option_getters = [compile_operand(o) for o in node.options]

        def contained(item: Item) -> bool:
            value = subject_getter(item)
            if value is None:
                return False
            for getter in option_getters:
                option = getter(item)
                if option is not None and values_equal(value, option):
                    return True
            return False

        return contained
    return _compile_function(node)


def _compile_comparison(node: BoundComparison) -> Predicate:
    left, right = compile_operand(node.left), compile_operand(node.right)
    if node.operator == "=":

        def equal(item: Item) -> bool:
            a, b = left(item), right(item)
            return a is not None and b is not None and values_equal(a, b)

        return equal
    if node.operator == "<>":

        def not_equal(item: Item) -> bool:
            a, b = left(item), right(item)
            return a is None or b is None or not values_equal(a, b)

        return not_equal
    accept = _ORDERINGS[node.operator]

    def ordered(item: Item) -> bool:
        a, b = left(item), right(item)
        if a is None or b is None:
            return False
        order = compare_values(a, b)
        return order is not None and accept(order)

    return ordered


def _compile_function(node: BoundFunction) -> Predicate:
    getters = [compile_operand(arg) for arg in node.args]
    name = node.name
    if name == "attribute_exists":
        target = getters[0]
        return lambda item: target(item) is not None
    if name == "attribute_not_exists":
        target = getters[0]
        return lambda item: target(item) is None
    if name == "attribute_type":
        target, wanted = getters

        def has_type(item: Item) -> bool:
            value, kind = target(item), wanted(item)
            return value is not None and kind is not None and value_type(value) == kind.get("S")

        return has_type
    first, second = getters
    test = begins_with if name == "begins_with" else contains

    def applied(item: Item) -> bool:
        a, b = first(item), second(item)
        return a is not None and b is not None and test(a, b)

    return applied


def begins_with(value: TypedValue, prefix: TypedValue) -> bool:
    kind = value_type(value)
    if kind != value_type(prefix) or kind not in ("S", "B"):
        return False
    if kind == "S":
        return bool(value["S"].startswith(prefix["S"]))
    return decode_binary(value["B"]).startswith(decode_binary(prefix["B"]))


def contains(value: TypedValue, operand: TypedValue) -> bool:
    kind = value_type(value)
    operand_kind = value_type(operand)
    if kind == "S":
        return operand_kind == "S" and operand["S"] in value["S"]
    if kind == "B":
        return operand_kind == "B" and decode_binary(operand["B"]) in decode_binary(value["B"])
    if kind in ("SS", "NS", "BS"):
        return operand_kind == kind[0] and operand[operand_kind] in value[kind]
    if kind == "L":
        return any(values_equal(element, operand) for element in value["L"])
    return False
