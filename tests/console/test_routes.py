"""The console's routes in process (Starlette's test client over the real service): pages, assets,
the JSON API, and what it refuses."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

pytest.importorskip("starlette")
pytest.importorskip("httpx")

from starlette.testclient import TestClient

from asl_engine.console import console_routes
from asl_engine.server import ServerSettings, StepFunctionsService, create_app

MACHINE = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": {"ok": True}, "End": True}}}
ROLE = "arn:aws:iam::123456789012:role/r"


def _client(allow_actions: bool, store: Path | None = None) -> Iterator[TestClient]:
    settings = ServerSettings(port=0, clock="virtual", allow_actions=allow_actions, store=store)
    service = StepFunctionsService(settings)
    app = create_app(settings, routes=console_routes(service, allow_actions=allow_actions), service=service)
    with TestClient(app, base_url="http://127.0.0.1:8083") as client:
        yield client
    service.close()


@pytest.fixture
def read_only() -> Iterator[TestClient]:
    yield from _client(False)


@pytest.fixture
def acting() -> Iterator[TestClient]:
    yield from _client(True)


def _api(client: TestClient, operation: str, body: dict[str, Any], **headers: str) -> Any:
    return client.post(f"/console/api/{operation}", json=body, headers=headers)


def _machine(client: TestClient) -> str:
    created = _api(client, "ListStateMachines", {})
    assert created.status_code == 200
    response = client.post(
        "/",
        content=json.dumps({"name": "M", "definition": json.dumps(MACHINE), "roleArn": ROLE}),
        headers={"X-Amz-Target": "AWSStepFunctions.CreateStateMachine", "Content-Type": "application/x-amz-json-1.0"},
    )
    assert response.status_code == 200, response.text
    return str(response.json()["stateMachineArn"])


def test_pages_have_stable_addresses_and_escape_what_they_echo(read_only: TestClient) -> None:
    arn = "arn:aws:states:us-east-1:123456789012:execution:M:<script>alert(1)</script>"
    for path in ("/", "/state-machines/" + quote(arn, safe=""), "/executions/" + quote(arn, safe="")):
        page = read_only.get(path)
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert "<script>alert" not in page.text
    page = read_only.get("/executions/" + quote(arn, safe=""))
    assert 'data-page="execution"' in page.text and 'data-actions="false"' in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


def test_assets_are_served_by_the_package(read_only: TestClient) -> None:
    for asset in ("console.js", "console.css", "vendor/viz/viz-global.js", "vendor/viz/LICENSE"):
        response = read_only.get(f"/console/static/{asset}")
        assert response.status_code == 200, asset
    assert "Viz.js 3.31.0" in read_only.get("/console/static/vendor/viz/viz-global.js").text[:200]


def test_the_api_still_answers_post_slash(read_only: TestClient) -> None:
    arn = _machine(read_only)
    assert arn.endswith(":stateMachine:M")


def test_read_operations_are_forwarded_and_actions_refused_when_read_only(read_only: TestClient) -> None:
    arn = _machine(read_only)
    described = _api(read_only, "DescribeStateMachine", {"stateMachineArn": arn})
    assert described.status_code == 200 and json.loads(described.json()["definition"]) == MACHINE
    for action in ("StartExecution", "StopExecution", "RedriveExecution", "SendTaskSuccess", "SendTaskFailure"):
        refused = _api(read_only, action, {"stateMachineArn": arn})
        assert refused.status_code == 403
        assert refused.json()["__type"] == "ActionsNotAllowed"
        assert "--allow-actions" in refused.json()["message"]
    assert _api(read_only, "DeleteStateMachine", {"stateMachineArn": arn}).status_code == 404
    assert _api(read_only, "ListStateMachines", {}).json()["stateMachines"][0]["stateMachineArn"] == arn


def test_actions_with_allow_actions_and_the_execution_view(acting: TestClient) -> None:
    arn = _machine(acting)
    started = _api(acting, "StartExecution", {"stateMachineArn": arn, "name": "first", "input": "{}"})
    assert started.status_code == 200
    execution = started.json()["executionArn"]
    view = acting.get("/console/api/execution", params={"arn": execution}).json()
    for _ in range(200):
        if view["execution"]["status"] != "RUNNING":
            break
        view = acting.get("/console/api/execution", params={"arn": execution}).json()
    assert view["execution"]["status"] == "SUCCEEDED"
    assert [event["type"] for event in view["events"]] == [
        "ExecutionStarted", "PassStateEntered", "PassStateExited", "ExecutionSucceeded",
    ]  # fmt: skip
    assert view["eventCount"] == 4 and view["allowActions"] is True
    assert view["outcomes"]["states"] == {
        "A": {"entered": 1, "outcome": "succeeded", "counts": {"succeeded": 1}, "retries": 0}
    }
    assert view["steps"] == {"2": "A", "3": "A"}
    assert "diagram" in view and view["stateMachine"]["stateMachineArn"] == arn
    later = acting.get("/console/api/execution", params={"arn": execution, "since": "3"}).json()
    assert [event["id"] for event in later["events"]] == [4] and "diagram" not in later
    home = acting.get("/console/api/home", params={"status": "SUCCEEDED"}).json()
    assert [entry["executionArn"] for entry in home["executions"]] == [execution]
    assert acting.get("/console/api/home", params={"status": "FAILED"}).json()["executions"] == []
    machine = acting.get("/console/api/state-machine", params={"arn": arn}).json()
    assert machine["diagram"]["states"] == {"s0": {"name": "A", "type": "Pass", "scope": ""}}
    assert [entry["executionArn"] for entry in machine["executions"]] == [execution]


def test_api_errors_keep_the_services_code(read_only: TestClient) -> None:
    missing = "arn:aws:states:us-east-1:123456789012:execution:M:nope"
    response = read_only.get("/console/api/execution", params={"arn": missing})
    assert response.status_code == 400 and response.json()["__type"] == "ExecutionDoesNotExist"
    response = read_only.get("/console/api/execution", params={"arn": missing, "since": "x"})
    assert response.status_code == 400 and "since" in response.json()["message"]


def test_posts_from_other_sites_or_not_json_are_refused(acting: TestClient) -> None:
    foreign = _api(acting, "ListStateMachines", {}, Origin="http://evil.example")
    assert foreign.status_code == 403 and "evil.example" in foreign.json()["message"]
    same = _api(acting, "ListStateMachines", {}, Origin="http://127.0.0.1:8083")
    assert same.status_code == 200
    form = acting.post("/console/api/StartExecution", data={"stateMachineArn": "x"})
    assert form.status_code == 403 and "application/json" in form.json()["message"]
    broken = acting.post("/console/api/ListStateMachines", content=b"{", headers={"Content-Type": "application/json"})
    assert broken.status_code == 400 and broken.json()["__type"] == "SerializationException"


@pytest.fixture
def durable(tmp_path: Path) -> Iterator[TestClient]:
    yield from _client(True, tmp_path / "runs.db")


def test_stopping_and_redriving_through_the_console(durable: TestClient) -> None:
    acting = durable
    activity = _api_call(acting, "CreateActivity", {"name": "Approve"})["activityArn"]
    definition = {
        "StartAt": "Wait for a worker",
        "States": {"Wait for a worker": {"Type": "Task", "Resource": activity, "End": True}},
    }
    machine = _api_call(
        acting, "CreateStateMachine", {"name": "Worker", "definition": json.dumps(definition), "roleArn": ROLE}
    )
    started = _api(acting, "StartExecution", {"stateMachineArn": machine["stateMachineArn"], "input": "{}"}).json()
    execution = started["executionArn"]
    view = acting.get("/console/api/execution", params={"arn": execution}).json()
    assert view["execution"]["status"] == "RUNNING"
    assert view["outcomes"]["states"]["Wait for a worker"]["outcome"] == "running"
    stopped = _api(acting, "StopExecution", {"executionArn": execution, "error": "Console.Stopped", "cause": "test"})
    assert stopped.status_code == 200, stopped.text
    view = acting.get("/console/api/execution", params={"arn": execution, "since": str(view["eventCount"])}).json()
    assert view["execution"]["status"] == "ABORTED"
    assert view["events"][-1]["type"] == "ExecutionAborted"
    assert view["outcomes"]["states"]["Wait for a worker"]["outcome"] == "cancelled"
    redriven = _api(acting, "RedriveExecution", {"executionArn": execution})
    assert redriven.status_code == 200, redriven.text
    view = acting.get("/console/api/execution", params={"arn": execution}).json()
    for _ in range(200):  # the redriven execution re-enters the state on the server's loop
        if view["outcomes"]["states"]["Wait for a worker"]["outcome"] == "running":
            break
        view = acting.get("/console/api/execution", params={"arn": execution}).json()
    assert view["execution"]["status"] == "RUNNING" and view["execution"]["redriveCount"] == 1
    types = [event["type"] for event in view["events"]]
    assert types[types.index("ExecutionAborted") :] == ["ExecutionAborted", "ExecutionRedriven", "ActivityScheduled"]
    # a redrive takes the open visit up again, without entering the state anew
    assert view["outcomes"]["states"]["Wait for a worker"] == {
        "entered": 1, "outcome": "running", "counts": {"running": 1}, "retries": 0,
    }  # fmt: skip


def _api_call(client: TestClient, operation: str, body: dict[str, Any]) -> Any:
    response = client.post(
        "/",
        content=json.dumps(body),
        headers={"X-Amz-Target": f"AWSStepFunctions.{operation}", "Content-Type": "application/x-amz-json-1.0"},
    )
    assert response.status_code == 200, response.text
    return response.json()
