"""Recordings edited by localstack's Parallel normaliser: recognised, and the edit reproduced."""

from __future__ import annotations

from collections import Counter

from asl_engine import StateMachine
from asl_engine.conformance.metrics import HISTORY_EVENT_TYPES, compare_metric
from asl_engine.conformance.parallel_snapshots import as_snapshot_tool_stores, normalised_by_snapshot_tool

# The event types of recorded cases (../shared/conformance/cases), as stored.
NESTED_RECORDED = [  # scenarios/test_base_scenarios::test_parallel_state_nested
    "ExecutionStarted",
    "ParallelStateEntered",
    "ParallelStateStarted",
    "ParallelStateEntered",
    "ParallelStateStarted",
    "PassStateEntered",
    "PassStateExited",
    "ParallelStateExited",
    "ExecutionSucceeded",
]
WITH_RETRY_RECORDED = [  # states_variables/test_error_output::test_parallel_catch_error[..._WITH_RETRY]
    "ExecutionStarted",
    "ParallelStateEntered",
    "ParallelStateStarted",
    "TaskStateEntered",
    "TaskScheduled",
    "TaskStarted",
    "TaskFailed",
    "TaskStateAborted",
    "ParallelStateStarted",
    "TaskStateEntered",
    "TaskFailed",
    "TaskScheduled",
    "TaskStarted",
    "TaskStateAborted",
    "ParallelStateExited",
    "PassStateEntered",
    "PassStateExited",
    "ExecutionSucceeded",
]
NOT_NORMALISED = [  # callback/test_callback::..._no_error_field[SQS_PARALLEL_WAIT_FOR_TASK_TOKEN]
    "ExecutionStarted",
    "ParallelStateEntered",
    "ParallelStateStarted",
    "TaskStateEntered",
    "TaskScheduled",
    "TaskStarted",
    "TaskSubmitted",
    "TaskFailed",
    "TaskStateAborted",
    "ParallelStateFailed",
    "ParallelStateExited",
    "PassStateEntered",
    "PassStateExited",
    "ExecutionSucceeded",
]


def test_the_normalisers_mark_is_an_exit_without_its_end() -> None:
    assert normalised_by_snapshot_tool(NESTED_RECORDED)
    assert normalised_by_snapshot_tool(WITH_RETRY_RECORDED)
    assert not normalised_by_snapshot_tool(NOT_NORMALISED)
    assert not normalised_by_snapshot_tool(["ExecutionStarted", "PassStateEntered", "ExecutionSucceeded"])


def test_a_parallel_loses_its_succeeded_event_and_its_branch_events_are_sorted() -> None:
    aws = [
        "ExecutionStarted",
        "ParallelStateEntered",
        "ParallelStateStarted",
        "PassStateExited",
        "PassStateEntered",
        "ParallelStateSucceeded",
        "ParallelStateExited",
        "ExecutionSucceeded",
    ]
    assert as_snapshot_tool_stores(aws) == [
        "ExecutionStarted",
        "ParallelStateEntered",
        "ParallelStateStarted",
        "PassStateEntered",
        "PassStateExited",
        "ParallelStateExited",
        "ExecutionSucceeded",
    ]


def test_nested_parallels_lose_more_and_the_engines_history_becomes_the_recording() -> None:
    machine = StateMachine.from_json(
        {
            "StartAt": "L1",
            "States": {
                "L1": {
                    "Type": "Parallel",
                    "End": True,
                    "Branches": [
                        {
                            "StartAt": "L2",
                            "States": {
                                "L2": {
                                    "Type": "Parallel",
                                    "End": True,
                                    "Branches": [{"StartAt": "B", "States": {"B": {"Type": "Pass", "End": True}}}],
                                }
                            },
                        }
                    ],
                }
            },
        }
    )
    execution = machine.execute([1])
    engine_types = [event["type"] for event in execution.history]
    assert engine_types.count("ParallelStateSucceeded") == 2  # AWS records them; the tool removed them
    assert as_snapshot_tool_stores(engine_types) == NESTED_RECORDED
    assert compare_metric(HISTORY_EVENT_TYPES, NESTED_RECORDED, execution.history, machine.definition).passed


def test_a_retried_parallel_keeps_its_first_attempt_unsorted() -> None:
    engine = [
        "ExecutionStarted",
        "ParallelStateEntered",
        "ParallelStateStarted",
        "TaskStateEntered",
        "TaskScheduled",
        "TaskStarted",
        "TaskFailed",
        "TaskStateAborted",
        "ParallelStateStarted",
        "TaskStateEntered",
        "TaskScheduled",
        "TaskStarted",
        "TaskFailed",
        "TaskStateAborted",
        "ParallelStateFailed",
        "ParallelStateExited",
        "PassStateEntered",
        "PassStateExited",
        "ExecutionSucceeded",
    ]
    stored = as_snapshot_tool_stores(engine)
    assert stored[:9] == engine[:9]  # no Parallel end event closed the first attempt: left as it was
    assert Counter(stored) == Counter(WITH_RETRY_RECORDED)


def test_the_edit_does_not_hide_a_wrong_history() -> None:
    machine = StateMachine.from_json(
        {
            "StartAt": "P",
            "States": {
                "P": {
                    "Type": "Parallel",
                    "End": True,
                    "Branches": [
                        {
                            "StartAt": "B",
                            "States": {"B": {"Type": "Pass", "Next": "C"}, "C": {"Type": "Pass", "End": True}},
                        }
                    ],
                }
            },
        }
    )
    recorded = [
        "ExecutionStarted",
        "ParallelStateEntered",
        "ParallelStateStarted",
        "PassStateEntered",
        "PassStateExited",
        "ParallelStateExited",
        "ExecutionSucceeded",
    ]
    result = compare_metric(HISTORY_EVENT_TYPES, recorded, machine.execute({}).history, machine.definition)
    assert not result.passed
    assert result.detail == "extra PassStateEntered, PassStateExited (compared as a multiset)"
