"""Projection expressions, and projecting an item onto a set of document paths.

A projected item keeps the shape of the original: ``a.b[2].c`` yields ``{"a": {"M": {"b":
{"L": [{"M": {"c": ...}}]}}}}``. Selected list elements keep their relative order and close up
(``l[2], l[0]`` gives ``[l0, l2]``); paths that lead nowhere are silently left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from asl_engine.services.dynamodb.attribute_values import Item, TypedValue, copy_value
from asl_engine.services.dynamodb.expressions import ast
from asl_engine.services.dynamodb.expressions.binding import Findings, resolve_path
from asl_engine.services.dynamodb.expressions.paths import (
    ResolvedPath,
    clash_message,
    first_clash,
    get_path,
)
from asl_engine.services.dynamodb.expressions.placeholders import Placeholders

_ORDER = ("reserved", "attrName", "pathOverlap", "pathConflict")


def bind_projection(tree: ast.ProjectionTree, placeholders: Placeholders) -> tuple[ResolvedPath, ...]:
    findings = Findings()
    paths: list[ResolvedPath] = []
    for node in tree.paths:
        path = resolve_path(node, placeholders, findings, name_category="attrName")
        if path is not None:
            paths.append(path)
    clash = first_clash(paths)
    if clash is not None:
        kind, detail = clash
        findings.add("pathOverlap" if kind == "overlap" else "pathConflict", clash_message(kind, detail))
    findings.raise_first(_ORDER, "ProjectionExpression")
    return tuple(paths)


def project(item: Mapping[str, TypedValue], paths: Iterable[ResolvedPath]) -> Item:
    """A new item holding copies of the values found at ``paths``."""
    tree: dict[str, Any] = {}
    for path in paths:
        value = get_path(item, path)
        if value is not None:
            _insert(tree, path, value)
    return {name: _build(node) for name, node in tree.items()}


# The intermediate tree: {"value": TypedValue} for a selected leaf, {"M": {name: node}} or
# {"L": {position: node}} for a partially selected document.


def _insert(tree: dict[str, Any], path: ResolvedPath, value: TypedValue) -> None:
    head = path[0]
    assert isinstance(head, str)
    if len(path) == 1:
        tree[head] = {"value": value}
        return
    node = tree.setdefault(head, {})
    for element, following in zip(path[1:], (*path[2:], None), strict=True):
        children = node.setdefault("L" if isinstance(element, int) else "M", {})
        if following is None:
            children[element] = {"value": value}
        else:
            node = children.setdefault(element, {})


def _build(node: dict[str, Any]) -> TypedValue:
    if "value" in node:
        return copy_value(node["value"])
    if "M" in node:
        return {"M": {name: _build(child) for name, child in node["M"].items()}}
    return {"L": [_build(node["L"][position]) for position in sorted(node["L"])]}
