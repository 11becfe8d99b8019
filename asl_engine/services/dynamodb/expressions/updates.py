"""Update expressions: binding (with DynamoDB's checks) and application to an item.

Application follows DynamoDB's documented and observed semantics:

* every SET value is computed from the item as it was before the update ("SET a = :v, b = a"
  copies the old ``a``);
* list positions refer to the list before the update, so ``REMOVE a[1] SET a[3] = :v`` changes
  the element that was fourth; SET on a position past the end appends, several appends in
  position order;
* SET, ADD and DELETE on a path whose parent is missing or of the wrong kind fail with "The
  document path provided in the update expression is invalid for update"; REMOVE does too,
  except on an item that does not exist, where it does nothing;
* DELETE that empties a set removes the attribute.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from asl_engine.services.dynamodb import numbers
from asl_engine.services.dynamodb.attribute_values import (
    Item,
    TypedValue,
    copy_item,
    copy_value,
    number_value,
    value_type,
)
from asl_engine.services.dynamodb.errors import validation
from asl_engine.services.dynamodb.expressions import ast
from asl_engine.services.dynamodb.expressions.binding import (
    Findings,
    misused_function_error,
    operand_count_error,
    operand_type_error,
    requires_path_error,
    resolve_path,
    undefined_value,
)
from asl_engine.services.dynamodb.expressions.conditions import CONDITION_FUNCTIONS
from asl_engine.services.dynamodb.expressions.paths import (
    ResolvedPath,
    clash_message,
    first_clash,
    get_path,
)
from asl_engine.services.dynamodb.expressions.placeholders import Placeholders

_ORDER = (
    "reserved",
    "unknownFunction",
    "section",
    "attrName",
    "attrVal",
    "pathOverlap",
    "pathConflict",
    "operand",
    "function",
)
_UPDATE_FUNCTIONS = {"if_not_exists": 2, "list_append": 2}
_OPERAND_TYPE_NAMES = {
    "S": "STRING",
    "N": "NUMBER",
    "B": "BINARY",
    "NULL": "NULL",
    "BOOL": "BOOLEAN",
    "L": "LIST",
    "M": "MAP",
    "SS": "STRING SET",
    "NS": "NUMBER SET",
    "BS": "BINARY SET",
}

MISSING_ATTRIBUTE = "The provided expression refers to an attribute that does not exist in the item"
INCORRECT_DATA_TYPE = "An operand in the update expression has an incorrect data type"
INVALID_PATH = "The document path provided in the update expression is invalid for update"

ValueFunction = Callable[[Item], TypedValue]


@dataclass(frozen=True, slots=True)
class BoundAction:
    kind: str  # SET, REMOVE, ADD, DELETE
    path: ResolvedPath
    compute: ValueFunction | None = None  # SET
    operand: TypedValue | None = None  # ADD, DELETE
    static_type: str | None = None  # SET: the value's type when known before reading the item


@dataclass(frozen=True, slots=True)
class BoundUpdate:
    actions: tuple[BoundAction, ...]
    read_paths: tuple[ResolvedPath, ...] = field(default=())

    @property
    def paths(self) -> tuple[ResolvedPath, ...]:
        return tuple(action.path for action in self.actions)


# --------------------------------------------------------------------------- binding


class _Binder:
    def __init__(self, placeholders: Placeholders) -> None:
        self.placeholders = placeholders
        self.findings = Findings()
        self.read_paths: list[ResolvedPath] = []

    def path(self, node: ast.PathNode) -> ResolvedPath:
        resolved = resolve_path(node, self.placeholders, self.findings, name_category="attrName")
        return resolved if resolved is not None else ("",)

    def value(self, node: ast.ValueNode) -> TypedValue:
        value = self.placeholders.value(node.name)
        if value is None:
            self.findings.add("attrVal", undefined_value(node.name))
            return {"NULL": True}
        return value

    def set_value(self, node: ast.SetValue, nested: bool = False) -> tuple[ValueFunction, str | None]:
        """The value's evaluator and its type when known statically."""
        if isinstance(node, ast.ValueNode):
            value = self.value(node)
            return (lambda item: value), value_type(value)
        if isinstance(node, ast.PathNode):
            path = self.path(node)
            self.read_paths.append(path)
            return _reader(path), None
        if isinstance(node, ast.Arithmetic):
            left, _ = self.set_value(node.left)
            right, _ = self.set_value(node.right)
            self.check_immediate_types(node.operator, (node.left, node.right), "N")
            return _arithmetic(node.operator, left, right), "N"
        return self.function(node, nested)

    def function(self, node: ast.FunctionNode, nested: bool) -> tuple[ValueFunction, str | None]:
        name = node.name
        if name in CONDITION_FUNCTIONS:
            self.findings.add(
                "unknownFunction", f"The function is not allowed in an update expression; function: {name}"
            )
        elif name not in _UPDATE_FUNCTIONS:
            self.findings.add("unknownFunction", f"Invalid function name; function: {name}")
        elif name == "list_append" and nested:
            self.findings.add("function", misused_function_error(name))
        args = [self.set_value(arg, nested=True) for arg in node.args]
        if name not in _UPDATE_FUNCTIONS:
            return _unreachable, None
        if len(args) != 2:
            self.findings.add("function", operand_count_error(name, len(args)))
            return _unreachable, None
        (first, _), (second, second_type) = args
        if name == "if_not_exists":
            target = node.args[0]
            if not isinstance(target, ast.PathNode):
                self.findings.add("function", requires_path_error(name))
                return _unreachable, None
            path = self.path(target)
            self.read_paths.append(path)
            return _if_not_exists(path, second), second_type
        self.check_immediate_types(name, node.args, "L")
        return _list_append(first, second), "L"

    def check_immediate_types(self, function: str, operands: tuple[ast.Operand, ...], wanted: str) -> None:
        for operand in operands:
            if isinstance(operand, ast.ValueNode):
                value = self.placeholders.values.get(operand.name)
                if value is not None and value_type(value) != wanted:
                    self.findings.add("function", operand_type_error(function, value_type(value)))
                    return

    def operand_value(self, clause: str, node: ast.ValueNode) -> TypedValue:
        value = self.value(node)
        kind = value_type(value)
        allowed = ("SS", "NS", "BS") if clause == "DELETE" else ("N", "SS", "NS", "BS")
        if kind not in allowed and node.name in self.placeholders.values:
            self.findings.add(
                "operand",
                "Incorrect operand type for operator or function; "
                f"operator: {clause}, operand type: {_OPERAND_TYPE_NAMES[kind]}",
            )
        return value


