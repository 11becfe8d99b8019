"""The one JSON comparison behind the assertions and ``asl test``: every difference, or a subset match."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from asl_engine.testing.json_diff import json_differences, json_equal

_json = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | st.sampled_from([1.0, 0.5]) | st.sampled_from(["a", "b"]),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.sampled_from("xyz"), children, max_size=3),
    max_leaves=10,
)


@given(expected=_json, actual=_json)
def test_property_no_difference_exactly_when_equal(expected: Any, actual: Any) -> None:
    assert (json_differences(expected, actual) == []) == json_equal(expected, actual)
    assert json_differences(actual, actual) == []


@given(expected=_json, actual=_json)
def test_property_an_exact_match_is_a_subset_match(expected: Any, actual: Any) -> None:
    if not json_differences(expected, actual):
        assert json_differences(expected, actual, subset=True) == []


def test_every_difference_in_document_order() -> None:
    assert json_differences(
        {"a": 1, "b": {"c": [1, 2]}, "d": True}, {"a": 2, "b": {"c": [1, 3], "e": None}, "f": "x"}
    ) == [
        "at /a: expected 1, got 2",
        "at /b/c/1: expected 2, got 3",
        "at /b/e: unexpected null",
        "at /d: missing (expected true)",
        'at /f: unexpected "x"',
    ]


def test_a_subset_ignores_extra_keys_at_any_depth_but_not_extra_items() -> None:
    actual = {"id": 1, "items": [{"sku": "A", "qty": 2}], "meta": {}}
    assert json_differences({"items": [{"sku": "A"}]}, actual, subset=True) == []
    assert json_differences({"items": []}, actual, subset=True) == ['at /items: expected [], got [{"sku":"A","qty":2}]']
    assert json_differences({"id": "1"}, actual, subset=True) == ['at /id: expected "1", got 1']


def test_long_lists_of_differences_are_cut_with_a_count() -> None:
    found = json_differences(list(range(60)), [n + 1 for n in range(60)], limit=3)
    assert found == [
        "at /0: expected 0, got 1",
        "at /1: expected 1, got 2",
        "at /2: expected 2, got 3",
        "… and 57 more differences",
    ]
