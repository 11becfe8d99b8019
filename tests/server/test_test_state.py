"""TestState through boto3: one state with an input, inspection levels, a mocked result."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from tests.server.test_machines import error_of

ROLE = "arn:aws:iam::123456789012:role/r"
TASK = {
    "Type": "Task",
    "Resource": "arn:aws:states:::lambda:invoke",
    "Parameters": {"FunctionName": "greet", "Payload.$": "$"},
    "ResultSelector": {"body.$": "$.Payload"},
    "End": True,
}


def test_pass_state_at_debug(sfn):
    state = {"Type": "Pass", "Parameters": {"x.$": "$.a"}, "ResultPath": "$.out", "End": True}
    result = sfn.test_state(definition=json.dumps(state), input='{"a": 1}', roleArn=ROLE, inspectionLevel="DEBUG")
    assert result["status"] == "SUCCEEDED"
    assert json.loads(result["output"]) == {"a": 1, "out": {"x": 1}}
    assert json.loads(result["inspectionData"]["afterParameters"]) == {"x": 1}


def test_task_with_a_mocked_result_at_trace(sfn):
    result = sfn.test_state(
        definition=json.dumps(TASK),
        input='{"name": "Ada"}',
        roleArn=ROLE,
        inspectionLevel="TRACE",
        mock={"result": json.dumps({"Payload": {"mocked": True}})},
    )
    assert result["status"] == "SUCCEEDED"
    assert json.loads(result["output"]) == {"body": {"mocked": True}}
    assert json.loads(result["inspectionData"]["result"]) == {"Payload": {"mocked": True}}


def test_task_answered_by_a_local_handler(sfn):
    result = sfn.test_state(definition=json.dumps(TASK), input='{"name": "Bo"}', roleArn=ROLE)
    assert result["status"] == "SUCCEEDED"
    assert json.loads(result["output"])["body"] == {"greeting": "Hello, Bo"}


def test_invalid_definition(sfn):
    with pytest.raises(ClientError) as excinfo:
        sfn.test_state(definition=json.dumps({"Type": "Nope"}), roleArn=ROLE)
    assert error_of(excinfo)[0] == "InvalidDefinition"