def bind_update(tree: ast.UpdateTree, placeholders: Placeholders) -> BoundUpdate:
    binder = _Binder(placeholders)
    seen: set[str] = set()
    for clause in tree.clauses:
        if clause in seen:
            binder.findings.add("section", f'The "{clause}" section can only be used once in an update expression;')
        seen.add(clause)
    actions: list[BoundAction] = []
    for node in tree.actions:
        if isinstance(node, ast.SetAction):
            path = binder.path(node.path)
            compute, static_type = binder.set_value(node.value)
            actions.append(BoundAction("SET", path, compute=compute, static_type=static_type))
        elif isinstance(node, ast.RemoveAction):
            actions.append(BoundAction("REMOVE", binder.path(node.path)))
        else:
            kind = "ADD" if isinstance(node, ast.AddAction) else "DELETE"
            path = binder.path(node.path)
            actions.append(BoundAction(kind, path, operand=binder.operand_value(kind, node.value)))
    clash = first_clash([action.path for action in actions])
    if clash is not None:
        kind, detail = clash
        binder.findings.add("pathOverlap" if kind == "overlap" else "pathConflict", clash_message(kind, detail))
    binder.findings.raise_first(_ORDER, "UpdateExpression")
    return BoundUpdate(tuple(actions), tuple(binder.read_paths))


def _unreachable(item: Item) -> TypedValue:  # pragma: no cover - binding raised before use
    raise AssertionError("an invalid update expression was applied")


def _reader(path: ResolvedPath) -> ValueFunction:
    def read(item: Item) -> TypedValue:
        value = get_path(item, path)
        if value is None:
            raise validation(MISSING_ATTRIBUTE)
        return value

    return read


def _if_not_exists(path: ResolvedPath, default: ValueFunction) -> ValueFunction:
    def compute(item: Item) -> TypedValue:
        value = get_path(item, path)
        return value if value is not None else default(item)

    return compute


