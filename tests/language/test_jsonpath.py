"""AWS's JSONPath dialect: definite getters, Jayway's error wording, indefinite paths, ResultPath writes."""

from __future__ import annotations

import contextlib
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asl_engine.language.errors import ExpressionSyntaxError, PathNotFoundError, VariableNotFoundError
from asl_engine.language.jsonpath import ResultPathError, compile_path, compile_reference_path, set_at
from asl_engine.language.scope import SimpleScope

SCOPE = SimpleScope(context={"Execution": {"Id": "arn:x", "Input": {"a": 1}}}, variables={"order": {"id": 7}})


@pytest.mark.parametrize(
    ("path", "document", "expected"),
    [
        ("$", {"a": 1}, {"a": 1}),
        ("$.a", {"a": 1}, 1),
        ("$.a.b", {"a": {"b": None}}, None),
        ("$.a[1]", {"a": [10, 20]}, 20),
        ("$.a[-1]", {"a": [10, 20]}, 20),
        ("$['a b']", {"a b": 3}, 3),
        ('$["a.b"]', {"a.b": 3}, 3),
        ("$.abc.['def ghi']", {"abc": {"def ghi": 4}}, 4),
        ("$['a*b']", {"a*b": 5}, 5),
        ("$.store\\.book", {"store.book": 6}, 6),
    ],
)
def test_definite_paths(path: str, document: Any, expected: Any) -> None:
    compiled = compile_path(path)
    assert compiled.definite
    assert compiled.get(document, SCOPE) == expected


def test_context_and_variable_roots() -> None:
    assert compile_path("$$.Execution.Id").get({}, SCOPE) == "arn:x"
    assert compile_path("$$.Execution.Input.a").get({}, SCOPE) == 1
    assert compile_path("$order.id").get({}, SCOPE) == 7
    with pytest.raises(VariableNotFoundError):
        compile_path("$missing").get({}, SCOPE)


def test_jayway_wording_for_missing_leaf_and_intermediate() -> None:
    with pytest.raises(PathNotFoundError) as leaf:
        compile_path("$.X").get({}, SCOPE)
    assert str(leaf.value) == "Invalid path '$.X' : No results for path: $['X']"
    with pytest.raises(PathNotFoundError) as middle:
        compile_path("$.no.such.result.path").get({}, SCOPE)
    assert str(middle.value) == "Invalid path '$.no.such.result.path' : Missing property in path $['no']"


def test_index_on_non_array_and_out_of_bounds() -> None:
    with pytest.raises(PathNotFoundError, match="can only be applied to arrays"):
        compile_path("$.a[0]").get({"a": {"x": 1}}, SCOPE)
    with pytest.raises(PathNotFoundError, match="No results"):
        compile_path("$.a[5]").get({"a": [1]}, SCOPE)


@pytest.mark.parametrize(
    ("path", "document", "expected"),
    [
        ("$[*]", {}, []),
        ("$[*]", {"a": 1, "b": 2}, [1, 2]),
        ("$.items[*].v", {"items": [{"v": 1}, {"v": 2}]}, [1, 2]),
        ("$.items[1:]", {"items": [1, 2, 3]}, [2, 3]),
        ("$.users[?(@.status == 0)]", {"users": [{"status": 0}, {"status": 1}]}, [{"status": 0}]),
        ("$..x", {"a": {"x": 1}, "b": [{"x": 2}]}, [1, 2]),
        ("$.missing[*]", {}, []),
    ],
)
def test_indefinite_paths_always_yield_lists(path: str, document: Any, expected: Any) -> None:
    compiled = compile_path(path)
    assert not compiled.definite
    assert compiled.get(document, SCOPE) == expected


@pytest.mark.parametrize("path", ["", "a.b", "$.", "$.a[", "$.a[x]", "$['a", "$.a b"])
def test_invalid_paths_are_rejected_at_compile_time(path: str) -> None:
    with pytest.raises(ExpressionSyntaxError):
        compile_path(path)


def test_reference_paths_must_be_definite() -> None:
    with pytest.raises(ExpressionSyntaxError, match="single node"):
        compile_reference_path("$.a[*]")


def test_set_at_copies_only_the_path_and_creates_objects() -> None:
    shared = {"big": list(range(10))}
    document = {"keep": shared, "a": {"x": 1}}
    result = set_at(document, compile_path("$.a.b.c"), 5)
    assert result == {"keep": shared, "a": {"x": 1, "b": {"c": 5}}}
    assert result["keep"] is shared
    assert document == {"keep": shared, "a": {"x": 1}}
    assert set_at(document, compile_path("$"), 9) == 9


def test_set_at_into_a_non_object_fails() -> None:
    with pytest.raises(ResultPathError):
        set_at("text", compile_path("$.a"), 1)
    assert set_at({"l": [1, 2]}, compile_path("$.l[1]"), 9) == {"l": [1, 9]}


names = st.text(alphabet=st.characters(whitelist_categories=("Ll", "Lu", "Nd")), min_size=1, max_size=8).filter(
    lambda name: not name[0].isdigit()
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(names, children, max_size=3),
    max_leaves=10,
)


@settings(max_examples=200, deadline=None)
@given(keys=st.lists(names, min_size=1, max_size=5), value=json_values)
def test_property_set_then_get_round_trips(keys: list[str], value: Any) -> None:
    path = compile_path("$." + ".".join(keys))
    document = set_at({}, path, value)
    assert path.get(document, SCOPE) == value
    assert json.loads(json.dumps(document)) == document


@settings(max_examples=200, deadline=None)
@given(keys=st.lists(names, min_size=1, max_size=4), value=json_values)
def test_property_bracket_and_dot_notation_agree(keys: list[str], value: Any) -> None:
    document = set_at({}, compile_path("$." + ".".join(keys)), value)
    bracketed = "$" + "".join(f"['{key}']" for key in keys)
    assert compile_path(bracketed).get(document, SCOPE) == value


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=20))
def test_property_arbitrary_text_compiles_or_raises_syntax_error(text: str) -> None:
    try:
        compiled = compile_path("$" + text)
    except ExpressionSyntaxError:
        return
    with contextlib.suppress(PathNotFoundError):
        compiled.get({"a": [1, {"b": 2}]}, SCOPE)
