from __future__ import annotations

import copy
from typing import Any

from asl_engine.conformance.replay import build_mocks, cause_text, resolve_resource_placeholders

from .fakes import make_case


def test_results_become_responses_per_state_in_invocation_order() -> None:
    mocks = build_mocks(
        [
            {"event": "TaskScheduled", "state": "A", "parameters": {}},
            {"event": "TaskStarted", "state": "A"},
            {"event": "TaskFailed", "state": "A", "error": "Lambda.Unknown", "cause": "first"},
            {"event": "LambdaFunctionSucceeded", "state": "B", "output": [1]},
            {"event": "TaskSucceeded", "state": "A", "output": {"n": 2}},
            {"event": "TaskSubmitted", "state": "A", "output": {"ignored": True}},
            {"event": "ActivitySucceeded", "state": "A", "output": None},
        ]
    )
    assert mocks == {
        "A": [{"Throw": {"Error": "Lambda.Unknown", "Cause": "first"}}, {"Return": {"n": 2}}, {"Return": None}],
        "B": [{"Return": [1]}],
    }


def test_a_failure_without_error_or_cause_throws_neither() -> None:
    assert build_mocks([{"event": "TaskFailed", "state": "A"}]) == {"A": [{"Throw": {}}]}


def test_parsed_json_causes_are_serialized_back_compactly() -> None:
    cause = {"errorMessage": "é", "stackTrace": ["a", "b"]}
    assert cause_text(cause) == '{"errorMessage":"é","stackTrace":["a","b"]}'
    assert build_mocks([{"event": "LambdaFunctionFailed", "state": "A", "error": "Exception", "cause": cause}])["A"][0][
        "Throw"
    ]["Cause"] == cause_text(cause)


def test_placeholder_resources_get_an_arn_of_the_recorded_kind() -> None:
    definition: dict[str, Any] = {
        "StartAt": "P",
        "States": {
            "Act": {"Type": "Task", "Resource": "activity_arn", "Next": "Par"},
            "Par": {
                "Type": "Parallel",
                "End": True,
                "Branches": [
                    {"StartAt": "Fn", "States": {"Fn": {"Type": "Task", "Resource": "<lambda_arn>", "End": True}}}
                ],
            },
            "Real": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage", "End": True},
            "Unrecorded": {"Type": "Task", "Resource": "other_placeholder", "End": True},
        },
    }
    original = copy.deepcopy(definition)
    case = make_case(
        category="mocked",
        definition=definition,
        comparison={"placeholders": ["activity_arn", "other_placeholder"]},
        task_results=[
            {"event": "ActivityScheduled", "state": "Act"},
            {"event": "LambdaFunctionScheduled", "state": "Fn"},
            {"event": "TaskScheduled", "state": "Real"},
        ],
    )
    resolved = resolve_resource_placeholders(case)
    states = resolved["States"]
    assert states["Act"]["Resource"] == "arn:aws:states:us-east-1:111111111111:activity:activity_arn"
    fn = states["Par"]["Branches"][0]["States"]["Fn"]
    assert fn["Resource"] == "arn:aws:lambda:us-east-1:111111111111:function:lambda_arn"
    assert states["Real"] is definition["States"]["Real"]
    assert states["Unrecorded"]["Resource"] == "other_placeholder"
    assert definition == original  # the case itself is never modified


def test_a_definition_without_placeholder_resources_is_returned_as_is() -> None:
    case = make_case(category="mocked", task_results=[{"event": "LambdaFunctionScheduled", "state": "P"}])
    assert resolve_resource_placeholders(case) is case.definition


def test_without_events_the_placeholder_name_tells_the_kind() -> None:
    definition = {
        "StartAt": "A",
        "States": {
            "A": {"Type": "Task", "Resource": "activity_arn", "Next": "L"},
            "L": {"Type": "Task", "Resource": "<lambda_function_arn>", "Next": "N"},
            "N": {"Type": "Task", "Resource": "not-a-placeholder", "End": True},
        },
    }
    case = make_case(category="validation", definition=definition, expected={"validate_result": "OK"})
    states = resolve_resource_placeholders(case)["States"]
    assert states["A"]["Resource"] == "arn:aws:states:us-east-1:111111111111:activity:activity_arn"
    assert states["L"]["Resource"] == "arn:aws:lambda:us-east-1:111111111111:function:lambda_function_arn"
    assert states["N"]["Resource"] == "not-a-placeholder"