def _list_append(first: ValueFunction, second: ValueFunction) -> ValueFunction:
    def compute(item: Item) -> TypedValue:
        a, b = first(item), second(item)
        if "L" not in a or "L" not in b:
            raise validation(INCORRECT_DATA_TYPE)
        return {"L": [*a["L"], *b["L"]]}

    return compute


def _arithmetic(operator: str, left: ValueFunction, right: ValueFunction) -> ValueFunction:
    operation = numbers.add if operator == "+" else numbers.subtract

    def compute(item: Item) -> TypedValue:
        a, b = left(item), right(item)
        if "N" not in a or "N" not in b:
            raise validation(INCORRECT_DATA_TYPE)
        try:
            return {"N": numbers.format_number(operation(number_value(a), number_value(b)))}
        except numbers.NumberError as error:
            raise validation(error.message) from None

    return compute


# --------------------------------------------------------------------------- application


def apply_update(update: BoundUpdate, old: Item | None, key: Item) -> Item:
    """The item after ``update``; ``old`` is the stored item (None when absent), never modified."""
    source: Item = old if old is not None else {}
    computed = [(action, action.compute(source)) for action in update.actions if action.compute is not None]
    item = copy_item(old) if old is not None else copy_item(key)
    for action, value in sorted(computed, key=lambda pair: _sort_key(pair[0].path)):
        _set(item, action.path, copy_value(value))
    removals: list[ResolvedPath] = []
    for action in update.actions:
        if action.kind == "ADD":
            assert action.operand is not None
            _add(item, action.path, action.operand)
        elif action.kind == "DELETE":
            assert action.operand is not None
            if _delete(item, action.path, action.operand):
                removals.append(action.path)
        elif action.kind == "REMOVE" and old is not None:
            removals.append(action.path)
    for path in sorted(removals, key=_sort_key, reverse=True):
        _remove(item, path)
    return item


def _sort_key(path: ResolvedPath) -> tuple[tuple[int, str | int], ...]:
    return tuple((1, e) if isinstance(e, int) else (0, e) for e in path)


def _parent(item: Item, path: ResolvedPath) -> TypedValue | None:
    """The container holding the last element of ``path`` (``None`` for a top-level path)."""
    if len(path) == 1:
        return None
    parent = get_path(item, path[:-1])
    last = path[-1]
    if parent is None or ("L" if isinstance(last, int) else "M") not in parent:
        raise validation(INVALID_PATH)
    return parent


def _set(item: Item, path: ResolvedPath, value: TypedValue) -> None:
    parent = _parent(item, path)
    last = path[-1]
    if parent is None:
        assert isinstance(last, str)
        item[last] = value
    elif isinstance(last, str):
        parent["M"][last] = value
    else:
        elements = parent["L"]
        if last < len(elements):
            elements[last] = value
        else:
            elements.append(value)


def _add(item: Item, path: ResolvedPath, operand: TypedValue) -> None:
    current = get_path(item, path)
    if current is None:
        _set(item, path, copy_value(operand))
        return
    kind = value_type(current)
    if kind != value_type(operand):
        raise validation(INCORRECT_DATA_TYPE)
    if kind == "N":
        try:
            total = numbers.add(number_value(current), number_value(operand))
        except numbers.NumberError as error:
            raise validation(error.message) from None
        _set(item, path, {"N": numbers.format_number(total)})
        return
    if kind not in ("SS", "NS", "BS"):
        raise validation(INCORRECT_DATA_TYPE)
    elements = list(current[kind])
    present = set(elements)
    elements.extend(e for e in operand[kind] if e not in present)
    _set(item, path, {kind: elements})


def _delete(item: Item, path: ResolvedPath, operand: TypedValue) -> bool:
    """Remove the operand's elements from the set; True when the set is left empty."""
    _parent(item, path)
    current = get_path(item, path)
    if current is None:
        return False
    kind = value_type(current)
    if kind != value_type(operand):
        raise validation(INCORRECT_DATA_TYPE)
    removed = set(operand[kind])
    remaining = [e for e in current[kind] if e not in removed]
    if not remaining:
        return True
    _set(item, path, {kind: remaining})
    return False


def _remove(item: Item, path: ResolvedPath) -> None:
    parent = _parent(item, path)
    last = path[-1]
    if parent is None:
        assert isinstance(last, str)
        item.pop(last, None)
    elif isinstance(last, str):
        parent["M"].pop(last, None)
    elif last < len(parent["L"]):
        del parent["L"][last]
