"""JSON pointers (RFC 6901): building them, splitting them, and finding them in source text.

Positions are computed only when a diagnostic needs one, by re-scanning the text along the
pointer: the stdlib parser that loads the document keeps no positions, and recording them for
every node would slow down the load path of every run.
"""

from __future__ import annotations

import bisect
import json
import re
from typing import Any

_WHITESPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


def escape(segment: str) -> str:
    """One reference token: ``~`` -> ``~0``, ``/`` -> ``~1``."""
    return segment.replace("~", "~0").replace("/", "~1")


def join(pointer: str, *segments: str | int) -> str:
    """``join("/States", "A/B", 0)`` -> ``/States/A~1B/0``."""
    return pointer + "".join(f"/{escape(str(segment))}" for segment in segments)


def split(pointer: str) -> list[str]:
    """The unescaped tokens of a pointer; ``""`` and ``"/"`` both mean the whole document."""
    if pointer in ("", "/"):
        return []
    if not pointer.startswith("/"):
        raise ValueError(f"a JSON pointer starts with '/': {pointer!r}")
    return [token.replace("~1", "/").replace("~0", "~") for token in pointer[1:].split("/")]


def resolve(document: Any, pointer: str) -> Any:
    """The value at ``pointer``; raises ``LookupError`` when it does not exist."""
    node = document
    for token in split(pointer):
        if isinstance(node, dict):
            node = node[token]
        elif isinstance(node, list):
            node = node[int(token)]
        else:
            raise KeyError(token)
    return node


def document_order(document: Any, pointer: str) -> tuple[int, ...]:
    """A sort key: where ``pointer`` comes in a depth-first walk of ``document`` in key order.

    Pointers that do not resolve sort after the deepest prefix that does.
    """
    key: list[int] = []
    node = document
    for token in split(pointer):
        if isinstance(node, dict) and token in node:
            key.append(list(node).index(token))
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            key.append(int(token))
            node = node[int(token)]
        else:
            key.append(1 << 30)
            break
    return tuple(key)


class DocumentOrder:
    """``document_order`` for many pointers into one document: each object's key positions are
    indexed once, so sorting n diagnostics costs n lookups, not n scans of their objects' keys."""

    def __init__(self, document: Any) -> None:
        self._document = document
        self._positions: dict[int, dict[str, int]] = {}

    def key(self, pointer: str) -> tuple[int, ...]:
        key: list[int] = []
        node = self._document
        for token in split(pointer):
            if isinstance(node, dict) and token in node:
                positions = self._positions.get(id(node))
                if positions is None:
                    positions = self._positions[id(node)] = {name: index for index, name in enumerate(node)}
                key.append(positions[token])
                node = node[token]
            elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
                key.append(int(token))
                node = node[int(token)]
            else:
                key.append(1 << 30)
                break
        return tuple(key)


