"""TestState for every state type and every data-flow field, held against full executions of the
same state: each stage it reports, its output and its next state are what executions show."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from asl_engine import StateMachine
from tests.teststate.harness import assert_matches_full_execution, full_execution_stages, machine_around, with_next

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:Orders"
INVOKE = "arn:aws:states:::lambda:invoke"
JSONATA = {"QueryLanguage": "JSONata"}


@dataclass
class Case:
    spec: dict[str, Any]
    input: Any
    stages: tuple[str, ...]
    """The stages TestState must report (at DEBUG), in AWS's order."""
    mock: dict[str, Any] | None = None
    variables: dict[str, Any] | None = None
    status: str = "SUCCEEDED"
    extra: dict[str, Any] = field(default_factory=dict)
    """Stages whose value is checked directly (maxConcurrency, errorDetails...)."""


ORDER = {"order": {"id": "o-1", "lines": [{"sku": "a", "qty": 2}, {"sku": "b", "qty": 1}]}, "meta": {"source": "web"}}
JSONPATH_TASK_STAGES = (
    "input",
    "afterInputPath",
    "afterParameters",
    "result",
    "afterResultSelector",
    "afterResultPath",
)

CASES: dict[str, Case] = {
    "pass-every-field": Case(
        {
            "Type": "Pass",
            "InputPath": "$.order",
            "Parameters": {
                "id.$": "$.id",
                "count.$": "States.ArrayLength($.lines)",
                "source.$": "$$.Execution.Input.meta.source",
            },
            "ResultPath": "$.summary",
            "OutputPath": "$.summary",
            "Assign": {"lastId.$": "$.id"},
        },
        ORDER,
        ("input", "afterInputPath", "afterParameters", "afterResultSelector", "afterResultPath", "variables"),
    ),
    "pass-result": Case(
        {"Type": "Pass", "Result": {"status": "ok"}, "ResultPath": "$.check"},
        ORDER,
        ("input", "result", "afterResultSelector", "afterResultPath"),
    ),
    "pass-sees-given-variables": Case(
        {"Type": "Pass", "Parameters": {"limit.$": "$limit", "id.$": "$.order.id"}, "Assign": {"seen": True}},
        ORDER,
        ("input", "afterInputPath", "afterParameters", "afterResultSelector", "afterResultPath", "variables"),
        variables={"limit": 10},
    ),
    "task-every-field": Case(
        {
            "Type": "Task",
            "Resource": LAMBDA,
            "InputPath": "$.order",
            "Parameters": {"orderId.$": "$.id", "lines.$": "$.lines"},
            "ResultSelector": {"total.$": "$.total", "currency": "EUR"},
            "ResultPath": "$.billing",
            "OutputPath": "$.billing",
            "Assign": {"charged.$": "$.total"},
        },
        ORDER,
        (*JSONPATH_TASK_STAGES, "variables"),
        mock={"Return": {"total": 42, "raw": True}},
    ),
    "task-integration": Case(
        {
            "Type": "Task",
            "Resource": INVOKE,
            "Parameters": {"FunctionName": "Orders", "Payload.$": "$.order"},
            "ResultSelector": {"body.$": "$.Payload"},
            "ResultPath": "$.response",
        },
        ORDER,
        JSONPATH_TASK_STAGES,
        mock={"Return": {"Payload": {"accepted": True}, "StatusCode": 200}},
    ),
    "task-caught": Case(
        {
            "Type": "Task",
            "Resource": LAMBDA,
            "Parameters": {"id.$": "$.order.id"},
            "Retry": [{"ErrorEquals": ["Throttled"], "MaxAttempts": 3}],
            "Catch": [
                {"ErrorEquals": ["Throttled"], "Next": "Later"},
                {"ErrorEquals": ["Card.Declined", "Card.Expired"], "ResultPath": "$.error", "Next": "Declined"},
            ],
        },
        ORDER,
        ("input", "afterInputPath", "afterParameters", "errorDetails"),
        mock={"Throw": {"Error": "Card.Declined", "Cause": "insufficient funds"}},
        status="CAUGHT_ERROR",
        extra={"errorDetails": {"catchIndex": 1}},
    ),
    "task-failed": Case(
        {"Type": "Task", "Resource": LAMBDA, "Catch": [{"ErrorEquals": ["Other"], "Next": "Elsewhere"}]},
        ORDER,
        ("input", "afterInputPath", "afterParameters"),
        mock={"Throw": {"Error": "Boom", "Cause": "it broke"}},
        status="FAILED",
    ),
    "task-bad-result-path": Case(
        {"Type": "Task", "Resource": LAMBDA, "ResultSelector": {"x.$": "$.missing"}},
        ORDER,
        ("input", "afterInputPath", "afterParameters", "result"),
        mock={"Return": {"present": 1}},
        status="FAILED",
    ),
    "choice-rule-with-assign": Case(
        {
            "Type": "Choice",
            "InputPath": "$.order",
            "Choices": [
                {"Variable": "$.id", "StringEquals": "o-2", "Next": "Second"},
                {"Variable": "$.id", "StringMatches": "o-*", "Next": "Known", "Assign": {"route": "known"}},
            ],
            "Default": "Unknown",
        },
        ORDER,
        ("input", "afterInputPath", "variables"),
    ),
    "choice-default": Case(
        {
            "Type": "Choice",
            "Choices": [{"Variable": "$.order.id", "StringEquals": "o-9", "Next": "Nine"}],
            "Default": "Other",
        },
        ORDER,
        ("input", "afterInputPath"),
    ),
    "choice-no-match": Case(
        {"Type": "Choice", "Choices": [{"Variable": "$.meta.source", "StringEquals": "app", "Next": "App"}]},
        ORDER,
        ("input", "afterInputPath"),
        status="FAILED",
    ),
    "wait": Case(
        {"Type": "Wait", "Seconds": 3600, "InputPath": "$.meta", "OutputPath": "$.source"},
        ORDER,
        ("input", "afterInputPath"),
    ),
    "wait-bad-seconds-path": Case(
        {"Type": "Wait", "SecondsPath": "$.meta.source"},
        ORDER,
        ("input", "afterInputPath"),
        status="FAILED",
    ),
    "succeed": Case(
        {"Type": "Succeed", "InputPath": "$.order", "OutputPath": "$.lines"}, ORDER, ("input", "afterInputPath")
    ),
    "fail": Case(
        {"Type": "Fail", "ErrorPath": "$.meta.source", "CausePath": "States.Format('order {}', $.order.id)"},
        ORDER,
        ("input", "afterInputPath"),
        status="FAILED",
    ),
    "map-every-field": Case(
        {
            "Type": "Map",
            "InputPath": "$.order",
            "ItemsPath": "$.lines",
            "ItemSelector": {"orderId.$": "$.id", "sku.$": "$$.Map.Item.Value.sku", "index.$": "$$.Map.Item.Index"},
            "MaxConcurrency": 2,
            "ToleratedFailureCount": 1,
            "ItemProcessor": {"StartAt": "Work", "States": {"Work": {"Type": "Pass", "End": True}}},
            "ResultSelector": {"done.$": "$"},
            "ResultPath": "$.shipped",
        },
        ORDER,
        (
            "input",
            "afterInputPath",
            "afterItemsPath",
            "afterItemSelector",
            "afterResultSelector",
            "afterResultPath",
            "maxConcurrency",
            "toleratedFailureCount",
        ),
        mock={"Return": [{"orderId": "o-1", "sku": "a", "index": 0}, {"orderId": "o-1", "sku": "b", "index": 1}]},
        extra={"maxConcurrency": 2, "toleratedFailureCount": 1},
    ),
    "map-failed": Case(
        {
            "Type": "Map",
            "ItemsPath": "$.order.lines",
            "ItemProcessor": {"StartAt": "Work", "States": {"Work": {"Type": "Pass", "End": True}}},
            "Catch": [{"ErrorEquals": ["States.ExceedToleratedFailureThreshold"], "Next": "Threshold"}],
        },
        ORDER,
        ("input", "afterInputPath", "afterItemsPath", "maxConcurrency"),
        mock={"Throw": {"Error": "Item.Failed", "Cause": "line 2"}},
        status="FAILED",
        extra={"maxConcurrency": 0},
    ),
    "parallel-every-field": Case(
        {
            "Type": "Parallel",
            "InputPath": "$.order",
            "Parameters": {"id.$": "$.id"},
            "Branches": [
                {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}},
                {"StartAt": "B", "States": {"B": {"Type": "Pass", "End": True}}},
            ],
            "ResultSelector": {"first.$": "$[0]", "second.$": "$[1]"},
            "ResultPath": "$.checks",
            "Assign": {"checked.$": "$[1].ok"},
        },
        ORDER,
        (*JSONPATH_TASK_STAGES, "variables"),
        mock={"Return": [{"ok": 1}, {"ok": 2}]},
    ),
    # -- JSONata ------------------------------------------------------------------------------------------
    "jsonata-pass": Case(
        {
            **JSONATA,
            "Type": "Pass",
            "Output": "{% {'id': $states.input.order.id, 'n': $count($states.input.order.lines)} %}",
            "Assign": {"n": "{% $count($states.input.order.lines) %}"},
        },
        ORDER,
        ("input", "variables"),
    ),
    "jsonata-task": Case(
        {
            **JSONATA,
            "Type": "Task",
            "Resource": INVOKE,
            "Arguments": {"FunctionName": "Orders", "Payload": "{% $states.input.order %}"},
            "Output": "{% $states.result.Payload %}",
            "Assign": {"status": "{% $states.result.StatusCode %}", "limit": "{% $limit + 1 %}"},
        },
        ORDER,
        ("input", "afterArguments", "result", "variables"),
        mock={"Return": {"Payload": {"accepted": True}, "StatusCode": 200}},
        variables={"limit": 4},
    ),
    "jsonata-task-caught": Case(
        {
            **JSONATA,
            "Type": "Task",
            "Resource": INVOKE,
            "Arguments": {"FunctionName": "Orders"},
            "Catch": [
                {
                    "ErrorEquals": ["States.ALL"],
                    "Output": "{% $merge([$states.input, {'failure': $states.errorOutput}]) %}",
                    "Assign": {"failed": True},
                    "Next": "Recover",
                }
            ],
        },
        ORDER,
        ("input", "afterArguments", "variables", "errorDetails"),
        mock={"Throw": {"Error": "Lambda.ServiceException", "Cause": "try later"}},
        status="CAUGHT_ERROR",
        extra={"errorDetails": {"catchIndex": 0}},
    ),
    "jsonata-choice": Case(
        {
            **JSONATA,
            "Type": "Choice",
            "Choices": [
                {
                    "Condition": "{% $count($states.input.order.lines) > 1 %}",
                    "Next": "Many",
                    "Output": "{% $states.input.meta %}",
                    "Assign": {"many": True},
                }
            ],
            "Default": "Few",
        },
        ORDER,
        ("input", "variables"),
    ),
    "jsonata-map": Case(
        {
            **JSONATA,
            "Type": "Map",
            "Items": "{% $states.input.order.lines %}",
            "ItemSelector": {"sku": "{% $states.context.Map.Item.Value.sku %}"},
            "MaxConcurrency": "{% 1 + 2 %}",
            "ToleratedFailurePercentage": 50,
            "ItemProcessor": {"StartAt": "Work", "States": {"Work": {"Type": "Pass", "End": True}}},
        },
        ORDER,
        ("input", "maxConcurrency", "toleratedFailurePercentage"),
        mock={"Return": [{"sku": "a"}, {"sku": "b"}]},
        extra={"maxConcurrency": 3, "toleratedFailurePercentage": 50.0},
    ),
    "jsonata-parallel": Case(
        {
            **JSONATA,
            "Type": "Parallel",
            "Arguments": {"id": "{% $states.input.order.id %}"},
            "Branches": [{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}],
            "Output": "{% $states.result[0] %}",
        },
        ORDER,
        ("input", "afterArguments", "result"),
        mock={"Return": [{"done": "yes"}]},
    ),
    "jsonata-fail": Case(
        {**JSONATA, "Type": "Fail", "Error": "{% 'Order.' & $states.input.meta.source %}", "Cause": "stop"},
        ORDER,
        ("input",),
        status="FAILED",
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_every_stage_is_what_a_full_execution_shows(name: str) -> None:
    case = CASES[name]
    machine = StateMachine.from_json(machine_around(with_next(case.spec), variables=None, language=None))
    result = machine.test_state(
        "S", case.input, mock=case.mock, variables=case.variables, inspection_level="DEBUG", seed=7
    )
    assert result.status == case.status, (result.error, result.cause)
    assert tuple(result.inspection_data) == case.stages
    for stage, value in case.extra.items():
        assert result.inspection_data[stage] == value
    stages = full_execution_stages(case.spec, case.input, mock=case.mock, variables=case.variables)
    assert_matches_full_execution(result, stages)


@pytest.mark.parametrize("name", ["task-every-field", "map-every-field", "jsonata-task", "choice-default"])
def test_info_gives_the_same_answer_without_inspection_data(name: str) -> None:
    case = CASES[name]
    machine = StateMachine.from_json(machine_around(with_next(case.spec), variables=None, language=None))
    debug = machine.test_state("S", case.input, mock=case.mock, variables=case.variables, inspection_level="DEBUG")
    info = machine.test_state("S", case.input, mock=case.mock, variables=case.variables)
    trace = machine.test_state("S", case.input, mock=case.mock, variables=case.variables, inspection_level="TRACE")
    assert info.inspection_data == {}
    assert (info.status, info.output, info.next_state) == (debug.status, debug.output, debug.next_state)
    assert trace.inspection_data == debug.inspection_data  # no HTTP Task: TRACE adds nothing


def test_a_state_tested_alone_answers_as_inside_its_machine() -> None:
    case = CASES["task-every-field"]
    inside = StateMachine.from_json(machine_around(with_next(case.spec), variables=None, language=None)).test_state(
        "S", case.input, mock=case.mock, inspection_level="DEBUG"
    )
    alone = StateMachine.test_state_definition(
        with_next(case.spec), case.input, mock=case.mock, inspection_level="DEBUG"
    )
    assert (alone.status, alone.output, alone.next_state) == (inside.status, inside.output, "After")
    assert alone.inspection_data == inside.inspection_data
