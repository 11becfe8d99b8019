"""JSONata states: Arguments, Output, Assign, Condition, Items, Catch, scalar fields, errors."""

from __future__ import annotations

from typing import Any

import pytest

from asl_engine import StateMachine


def jsonata(states: dict[str, Any], **top: Any) -> StateMachine:
    return StateMachine.from_json({"QueryLanguage": "JSONata", "StartAt": next(iter(states)), "States": states, **top})


def test_output_and_assign_see_old_variable_values() -> None:
    sm = jsonata(
        {
            "A": {"Type": "Pass", "Assign": {"x": 1}, "Next": "B"},
            "B": {"Type": "Pass", "Assign": {"x": 42, "old": "{% $x %}"}, "Output": {"seen": "{% $x %}"}, "Next": "C"},
            "C": {"Type": "Pass", "Output": "{% {'x': $x, 'old': $old, 'prev': $states.input} %}", "End": True},
        }
    )
    assert sm.execute({}).output == {"x": 42, "old": 1, "prev": {"seen": 1}}


def test_task_arguments_result_and_output() -> None:
    sm = jsonata(
        {
            "T": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Arguments": {"FunctionName": "f", "Payload": "{% $states.input.order %}"},
                "Output": "{% $states.result.Payload.total %}",
                "End": True,
            }
        }
    )
    ex = sm.execute({"order": {"id": 1}}, mocks={"T": [{"Return": {"Payload": {"total": 9}}}]})
    assert ex.output == 9
    assert ex.history[2]["taskScheduledEventDetails"]["parameters"] == '{"FunctionName":"f","Payload":{"id":1}}'


def test_catch_output_and_assign_see_error_output() -> None:
    sm = jsonata(
        {
            "T": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "End": True,
                "Catch": [
                    {
                        "ErrorEquals": ["States.ALL"],
                        "Next": "H",
                        "Assign": {"why": "{% $states.errorOutput.Cause %}"},
                        "Output": {"input": "{% $states.input %}", "error": "{% $states.errorOutput.Error %}"},
                    }
                ],
            },
            "H": {"Type": "Pass", "Output": "{% $merge([$states.input, {'why': $why}]) %}", "End": True},
        }
    )
    ex = sm.execute({"a": 1}, mocks={"T": [{"Throw": {"Error": "E", "Cause": "C"}}]})
    assert ex.output == {"input": {"a": 1}, "error": "E", "why": "C"}


def test_choice_condition_and_rule_output() -> None:
    sm = jsonata(
        {
            "C": {
                "Type": "Choice",
                "Choices": [{"Condition": "{% $states.input.n > 1 %}", "Next": "Big", "Output": {"size": "big"}}],
                "Default": "Small",
                "Output": {"size": "small"},
            },
            "Big": {"Type": "Succeed"},
            "Small": {"Type": "Succeed"},
        }
    )
    assert sm.execute({"n": 2}).output == {"size": "big"}
    assert sm.execute({"n": 0}).output == {"size": "small"}
    failed = jsonata(
        {"C": {"Type": "Choice", "Choices": [{"Condition": "{% 'yes' %}", "Next": "E"}]}, "E": {"Type": "Succeed"}}
    ).execute({})
    assert failed.error == "States.QueryEvaluationError"
    assert (failed.cause or "").endswith(
        "The JSONata expression ''yes'' specified for the field 'Choices[0]/Condition' returned an unexpected result "
        "type. Expected 'boolean', but was 'string' for value: \"yes\""
    )


def test_map_items_and_item_selector() -> None:
    sm = jsonata(
        {
            "M": {
                "Type": "Map",
                "Items": "{% $states.input.xs %}",
                "ItemSelector": {
                    "v": "{% $states.context.Map.Item.Value %}",
                    "i": "{% $states.context.Map.Item.Index %}",
                },
                "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
                "End": True,
            }
        }
    )
    assert sm.execute({"xs": ["a", "b"]}).output == [{"v": "a", "i": 0}, {"v": "b", "i": 1}]


@pytest.mark.parametrize(
    ("items", "message"),
    [
        (
            "{% 1 %}",
            "The JSONata expression '1' specified for the field 'Items' returned an unexpected result type. "
            "Expected 'array', but was 'number' for value: 1",
        ),
        (
            "{% {'foo': 'bar'} %}",
            "The JSONata expression '{'foo': 'bar'}' specified for the field 'Items' returned "
            "an unexpected result type. Expected 'array', but was 'object' for value: "
            '{"foo":"bar"}',
        ),
        (
            "{% $fn := function($x){$x} %}",
            "The JSONata expression '$fn := function($x){$x}' specified for the field "
            "'Items' returned an unsupported result type.",
        ),
    ],
)
def test_map_items_errors(items: str, message: str) -> None:
    ex = jsonata(
        {
            "M": {
                "Type": "Map",
                "Items": items,
                "End": True,
                "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
            }
        }
    ).execute()
    assert ex.error == "States.QueryEvaluationError"
    assert ex.cause == f"An error occurred while executing the state 'M' (entered at the event id #2). {message}"


def test_map_without_items_requires_an_array_input() -> None:
    ex = jsonata(
        {
            "M": {
                "Type": "Map",
                "End": True,
                "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
            }
        }
    ).execute({"foo": "bar"})
    assert ex.cause == (
        "An error occurred while executing the state 'M' (entered at the event id #2). "
        'Map state input must be an array but was: {"foo":"bar"}'
    )


