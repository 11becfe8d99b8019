from __future__ import annotations

from typing import Any

import pytest

from asl_engine.conformance.match import differences, scalars_equal, string_difference, values_match
from asl_engine.conformance.wildcards import Wildcards

W = Wildcards(["111111111111"])


@pytest.mark.parametrize(
    ("expected", "actual", "equal"),
    [
        (1, 1.0, True),
        (1.5, 1.5, True),
        (True, 1, False),
        (1, True, False),
        (False, False, True),
        (None, None, True),
        (None, 0, False),
        ("1", 1, False),
    ],
)
def test_scalars_compare_by_json_value(expected: Any, actual: Any, equal: bool) -> None:
    assert scalars_equal(expected, actual) is equal


def test_objects_need_the_same_keys_and_say_which_differ() -> None:
    found = differences({"a": 1, "b": {"c": [1, 2]}, "gone": 0}, {"a": 1, "b": {"c": [1, 3]}, "new": 0}, W)
    assert [str(d) for d in found] == [
        "$.b.c[1]: expected 2, got 3",
        "$.gone: missing (expected 0)",
        "$.new: unexpected key (got 0)",
    ]


def test_unexpected_keys_are_reported_in_the_actual_objects_order() -> None:
    # the report's first difference must be the same on every run (set order varies with the hash seed)
    actual = {"a": 1, "RedriveCount": 0, "RedriveStatus": "x", "RedriveStatusReason": "y"}
    found = differences({"a": 1}, actual, W)
    assert [d.path for d in found] == ["$.RedriveCount", "$.RedriveStatus", "$.RedriveStatusReason"]


def test_lists_need_the_same_length_and_order() -> None:
    assert not values_match([1, 2], [2, 1], W)
    [difference] = differences([1, 2], [1, 2, 3], W)
    assert difference.message.startswith("expected 2 items, got 3")


def test_odd_keys_are_quoted_in_paths() -> None:
    [difference] = differences({"x-y": 1}, {"x-y": 2}, W)
    assert difference.path == "$['x-y']"


def test_placeholders_apply_inside_nested_values() -> None:
    expected = {"Arn": "arn:aws:states:us-east-1:111111111111:stateMachine:<name>", "At": "date"}
    actual = {"Arn": "arn:aws:states:us-east-1:123456789012:stateMachine:sm", "At": 1700000000}
    assert values_match(expected, actual, W)
    assert not values_match(expected, {**actual, "At": None}, W)


def test_type_mismatches_are_reported() -> None:
    assert str(differences({"a": {}}, {"a": []}, W)[0]) == "$.a: expected an object, got []"
    assert str(differences("1", 1, W)[0]) == '$: expected "1", got 1'


def test_limit_bounds_the_differences() -> None:
    assert len(differences(list(range(10)), [-1] * 10, W, limit=3)) == 3


def test_string_difference_shows_where_long_strings_part() -> None:
    expected = "x" * 100 + "expected tail"
    actual = "x" * 100 + "actual tail"
    text = string_difference(expected, actual)
    assert text.startswith("expected '…" + "x" * 20 + "expected tail'")
    assert "got '…" + "x" * 20 + "actual tail'" in text
