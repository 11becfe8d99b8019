"""The mocked conformance cases for Lambda, DynamoDB and nested executions, through local handlers.

Each case's recorded task outcomes are produced by local handlers (``handlers_from_task_results``)
one level below the integration, so the integration itself must give back AWS's recorded shapes:
Lambda's response wrapper and error causes, DynamoDB's responses and error names, the
DescribeExecution shape of ``.sync`` tasks.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from asl_engine import StateMachine
from asl_engine.conformance.handler_replay import (
    NotReplayable,
    handlers_from_task_results,
    replay_definition,
    replay_input,
    sanitize,
)
from tests import recorded
from tests.services.conformance_compare import compare_execution

NOT_REPLAYABLE = {
    "error_handling_test_task_service_lambda_TestTaskServiceLambda_test_invoke_timeout": "timed out on AWS",
    "timeouts_test_timeouts_TestTimeouts_test_fixed_timeout_lambda": "timed out on AWS",
    "timeouts_test_timeouts_TestTimeouts_test_fixed_timeout_service_lambda_with_path": "timed out on AWS",
    "express_test_express_async_TestExpressAsync_test_catch_end_event": "Express executions record no history",
    "express_test_express_async_TestExpressAsync_test_retry_end_event": "Express executions record no history",
    "local_mocking_test_base_scenarios_TestBaseScenarios_test_map_state_lambda": "Distributed Map child executions",
    "scenarios_test_base_scenarios_TestBaseScenarios_test_map_state_nested_config_distributed_no_max_max_concurrency": (
        "Distributed Map child executions"
    ),
}
# Recorded in 2023, before executions became redrivable: AWS's DescribeExecution has had the Redrive*
# members since (see the 2025 recordings of the same test, local_mocking_..._test_sfn_start_execution_sync).
PRE_REDRIVE = {
    "callback_test_callback_TestCallback_test_start_execution_sync",
    "callback_test_callback_TestCallback_test_start_execution_sync2",
}


def _cases() -> list[Any]:
    selected = []
    for path in recorded.case_files("mocked"):
        case = json.loads(path.read_text())
        resources = " ".join(case.get("task_resources", []))
        if any(word in resources for word in ("lambda", "dynamodb", "states:::states")):
            selected.append(pytest.param(case, id=case["id"][:120]))
    return recorded.parameters("mocked", selected)


@pytest.mark.parametrize("case", _cases())
def test_case_through_local_handlers(case: dict[str, Any]) -> None:
    recorded.require("mocked")
    if case["id"] in NOT_REPLAYABLE:
        with pytest.raises(NotReplayable, match=NOT_REPLAYABLE[case["id"]]):
            handlers_from_task_results(case)
            replay_definition(case)
        return
    resources = handlers_from_task_results(case)
    machine = StateMachine.from_json(replay_definition(case), machine_type=case["state_machine_type"])
    execution = machine.execute(replay_input(case), resources=resources, seed=11)
    problems = compare_execution(case, execution)
    if case["id"] in PRE_REDRIVE:
        assert problems == [
            "$: keys ['ExecutionArn', 'Input', 'InputDetails', 'Name', 'Output', 'OutputDetails', 'StartDate', "
            "'StateMachineArn', 'Status', 'StopDate'] != ['ExecutionArn', 'Input', 'InputDetails', 'Name', 'Output', "
            "'OutputDetails', 'RedriveCount', 'RedriveStatus', 'RedriveStatusReason', 'StartDate', "
            "'StateMachineArn', 'Status', 'StopDate']"
        ]
        return
    assert problems == []


def test_the_handful_that_matters_is_present() -> None:
    ids = {json.loads(p.read_text())["id"] for p in recorded.require("mocked").glob("*.json")}
    for expected in (
        "services_test_lambda_task_service_TestTaskServiceLambda_test_invoke",
        "error_handling_test_task_lambda_TestTaskLambda_test_raise_exception_catch",
        "error_handling_test_task_service_lambda_TestTaskServiceLambda_test_no_such_function_catch",
        "services_test_dynamodb_task_service_TestTaskServiceDynamoDB_test_base_integrations[DYNAMODB_PUT_UPDATE_GET_ITEM]",
        "error_handling_test_aws_sdk_TestAwsSdk_test_dynamodb_put_item_no_such_table",
        "callback_test_callback_TestCallback_test_start_execution_sync_delegate_failure",
    ):
        assert expected in ids


def test_a_mismatch_is_detected() -> None:
    """The comparison must be able to fail: a handler returning something else is caught."""
    path = recorded.require_file("mocked", "services_test_lambda_task_service_TestTaskServiceLambda_test_invoke.json")
    case = json.loads(path.read_text())
    resources = handlers_from_task_results(case)
    resources.lambda_function("lambda_function_name", lambda event, context: {"changed": True})
    execution = StateMachine.from_json(replay_definition(case)).execute(replay_input(case), resources=resources)
    assert any("Payload" in problem for problem in compare_execution(case, execution))


def test_sanitize_turns_placeholders_into_names() -> None:
    assert sanitize({"<k>": ["arn:<partition>:lambda:<region>:1:function:<lambda_function_name>", 3]}) == {
        "k": ["arn:aws:lambda:us-east-1:1:function:lambda_function_name", 3]
    }
    assert sanitize("no_such_sfn_test_table_<unresolved:short_uid>") == "no_such_sfn_test_table_unresolved_short_uid"
