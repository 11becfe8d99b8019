from __future__ import annotations

from asl_engine.conformance.metrics import compare_names, event_types, has_parallel_or_map, states_entered

from .fakes import history


def test_names_and_types_come_from_the_history() -> None:
    events = history(
        ("ExecutionStarted", None),
        ("PassStateEntered", "A"),
        ("PassStateExited", None),
        ("MapStateEntered", "M"),
        ("ExecutionSucceeded", None),
    )
    assert states_entered(events) == ["A", "M"]
    assert event_types(events) == [
        "ExecutionStarted",
        "PassStateEntered",
        "PassStateExited",
        "MapStateEntered",
        "ExecutionSucceeded",
    ]


def test_sequences_must_be_equal_in_order() -> None:
    assert compare_names(["a", "b"], ["a", "b"], unordered=False).passed
    result = compare_names(["a", "b", "c"], ["a", "c"], unordered=False)
    assert not result.passed
    assert result.detail == "at #1: expected b, got c (3 expected, 2 actual)"
    longer = compare_names(["a"], ["a", "b"], unordered=False)
    assert longer.detail == "at #1: expected (end), got b (1 expected, 2 actual)"


def test_multisets_ignore_order_but_not_counts() -> None:
    assert compare_names(["a", "b", "b"], ["b", "a", "b"], unordered=True).passed
    result = compare_names(["a", "b", "b", "b"], ["a", "b", "c"], unordered=True)
    assert not result.passed
    assert result.detail == "missing 2 b; extra c (compared as a multiset)"


def test_parallel_and_map_make_the_comparison_unordered() -> None:
    assert has_parallel_or_map({"States": {"P": {"Type": "Parallel", "Branches": []}}})
    assert has_parallel_or_map({"States": {"A": {"Type": "Pass"}, "M": {"Type": "Map"}}})
    assert not has_parallel_or_map({"States": {"A": {"Type": "Pass"}}})
    assert not has_parallel_or_map("not a machine")
