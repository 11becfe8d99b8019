"""Indefinite JSONPaths (wildcards, filters, slices, unions, ``..``) read and evaluated as Jayway does.

Step Functions evaluates paths with Jayway JsonPath; the engine parses indefinite ones with
``jsonpath_ng.ext`` (once, at load time) and corrects the two places where the two disagree on
paths that real definitions use:

* **A bracket right after a dot.** Jayway reads ``.[`` as ``[`` (its ``readDotToken`` moves past the
  dot and reads whatever token follows), so ``$.[?(@.OU > 0)]``, ``$.[*]`` and ``$.a.[0]`` are
  valid on AWS; ``jsonpath_ng`` rejects them. ``without_dot_before_bracket`` drops such dots,
  leaving quoted names, filter strings and ``=~`` regular expressions untouched.
* **A filter applied to an object.** Jayway's ``PredicatePathToken`` tests an *object* itself
  (yielding it when it matches) and the *elements* of an array; ``jsonpath_ng`` follows RFC 9535
  and tests the member values of an object. Under ``..`` Jayway tests every object at any depth
  (the start included) once, in document order. ``jayway_semantics`` rewrites the parsed tree so
  filters behave as on AWS.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from jsonpath_ng.ext.filter import Filter
from jsonpath_ng.jsonpath import DatumInContext, Descendants, Fields, Index, JSONPath

_QUOTES = "'\""


def without_dot_before_bracket(text: str) -> str:
    """``text`` with every single ``.`` that directly precedes ``[`` removed (``..[`` is kept).

    Quoted strings (``['a.[b']``, ``== 'x.[y'``) and regular expressions after ``=~`` are copied as
    they are, so only the path's own punctuation changes.
    """
    if ".[" not in text:
        return text
    out: list[str] = []
    index = 0
    length = len(text)
    while index < length:
        char = text[index]
        if char in _QUOTES:
            end = _end_of_quoted(text, index)
            out.append(text[index:end])
            index = end
        elif char == "/" and _follows_regex_operator(out):
            end = _end_of_regex(text, index)
            out.append(text[index:end])
            index = end
        elif char == "." and text.startswith("[", index + 1) and (index == 0 or text[index - 1] != "."):
            index += 1
        else:
            out.append(char)
            index += 1
    return "".join(out)


def _end_of_quoted(text: str, start: int) -> int:
    """The index just after the quote closing the string that opens at ``start`` (or the end)."""
    quote = text[start]
    index = start + 1
    while index < len(text):
        if text[index] == "\\":
            index += 2
            continue
        if text[index] == quote:
            return index + 1
        index += 1
    return len(text)


def _follows_regex_operator(out: list[str]) -> bool:
    """True when the last non-blank characters copied so far are ``=~`` (a regex literal follows)."""
    tail = "".join(out[-8:]).rstrip()
    return tail.endswith("=~")


def _end_of_regex(text: str, start: int) -> int:
    index = start + 1
    while index < len(text):
        if text[index] == "\\":
            index += 2
            continue
        if text[index] == "/":
            return index + 1
        index += 1
    return len(text)


def jayway_semantics(path: JSONPath) -> JSONPath:
    """The parsed ``path`` with its filters replaced by Jayway-faithful ones (the tree is reused)."""
    if isinstance(path, Descendants) and isinstance(path.right, Filter):
        return _ScanFilter(jayway_semantics(path.left), _jayway_filter(path.right))
    if isinstance(path, Filter) and not isinstance(path, _JaywayFilter):
        return _jayway_filter(path)
    for name, value in vars(path).items():
        if isinstance(value, JSONPath):
            setattr(path, name, jayway_semantics(value))
        elif isinstance(value, list) and value and all(isinstance(item, JSONPath) for item in value):
            setattr(path, name, [jayway_semantics(item) for item in value])
    return path


def _jayway_filter(original: Filter) -> _JaywayFilter:
    return _JaywayFilter([jayway_semantics(expression) for expression in original.expressions])


class _JaywayFilter(Filter):
    """``[?(...)]``: an object is tested itself, an array's elements one by one, anything else never."""

    def accepts(self, candidate: DatumInContext) -> bool:
        return all(expression.find(candidate) for expression in self.expressions)

    def find(self, datum: Any) -> list[DatumInContext]:
        datum = DatumInContext.wrap(datum)
        value = datum.value
        if isinstance(value, dict):
            return [datum] if self.accepts(datum) else []
        if isinstance(value, list):
            return [candidate for candidate in _elements(datum) if self.accepts(candidate)]
        return []


class _ScanFilter(JSONPath):
    """``left..[?(...)]``: every object under (and including) each match of ``left`` that passes the
    filter, and the matching elements of any array the filter accepts as a whole, in document order."""

    def __init__(self, left: JSONPath, predicate: _JaywayFilter) -> None:
        self.left = left
        self.predicate = predicate

    def find(self, datum: Any) -> list[DatumInContext]:
        found: list[DatumInContext] = []
        for start in self.left.find(datum):
            found.extend(self._walk(start))
        return found

    def _walk(self, datum: DatumInContext) -> Iterator[DatumInContext]:
        stack = [datum]
        while stack:
            node = stack.pop()
            value = node.value
            if isinstance(value, dict):
                if self.predicate.accepts(node):
                    yield node
                children = [DatumInContext(child, path=Fields(key), context=node) for key, child in value.items()]
            elif isinstance(value, list):
                if self.predicate.accepts(node):
                    yield from self.predicate.find(node)
                children = list(_elements(node))
            else:
                continue
            stack.extend(reversed(children))

    def __str__(self) -> str:
        return f"{self.left}..{self.predicate}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _ScanFilter) and (self.left, self.predicate) == (other.left, other.predicate)

    def __hash__(self) -> int:
        return hash(str(self))


def _elements(datum: DatumInContext) -> Iterator[DatumInContext]:
    for position, item in enumerate(datum.value):
        yield DatumInContext(item, path=Index(position), context=datum)
