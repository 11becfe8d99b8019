"""AWS's JSONPath dialect, compiled once into getters and setters.

Step Functions evaluates paths with Jayway JsonPath. Almost every path in real definitions is
*definite* (``$.order.items[0]``); those are compiled here into a tuple of steps walked by a tight
loop, with Jayway's exact "not found" wording for AWS's error messages. *Indefinite* paths
(wildcards, slices, filters, unions, ``..``) always yield a list and are delegated to
``jsonpath_ng.ext``, parsed once at load time.

Three roots exist: ``$`` (the input document), ``$$`` (the context object) and ``$name`` (a workflow
variable, JSONPath ``Assign``).

Like Jayway (``PathCompiler.compile`` trims its ``CharacterIndex``), trailing spaces are ignored:
``"$$.Execution.Name "`` is ``$$.Execution.Name``. Only U+0020 is trimmed, and only at the end: a
leading space makes Jayway prepend ``$.`` (its root check reads the untrimmed first character) and
fail, so such a path stays an error here too. Messages quote the path as written.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, Literal

from jsonpath_ng.exceptions import JsonPathLexerError, JsonPathParserError
from jsonpath_ng.ext.parser import parse as _parse_indefinite

from asl_engine.language.errors import ExpressionSyntaxError, PathNotFoundError, VariableNotFoundError
from asl_engine.language.jsonpath_indefinite import jayway_semantics, without_dot_before_bracket
from asl_engine.language.scope import EvaluationScope

Root = Literal["input", "context", "variable"]

_FIELD: Final = 0
_INDEX: Final = 1

# A variable name is a Unicode identifier (the spec's rule); ``\w`` minus a leading digit.
_VARIABLE_NAME = re.compile(r"[^\W\d]\w*")
_PLAIN_NAME_STOP = ".[](){}'\"*,?@:= \t\n$"
_INDEFINITE_MARKERS = re.compile(r"\*|\.\.|\[\s*\?|\[[^\]'\"]*[:,][^\]'\"]*\]|@")
# Quoted member names (``['a*b']``) may contain any character; they are masked before looking for markers.
_QUOTED_MEMBER = re.compile(r"\[\s*'(?:[^'\\]|\\.)*'\s*\]|\[\s*\"(?:[^\"\\]|\\.)*\"\s*\]")


@dataclass(frozen=True, slots=True)
class Step:
    kind: int  # _FIELD or _INDEX
    key: str | int

    def render(self) -> str:
        """Jayway's canonical rendering, used in its error messages: ``['name']`` or ``[0]``."""
        return f"['{self.key}']" if self.kind == _FIELD else f"[{self.key}]"


class CompiledPath:
    """A path parsed once; ``get`` evaluates it against a document and a scope.

    For a definite path ``get`` returns the single node or raises ``PathNotFoundError``; for an
    indefinite one it returns a (possibly empty) list, as Jayway does.
    """

    __slots__ = ("_indefinite", "definite", "get", "root", "steps", "text", "variable")

    def __init__(
        self, text: str, root: Root, variable: str | None, steps: tuple[Step, ...] | None, indefinite: Any
    ) -> None:
        self.text = text
        self.root = root
        self.variable = variable
        self.steps = steps
        self.definite = steps is not None
        self._indefinite = indefinite
        self.get: Callable[[Any, EvaluationScope], Any] = self._build_getter()

    def __repr__(self) -> str:
        return f"CompiledPath({self.text!r})"

    @property
    def top_field(self) -> str | None:
        """The field of a ``$.field`` path (one field of the input), else None: a ResultPath that
        writes there is one copy of the input with one key set (``PassState``'s placed step)."""
        steps = self.steps
        if self.root == "input" and steps is not None and len(steps) == 1 and steps[0].kind == _FIELD:
            key = steps[0].key
            return key if isinstance(key, str) else None
        return None

    @property
    def is_root(self) -> bool:
        """True for the bare ``$``: the whole document, a common default worth short-circuiting."""
        return self.root == "input" and self.steps == ()

    def _build_getter(self) -> Callable[[Any, EvaluationScope], Any]:
        text = self.text
        if self.steps is not None:
            steps = self.steps
            if self.root == "input":
                if not steps:
                    return lambda doc, scope: doc
                if len(steps) == 1 and steps[0].kind == _FIELD:
                    key = steps[0].key

                    def get_one_field(doc: Any, scope: EvaluationScope) -> Any:
                        if type(doc) is dict and key in doc:
                            return doc[key]
                        return _walk(doc, steps, text)

                    return get_one_field
                if len(steps) == 2 and steps[0].kind == steps[1].kind == _FIELD:
                    first, second = steps[0].key, steps[1].key

                    def get_two_fields(doc: Any, scope: EvaluationScope) -> Any:
                        if type(doc) is dict and first in doc:
                            node = doc[first]
                            if type(node) is dict and second in node:
                                return node[second]
                        return _walk(doc, steps, text)  # raises AWS's error for the step that failed

                    return get_two_fields
                if all(step.kind == _FIELD for step in steps):
                    keys = tuple(step.key for step in steps)

                    def get_fields(doc: Any, scope: EvaluationScope) -> Any:
                        node = doc
                        for key in keys:
                            if type(node) is not dict or key not in node:
                                return _walk(doc, steps, text)  # raises AWS's error for the step that failed
                            node = node[key]
                        return node

                    return get_fields
                return lambda doc, scope: _walk(doc, steps, text)
            if self.root == "context":
                return lambda doc, scope: _walk(scope.context_object(), steps, text)
            variable_name = self.variable
            assert variable_name is not None
            return lambda doc, scope: _walk(_variable(scope, variable_name, text), steps, text)

        finder = self._indefinite
        if self.root == "input":
            return lambda doc, scope: [m.value for m in finder.find(doc)]
        if self.root == "context":
            return lambda doc, scope: [m.value for m in finder.find(scope.context_object())]
        variable = self.variable
        assert variable is not None
        return lambda doc, scope: [m.value for m in finder.find(_variable(scope, variable, text))]


