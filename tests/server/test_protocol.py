"""The AWS JSON 1.0 protocol over real HTTP: AWS's error answers for malformed requests, never a traceback."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from asl_engine.server import ServerSettings, StepFunctionsService, create_app, running
from asl_engine.server.settings import MAX_BODY_BYTES

HEADERS = {"Content-Type": "application/x-amz-json-1.0"}
HTTP = httpx.Client(timeout=30, trust_env=False)  # one client: building an SSL context per call is slow


def call(endpoint: str, target: str | None, body: bytes | str) -> httpx.Response:
    headers = dict(HEADERS)
    if target is not None:
        headers["X-Amz-Target"] = target
    return HTTP.post(endpoint + "/", headers=headers, content=body)


def error(response: httpx.Response) -> tuple[int, str, str]:
    document: dict[str, Any] = response.json()
    return response.status_code, document["__type"].rpartition("#")[2], document["message"]


def test_a_call_answers_json(server):
    response = call(server.endpoint, "AWSStepFunctions.ListStateMachines", "{}")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/x-amz-json-1.0"
    assert "stateMachines" in response.json()


def test_bad_json(server):
    assert error(call(server.endpoint, "AWSStepFunctions.ListStateMachines", "{nope"))[:2] == (
        400,
        "SerializationException",
    )
    assert error(call(server.endpoint, "AWSStepFunctions.ListStateMachines", "[1]"))[:2] == (
        400,
        "SerializationException",
    )


def test_unknown_operation(server):
    assert error(call(server.endpoint, "AWSStepFunctions.MakeCoffee", "{}"))[:2] == (400, "UnknownOperationException")
    assert error(call(server.endpoint, None, "{}"))[:2] == (400, "UnknownOperationException")


def test_missing_and_mistyped_members(server):
    status, code, message = error(call(server.endpoint, "AWSStepFunctions.DescribeExecution", "{}"))
    assert (status, code) == (400, "ValidationException")
    assert message == (
        "1 validation error detected: Value null at 'executionArn' failed to satisfy constraint: "
        "Member must not be null"
    )
    body = json.dumps({"stateMachineArn": 12})
    assert error(call(server.endpoint, "AWSStepFunctions.DescribeStateMachine", body))[:2] == (
        400,
        "SerializationException",
    )
    body = json.dumps({"stateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:m", "maxResults": 5000})
    status, code, message = error(call(server.endpoint, "AWSStepFunctions.ListExecutions", body))
    assert (status, code) == (400, "ValidationException")
    assert "Member must have value less than or equal to 1000" in message


def test_oversized_body(server):
    body = json.dumps({"definition": "x" * (MAX_BODY_BYTES + 10)})
    status, code, _ = error(call(server.endpoint, "AWSStepFunctions.ValidateStateMachineDefinition", body))
    assert (status, code) == (413, "ValidationException")


def test_an_unexpected_failure_is_internal_failure_without_a_traceback(caplog):
    """A bug in an operation is logged and answered with AWS's InternalFailure, nothing of the traceback."""

    class Broken(StepFunctionsService):
        async def call(self, operation: str, request: Any) -> dict[str, Any]:
            raise RuntimeError("secret internals")

    settings = ServerSettings(port=0)
    with running(settings, service=Broken(settings)) as endpoint:
        response = call(endpoint, "AWSStepFunctions.ListActivities", "{}")
    assert response.status_code == 500
    assert response.json()["__type"].endswith("#InternalFailure")
    assert "secret internals" not in response.text and "Traceback" not in response.text
    assert "secret internals" in caplog.text


def test_extra_routes_come_before_the_api():
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    async def page(request: Any) -> PlainTextResponse:
        return PlainTextResponse("console")

    routes = [Route("/", page, methods=["GET"]), Route("/ui", page)]
    app = create_app(ServerSettings(port=0), routes=routes)
    assert isinstance(app.state.service, StepFunctionsService)
    with running(ServerSettings(port=0), routes=routes) as endpoint:
        assert HTTP.get(endpoint + "/ui").text == "console"
        assert HTTP.get(endpoint + "/").text == "console"
        assert call(endpoint, "AWSStepFunctions.ListActivities", "{}").json() == {"activities": []}


@pytest.mark.parametrize("target", ["AWSStepFunctions.", "Other.ListStateMachines"])
def test_targets_of_other_services(server, target):
    assert error(call(server.endpoint, target, "{}"))[1] == "UnknownOperationException"


def test_an_operation_of_the_model_the_server_does_not_answer_says_so(sfn, monkeypatch):
    """Every operation of botocore's model is answered; one a newer botocore adds would be refused
    by name (simulated by taking an operation out of the table)."""
    from botocore.exceptions import ClientError

    from asl_engine.server.operations import OPERATIONS

    monkeypatch.delitem(OPERATIONS, "UpdateMapRun")
    arn = "arn:aws:states:us-east-1:123456789012:mapRun:m/Fan:1"
    with pytest.raises(ClientError) as excinfo:
        sfn.update_map_run(mapRunArn=arn, maxConcurrency=1)
    assert excinfo.value.response["Error"]["Code"] == "UnknownOperationException"
    assert "UpdateMapRun is not supported by asl serve" in excinfo.value.response["Error"]["Message"]


def test_every_operation_of_the_model_is_answered():
    from asl_engine.server.model import operation_names
    from asl_engine.server.operations import OPERATIONS

    assert set(operation_names()) <= set(OPERATIONS)
