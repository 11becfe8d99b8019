"""Definitions AWS accepts validate and run: payload shapes, raisable error names, advice, Credentials."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asl_engine import StateMachine, validate

from .support import LAMBDA_ARN, LAMBDA_RETRY, errors, machine

ANY_JSON = [["a", {"x.$": "$.v"}], "text", 7, 1.5, True, None, {"x.$": "$.v"}, []]


def _pass(**fields: Any) -> dict[str, Any]:
    return machine({"P": {"Type": "Pass", "End": True, **fields}})


def _map(**fields: Any) -> dict[str, Any]:
    processor = {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}}
    return machine({"M": {"Type": "Map", "ItemsPath": "$.xs", "ItemProcessor": processor, "End": True, **fields}})


# -- Parameters and the other payload templates ------------------------------------------------------


@pytest.mark.parametrize("value", ANY_JSON, ids=[type(v).__name__ for v in ANY_JSON])
@pytest.mark.parametrize("state_type", ["Pass", "Task", "Parallel", "Map"])
def test_parameters_may_be_any_json_value(state_type: str, value: Any) -> None:
    spec: dict[str, Any] = {"Type": state_type, "End": True, "Parameters": value}
    if state_type == "Task":
        spec.update(Resource=LAMBDA_ARN, Retry=LAMBDA_RETRY)
    elif state_type == "Parallel":
        spec["Branches"] = [{"StartAt": "B", "States": {"B": {"Type": "Pass", "End": True}}}]
    elif state_type == "Map":
        spec["ItemProcessor"] = {"StartAt": "B", "States": {"B": {"Type": "Pass", "End": True}}}
    assert errors(validate(machine({"S": spec}))) == []


@pytest.mark.parametrize("value", ANY_JSON, ids=[type(v).__name__ for v in ANY_JSON])
def test_item_selector_and_batch_input_may_be_any_json_value(value: Any) -> None:
    assert errors(validate(_map(ItemSelector=value))) == []
    batcher = {"MaxItemsPerBatch": 2, "BatchInput": value}
    distributed = {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}}
    document = _map(ItemBatcher=batcher)
    document["States"]["M"]["ItemProcessor"].update(distributed)
    assert errors(validate(document)) == []


@pytest.mark.parametrize("value", [["a"], "text", 7, None])
def test_result_selector_and_assign_stay_objects(value: Any) -> None:
    task = {"Type": "Task", "Resource": LAMBDA_ARN, "Retry": LAMBDA_RETRY, "End": True}
    for field in ("ResultSelector", "Assign"):
        found = errors(validate(machine({"T": {**task, field: value}})))
        assert [(d.code, d.location) for d in found] == [("SCHEMA_VALIDATION_FAILED", f"/States/T/{field}")]


def test_arguments_stay_an_object_or_an_expression() -> None:
    task = {"Type": "Task", "Resource": LAMBDA_ARN, "Retry": LAMBDA_RETRY, "End": True}
    ok = machine({"T": {**task, "Arguments": "{% $states.input %}"}}, QueryLanguage="JSONata")
    bad = machine({"T": {**task, "Arguments": ["a"]}}, QueryLanguage="JSONata")
    assert errors(validate(ok)) == []
    assert [d.location for d in errors(validate(bad))] == ["/States/T/Arguments"]


def test_an_array_parameters_is_a_template_at_every_depth() -> None:
    parameters = [{"name.$": "$$.Execution.Name"}, "$.not.a.path", [{"v.$": "$.v"}], 3, None]
    execution = StateMachine.from_json(_pass(Parameters=parameters)).execute({"v": 42}, name="run-7")
    assert execution.output == [{"name": "run-7"}, "$.not.a.path", [{"v": 42}], 3, None]


@pytest.mark.parametrize("value", ["text", 7, True, None, []])
def test_a_scalar_parameters_is_the_effective_input_itself(value: Any) -> None:
    document = _pass(Parameters=value, ResultPath="$.p")
    assert StateMachine.from_json(document).execute({"v": 1}).output == {"v": 1, "p": value}


def test_map_item_selector_that_is_not_an_object() -> None:
    sm = StateMachine.from_json(_map(ItemSelector=[{"item.$": "$$.Map.Item.Value"}, "fixed"]))
    assert sm.execute({"xs": [1, 2]}).output == [[{"item": 1}, "fixed"], [{"item": 2}, "fixed"]]
    legacy = StateMachine.from_json(_map(Parameters="same"))
    assert legacy.execute({"xs": [1, 2]}).output == ["same", "same"]


def test_a_task_sends_an_array_parameters_as_its_effective_input() -> None:
    parameters = ["x", {"a.$": "$.v"}]
    task = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": parameters, "End": True}
    execution = StateMachine.from_json(machine({"T": task})).execute({"v": 1}, mocks={"T": [{"Return": {"ok": 1}}]})
    [scheduled] = [e for e in execution.history if e["type"] == "TaskScheduled"]
    assert scheduled["taskScheduledEventDetails"]["parameters"] == '["x",{"a":1}]'
    assert execution.output == {"ok": 1}


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet="ab$.", max_size=4),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.sampled_from(["a", "b"]), children),
    max_leaves=8,
)


@settings(max_examples=150, deadline=None)
@given(value=json_values)
def test_property_a_template_without_dollar_keys_is_its_own_value(value: Any) -> None:
    document = _pass(Parameters=value)
    assert errors(validate(document)) == []
    assert StateMachine.from_json(document).execute({"any": "input"}).output == value


# -- UNKNOWN_ERROR_NAME ------------------------------------------------------------------------------


def _catching(name: str, *extra: tuple[str, dict[str, Any]]) -> dict[str, Any]:
    branch = {"StartAt": "Quorum", "States": {"Quorum": {"Type": "Fail", "Error": "States.QuorumMet"}}}
    states: dict[str, Any] = {
        "P": {
            "Type": "Parallel",
            "Branches": [branch],
            "Catch": [{"ErrorEquals": [name], "Next": "Done"}],
            "End": True,
        },
        "Done": {"Type": "Succeed"},
    }
    states.update(dict(extra))
    return machine(states, "P")


def _unknown_names(document: dict[str, Any]) -> list[str | None]:
    return [d.location for d in validate(document) if d.code == "UNKNOWN_ERROR_NAME"]


def test_a_name_a_fail_state_raises_is_not_unknown_and_is_caught() -> None:
    document = _catching("States.QuorumMet")
    assert _unknown_names(document) == []
    execution = StateMachine.from_json(document).execute({})
    assert execution.status == "SUCCEEDED"
    assert [e["type"] for e in execution.history if e["type"] == "SucceedStateEntered"]


def test_a_typo_that_nothing_raises_is_still_reported() -> None:
    assert _unknown_names(_catching("States.Timout")) == ["/States/P/Catch/0/ErrorEquals/0"]


def test_a_computed_error_may_be_any_name() -> None:
    computed = ("Raise", {"Type": "Fail", "ErrorPath": "$.error"})
    assert _unknown_names(_catching("States.Anything", computed)) == []
    jsonata = ("Raise", {"Type": "Fail", "QueryLanguage": "JSONata", "Error": "{% $states.input.e %}"})
    assert _unknown_names(_catching("States.Anything", jsonata)) == []
    literal = ("Raise", {"Type": "Fail", "QueryLanguage": "JSONata", "Error": "States.Other"})
    assert _unknown_names(_catching("States.Anything", literal)) == ["/States/P/Catch/0/ErrorEquals/0"]


def test_an_http_task_raises_status_code_errors() -> None:
    http = (
        "Call",
        {
            "Type": "Task",
            "Resource": "arn:aws:states:::http:invoke",
            "Parameters": {"ApiEndpoint": "https://example.com", "Method": "GET"},
            "End": True,
        },
    )
    assert _unknown_names(_catching("States.Http.StatusCode.404", http)) == []
    assert _unknown_names(_catching("States.Http.StatusCode.404")) == ["/States/P/Catch/0/ErrorEquals/0"]
    assert _unknown_names(_catching("States.Http.StatusCode.4xx", http)) == ["/States/P/Catch/0/ErrorEquals/0"]


# -- ADVICE -----------------------------------------------------------------------------------------


def test_lambda_without_retry_is_advice_shown_only_on_request() -> None:
    document = machine({"T": {"Type": "Task", "Resource": LAMBDA_ARN, "End": True}})
    assert validate(document) == []
    [advice] = validate(document, advice=True)
    assert (advice.severity, advice.code, advice.location) == ("ADVICE", "LAMBDA_WITHOUT_RETRY", "/States/T")
    assert advice.to_dict()["severity"] == "ADVICE"


# -- Credentials ------------------------------------------------------------------------------------

MISSING = "The field 'RoleArn' is required but was missing"


@pytest.mark.parametrize(
    ("credentials", "query_language", "expected"),
    [
        ({}, "JSONPath", [MISSING]),
        ({"Unknown": "x"}, "JSONPath", [MISSING]),
        ({"roleArn": "x"}, "JSONPath", [MISSING]),
        ({}, "JSONata", [MISSING]),
        ({"Unknown": "x"}, "JSONata", [MISSING]),
        ({"RoleArn": "arn:aws:iam::1:role/r", "Unknown": 1}, "JSONPath", ["Field 'Unknown' is not supported"]),
        (
            {"RoleArn": "arn:aws:iam::1:role/r", "RoleArn.$": "$.r"},
            "JSONPath",
            ["The following fields are mutually exclusive: [RoleArn, RoleArn.$]"],
        ),
        ("arn:aws:iam::1:role/r", "JSONPath", ["The field 'Credentials' must be an object"]),
        ({"RoleArn.$": "$.role"}, "JSONPath", []),
        ({"RoleArn": "{% $states.input.role %}"}, "JSONata", []),
    ],
)
def test_credentials_messages_match_aws(credentials: Any, query_language: str, expected: list[str]) -> None:
    field = "Parameters" if query_language == "JSONPath" else "Arguments"
    task = {
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke",
        field: {"FunctionName": "f"},
        "Credentials": credentials,
        "End": True,
    }
    found = errors(validate(machine({"T": task}, QueryLanguage=query_language)))
    assert [d.message for d in found] == expected
    assert all(d.location == "/States/T/Credentials" for d in found)


# -- paths with trailing spaces, everywhere a path is read ----------------------------------------------


def test_trailing_spaces_in_every_kind_of_path_field() -> None:
    document = machine(
        {
            "Start": {
                "Type": "Pass",
                "InputPath": "$.in ",
                "Parameters": {"name.$": "$$.Execution.Name ", "xs.$": "$.xs ", "wait.$": "$.wait "},
                "ResultPath": "$.r ",
                "OutputPath": "$.r ",
                "Next": "Check",
            },
            "Check": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.name ", "StringEqualsPath": "$$.Execution.Name ", "Next": "Each"}],
                "Default": "Bad",
            },
            "Each": {
                "Type": "Map",
                "ItemsPath": "$.xs ",
                "MaxConcurrencyPath": "$.wait ",
                "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}},
                "ResultPath": "$.each ",
                "Next": "Wait",
            },
            "Wait": {"Type": "Wait", "SecondsPath": "$.wait ", "End": True},
            "Bad": {"Type": "Fail", "Error": "NoMatch"},
        }
    )
    assert errors(validate(document)) == []
    execution = StateMachine.from_json(document).execute({"in": {"xs": [1, 2], "wait": 1}}, name="run-1")
    assert execution.status == "SUCCEEDED"
    assert execution.output == {"name": "run-1", "xs": [1, 2], "wait": 1, "each": [1, 2]}


@pytest.mark.parametrize("path", [" $.a", "$.a\t"])
def test_other_whitespace_around_a_path_is_still_an_error(path: str) -> None:
    found = errors(validate(_pass(InputPath=path)))
    assert [d.location for d in found] == ["/States/P/InputPath"]


def test_a_filter_right_after_a_dot_validates_and_runs() -> None:
    document = _pass(Parameters={"units.$": "$.[?(@.OU > 0)]"})
    assert errors(validate(document)) == []
    output = StateMachine.from_json(document).execute([{"OU": 1}, {"OU": 0}]).output
    assert output == {"units": [{"OU": 1}]}
