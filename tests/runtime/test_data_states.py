"""Pass, Choice, Succeed, Fail and the JSONPath data flow, end to end."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import machine


def test_pass_result_resultpath_outputpath() -> None:
    ex = machine(
        {"P": {"Type": "Pass", "Result": {"x": 1}, "ResultPath": "$.r", "OutputPath": "$.r", "End": True}}
    ).execute({"a": 1})
    assert ex.status == "SUCCEEDED" and ex.output == {"x": 1}


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"InputPath": None}, {}),
        ({"OutputPath": None}, {}),
        ({"ResultPath": None, "Result": 5}, {"a": 1}),
        ({"InputPath": "$.a"}, 1),
        ({"Parameters": {"b.$": "$.a", "c": "$.a"}}, {"b": 1, "c": "$.a"}),
        ({"Parameters": {"b.$": "$.a"}, "ResultPath": "$.p"}, {"a": 1, "p": {"b": 1}}),
    ],
)
def test_null_and_default_paths(fields: dict[str, Any], expected: Any) -> None:
    ex = machine({"P": {"Type": "Pass", **fields, "End": True}}).execute({"a": 1})
    assert ex.output == expected


def test_parameters_read_the_context_object() -> None:
    ex = machine(
        {
            "P": {
                "Type": "Pass",
                "Parameters": {
                    "name.$": "$$.State.Name",
                    "input.$": "$$.Execution.Input",
                    "sm.$": "$$.StateMachine.Name",
                },
                "End": True,
            }
        },
    ).execute({"k": 1}, name="run-1")
    assert ex.output == {"name": "P", "input": {"k": 1}, "sm": "StateMachine"}


def test_missing_input_path_is_an_uncatchable_runtime_error() -> None:
    ex = machine({"P": {"Type": "Pass", "InputPath": "$.nope", "End": True}}).execute({})
    assert ex.status == "FAILED"
    assert ex.error == "States.Runtime"
    assert ex.cause == (
        "An error occurred while executing the state 'P' (entered at the event id #2). "
        "Invalid path '$.nope' : No results for path: $['nope']"
    )


def test_result_path_into_a_string_fails_with_runtime_error() -> None:
    ex = machine({"P": {"Type": "Pass", "Result": 1, "ResultPath": "$.x", "End": True}}).execute("text")
    assert ex.error == "States.Runtime"


def test_choice_rules_default_and_no_match() -> None:
    states = {
        "C": {
            "Type": "Choice",
            "Choices": [
                {"Variable": "$.n", "NumericGreaterThan": 10, "Next": "Big"},
                {
                    "And": [{"Variable": "$.n", "IsNumeric": True}, {"Variable": "$.n", "NumericLessThan": 0}],
                    "Next": "Negative",
                },
            ],
            "Default": "Other",
        },
        "Big": {"Type": "Pass", "Result": "big", "End": True},
        "Negative": {"Type": "Pass", "Result": "negative", "End": True},
        "Other": {"Type": "Pass", "Result": "other", "End": True},
    }
    sm = machine(states)
    assert sm.execute({"n": 11}).output == "big"
    assert sm.execute({"n": -1}).output == "negative"
    assert sm.execute({"n": 3}).output == "other"
    del states["C"]["Default"], states["Other"]
    ex = machine(states).execute({"n": 3})
    assert (ex.status, ex.error, ex.cause) == ("FAILED", "States.NoChoiceMatched", "No Matches!")


def test_choice_output_path_applies_to_the_selected_input() -> None:
    ex = machine(
        {
            "C": {
                "Type": "Choice",
                "InputPath": "$.data",
                "OutputPath": "$.v",
                "Choices": [{"Variable": "$.v", "IsPresent": True, "Next": "End"}],
            },
            "End": {"Type": "Succeed"},
        }
    ).execute({"data": {"v": 7}})
    assert ex.output == 7


def test_fail_state_error_and_cause_variants() -> None:
    ex = machine({"F": {"Type": "Fail", "Error": "Oops", "Cause": "because"}}).execute()
    assert (ex.status, ex.error, ex.cause) == ("FAILED", "Oops", "because")
    ex = machine({"F": {"Type": "Fail"}}).execute()
    assert (ex.error, ex.cause) == (None, None)
    assert ex.history[-1]["executionFailedEventDetails"] == {}
    ex = machine({"F": {"Type": "Fail", "ErrorPath": "$.e", "CausePath": "$$.State.Name"}}).execute({"e": "E"})
    assert (ex.error, ex.cause) == ("E", "F")
    ex = machine({"F": {"Type": "Fail", "ErrorPath": "$.ErrorX"}}).execute({"Error": "x"})
    assert ex.error == "States.Runtime"
    assert ex.cause is not None and ex.cause.endswith(
        "The JSONPath '$.ErrorX' specified for the field 'ErrorPath' could not be found in the input "
        '\'{"Error":"x"}\''
    )


def test_succeed_applies_input_and_output_paths() -> None:
    ex = machine({"S": {"Type": "Succeed", "InputPath": "$.a", "OutputPath": "$.b"}}).execute({"a": {"b": 2}})
    assert ex.output == 2


def test_oversized_state_output_fails_with_data_limit_exceeded() -> None:
    ex = machine({"P": {"Type": "Pass", "Result": "x" * 300_000, "End": True}}).execute()
    assert ex.error == "States.DataLimitExceeded"
    assert ex.cause == (
        "The state/task 'P' returned a result with a size exceeding the maximum number of bytes service limit."
    )


def test_variables_assign_in_jsonpath() -> None:
    ex = machine(
        {
            "A": {"Type": "Pass", "Assign": {"x": 1, "from.$": "$.in"}, "Next": "B"},
            "B": {"Type": "Pass", "Assign": {"x": 2, "old.$": "$x"}, "Next": "C"},
            "C": {"Type": "Pass", "Parameters": {"x.$": "$x", "old.$": "$old", "from.$": "$from"}, "End": True},
        }
    ).execute({"in": "input"})
    assert ex.output == {"x": 2, "old": 1, "from": "input"}
    exited = next(e for e in ex.history if e["type"] == "PassStateExited")
    assert exited["stateExitedEventDetails"]["assignedVariables"] == {"x": "1", "from": '"input"'}


def test_variable_size_quotas() -> None:
    big = "x" * 200_000
    ok = machine({"A": {"Type": "Pass", "Assign": {"a": big}, "End": True}}).execute({})
    assert ok.status == "SUCCEEDED"
    too_big = machine({"A": {"Type": "Pass", "Assign": {"a": big + big}, "End": True}}).execute({})
    assert too_big.error == "States.DataLimitExceeded" and "'a'" in (too_big.cause or "")
    together = machine({"A": {"Type": "Pass", "Assign": {"a": big, "b": big}, "End": True}}).execute({})
    assert together.error == "States.DataLimitExceeded" and "combined" in (together.cause or "")
    states: dict[str, Any] = {}
    for index in range(60):
        states[f"S{index}"] = {"Type": "Pass", "Assign": {f"v{index}": big}, "Next": f"S{index + 1}"}
    states["S60"] = {"Type": "Succeed"}
    hoarder = machine(states).execute({}, history=False)
    assert hoarder.error == "States.DataLimitExceeded" and "per execution" in (hoarder.cause or "")
    reusing = {f"S{i}": {"Type": "Pass", "Assign": {"same": big}, "Next": f"S{i + 1}"} for i in range(60)}
    reusing["S60"] = {"Type": "Succeed"}
    assert machine(reusing).execute({}, history=False).status == "SUCCEEDED"
