"""Where Jayway reads paths differently from jsonpath-ng: ``.[``, trailing spaces, filters on objects."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asl_engine.language.errors import ExpressionSyntaxError, PathNotFoundError
from asl_engine.language.jsonpath import compile_path, compile_reference_path
from asl_engine.language.jsonpath_indefinite import without_dot_before_bracket
from asl_engine.language.scope import SimpleScope

SCOPE = SimpleScope(context={"Execution": {"Name": "run-1"}}, variables={"units": [{"OU": 2}, {"OU": 0}]})
UNITS = {"units": [{"OU": 1, "n": "a"}, {"OU": 0, "n": "b"}, {"OU": 5, "n": "c"}], "OU": 3}


@pytest.mark.parametrize(
    ("path", "document", "expected"),
    [
        # The corpus example: a filter right after a dot, over an array input.
        ("$.[?(@.OU > 0)]", UNITS["units"], [UNITS["units"][0], UNITS["units"][2]]),
        ("$.units.[?(@.OU > 0)].n", UNITS, ["a", "c"]),
        ("$.[*]", [1, 2], [1, 2]),
        ("$.units.[1:]", UNITS, UNITS["units"][1:]),
        ("$.units.[0,2].n", UNITS, ["a", "c"]),
        ("$..[?(@.OU == 5)].n", UNITS, ["c"]),
        ("$units.[?(@.OU > 0)]", {}, [{"OU": 2}]),
    ],
)
def test_a_bracket_right_after_a_dot_is_read_as_a_bracket(path: str, document: Any, expected: Any) -> None:
    assert compile_path(path).get(document, SCOPE) == expected


def test_definite_paths_with_a_dot_before_the_bracket() -> None:
    assert compile_path("$.units.[1].n").get(UNITS, SCOPE) == "b"
    assert compile_path("$.['units'].[2].['n']").get(UNITS, SCOPE) == "c"
    assert compile_reference_path("$.units.[0]").definite


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$.[?(@.a)]", "$[?(@.a)]"),
        ("$..[0]", "$..[0]"),
        ("$.a.[0].[1]", "$.a[0][1]"),
        ("$[?(@.name == 'x.[y')]", "$[?(@.name == 'x.[y')]"),
        ('$[?(@.name == "x.[y")]', '$[?(@.name == "x.[y")]'),
        ("$[?(@.name =~ /a.[bc]/)]", "$[?(@.name =~ /a.[bc]/)]"),
        ("$[?(@.['a'] > 1)]", "$[?(@['a'] > 1)]"),
    ],
)
def test_dots_are_dropped_only_in_the_path_itself(text: str, expected: str) -> None:
    assert without_dot_before_bracket(text) == expected


def test_a_filter_on_an_object_tests_the_object_itself_as_jayway_does() -> None:
    # Jayway's PredicatePathToken: an object that matches is the single result; one that does not,
    # nothing. (RFC 9535 would test the object's member values instead.)
    assert compile_path("$[?(@.OU > 0)]").get(UNITS, SCOPE) == [UNITS]
    assert compile_path("$[?(@.OU > 9)]").get(UNITS, SCOPE) == []
    assert compile_path("$.units[0][?(@.n == 'a')].OU").get(UNITS, SCOPE) == [1]
    assert compile_path("$.OU[?(@.x)]").get(UNITS, SCOPE) == []


def test_a_scan_filter_tests_every_object_once_in_document_order() -> None:
    document = {"OU": 1, "inner": {"OU": 2, "list": [{"OU": 3}, {"OU": 0}, [{"OU": 4}]]}}
    found = compile_path("$..[?(@.OU > 0)].OU").get(document, SCOPE)
    assert found == [1, 2, 3, 4]


def test_filters_that_refer_to_the_root_still_see_it() -> None:
    document = {"limit": 1, "units": UNITS["units"]}
    assert compile_path("$.units.[?(@.OU > $.limit)].n").get(document, SCOPE) == ["c"]


@pytest.mark.parametrize("path", ["$$.Execution.Name ", "$$.Execution.Name   ", "$$.Execution.['Name'] "])
def test_trailing_spaces_are_trimmed_like_jayway(path: str) -> None:
    compiled = compile_path(path)
    assert compiled.get({}, SCOPE) == "run-1"
    assert compiled.text == path  # messages quote the path as written


def test_trailing_spaces_everywhere_a_path_is_read() -> None:
    assert compile_path("$ ").is_root
    assert compile_reference_path("$.a.b ").steps is not None
    assert compile_path("$.units[*].n  ").get(UNITS, SCOPE) == ["a", "b", "c"]
    with pytest.raises(PathNotFoundError) as missing:
        compile_path("$.nope ").get({}, SCOPE)
    assert "'$.nope '" in str(missing.value)


@pytest.mark.parametrize("path", [" $.a", "\t$.a", "$.a\t", "$.a\n", "$.a. "])
def test_only_trailing_spaces_are_trimmed(path: str) -> None:
    # Jayway checks the untrimmed first character for the root and trims only U+0020.
    with pytest.raises(ExpressionSyntaxError):
        compile_path(path)


segments = st.lists(
    st.one_of(
        st.sampled_from(["a", "b", "units", "OU"]).map(lambda name: ("field", name)),
        st.integers(min_value=-2, max_value=3).map(lambda index: ("index", index)),
        st.just(("wildcard", "*")),
        st.just(("filter", "?(@.OU > 0)")),
    ),
    min_size=1,
    max_size=4,
)
documents = st.recursive(
    st.integers(min_value=-1, max_value=3),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.sampled_from(["a", "b", "units", "OU"]), children, max_size=3)
    ),
    max_leaves=12,
)


def _render(parts: list[tuple[str, Any]], dot_before_brackets: bool) -> str:
    text = "$"
    for kind, value in parts:
        if kind == "field":
            text += f".{value}"
        else:
            inner = value if kind != "index" else str(value)
            text += ("." if dot_before_brackets else "") + f"[{inner}]"
    return text


def _evaluate(path: str, document: Any) -> Any:
    try:
        return ("ok", compile_path(path).get(document, SCOPE))
    except PathNotFoundError as error:
        return ("missing", error.detail)


@settings(max_examples=300, deadline=None)
@given(parts=segments, document=documents, spaces=st.integers(min_value=0, max_value=3))
def test_property_dot_bracket_and_trailing_spaces_change_nothing(
    parts: list[tuple[str, Any]], document: Any, spaces: int
) -> None:
    plain = _render(parts, dot_before_brackets=False)
    dotted = _render(parts, dot_before_brackets=True) + " " * spaces
    assert _evaluate(dotted, document) == _evaluate(plain, document)