def line_column(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of a character offset."""
    line = text.count("\n", 0, offset) + 1
    column = offset - text.rfind("\n", 0, offset)
    return line, column


class JsonLocator:
    """Positions of JSON pointers in one JSON text, for many pointers at a cost linear in the text.

    Each object or array on a requested path is scanned once (its members' offsets are kept), and
    line numbers come from one index of the newlines: a validation reporting thousands of problems
    positions them all in about the time of one pass over the text, where scanning afresh for each
    pointer took time proportional to problems times text.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self._members: dict[int, dict[str, tuple[int, int]]] = {}
        self._items: dict[int, list[int]] = {}
        self._newlines: list[int] | None = None

    def locate(self, pointer: str) -> tuple[int, int] | None:
        """1-based (line, column) of ``pointer``: the member's key for object members, else the value."""
        try:
            offset = self._offset(split(pointer))
        except (ValueError, IndexError):
            return None
        return None if offset is None else self._line_column(offset)

    def _offset(self, tokens: list[str]) -> int | None:
        text = self.text
        index = _skip_whitespace(text, 1 if text.startswith("\ufeff") else 0)
        target = index
        for token in tokens:
            opener = text[index]
            if opener == "{":
                found = self._object(index).get(token)
                if found is None:
                    return None
                target, index = found
            elif opener == "[":
                items = self._array(index)
                if not token.isdigit() or int(token) >= len(items):
                    return None
                target = index = items[int(token)]
            else:
                return None
        return target

    def _object(self, index: int) -> dict[str, tuple[int, int]]:
        members = self._members.get(index)
        if members is None:
            members = self._members[index] = _scan_members(self.text, index)
        return members

    def _array(self, index: int) -> list[int]:
        items = self._items.get(index)
        if items is None:
            items = self._items[index] = _scan_items(self.text, index)
        return items

    def _line_column(self, offset: int) -> tuple[int, int]:
        if self._newlines is None:
            self._newlines = [match.start() for match in re.finditer("\n", self.text)]
        line = bisect.bisect_left(self._newlines, offset)
        start = self._newlines[line - 1] + 1 if line else 0
        return line + 1, offset - start + 1


def _scan_members(text: str, index: int) -> dict[str, tuple[int, int]]:
    """Every member of the object at ``index``: key -> (key offset, value offset); the last wins."""
    members: dict[str, tuple[int, int]] = {}
    index = _skip_whitespace(text, index + 1)
    if text[index] == "}":
        return members
    while text[index] == '"':
        key_at = index
        key, index = json.decoder.scanstring(text, index + 1)  # type: ignore[attr-defined]
        index = _skip_whitespace(text, index)
        if text[index] != ":":
            break
        index = _skip_whitespace(text, index + 1)
        members[key] = (key_at, index)
        _, index = _DECODER.raw_decode(text, index)
        index = _skip_whitespace(text, index)
        if text[index] != ",":
            break
        index = _skip_whitespace(text, index + 1)
    return members


def _scan_items(text: str, index: int) -> list[int]:
    items: list[int] = []
    index = _skip_whitespace(text, index + 1)
    if text[index] == "]":
        return items
    while True:
        items.append(index)
        _, index = _DECODER.raw_decode(text, index)
        index = _skip_whitespace(text, index)
        if text[index] != ",":
            return items
        index = _skip_whitespace(text, index + 1)


def locate_in_json(text: str, pointer: str) -> tuple[int, int] | None:
    """Line and column of ``pointer`` in JSON text: the member's key for object members, else the value.

    When a key occurs twice the last occurrence wins, as it does in the parsed document.
    """
    try:
        offset = _json_offset(text, split(pointer))
    except (ValueError, IndexError):
        return None
    return None if offset is None else line_column(text, offset)


def _skip_whitespace(text: str, index: int) -> int:
    match = _WHITESPACE.match(text, index)
    return match.end() if match else index


def _json_offset(text: str, tokens: list[str]) -> int | None:
    index = _skip_whitespace(text, 1 if text.startswith("\ufeff") else 0)
    target = index
    for token in tokens:
        opener = text[index]
        if opener == "{":
            found = _find_member(text, index, token)
            if found is None:
                return None
            target, index = found
        elif opener == "[":
            if not token.isdigit():
                return None
            found_item = _find_item(text, index, int(token))
            if found_item is None:
                return None
            target = index = found_item
        else:
            return None
    return target


def _find_member(text: str, index: int, wanted: str) -> tuple[int, int] | None:
    """(key offset, value offset) of the last member named ``wanted`` of the object at ``index``."""
    found = None
    index = _skip_whitespace(text, index + 1)
    if text[index] == "}":
        return None
    while True:
        if text[index] != '"':
            return None
        key_at = index
        key, index = json.decoder.scanstring(text, index + 1)  # type: ignore[attr-defined]
        index = _skip_whitespace(text, index)
        if text[index] != ":":
            return None
        index = _skip_whitespace(text, index + 1)
        if key == wanted:
            found = (key_at, index)
        _, index = _DECODER.raw_decode(text, index)
        index = _skip_whitespace(text, index)
        if text[index] != ",":
            return found
        index = _skip_whitespace(text, index + 1)


def _find_item(text: str, index: int, wanted: int) -> int | None:
    index = _skip_whitespace(text, index + 1)
    if text[index] == "]":
        return None
    position = 0
    while True:
        if position == wanted:
            return index
        _, index = _DECODER.raw_decode(text, index)
        index = _skip_whitespace(text, index)
        if text[index] != ",":
            return None
        index = _skip_whitespace(text, index + 1)
        position += 1


def locate_in_yaml(root: Any, pointer: str) -> tuple[int, int] | None:
    """Line and column of ``pointer`` in a composed YAML node graph (key for mapping members).

    Nodes are ``ruamel.yaml`` nodes (``id`` is ``mapping``, ``sequence`` or ``scalar``); a key is
    matched by the text written in the file, which is how the definition's JSON names it.
    """
    node = root
    mark = root.start_mark
    for token in split(pointer):
        if node.id == "mapping":
            match = None
            for key_node, value_node in node.value:
                if key_node.id == "scalar" and str(key_node.value) == token:
                    match = (key_node, value_node)
            if match is None:
                return None
            mark, node = match[0].start_mark, match[1]
        elif node.id == "sequence":
            if not token.isdigit() or int(token) >= len(node.value):
                return None
            node = node.value[int(token)]
            mark = node.start_mark
        else:
            return None
    return mark.line + 1, mark.column + 1