def _variable(scope: EvaluationScope, name: str, text: str) -> Any:
    try:
        return scope.variable(name)
    except KeyError:
        raise VariableNotFoundError(text, name) from None


def _walk(node: Any, steps: tuple[Step, ...], text: str) -> Any:
    last = len(steps) - 1
    for position, step in enumerate(steps):
        key = step.key
        if step.kind == _FIELD:
            if type(node) is dict:
                if key in node:
                    node = node[key]
                    continue
                raise PathNotFoundError(text, _missing_detail(steps, position, last))
            raise PathNotFoundError(text, _not_an_object_detail(steps, position, node))
        if type(node) is list:
            assert isinstance(key, int)
            if -len(node) <= key < len(node):
                node = node[key]
                continue
            raise PathNotFoundError(text, f"No results for path: {_render(steps, len(steps))}")
        raise PathNotFoundError(text, _not_an_array_detail(steps, position, node))
    return node


def _render(steps: tuple[Step, ...], upto: int) -> str:
    return "$" + "".join(step.render() for step in steps[:upto])


def _missing_detail(steps: tuple[Step, ...], position: int, last: int) -> str:
    # Jayway reports a missing leaf as "No results" and a missing intermediate as "Missing property".
    if position == last:
        return f"No results for path: {_render(steps, len(steps))}"
    return f"Missing property in path {_render(steps, position + 1)}"


def _java_type(node: Any) -> str:
    if isinstance(node, bool):
        return "java.lang.Boolean"
    if isinstance(node, int):
        return "java.lang.Integer"
    if isinstance(node, float):
        return "java.lang.Double"
    if isinstance(node, str):
        return "java.lang.String"
    if isinstance(node, list):
        return "net.minidev.json.JSONArray"
    if node is None:
        return "null"
    return "java.util.LinkedHashMap"


def _not_an_object_detail(steps: tuple[Step, ...], position: int, node: Any) -> str:
    return (
        f"Expected to find an object with property {steps[position].render()} in path "
        f"{_render(steps, position)} but found '{_java_type(node)}'. This is not a json object according "
        "to the JsonProvider: 'com.jayway.jsonpath.spi.json.JacksonJsonProvider'."
    )


def _not_an_array_detail(steps: tuple[Step, ...], position: int, node: Any) -> str:
    return (
        f"Filter: {steps[position].render()} can only be applied to arrays. Current context is: "
        f"{_render(steps, position)}"
    )


def compile_path(text: str) -> CompiledPath:
    """Compile a Path (``$``, ``$$`` or ``$variable`` rooted); raise ``ExpressionSyntaxError`` if invalid."""
    if not isinstance(text, str) or not text.startswith("$"):
        raise ExpressionSyntaxError("A path must start with '$'", str(text), 0)
    return _compile_path_text(text)


@functools.lru_cache(maxsize=4096)
def _compile_path_text(text: str) -> CompiledPath:
    # Definitions repeat the same few paths hundreds of times ("$.order.id"); a compiled path is
    # immutable, so one compilation can serve them all (a failed one is not cached: it raises).
    source = text.rstrip(" ")
    root, variable, rest_at = _parse_root(source)
    rest = source[rest_at:]
    if _INDEFINITE_MARKERS.search(_QUOTED_MEMBER.sub("[]", rest)):
        return CompiledPath(text, root, variable, None, _compile_indefinite(text, rest))
    steps = _parse_definite(source, rest_at)
    return CompiledPath(text, root, variable, steps, None)


def compile_reference_path(text: str) -> CompiledPath:
    """Compile a Reference Path: definite, rooted at ``$`` or a context/variable root.

    Reference Paths (ResultPath, ItemsPath, ``*Path`` fields, Choice ``Variable``) must address a
    single node, so wildcards, filters, slices and unions are rejected at load time, as AWS does.
    """
    compiled = compile_path(text)
    if not compiled.definite:
        raise ExpressionSyntaxError(
            "A reference path must address a single node: wildcards, filters, slices, unions and '..' are not allowed",
            text,
        )
    return compiled


