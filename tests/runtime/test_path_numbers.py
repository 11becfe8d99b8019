"""Counts and percentages read through a ``*Path``: numbers or numeric text, as AWS runs them."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asl_engine.runtime.path_numbers import integer_value, number_value, shown
from tests.conftest import machine


def _distributed(**fields: Any) -> Any:
    item = {
        "Type": "Choice",
        "Choices": [{"Variable": "$.fail", "BooleanEquals": True, "Next": "Boom"}],
        "Default": "Fine",
    }
    return machine(
        {
            "Start": {"Type": "Pass", "Assign": {"given.$": "$"}, "Next": "M"},
            "M": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                    "StartAt": "Item",
                    "States": {
                        "Item": item,
                        "Boom": {"Type": "Fail", "Error": "Item.Failed"},
                        "Fine": {"Type": "Succeed"},
                    },
                },
                "End": True,
                **fields,
            },
        }
    )


ITEMS = [{"fail": True}, {"fail": False}]


@pytest.mark.parametrize("field", ["ToleratedFailureCountPath", "MaxConcurrencyPath"])
def test_a_numeric_string_from_a_variable_is_the_number(field: str) -> None:
    execution = _distributed(**{field: "$given.tolerance"}).execute({"items": ITEMS, "tolerance": "1"})
    if field == "ToleratedFailureCountPath":
        assert execution.status == "SUCCEEDED"  # one failure tolerated: "1" read as 1
    else:
        assert execution.error == "States.ExceedToleratedFailureThreshold"  # not "not a valid integer"


def test_a_numeric_string_count_from_the_input_decides_like_the_number() -> None:
    sm = _distributed(ToleratedFailureCountPath="$.count")
    assert sm.execute({"items": ITEMS, "count": "1"}).status == "SUCCEEDED"
    assert sm.execute({"items": ITEMS, "count": "0"}).error == "States.ExceedToleratedFailureThreshold"
    assert sm.execute({"items": ITEMS, "count": "+1"}).status == "SUCCEEDED"


def test_a_percentage_may_be_decimal_text() -> None:
    sm = _distributed(ToleratedFailurePercentagePath="$.pct")
    assert sm.execute({"items": ITEMS, "pct": "50"}).status == "SUCCEEDED"
    assert sm.execute({"items": ITEMS, "pct": "50.0"}).status == "SUCCEEDED"
    assert sm.execute({"items": ITEMS, "pct": "49.5"}).error == "States.ExceedToleratedFailureThreshold"


@pytest.mark.parametrize(
    ("field", "value", "kind"),
    [
        ("MaxConcurrencyPath", "1.5", "integer"),
        ("MaxConcurrencyPath", " 2", "integer"),
        ("MaxConcurrencyPath", "abc", "integer"),
        ("ToleratedFailureCountPath", "1e2", "integer"),
        ("ToleratedFailureCountPath", "", "integer"),
        ("ToleratedFailurePercentagePath", "ten", "float"),
        ("ToleratedFailurePercentagePath", "NaN", "float"),
    ],
)
def test_other_text_fails_with_aws_cause(field: str, value: str, kind: str) -> None:
    execution = _distributed(**{field: "$.v"}).execute({"items": ITEMS, "v": value})
    assert execution.error == "States.Runtime"
    assert execution.cause is not None
    assert execution.cause.endswith(f'The {field} field refers to value "{value}" which is not a valid {kind}: $.v')


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_property_integer_text_reads_as_its_number(number: int) -> None:
    assert integer_value(str(number)) == number
    assert integer_value(f"+{number}" if number >= 0 else str(number)) == number
    assert number_value(str(number)) == number


@settings(max_examples=300, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False, width=32))
def test_property_decimal_text_reads_as_its_number(number: float) -> None:
    assert number_value(repr(number)) == pytest.approx(number)
    if not number.is_integer():
        assert integer_value(repr(number)) is None


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=6))
def test_property_anything_else_is_refused_or_a_number(text: str) -> None:
    integer, number = integer_value(text), number_value(text)
    if integer is not None:
        assert integer == int(text) and text == text.strip() and "." not in text
    if number is not None:
        assert number == float(text) and text == text.strip()
    if text != text.strip():
        assert integer is None and number is None


def test_values_are_shown_as_aws_quotes_them() -> None:
    assert [shown(value) for value in ("NoNumber", {}, 1.5, [1])] == ["NoNumber", "{}", "1.5", "[1]"]
    assert integer_value(True) is None and number_value(False) is None
    assert integer_value(2.0) == 2 and integer_value(2.5) is None
