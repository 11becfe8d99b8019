"""Reading a history back into state visits: nesting, retries, catches, Choice rules."""

from __future__ import annotations

from typing import Any

from asl_engine import StateMachine
from asl_engine.testing import ExecutionTrace
from asl_engine.testing.trace import DEFAULT_RULE, UNKNOWN
from tests.testing.machines import CHARGE_ARN, FAN_OUT, order_machine


def _trace(machine: StateMachine, input: Any = None, **mocks: Any) -> ExecutionTrace:
    return ExecutionTrace.of(machine.execute(input, mocks=mocks))


def test_a_plain_path_links_each_visit_to_the_next() -> None:
    trace = _trace(order_machine(), {"kind": "plain", "total": 5}, Charge=[{"Return": 1}], Ship=[{"Return": {}}])
    assert trace.state_names == ["Validate", "Route", "Charge", "Ship"]
    assert [v.next_state for v in trace.visits] == ["Route", "Charge", "Ship", None]
    assert all(v.parent is None for v in trace.visits)
    route = trace.visits[1]
    assert trace.choice_rules_taken(route) == [DEFAULT_RULE]


def test_retries_are_counted_and_tied_to_the_retrier_that_took_them() -> None:
    trace = _trace(
        order_machine(),
        {"kind": "gift", "total": 5},
        Charge=[{"Throw": {"Error": "Card.Busy"}}, {"Throw": {"Error": "Card.Busy"}}, {"Return": 1}],
        Ship=[{"Return": {}}],
    )
    charge = trace.visits_of("Charge")[0]
    assert (charge.attempts, charge.retries, charge.attempt_errors) == (3, 2, ["Card.Busy", "Card.Busy"])
    assert trace.retriers_used(charge) == [0, 0]
    assert not charge.caught
    assert trace.choice_rules_taken(trace.visits_of("Route")[0]) == [0]


def test_a_catch_names_the_error_and_the_catcher() -> None:
    trace = _trace(order_machine(), {"kind": "plain", "total": 5}, Charge=[{"Throw": {"Error": "Boom", "Cause": "x"}}])
    charge = trace.visits_of("Charge")[0]
    assert (charge.caught, charge.caught_error, charge.next_state) == (True, "Boom", "Alert")
    assert trace.catcher_used(charge) == 1
    assert trace.visits_of("Alert")[0].failure == "Order.Failed"


def test_map_iterations_and_parallel_branches_nest_under_their_state() -> None:
    machine = StateMachine.from_json(FAN_OUT)
    trace = _trace(machine, {"items": [{"wait": 3}, {"wait": 1}, {"wait": 2}]}, Work={"0-2": {"Return": "ok"}})
    each = trace.visits_of("Each")[0]
    works = trace.visits_of("Work")
    assert sorted(v.iteration for v in works if v.iteration is not None) == [0, 1, 2]
    assert all(v.parent is each and v.depth == 1 for v in works)
    both = trace.visits_of("Both")[0]
    assert [v.parent for v in trace.visits_of("Left") + trace.visits_of("Right")] == [both, both]
    assert each.next_state == "Both" and both.exited is not None


def test_errors_of_failed_branches_are_found_through_nested_parallels() -> None:
    machine = StateMachine.from_json(
        {
            "StartAt": "Outer",
            "States": {
                "Outer": {
                    "Type": "Parallel",
                    "Branches": [
                        {"StartAt": "Slow", "States": {"Slow": {"Type": "Wait", "Seconds": 9, "End": True}}},
                        {
                            "StartAt": "Inner",
                            "States": {
                                "Inner": {
                                    "Type": "Parallel",
                                    "Branches": [
                                        {"StartAt": "Stop", "States": {"Stop": {"Type": "Fail", "Error": "Bad"}}}
                                    ],
                                    "End": True,
                                }
                            },
                        },
                    ],
                    "Retry": [{"ErrorEquals": ["Other"]}, {"ErrorEquals": ["Bad"], "MaxAttempts": 1}],
                    "Catch": [{"ErrorEquals": ["Other"], "Next": "Done"}, {"ErrorEquals": ["Bad"], "Next": "Done"}],
                    "Next": "Done",
                },
                "Done": {"Type": "Pass", "End": True},
            },
        }
    )
    trace = _trace(machine)
    outer = trace.visits_of("Outer")[0]
    assert (outer.attempts, outer.attempt_errors, trace.retriers_used(outer)) == (2, ["Bad"], [1])
    assert (outer.caught_error, trace.catcher_used(outer)) == ("Bad", 1)
    inner = trace.visits_of("Inner")
    assert len(inner) == 2 and all(v.parent is outer and v.failure == "Bad" for v in inner)
    assert all(v.parent in inner for v in trace.visits_of("Stop"))


