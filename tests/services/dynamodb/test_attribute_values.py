from __future__ import annotations

import base64
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asl_engine.services.dynamodb.attribute_values import (
    InvalidValue,
    compare_values,
    copy_value,
    is_typed_item,
    item_size,
    normalize_value,
    to_plain,
    to_typed,
    values_equal,
)
from asl_engine.services.dynamodb.ordering import encode_key_value, encode_number


def invalid(raw: Any) -> InvalidValue:
    with pytest.raises(InvalidValue) as caught:
        normalize_value(raw)
    return caught.value


@pytest.mark.parametrize(
    ("raw", "rendered"),
    [
        ({}, "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"),
        ({"a": ""}, "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"),
        ({"M": {"a": {}}}, "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"),
        (
            {"S": "a", "N": "1"},
            "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the "
            "supported datatypes",
        ),
        (
            {"NULL": False},
            "One or more parameter values were invalid: Null attribute value types must have the value of true",
        ),
        ({"SS": []}, "One or more parameter values were invalid: An string set  may not be empty"),
        ({"NS": []}, "One or more parameter values were invalid: An number set  may not be empty"),
        ({"BS": []}, "One or more parameter values were invalid: Binary sets should not be empty"),
        ({"SS": ["a", "a"]}, "One or more parameter values were invalid: Input collection [a, a] contains duplicates."),
        (
            {"BS": ["Yg==", "Yg=="]},
            "One or more parameter values were invalid: Input collection [Yg==, Yg==]of type BS contains duplicates.",
        ),
        ({"NS": ["1", "1.0"]}, "Input collection contains duplicates"),
        ({"N": "b"}, "The parameter cannot be converted to a numeric value: b"),
        ({"NS": ["1", ""]}, "The parameter cannot be converted to a numeric value"),
    ],
)
def test_invalid_values_carry_dynamodb_messages(raw: Any, rendered: str) -> None:
    assert invalid(raw).render() == rendered


def test_wrong_json_types_are_serialization_errors() -> None:
    error = invalid({"N": 5})
    assert (error.code, error.message) == ("SerializationException", "NUMBER_VALUE cannot be converted to String")
    assert invalid("text").code == "SerializationException"
    assert invalid({"BOOL": "yes"}).code == "SerializationException"
    assert invalid({"B": "not base64!"}).code == "SerializationException"


def test_nesting_beyond_32_levels_is_rejected() -> None:
    value: dict[str, Any] = {"S": "leaf"}
    for _ in range(32):
        value = {"M": {"n": value}}
    normalize_value(value)
    assert "Nesting Levels have exceeded supported limits" in invalid({"L": [value]}).message


def test_values_are_normalised() -> None:
    assert normalize_value({"N": "01.50"}) == {"N": "1.5"}
    assert normalize_value({"NS": ["1.0", "2"]}) == {"NS": ["1", "2"]}
    assert normalize_value({"B": b"\x00\xff"}) == {"B": "AP8="}
    assert normalize_value({"M": {"x": {"L": [{"N": "1e2"}]}}}) == {"M": {"x": {"L": [{"N": "100"}]}}}


def test_equality_is_typed_and_ignores_set_order() -> None:
    assert values_equal({"SS": ["a", "b"]}, {"SS": ["b", "a"]})
    assert not values_equal({"S": "1"}, {"N": "1"})
    assert values_equal({"M": {"a": {"L": [{"N": "1"}]}}}, {"M": {"a": {"L": [{"N": "1"}]}}})
    assert not values_equal({"L": [{"N": "1"}]}, {"L": [{"N": "1"}, {"N": "2"}]})


def test_ordering_is_numeric_utf8_and_unsigned_bytes() -> None:
    assert compare_values({"N": "10"}, {"N": "9"}) == 1
    assert compare_values({"S": "B"}, {"S": "a"}) == -1
    assert compare_values({"B": base64.b64encode(b"\x7f").decode()}, {"B": base64.b64encode(b"\x80").decode()}) == -1
    assert compare_values({"S": "1"}, {"N": "1"}) is None
    assert compare_values({"L": []}, {"L": []}) is None


def test_item_size_follows_the_documented_rules() -> None:
    item = {
        "s": {"S": "abc"},  # 1 + 3
        "n": {"N": "12345"},  # 1 + 3 + 1
        "b": {"B": "AAE="},  # 1 + 2
        "t": {"BOOL": True},  # 1 + 1
        "l": {"L": [{"S": "x"}]},  # 1 + 3 + (1 + 1)
        "m": {"M": {"k": {"NULL": True}}},  # 1 + 3 + (1 + 1 + 1)
    }
    assert item_size(item) == 4 + 5 + 3 + 2 + 6 + 7


def test_plain_values_marshal_like_boto3() -> None:
    assert to_typed({"a": 1, "b": [True, None], "c": {"x", "y"}, "d": b"\x01", "e": Decimal("1.5")}) == {
        "M": {
            "a": {"N": "1"},
            "b": {"L": [{"BOOL": True}, {"NULL": True}]},
            "c": {"SS": ["x", "y"]},
            "d": {"B": "AQ=="},
            "e": {"N": "1.5"},
        }
    }
    assert is_typed_item({"pk": {"S": "a"}, "n": {"N": "1"}})
    assert not is_typed_item({"pk": "a"})
    with pytest.raises(TypeError):
        to_typed(object())


plain_scalars = st.one_of(
    st.text(max_size=5),
    st.booleans(),
    st.none(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.binary(max_size=4),
)
plain_values = st.recursive(
    plain_scalars,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=3), children, max_size=3),
    max_leaves=8,
)


@settings(max_examples=150, derandomize=True)
@given(plain_values)
def test_plain_values_round_trip(value: Any) -> None:
    typed = normalize_value(to_typed(value))
    assert to_plain(typed) == value
    assert copy_value(typed) == typed


@settings(max_examples=200, derandomize=True)
@given(st.integers(-(10**12), 10**12), st.integers(-(10**12), 10**12), st.integers(-6, 6), st.integers(-6, 6))
def test_number_encoding_preserves_order(a: int, b: int, scale_a: int, scale_b: int) -> None:
    x, y = Decimal(a).scaleb(scale_a), Decimal(b).scaleb(scale_b)
    assert (encode_number(x) < encode_number(y)) == (x < y)
    assert (encode_number(x) == encode_number(y)) == (x == y)


@settings(max_examples=100, derandomize=True)
@given(st.text(max_size=6), st.text(max_size=6))
def test_string_encoding_preserves_order(a: str, b: str) -> None:
    assert (encode_key_value({"S": a}) < encode_key_value({"S": b})) == (
        a.encode("utf-8", "surrogatepass") < b.encode("utf-8", "surrogatepass")
    )