def _parse_root(text: str) -> tuple[Root, str | None, int]:
    if text.startswith("$$"):
        return "context", None, 2
    match = _VARIABLE_NAME.match(text, 1)
    if match:
        return "variable", match.group(0), match.end()
    return "input", None, 1


def _compile_indefinite(text: str, rest: str) -> Any:
    try:
        return jayway_semantics(_parse_indefinite("$" + without_dot_before_bracket(rest)))
    except (JsonPathParserError, JsonPathLexerError, ValueError, TypeError, AttributeError) as error:
        raise ExpressionSyntaxError(f"Invalid JSONPath: {error}", text) from None


def _parse_definite(text: str, position: int) -> tuple[Step, ...]:
    steps: list[Step] = []
    length = len(text)
    while position < length:
        char = text[position]
        if char == ".":
            position += 1
            if position < length and text[position] == "[":
                # AWS documents ``$.abc.['def ghi']`` for names with special characters.
                continue
            name, position = _read_plain_name(text, position)
            steps.append(Step(_FIELD, name))
        elif char == "[":
            step, position = _read_bracket(text, position)
            steps.append(step)
        else:
            raise ExpressionSyntaxError(f"Unexpected character {char!r}", text, position)
    return tuple(steps)


def _read_plain_name(text: str, position: int) -> tuple[str, int]:
    chars: list[str] = []
    length = len(text)
    while position < length:
        char = text[position]
        if char == "\\" and position + 1 < length:
            chars.append(text[position + 1])
            position += 2
            continue
        if char in _PLAIN_NAME_STOP:
            if char in ".[":
                break
            raise ExpressionSyntaxError(f"Unexpected character {char!r} in a member name", text, position)
        chars.append(char)
        position += 1
    if not chars:
        raise ExpressionSyntaxError("Expected a member name", text, position)
    return "".join(chars), position


def _read_bracket(text: str, position: int) -> tuple[Step, int]:
    end = len(text)
    inner_start = position + 1
    if inner_start < end and text[inner_start] in "'\"":
        quote = text[inner_start]
        chars: list[str] = []
        cursor = inner_start + 1
        while cursor < end and text[cursor] != quote:
            # Like Jayway, a backslash escapes only the quote character; elsewhere it is literal.
            if text[cursor] == "\\" and cursor + 1 < end and text[cursor + 1] == quote:
                cursor += 1
            chars.append(text[cursor])
            cursor += 1
        if cursor + 1 >= end or text[cursor + 1] != "]":
            raise ExpressionSyntaxError("Unterminated bracket member name", text, position)
        return Step(_FIELD, "".join(chars)), cursor + 2
    close = text.find("]", inner_start)
    if close < 0:
        raise ExpressionSyntaxError("Missing ']'", text, position)
    inner = text[inner_start:close].strip()
    try:
        index = int(inner)
    except ValueError:
        raise ExpressionSyntaxError(f"Expected an array index, got {inner!r}", text, inner_start) from None
    return Step(_INDEX, index), close + 1


# --- writing -----------------------------------------------------------------------------------------


class ResultPathError(Exception):
    """The result could not be placed at the ResultPath (e.g. the input is not an object there)."""

    def __init__(self, path: str, detail: str) -> None:
        self.path = path
        self.detail = detail
        super().__init__(detail)


def set_at(document: Any, path: CompiledPath, value: Any) -> Any:
    """Return a copy of ``document`` with ``value`` placed at ``path``; ``document`` is not modified.

    Only the containers along the path are copied (copy-on-write), so writing a result into a large
    input costs the depth of the path, not the size of the input. Missing intermediate objects are
    created, as AWS does for ResultPath.
    """
    steps = path.steps
    assert steps is not None and path.root == "input"
    if not steps:
        return value
    return _set(document, steps, 0, value, path.text)


def _set(node: Any, steps: tuple[Step, ...], position: int, value: Any, text: str) -> Any:
    step = steps[position]
    last = position == len(steps) - 1
    if step.kind == _FIELD:
        if node is None and position > 0:
            node = {}
        if type(node) is not dict:
            raise ResultPathError(text, _not_an_object_detail(steps, position, node))
        copy = dict(node)
        key = step.key
        assert isinstance(key, str)
        copy[key] = value if last else _set(node.get(key), steps, position + 1, value, text)
        return copy
    if type(node) is not list:
        raise ResultPathError(text, _not_an_array_detail(steps, position, node))
    index = step.key
    assert isinstance(index, int)
    if not -len(node) <= index < len(node):
        raise ResultPathError(
            text, f"Index {index} out of bounds for length {len(node)} in path {_render(steps, position + 1)}"
        )
    items = list(node)
    items[index] = value if last else _set(node[index], steps, position + 1, value, text)
    return items
