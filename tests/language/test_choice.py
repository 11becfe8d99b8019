"""JSONPath Choice rules, against AWS's observed truth tables."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from asl_engine.language.choice import compile_rule, compile_string_matches
from asl_engine.language.errors import LocatedSyntaxError, PathNotFoundError
from asl_engine.language.scope import SimpleScope

SCOPE = SimpleScope(variables={"limit": 10})


def check(rule: dict[str, Any], value: Any) -> bool:
    return compile_rule({"Variable": "$.v", **rule})({"v": value, "other": 5, "ts": "2020-01-01T00:00:00Z"}, SCOPE)


@pytest.mark.parametrize(
    ("operator", "truthy"),
    [
        ("IsNumeric", [0, 0.0, 1, 1.1]),
        ("IsString", ["", " ", "HelloWorld", "2012-10-09T19:00:55", "2023-02-24", "1", "2016-03-14T01:59:00Z"]),
        ("IsBoolean", [True, False]),
        ("IsNull", [None]),
        ("IsTimestamp", ["2016-03-14T01:59:00Z"]),
    ],
)
def test_type_tests_match_aws_truth_table(operator: str, truthy: list[Any]) -> None:
    candidates = [
        0,
        0.0,
        1,
        1.1,
        "",
        " ",
        "HelloWorld",
        "2012-10-09T19:00:55",
        "2023-02-24",
        True,
        False,
        None,
        [],
        {},
        "1",
        "2016-03-14T01:59:00Z",
    ]
    for value in candidates:
        expected = any(value is t or (type(value) is type(t) and value == t) for t in truthy)
        assert check({operator: True}, value) is expected, (operator, value)
        assert check({operator: False}, value) is (not expected), (operator, value)


def test_is_present_never_fails_on_missing_paths() -> None:
    rule = compile_rule({"Variable": "$.missing", "IsPresent": False})
    assert rule({}, SCOPE) is True
    assert compile_rule({"Variable": "$.n", "IsPresent": True})({"n": None}, SCOPE) is True


def test_other_operators_fail_on_missing_paths() -> None:
    with pytest.raises(PathNotFoundError):
        compile_rule({"Variable": "$.missing", "StringEquals": "x"})({}, SCOPE)


def test_comparisons_and_type_mismatch_is_false() -> None:
    assert check({"NumericEquals": 1}, 1.0)
    assert not check({"NumericEquals": 1}, "1")
    assert not check({"StringEquals": "1"}, 1)
    assert check({"NumericLessThanPath": "$.other"}, 4)
    assert check({"NumericGreaterThanEqualsPath": "$limit"}, 10)
    assert check({"BooleanEquals": True}, True)
    assert not check({"BooleanEquals": True}, 1)
    assert check({"TimestampGreaterThan": "2019-01-01T00:00:00Z"}, "2020-01-01T00:00:00Z")
    assert check({"TimestampEqualsPath": "$.ts"}, "2020-01-01T02:00:00+02:00")
    assert not check({"TimestampEquals": "2020-01-01T00:00:00Z"}, "not a time")


def test_strings_compare_by_utf16_code_units_like_java() -> None:
    # U+FFFF sorts after U+10000 in UTF-16 (surrogates D800..) but before it by code point.
    assert check({"StringGreaterThan": "\U00010000"}, "\uffff")
    assert check({"StringLessThan": "b"}, "a")


def test_boolean_combinators() -> None:
    rule = compile_rule(
        {"And": [{"Variable": "$.a", "NumericGreaterThan": 1}, {"Not": {"Variable": "$.b", "StringEquals": "x"}}]}
    )
    assert rule({"a": 2, "b": "y"}, SCOPE)
    assert not rule({"a": 2, "b": "x"}, SCOPE)
    either = compile_rule({"Or": [{"Variable": "$.a", "IsNull": True}, {"Variable": "$.a", "NumericEquals": 3}]})
    assert either({"a": 3}, SCOPE) and either({"a": None}, SCOPE) and not either({"a": 4}, SCOPE)


def test_string_matches_wildcards_and_escapes() -> None:
    assert compile_string_matches("log-*.txt").fullmatch("log-2024.txt")
    assert compile_string_matches("a\\*b").fullmatch("a*b")
    assert not compile_string_matches("a\\*b").fullmatch("axb")
    assert compile_string_matches("a\\\\b").fullmatch("a\\b")
    assert compile_string_matches("*").fullmatch("")
    with pytest.raises(LocatedSyntaxError):
        compile_string_matches("a\\b")


@pytest.mark.parametrize(
    "rule",
    [
        {"Variable": "$.a"},
        {"Variable": "$.a", "StringEquals": "x", "NumericEquals": 1},
        {"Variable": "$.a", "NumericEquals": "1"},
        {"Variable": "$.a", "TimestampEquals": "yesterday"},
        {"Variable": "$.a", "IsNull": "yes"},
        {"And": []},
        {"Variable": "$.a", "Nope": 1},
    ],
)
def test_malformed_rules_are_rejected(rule: dict[str, Any]) -> None:
    with pytest.raises(LocatedSyntaxError):
        compile_rule(rule)


@given(st.text(alphabet="ab*\\", max_size=8), st.text(alphabet="ab*\\", max_size=8))
def test_property_string_matches_never_crashes(pattern: str, subject: str) -> None:
    try:
        compiled = compile_string_matches(pattern)
    except LocatedSyntaxError:
        return
    compiled.fullmatch(subject)
