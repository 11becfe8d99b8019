"""Parallel and Map: results in order, failure propagation, aborts, concurrency, variable scopes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from asl_engine import VirtualClock
from tests.conftest import machine

START = datetime(2024, 1, 1, tzinfo=UTC)


def branch(*states: tuple[str, dict[str, Any]]) -> dict[str, Any]:
    return {"StartAt": states[0][0], "States": dict(states)}


def types(ex: Any) -> list[str]:
    return [e["type"] for e in ex.history]


def test_parallel_collects_branch_outputs_in_order() -> None:
    sm = machine(
        {
            "P": {
                "Type": "Parallel",
                "End": True,
                "Branches": [
                    branch(
                        ("Slow", {"Type": "Wait", "Seconds": 5, "Next": "One"}),
                        ("One", {"Type": "Pass", "Result": 1, "End": True}),
                    ),
                    branch(("Two", {"Type": "Pass", "Result": 2, "End": True})),
                ],
            }
        }
    )
    ex = sm.execute(clock=VirtualClock(START))
    assert ex.output == [1, 2]
    assert types(ex)[-3:] == ["ParallelStateSucceeded", "ParallelStateExited", "ExecutionSucceeded"]


def test_parallel_branch_failure_aborts_siblings_and_propagates_its_error() -> None:
    sm = machine(
        {
            "P": {
                "Type": "Parallel",
                "End": True,
                "Branches": [
                    branch(("Waiting", {"Type": "Wait", "Seconds": 100, "End": True})),
                    branch(("Boom", {"Type": "Fail", "Error": "FailureType", "Cause": "c"})),
                ],
            }
        }
    )
    ex = sm.execute(clock=VirtualClock(START))
    assert (ex.status, ex.error, ex.cause) == ("FAILED", "FailureType", "c")
    assert "WaitStateAborted" in types(ex)
    assert types(ex)[-2:] == ["ParallelStateFailed", "ExecutionFailed"]
    assert ex.history[-1]["timestamp"] == START


def test_parallel_catch() -> None:
    sm = machine(
        {
            "P": {
                "Type": "Parallel",
                "Next": "Done",
                "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.err", "Next": "Done"}],
                "Branches": [branch(("Boom", {"Type": "Fail", "Error": "E"}))],
            },
            "Done": {"Type": "Succeed"},
        }
    )
    assert sm.execute({"a": 1}).output == {"a": 1, "err": {"Error": "E", "Cause": None}}


def test_map_items_selector_and_order() -> None:
    sm = machine(
        {
            "M": {
                "Type": "Map",
                "ItemsPath": "$.xs",
                "MaxConcurrency": 0,
                "ItemSelector": {"v.$": "$$.Map.Item.Value", "i.$": "$$.Map.Item.Index", "k.$": "$.k"},
                "ItemProcessor": branch(
                    ("W", {"Type": "WaitPath" if False else "Wait", "SecondsPath": "$.v", "Next": "P"}),
                    ("P", {"Type": "Pass", "End": True}),
                ),
                "End": True,
            }
        }
    )
    ex = sm.execute({"xs": [3, 1, 2], "k": "K"}, clock=VirtualClock(START))
    assert ex.output == [{"v": 3, "i": 0, "k": "K"}, {"v": 1, "i": 1, "k": "K"}, {"v": 2, "i": 2, "k": "K"}]
    assert ex.history[-1]["timestamp"] == datetime(2024, 1, 1, 0, 0, 3, tzinfo=UTC)


def test_map_max_concurrency_one_runs_sequentially() -> None:
    sm = machine(
        {
            "M": {
                "Type": "Map",
                "MaxConcurrency": 1,
                "End": True,
                "ItemProcessor": branch(("W", {"Type": "Wait", "SecondsPath": "$", "End": True})),
            }
        }
    )
    ex = sm.execute([2, 3, 4], clock=VirtualClock(START))
    assert ex.history[-1]["timestamp"] == datetime(2024, 1, 1, 0, 0, 9, tzinfo=UTC)
    sequential = [e["type"] for e in ex.history if e["type"].startswith("MapIteration")]
    assert sequential == ["MapIterationStarted", "MapIterationSucceeded"] * 3


def test_map_iteration_failure_aborts_the_others() -> None:
    sm = machine(
        {
            "M": {
                "Type": "Map",
                "End": True,
                "ItemProcessor": branch(
                    (
                        "C",
                        {
                            "Type": "Choice",
                            "Choices": [{"Variable": "$", "NumericEquals": 1, "Next": "Bad"}],
                            "Default": "Slow",
                        },
                    ),
                    ("Slow", {"Type": "Wait", "Seconds": 100, "End": True}),
                    ("Bad", {"Type": "Fail", "Error": "ItemFailed"}),
                ),
            }
        }
    )
    ex = sm.execute([0, 1, 2], clock=VirtualClock(START))
    assert ex.error == "ItemFailed"
    map_events = [
        (e["type"], e.get("mapIterationFailedEventDetails", e.get("mapIterationAbortedEventDetails")))
        for e in ex.history
        if e["type"] in ("MapIterationFailed", "MapIterationAborted")
    ]
    assert map_events == [
        ("MapIterationFailed", {"index": 1, "name": "M"}),
        ("MapIterationAborted", {"index": 0, "name": "M"}),
        ("MapIterationAborted", {"index": 2, "name": "M"}),
    ]


def test_map_over_non_array_fails() -> None:
    ex = machine(
        {"M": {"Type": "Map", "End": True, "ItemProcessor": branch(("P", {"Type": "Pass", "End": True}))}}
    ).execute({"not": "a list"})
    assert ex.error == "States.Runtime"


def test_distributed_map_runs_children_outside_the_parent_history() -> None:
    sm = machine(
        {
            "M": {
                "Type": "Map",
                "End": True,
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                    **branch(("P", {"Type": "Pass", "End": True})),
                },
            }
        }
    )
    ex = sm.execute([1, 2])
    assert ex.output == [1, 2]
    assert types(ex) == [
        "ExecutionStarted",
        "MapStateEntered",
        "MapStateStarted",
        "MapRunStarted",
        "MapRunSucceeded",
        "MapStateSucceeded",
        "MapStateExited",
        "ExecutionSucceeded",
    ]


def test_distributed_map_tolerated_failures() -> None:
    definition = {
        "M": {
            "Type": "Map",
            "End": True,
            "ToleratedFailureCount": 1,
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                **branch(
                    (
                        "C",
                        {
                            "Type": "Choice",
                            "Choices": [{"Variable": "$", "NumericEquals": 1, "Next": "F"}],
                            "Default": "P",
                        },
                    ),
                    ("F", {"Type": "Fail", "Error": "E"}),
                    ("P", {"Type": "Pass", "End": True}),
                ),
            },
        }
    }
    assert machine(definition).execute([0, 1, 2]).status == "SUCCEEDED"
    ex = machine(definition).execute([1, 1, 2])
    assert ex.error == "States.ExceedToleratedFailureThreshold"


def test_variable_scopes_in_map_and_parallel() -> None:
    sm = machine(
        {
            "Init": {"Type": "Pass", "Assign": {"outer": 1}, "Next": "M"},
            "M": {
                "Type": "Map",
                "ItemsPath": "$.xs",
                "ItemProcessor": branch(
                    ("Inner", {"Type": "Pass", "Assign": {"inner.$": "$"}, "Next": "Read"}),
                    ("Read", {"Type": "Pass", "Parameters": {"outer.$": "$outer", "inner.$": "$inner"}, "End": True}),
                ),
                "Next": "After",
            },
            "After": {"Type": "Pass", "Parameters": {"outer.$": "$outer", "results.$": "$"}, "End": True},
        }
    )
    ex = sm.execute({"xs": [5, 6]})
    assert ex.output == {"outer": 1, "results": [{"outer": 1, "inner": 5}, {"outer": 1, "inner": 6}]}
    leaked = machine(
        {
            "M": {
                "Type": "Map",
                "ItemProcessor": branch(("Inner", {"Type": "Pass", "Assign": {"inner": 1}, "End": True})),
                "Next": "After",
            },
            "After": {"Type": "Pass", "Parameters": {"inner.$": "$inner"}, "End": True},
        }
    ).execute([1])
    assert leaked.error == "States.Runtime"
