"""History ids and previousEventId links, reproduced from histories recorded on AWS
(../shared/reference/evidence/observed_history_sequences.txt)."""

from __future__ import annotations

from typing import Any

from asl_engine import StateMachine
from tests.conftest import machine


def chain(ex: Any) -> list[tuple[int, int, str]]:
    return [(e["id"], e["previousEventId"], e["type"]) for e in ex.history]


def test_sequential_map_links_iterations_like_aws() -> None:
    # evidence: scenarios/test_base_scenarios::test_map_state_item_selector (MaxConcurrency 1)
    sm = machine(
        {
            "StartState": {"Type": "Pass", "Result": ["A", "B"], "Next": "MapState"},
            "MapState": {
                "Type": "Map",
                "MaxConcurrency": 1,
                "Next": "Final",
                "ItemProcessor": {"StartAt": "HandleItem", "States": {"HandleItem": {"Type": "Pass", "End": True}}},
            },
            "Final": {"Type": "Pass", "End": True},
        }
    )
    assert chain(sm.execute()) == [
        (1, 0, "ExecutionStarted"),
        (2, 0, "PassStateEntered"),
        (3, 2, "PassStateExited"),
        (4, 3, "MapStateEntered"),
        (5, 4, "MapStateStarted"),
        (6, 5, "MapIterationStarted"),
        (7, 6, "PassStateEntered"),
        (8, 7, "PassStateExited"),
        (9, 8, "MapIterationSucceeded"),
        (10, 8, "MapIterationStarted"),
        (11, 10, "PassStateEntered"),
        (12, 11, "PassStateExited"),
        (13, 12, "MapIterationSucceeded"),
        (14, 13, "MapStateSucceeded"),
        (15, 13, "MapStateExited"),
        (16, 15, "PassStateEntered"),
        (17, 16, "PassStateExited"),
        (18, 17, "ExecutionSucceeded"),
    ]


def test_concurrent_map_iterations_all_link_to_map_state_started() -> None:
    sm = machine(
        {
            "M": {
                "Type": "Map",
                "End": True,
                "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
            }
        }
    )
    events = chain(sm.execute([1, 2, 3]))
    started = [prev for _, prev, kind in events if kind == "MapIterationStarted"]
    assert started == [3, 3, 3]


def test_parallel_branch_failure_links() -> None:
    # evidence: scenarios/test_base_scenarios::test_parallel_state_fail
    sm = machine(
        {
            "ParallelState": {
                "Type": "Parallel",
                "End": True,
                "Branches": [{"StartAt": "Branch1", "States": {"Branch1": {"Type": "Fail", "Error": "FailureType"}}}],
            }
        }
    )
    ex = sm.execute()
    assert chain(ex) == [
        (1, 0, "ExecutionStarted"),
        (2, 0, "ParallelStateEntered"),
        (3, 2, "ParallelStateStarted"),
        (4, 3, "FailStateEntered"),
        (5, 4, "ParallelStateFailed"),
        (6, 5, "ExecutionFailed"),
    ]
    assert ex.history[-1]["executionFailedEventDetails"] == {"error": "FailureType"}


def test_choice_assign_shows_assigned_variables() -> None:
    # evidence: assign/test_assign_base::test_assign_in_choice[CONDITION_TRUE]
    sm = StateMachine.from_json(
        {
            "QueryLanguage": "JSONata",
            "StartAt": "ChoiceState",
            "States": {
                "ChoiceState": {
                    "Type": "Choice",
                    "Choices": [
                        {
                            "Condition": "{% $states.input.condition %}",
                            "Next": "ConditionTrue",
                            "Assign": {"Assignment": "Condition assignment"},
                        }
                    ],
                    "Default": "DefaultState",
                    "Assign": {"Assignment": "Default Assignment"},
                },
                "ConditionTrue": {"Type": "Pass", "End": True},
                "DefaultState": {"Type": "Fail", "Cause": "Condition is false"},
            },
        }
    )
    ex = sm.execute({"condition": True})
    assert chain(ex) == [
        (1, 0, "ExecutionStarted"),
        (2, 0, "ChoiceStateEntered"),
        (3, 2, "ChoiceStateExited"),
        (4, 3, "PassStateEntered"),
        (5, 4, "PassStateExited"),
        (6, 5, "ExecutionSucceeded"),
    ]
    assert ex.history[2]["stateExitedEventDetails"] == {
        "name": "ChoiceState",
        "output": '{"condition":true}',
        "outputDetails": {"truncated": False},
        "assignedVariables": {"Assignment": '"Condition assignment"'},
        "assignedVariablesDetails": {"truncated": False},
    }


