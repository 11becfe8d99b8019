"""Condition expressions: DynamoDB's semantic checks (messages and precedence) and evaluation."""

from __future__ import annotations

from typing import Any

import pytest

from asl_engine.services.dynamodb.attribute_values import normalize_value
from asl_engine.services.dynamodb.errors import DynamoDBServiceError
from asl_engine.services.dynamodb.expressions import Placeholders, bind_condition, cached_condition


def bind(text: str, values: dict[str, Any] | None = None, names: dict[str, str] | None = None) -> Any:
    placeholders = Placeholders(names or {}, {k: normalize_value(v) for k, v in (values or {}).items()})
    return bind_condition(cached_condition(text), placeholders, "FilterExpression")


def message(text: str, values: dict[str, Any] | None = None, names: dict[str, str] | None = None) -> str:
    with pytest.raises(DynamoDBServiceError) as caught:
        bind(text, values, names)
    assert caught.value.code == "ValidationException"
    return caught.value.message.removeprefix("Invalid FilterExpression: ")


N1 = {"N": "1"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a=a and a > ((views))", "The expression has redundant parentheses;"),
        ("a=a and whatever((:things)) > a", "Invalid function name; function: whatever"),
        ("attRIbute_exIsts((views), #a)", "Invalid function name; function: attRIbute_exIsts"),
        (
            "attribute_not_exists(things) > b",
            "The function is not allowed to be used this way in an expression; function: attribute_not_exists",
        ),
        (
            "size(contains(a, b)) > a",
            "The function is not allowed to be used this way in an expression; function: contains",
        ),
        ("size(things)", "The function is not allowed to be used this way in an expression; function: size"),
        (
            "a in (b, attribute_exists(things))",
            "The function is not allowed to be used this way in an expression; function: attribute_exists",
        ),
        ("attribute_exists(views, #a)", "Attribute name is a reserved keyword; reserved keyword: views"),
        (":a < abOrT", "Attribute name is a reserved keyword; reserved keyword: abOrT"),
        ("#P > a", "An expression attribute name used in the document path is not defined; attribute name: #P"),
        (":a < :b", "An expression attribute value used in expression is not defined; attribute value: :a"),
        (
            "attribute_exists(things, a)",
            "Incorrect number of operands for operator or function; operator or function: attribute_exists, "
            "number of operands: 2",
        ),
        (
            "begins_with(things)",
            "Incorrect number of operands for operator or function; operator or function: begins_with, number "
            "of operands: 1",
        ),
        (
            "a = a",
            "The first operand must be distinct from the remaining operands for this operator or function; "
            "operator: =, first operand: [a]",
        ),
        (
            "contains(ab.bc[1].a, ab.bc[1].a)",
            "The first operand must be distinct from the remaining operands for this operator or function; "
            "operator: contains, first operand: [ab, bc, [1], a]",
        ),
        ("if_not_exists(a, a) = b", "The function is not allowed in a condition expression; function: if_not_exists"),
    ],
)
def test_semantic_errors(text: str, expected: str) -> None:
    assert message(text) == expected


@pytest.mark.parametrize(
    ("text", "value", "expected"),
    [
        (
            "begins_with(a, :a)",
            N1,
            "Incorrect operand type for operator or function; operator or function: begins_with, operand type: N",
        ),
        (
            "begins_with(:a, a)",
            {"BOOL": True},
            "Incorrect operand type for operator or function; operator or function: begins_with, operand type: BOOL",
        ),
        (
            "attribute_type(a, :a)",
            N1,
            "Incorrect operand type for operator or function; operator or function: attribute_type, operand type: N",
        ),
        (
            "attribute_type(a, :a)",
            {"S": "DOG"},
            "Invalid attribute type name found; type: DOG, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}",
        ),
        (
            "size(:a) > a",
            {"NULL": True},
            "Incorrect operand type for operator or function; operator or function: size, operand type: NULL",
        ),
        (
            "attribute_exists(:a)",
            {"S": "1"},
            "Operator or function requires a document path; operator or function: attribute_exists",
        ),
        (
            "a < :a",
            {"L": []},
            "Incorrect operand type for operator or function; operator or function: <, operand type: L",
        ),
    ],
)
def test_operand_type_errors(text: str, value: dict[str, Any], expected: str) -> None:
    assert message(text, {":a": value}) == expected


def test_between_bounds_are_checked_when_both_are_constants() -> None:
    assert message("a between :b and :a", {":a": {"S": "a"}, ":b": N1}) == (
        "The BETWEEN operator requires same data type for lower and upper bounds; "
        "lower bound operand: AttributeValue: {N:1}, upper bound operand: AttributeValue: {S:a}"
    )
    assert message("a between :b and :a", {":a": {"S": "a"}, ":b": {"S": "b"}}) == (
        "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; "
        "lower bound operand: AttributeValue: {S:b}, upper bound operand: AttributeValue: {S:a}"
    )


