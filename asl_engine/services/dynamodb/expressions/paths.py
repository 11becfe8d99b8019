"""Resolved document paths: reading them from items and comparing them with one another."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from asl_engine.services.dynamodb.attribute_values import TypedValue

#: Attribute names (str) and list positions (int), after placeholders are resolved.
ResolvedPath = tuple[str | int, ...]


def format_path(path: Sequence[str | int]) -> str:
    """DynamoDB's rendering of a path in messages: ``[a, b, [1]]``."""
    return "[" + ", ".join(f"[{e}]" if isinstance(e, int) else e for e in path) + "]"


def get_path(item: Mapping[str, TypedValue], path: ResolvedPath) -> TypedValue | None:
    """The value at ``path``, or ``None`` when any step is missing or of the wrong kind."""
    head = path[0]
    value = item.get(head) if isinstance(head, str) else None
    for element in path[1:]:
        if value is None:
            return None
        if isinstance(element, str):
            container = value.get("M")
            value = container.get(element) if container is not None else None
        else:
            elements = value.get("L")
            value = elements[element] if elements is not None and element < len(elements) else None
    return value


def relation(first: ResolvedPath, second: ResolvedPath) -> str | None:
    """'overlap' when one path contains the other, 'conflict' when they index one document
    both as a map and as a list, ``None`` when they are independent."""
    for a, b in zip(first, second, strict=False):
        if isinstance(a, int) != isinstance(b, int):
            return "conflict"
        if a != b:
            return None
    return "overlap"


def first_clash(paths: Sequence[ResolvedPath]) -> tuple[str, str] | None:
    """The first overlap (preferred) or conflict between paths in source order, as DynamoDB
    reports it: ``(kind, "path one: [...], path two: [...]")``."""
    overlap: str | None = None
    conflict: str | None = None
    for index, path in enumerate(paths):
        for earlier in paths[:index]:
            kind = relation(earlier, path)
            detail = f"path one: {format_path(earlier)}, path two: {format_path(path)}"
            if kind == "overlap" and overlap is None:
                overlap = detail
            elif kind == "conflict" and conflict is None:
                conflict = detail
        if overlap is not None:
            break
    if overlap is not None:
        return "overlap", overlap
    if conflict is not None:
        return "conflict", conflict
    return None


def clash_message(kind: str, detail: str) -> str:
    verb = "overlap" if kind == "overlap" else "conflict"
    return f"Two document paths {verb} with each other; must remove or rewrite one of these paths; {detail}"