def test_evaluation_failed_links_to_the_states_own_cause() -> None:
    # evidence: assign/test_assign_reference_variables::test_undefined_reference[BASE_UNDEFINED_OUTPUT]
    sm = StateMachine.from_json(
        {
            "StartAt": "State0",
            "QueryLanguage": "JSONata",
            "States": {"State0": {"Type": "Pass", "Output": "{% $doesNotExist %}", "End": True}},
        }
    )
    ex = sm.execute({})
    assert chain(ex) == [
        (1, 0, "ExecutionStarted"),
        (2, 0, "PassStateEntered"),
        (3, 0, "EvaluationFailed"),
        (4, 3, "ExecutionFailed"),
    ]
    cause = (
        "An error occurred while executing the state 'State0' (entered at the event id #2). The JSONata "
        "expression '$doesNotExist' specified for the field 'Output' returned nothing (undefined)."
    )
    assert ex.history[2]["evaluationFailedEventDetails"] == {
        "error": "States.QueryEvaluationError",
        "cause": cause,
        "location": "Output",
        "state": "State0",
    }
    assert (ex.error, ex.cause) == ("States.QueryEvaluationError", cause)


def test_retry_then_catch_links() -> None:
    sm = machine(
        {
            "T": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Next": "F",
                "Retry": [{"ErrorEquals": ["Exception"], "MaxAttempts": 1}],
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "F"}],
            },
            "F": {"Type": "Pass", "End": True},
        }
    )
    failure = {"Throw": {"Error": "Exception", "Cause": "c"}}
    assert chain(sm.execute(mocks={"T": [failure, failure]})) == [
        (1, 0, "ExecutionStarted"),
        (2, 0, "TaskStateEntered"),
        (3, 2, "TaskScheduled"),
        (4, 3, "TaskStarted"),
        (5, 4, "TaskFailed"),
        (6, 5, "TaskScheduled"),
        (7, 6, "TaskStarted"),
        (8, 7, "TaskFailed"),
        (9, 8, "TaskStateExited"),
        (10, 9, "PassStateEntered"),
        (11, 10, "PassStateExited"),
        (12, 11, "ExecutionSucceeded"),
    ]


def test_history_can_be_turned_off_without_changing_event_ids_in_causes() -> None:
    sm = machine({"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "InputPath": "$.x", "End": True}})
    on, off = sm.execute({}), sm.execute({}, history=False)
    assert off.history == [] and on.cause == off.cause
    assert "entered at the event id #4" in (off.cause or "")


def test_standard_executions_fail_at_25000_events() -> None:
    sm = machine(
        {
            "Loop": {"Type": "Pass", "Next": "Check"},
            "Check": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.stop", "IsPresent": True, "Next": "Done"}],
                "Default": "Loop",
            },
            "Done": {"Type": "Succeed"},
        }
    )
    ex = sm.execute(history=False)
    assert ex.error == "States.Runtime" and "25,000" in (ex.cause or "")
    express = StateMachine.from_json(
        {
            "StartAt": "C",
            "QueryLanguage": "JSONata",
            "States": {
                "C": {
                    "Type": "Choice",
                    "Choices": [{"Condition": "{% $states.input >= 13000 %}", "Next": "D"}],
                    "Default": "Inc",
                },
                "Inc": {"Type": "Pass", "Output": "{% $states.input + 1 %}", "Next": "C"},
                "D": {"Type": "Succeed"},
            },
        },
        machine_type="EXPRESS",
    )
    assert express.execute(0, history=False).output == 13000


def test_events_after_gives_only_the_events_a_reader_has_not_seen() -> None:
    machine = StateMachine.from_json(
        {
            "StartAt": "Fan",
            "States": {
                "Fan": {
                    "Type": "Map",
                    "ItemProcessor": {"StartAt": "One", "States": {"One": {"Type": "Pass", "End": True}}},
                    "Next": "Last",
                },
                "Last": {"Type": "Pass", "End": True},
            },
        }
    )
    execution = machine.execute([1, 2, 3])
    whole = execution.history
    for seen in range(len(whole) + 1):
        assert [event.to_dict() for event in execution.events_after(seen)] == whole[seen:]
    assert execution.events_after(len(whole) + 5) == []
