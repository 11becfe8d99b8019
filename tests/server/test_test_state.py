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


def test_an_http_task_at_trace_shows_the_request_and_the_response():
    """The HTTP Task's exchange, in AWS's InspectionDataRequest/Response shapes, through the API."""
    from asl_engine.server import ServerSettings, StepFunctionsService, running
    from asl_engine.services import Resources
    from asl_engine.services.http import Connection, HttpRequest, HttpResponse
    from tests.server.conftest import client_of

    connection_arn = "arn:aws:events:us-east-1:123456789012:connection/orders/1"
    found = Resources()

    def answer(request: HttpRequest) -> HttpResponse:
        return HttpResponse(201, {"echo": request.json()}, {"X-Request-Id": "r-1"})

    found.http.endpoint("https://api.example.com/*", answer)
    found.http.connections[connection_arn] = Connection.api_key("x-api-key", "s3cret")
    state = {
        "Type": "Task",
        "Resource": "arn:aws:states:::http:invoke",
        "Parameters": {
            "ApiEndpoint": "https://api.example.com/orders",
            "Method": "POST",
            "Authentication": {"ConnectionArn": connection_arn},
            "RequestBody": {"sku": "A-1"},
        },
        "End": True,
    }
    settings = ServerSettings(port=0, clock="virtual")
    with running(settings, service=StepFunctionsService(settings, resources=found)) as endpoint:
        result = client_of(endpoint).test_state(
            definition=json.dumps(state), input="{}", roleArn=ROLE, inspectionLevel="TRACE"
        )
    assert result["status"] == "SUCCEEDED"
    request, response = result["inspectionData"]["request"], result["inspectionData"]["response"]
    assert (request["method"], request["url"]) == ("POST", "https://api.example.com/orders")
    assert request["body"] == '{"sku":"A-1"}'
    assert "s3cret" not in json.dumps(request)
    assert response["statusCode"] == "201" and json.loads(response["body"]) == {"echo": {"sku": "A-1"}}