def test_rules_sharing_a_next_state_are_reported_as_ambiguous() -> None:
    machine = StateMachine.from_json(
        {
            "StartAt": "Pick",
            "States": {
                "Pick": {
                    "Type": "Choice",
                    "Choices": [
                        {"Variable": "$.a", "IsPresent": True, "Next": "Same"},
                        {"Variable": "$.b", "IsPresent": True, "Next": "Same"},
                    ],
                    "Default": "Other",
                },
                "Same": {"Type": "Succeed"},
                "Other": {"Type": "Succeed"},
            },
        }
    )
    taken = _trace(machine, {"b": 1})
    assert taken.choice_rules_taken(taken.visits[0]) == [0, 1]
    other = _trace(machine, {})
    assert other.choice_rules_taken(other.visits[0]) == [DEFAULT_RULE]


def test_an_error_computed_at_run_time_is_unknown_but_the_catcher_is_still_found() -> None:
    machine = StateMachine.from_json(
        {
            "StartAt": "Try",
            "States": {
                "Try": {
                    "Type": "Parallel",
                    "Branches": [{"StartAt": "F", "States": {"F": {"Type": "Fail", "ErrorPath": "$.name"}}}],
                    "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}],
                    "End": True,
                },
                "Caught": {"Type": "Pass", "End": True},
            },
        }
    )
    trace = _trace(machine, {"name": "Dynamic.Error"})
    attempt = trace.visits_of("Try")[0]
    assert attempt.caught_error is UNKNOWN
    assert trace.catcher_used(attempt) == 0


def test_a_trace_of_events_without_a_definition_still_lists_visits() -> None:
    execution = order_machine().execute(
        {"kind": "plain", "total": 5}, mocks={"Charge": [{"Return": 1}], "Ship": [{"Return": 1}]}
    )
    trace = ExecutionTrace(execution.events, None)
    assert trace.state_names == execution.states_entered
    assert trace.choice_rules_taken(trace.visits[1]) == []


def test_a_map_retried_and_caught_after_an_iteration_failed() -> None:
    machine = StateMachine.from_json(
        {
            "StartAt": "Each",
            "States": {
                "Each": {
                    "Type": "Map",
                    "MaxConcurrency": 1,
                    "ItemProcessor": {
                        "StartAt": "Work",
                        "States": {"Work": {"Type": "Task", "Resource": CHARGE_ARN, "End": True}},
                    },
                    "Retry": [{"ErrorEquals": ["Flaky"], "IntervalSeconds": 1, "MaxAttempts": 1}],
                    "Catch": [{"ErrorEquals": ["Broken"], "Next": "Fallback"}],
                    "End": True,
                },
                "Fallback": {"Type": "Pass", "End": True},
            },
        }
    )
    trace = _trace(
        machine,
        [1, 2],
        Work=[{"Return": 1}, {"Throw": {"Error": "Flaky"}}, {"Return": 1}, {"Throw": {"Error": "Broken"}}],
    )
    each = trace.visits_of("Each")[0]
    assert (each.attempts, each.attempt_errors, trace.retriers_used(each)) == (2, ["Flaky"], [0])
    assert (each.caught, each.caught_error, trace.catcher_used(each), each.next_state) == (
        True,
        "Broken",
        0,
        "Fallback",
    )
    works = trace.visits_of("Work")
    assert [(w.iteration, w.failure) for w in works] == [(0, None), (1, "Flaky"), (0, None), (1, "Broken")]
    assert all(w.parent is each for w in works)
