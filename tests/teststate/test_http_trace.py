"""TestState at TRACE on an HTTP Task: the request sent and the response received, secrets hidden
unless revealed, and nothing added at other levels or with a mock."""

from __future__ import annotations

from typing import Any

import pytest

from asl_engine import StateMachine, teststate
from asl_engine.services import Resources
from asl_engine.services.http import Connection, HttpRequest, HttpResponse
from asl_engine.teststate import TestStateError

CONNECTION = "arn:aws:events:us-east-1:123456789012:connection/orders/1"


def http_state(**parameters: Any) -> dict[str, Any]:
    return {
        "Type": "Task",
        "Resource": "arn:aws:states:::http:invoke",
        "Parameters": {
            "ApiEndpoint": "https://api.example.com/orders",
            "Method": "POST",
            "Authentication": {"ConnectionArn": CONNECTION},
            **parameters,
        },
        "End": True,
    }


def resources(status: int = 201) -> Resources:
    found = Resources()

    def answer(request: HttpRequest) -> HttpResponse:
        return HttpResponse(status, {"echo": request.json()}, {"X-Request-Id": "r-1"})

    found.http.endpoint("https://api.example.com/*", answer)
    connection = Connection.api_key("x-api-key", "s3cret")
    connection.query["token"] = "hidden"
    found.http.connections[CONNECTION] = connection
    return found


def trace(state: dict[str, Any], found: Resources, **options: Any) -> dict[str, Any]:
    result = StateMachine.test_state_definition(state, {}, resources=found, inspection_level="TRACE", **options)
    return result.inspection_data


def test_trace_shows_the_request_and_response_as_strings() -> None:
    data = trace(http_state(RequestBody={"sku": "A-1"}, QueryParameters={"page": "2"}), resources())
    assert data["request"] == {
        "protocol": "https",
        "method": "POST",
        "url": "https://api.example.com/orders?page=2",
        "headers": "[Content-Type: application/json]",
        "body": '{"sku":"A-1"}',
    }
    assert data["response"] == {
        "protocol": "https",
        "statusCode": "201",
        "statusMessage": "Created",
        "headers": "[X-Request-Id: r-1, Content-Type: application/json, Content-Length: 24]",
        "body": '{"echo": {"sku": "A-1"}}',
    }
    # The data-flow stages of DEBUG are still there.
    assert data["afterParameters"]["Method"] == "POST"


def test_reveal_secrets_shows_what_the_connection_added() -> None:
    data = trace(http_state(QueryParameters={"page": "2"}), resources(), reveal_secrets=True)
    assert data["request"]["url"] == "https://api.example.com/orders?page=2&token=hidden"
    assert "x-api-key: s3cret" in data["request"]["headers"]


def test_a_failing_status_is_traced_too() -> None:
    result = StateMachine.test_state_definition(
        http_state(), {}, resources=resources(status=404), inspection_level="TRACE"
    )
    assert result.status == "FAILED"
    assert result.error == "States.Http.StatusCode.404"
    assert result.inspection_data["response"]["statusCode"] == "404"
    assert result.inspection_data["response"]["statusMessage"] == "Not Found"


@pytest.mark.parametrize("level", ["INFO", "DEBUG"])
def test_only_trace_shows_http(level: str) -> None:
    result = StateMachine.test_state_definition(http_state(), {}, resources=resources(), inspection_level=level)
    assert "request" not in result.inspection_data
    assert "response" not in result.inspection_data


def test_a_mocked_http_task_has_no_exchange_to_show() -> None:
    result = StateMachine.test_state_definition(
        http_state(), {}, mock={"Return": {"StatusCode": 200}}, resources=resources(), inspection_level="TRACE"
    )
    assert result.status == "SUCCEEDED"
    assert "request" not in result.inspection_data


def test_each_test_shows_its_own_exchange_when_resources_are_shared() -> None:
    shared = resources()
    first = trace(http_state(RequestBody={"n": 1}), shared)
    second = trace(http_state(RequestBody={"n": 2}), shared)
    assert first["request"]["body"] == '{"n":1}'
    assert second["request"]["body"] == '{"n":2}'


def test_the_api_shape_keeps_request_and_response_as_objects() -> None:
    import json

    answer = teststate.test_state_request(
        {"definition": json.dumps(http_state()), "inspectionLevel": "TRACE", "roleArn": "arn:aws:iam::1:role/r"},
        resources=resources(),
    ).to_api()
    assert answer["inspectionData"]["request"]["method"] == "POST"
    assert answer["inspectionData"]["response"]["statusCode"] == "201"


def test_reveal_secrets_with_a_mock_is_refused() -> None:
    with pytest.raises(TestStateError, match="RevealSecrets"):
        StateMachine.test_state_definition(
            http_state(), {}, mock={"Return": {}}, inspection_level="TRACE", reveal_secrets=True
        )
