"""Top-level ``$``/``$$`` in JSONata: strings, names, comments and regular expressions are skipped."""

from __future__ import annotations

import jsonata
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asl_engine import validate
from asl_engine.language.jsonata_tokens import top_level_context_references


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("$contains('hello$world', /^hello\\$/)", []),
        ("$match($states.input.s, /a$|$b/i)", []),
        ("$exists($states.input) ? /^\\$x$/ : /$/", []),
        ("($f := /\\$$/; $contains('a$', $f))", []),
        ("'$' & \"$$\" & `$`", []),
        ("/* $ and $$ */ $states.input", []),
        ("$states.input.xs[$ > 1]", []),
        ('{"a": $}', []),
        ("$f := function($x){ $x }", []),
        ("$", ["$"]),
        ("$$", ["$$"]),
        ("$.a", ["$"]),
        ("$count($)", ["$"]),
        ("4 / $", ["$"]),
        ("$$.Execution.Id & $", ["$$", "$"]),
        ("($)", ["$"]),
    ],
)
def test_top_level_references(expression: str, expected: list[str]) -> None:
    jsonata.Jsonata(expression)  # every example is valid JSONata
    assert top_level_context_references(expression) == expected


def test_the_issue_example_validates() -> None:
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "A",
        "States": {"A": {"Type": "Pass", "Output": "{% $contains('hello$world', /^hello\\$/) %}", "End": True}},
    }
    assert [d for d in validate(definition) if d.severity == "ERROR"] == []


# Regex bodies and string contents full of '$', slashes escaped as JSONata requires. A body never
# starts with '*': JSONata reads "/*" as the start of a comment, never of a regular expression.
_body = (
    st.text(alphabet="ab$^.*+?|\\ ", min_size=1, max_size=8)
    .map(lambda text: text.replace("\\", "\\\\"))
    .filter(lambda text: not text.endswith("\\") and not text.startswith("*"))
)
_string = st.text(alphabet="ab$/ *", max_size=8)
_safe_operand = st.one_of(
    _body.map(lambda body: f"/{body}/"),
    _string.map(lambda text: f"'{text}'"),
    _string.map(lambda text: f'"{text}"'),
    st.just("$states.input.s"),
    st.just("$states.input.xs[$ > 0]"),
    _string.map(lambda text: f"/* {text.replace('*/', '')} */ 1"),
)
_bare = st.sampled_from(["$", "$$", "$.a", "$$.Execution.Id"])


def _call(arguments: list[str]) -> str:
    return "$f(" + ", ".join(arguments) + ")"


def _valid(expression: str) -> bool:
    try:
        jsonata.Jsonata(expression)
    except Exception:
        return False
    return True


@settings(max_examples=200, deadline=None)
@given(arguments=st.lists(_safe_operand, min_size=1, max_size=4))
def test_property_dollars_inside_regexes_strings_and_predicates_are_not_references(arguments: list[str]) -> None:
    expression = _call(arguments)
    if _valid(expression):
        assert top_level_context_references(expression) == []


@settings(max_examples=200, deadline=None)
@given(
    before=st.lists(_safe_operand, max_size=3),
    bare=_bare,
    after=st.lists(_safe_operand, max_size=3),
)
def test_property_a_bare_reference_among_them_is_found(before: list[str], bare: str, after: list[str]) -> None:
    expression = _call([*before, bare, *after])
    if _valid(expression):
        assert top_level_context_references(expression) == [bare.split(".")[0]]


def test_slash_star_opens_a_comment_even_where_a_regex_could_start() -> None:
    """Found by the property above: in ``$f(/*/, $, /* */ 1)`` the first "/*" opens a comment that
    runs to the first "*/", so the bare ``$`` is inside it (jsonata reads it the same way)."""
    expression = "$f(/*/, $, /*  */ 1)"
    jsonata.Jsonata(expression)
    assert top_level_context_references(expression) == []