def test_wait_timestamp_expression_error() -> None:
    ex = jsonata({"W": {"Type": "Wait", "Timestamp": "{% $states.input.t %}", "End": True}}).execute(
        {"t": "2016-12-05 21:29:29Z"}
    )
    assert ex.error == "States.QueryEvaluationError"
    assert (ex.cause or "").endswith(
        "The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time "
        "format string: 2016-12-05 21:29:29Z"
    )


def test_fail_error_and_cause_expressions() -> None:
    ex = jsonata(
        {"F": {"Type": "Fail", "Error": "{% $states.input.e %}", "Cause": "{% 'because ' & $states.input.c %}"}}
    ).execute({"e": "E", "c": "c"})
    assert (ex.error, ex.cause) == ("E", "because c")


def test_undefined_field_in_nested_output_names_its_location() -> None:
    ex = jsonata({"P": {"Type": "Pass", "Output": {"a": {"b": ["{% $nope %}"]}}, "End": True}}).execute({})
    assert "specified for the field 'Output/a/b[0]' returned nothing (undefined)." in (ex.cause or "")


def test_evaluation_errors_are_catchable() -> None:
    sm = jsonata(
        {
            "T": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Output": "{% $nope %}",
                "End": True,
                "Catch": [{"ErrorEquals": ["States.QueryEvaluationError"], "Next": "H"}],
            },
            "H": {"Type": "Succeed"},
        }
    )
    ex = sm.execute({}, mocks={"T": [{"Return": 1}]})
    assert ex.status == "SUCCEEDED"
    assert ex.output["Error"] == "States.QueryEvaluationError"


def test_mixed_query_languages() -> None:
    sm = StateMachine.from_json(
        {
            "StartAt": "J",
            "States": {
                "J": {
                    "Type": "Pass",
                    "QueryLanguage": "JSONata",
                    "Output": {"n": "{% $states.input.n * 2 %}"},
                    "Next": "P",
                },
                "P": {"Type": "Pass", "Parameters": {"doubled.$": "$.n"}, "End": True},
            },
        }
    )
    assert sm.execute({"n": 4}).output == {"doubled": 8}


@pytest.mark.parametrize(
    ("state", "field"),
    [
        ({"Type": "Pass", "Output": "{% $states.result %}", "End": True}, "Output"),
        (
            {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Arguments": {"FunctionName": "{% $states.result.x %}"},
                "End": True,
            },
            "Arguments/FunctionName",
        ),
        ({"Type": "Pass", "Assign": {"e": "{% $states.errorOutput %}"}, "End": True}, "Assign/e"),
    ],
)
def test_states_result_and_error_output_only_where_aws_allows_them(state: dict[str, Any], field: str) -> None:
    from asl_engine import ValidationError

    with pytest.raises(ValidationError) as caught:
        jsonata({"S": state})
    assert f"specified for the field '{field}' uses $states." in str(caught.value)


def test_states_result_is_allowed_in_task_output_and_error_output_in_catchers() -> None:
    sm = jsonata(
        {
            "T": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Arguments": {"FunctionName": "f"},
                "Output": "{% {'result': $states.result} %}",
                "Assign": {"r": "{% $states.result %}"},
                "Next": "Done",
                "Catch": [
                    {
                        "ErrorEquals": ["States.ALL"],
                        "Output": "{% {'caught': $states.errorOutput} %}",
                        "Assign": {"r": "{% $states.errorOutput.Error %}"},
                        "Next": "Done",
                    }
                ],
            },
            "Done": {"Type": "Pass", "Output": "{% $merge([$states.input, {'r': $r}]) %}", "End": True},
        }
    )
    returned = sm.execute({}, mocks={"T": [{"Return": {"Payload": 7}}]})
    assert returned.output == {"result": {"Payload": 7}, "r": {"Payload": 7}}
    caught = sm.execute({}, mocks={"T": [{"Throw": {"Error": "Boom", "Cause": "bad"}}]})
    assert caught.output == {"caught": {"Error": "Boom", "Cause": "bad"}, "r": "Boom"}


NUMBER_OF_ID = "{% $number($states.input.id) %}"


def test_a_python_error_inside_an_expression_fails_the_execution_with_query_evaluation_error() -> None:
    sm = jsonata({"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True,
                        "Arguments": {"FunctionName": "f", "Payload": {"n": NUMBER_OF_ID}}}})  # fmt: skip
    execution = sm.execute({"id": "c-1"}, mocks={"T": [{"Return": 1}]})
    assert (execution.status, execution.error) == ("FAILED", "States.QueryEvaluationError")
    assert execution.cause == (
        "An error occurred while executing the state 'T' (entered at the event id #2). The JSONata expression "
        "'$number($states.input.id)' specified for the field 'Arguments/Payload/n' threw an error during evaluation. "
        'D3030: Unable to cast value to a number: "c-1"'
    )
    assert [event["type"] for event in execution.history][-2:] == ["EvaluationFailed", "ExecutionFailed"]


def test_a_catcher_on_states_all_catches_a_python_error_inside_an_expression() -> None:
    sm = jsonata(
        {
            "Lookup": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Arguments": {"FunctionName": "f", "Payload": {"n": NUMBER_OF_ID}},
                "Output": "{% $states.result.Payload %}",
                "End": True,
                "Catch": [{"ErrorEquals": ["States.ALL"], "Output": "{% $states.errorOutput.Error %}", "Next": "Bad"}],
            },
            "Bad": {"Type": "Succeed"},
        }
    )
    echo = {"Lookup": [{"Return": {"Payload": "found"}}]}
    assert sm.execute({"id": "42"}, mocks=echo).output == "found"
    assert sm.execute({"id": "c-1"}, mocks=echo).output == "States.QueryEvaluationError"