def test_precedence_of_categories_beats_position() -> None:
    # An undefined placeholder comes first in the text, but a reserved word outranks it.
    assert message("#undefined = :x AND status = :y", {":x": N1, ":y": N1}).startswith(
        "Attribute name is a reserved keyword"
    )
    # A redundant parenthesis outranks an unknown function.
    assert message("a > whatever((:things), ((a)))") == "The expression has redundant parentheses;"


def test_placeholders_used_by_unevaluated_branches_count_as_used() -> None:
    placeholders = Placeholders({"#a": "a", "#b": "b"}, {":one": N1, ":two": {"N": "2"}})
    condition = bind_condition(cached_condition("#a = :one OR #b = :two"), placeholders, "ConditionExpression")
    placeholders.check_all_used()
    assert condition({"a": N1})


ITEM = {
    "s": {"S": "hello"},
    "n": {"N": "5"},
    "b": {"B": "aGkgdGhlcmU="},  # b"hi there"
    "ss": {"SS": ["x", "y"]},
    "ns": {"NS": ["2", "4"]},
    "l": {"L": [{"N": "2"}, {"S": "dog"}, {"SS": ["q"]}]},
    "m": {"M": {"x": {"N": "1"}, "y": {"L": [{"N": "-1"}, {"N": "2"}]}}},
    "t": {"BOOL": True},
    "z": {"NULL": True},
}


@pytest.mark.parametrize(
    ("text", "values", "expected"),
    [
        ("n = :five", {":five": {"N": "5.0"}}, True),
        ("n = :five", {":five": {"S": "5"}}, False),
        ("nope = nope2", {}, False),
        ("nope <> nope2", {}, True),
        ("n <> :s", {":s": {"S": "5"}}, True),
        ("n < :s", {":s": {"S": "5"}}, False),
        ("nope < :n", {":n": N1}, False),
        ("s < :dog", {":dog": {"S": "world"}}, True),
        ("n BETWEEN :lo AND :hi", {":lo": {"N": "5"}, ":hi": {"N": "5"}}, True),
        ("n BETWEEN m.x AND :hi", {":hi": {"N": "9"}}, True),
        ("n IN (:a, :b)", {":a": {"S": "dog"}, ":b": {"N": "5"}}, True),
        ("nope IN (:a)", {":a": N1}, False),
        ("attribute_exists(m.y[1])", {}, True),
        ("attribute_exists(m.y[2])", {}, False),
        ("attribute_not_exists(m.x.deeper)", {}, True),
        ("attribute_type(ns, :t)", {":t": {"S": "NS"}}, True),
        ("attribute_type(z, :t)", {":t": {"S": "NULL"}}, True),
        ("begins_with(s, :p)", {":p": {"S": "hell"}}, True),
        ("begins_with(b, :p)", {":p": {"B": "aGk="}}, True),
        ("begins_with(:p, s)", {":p": {"S": "hellohi"}}, True),
        ("contains(s, :p)", {":p": {"S": "ell"}}, True),
        ("contains(ss, :p)", {":p": {"S": "y"}}, True),
        ("contains(ns, :p)", {":p": {"N": "4.0"}}, True),
        ("contains(l, :p)", {":p": {"SS": ["q"]}}, True),
        ("contains(b, :p)", {":p": {"B": "ZXJl"}}, True),
        ("contains(n, :p)", {":p": {"N": "5"}}, False),
        ("size(s) = :v", {":v": {"N": "5"}}, True),
        ("size(b) = :v", {":v": {"N": "8"}}, True),
        ("size(l) = :v", {":v": {"N": "3"}}, True),
        ("size(m) = :v", {":v": {"N": "2"}}, True),
        ("size(n) = :v", {":v": {"N": "1"}}, False),
        ("size(s) = :v", {":v": {"S": "5"}}, False),
        ("m.x < m.y[1]", {}, True),
        ("NOT NOT NOT NOT n = :v", {":v": {"N": "5"}}, True),
        ("n = :v OR nope = :v AND s = :v", {":v": {"N": "5"}}, True),
    ],
)
def test_evaluation(text: str, values: dict[str, Any], expected: bool) -> None:
    assert bind(text, values)(ITEM) is expected


def test_binary_strings_order_as_unsigned_bytes() -> None:
    condition = bind("b < :v", {":v": {"B": b"\x80"}})
    assert condition({"b": normalize_value({"B": b"\x7f"})})
