"""``arn:aws:states:::http:invoke``: local handlers, and real calls (to a server the test starts on a
free loopback port) only where ``asl.toml`` allows them."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from asl_engine import RealClock
from asl_engine.services import HttpRequest, HttpResponse, Resources, load_resources
from tests.services.support import clock, task_machine

INVOKE = "arn:aws:states:::http:invoke"
CONNECTION = "arn:aws:events:us-east-1:123456789012:connection/Api/abc"


def invoke(resources: Resources, *, real_clock: bool = False, **parameters: Any) -> Any:
    parameters = {"Method": "GET", "Authentication": {"ConnectionArn": CONNECTION}, **parameters}
    machine = task_machine(INVOKE, Parameters=parameters)
    return machine.execute({}, resources=resources, clock=RealClock() if real_clock else clock())


def test_a_local_handler_answers() -> None:
    resources = Resources()
    resources.http.endpoint(
        "https://api.example.com/orders/*", lambda request: {"path": request.path, "q": request.query}
    )
    output = invoke(
        resources, ApiEndpoint="https://api.example.com/orders/7", QueryParameters={"expand": "items"}
    ).output
    assert output["StatusCode"] == 200 and output["StatusText"] == "OK"
    assert output["ResponseBody"] == {"path": "/orders/7", "q": {"expand": ["items"]}}
    assert output["Headers"]["Content-Type"] == ["application/json"]
    (request,) = resources.outbox.http()
    assert request.url == "https://api.example.com/orders/7?expand=items"


def test_the_body_is_json_or_form_encoded_and_the_connection_signs_it(tmp_path: Path) -> None:
    file = tmp_path / "asl.toml"
    file.write_text(f'[http.connections."{CONNECTION}"]\napi_key = {{ name = "x-api-key", value = "secret" }}\n')
    resources = load_resources(file)
    seen: list[HttpRequest] = []
    resources.http.endpoint("https://api.example.com/*", lambda request: seen.append(request) or "ok", method="POST")
    invoke(resources, Method="POST", ApiEndpoint="https://api.example.com/a", RequestBody={"x": [1, 2]})
    invoke(
        resources, Method="POST", ApiEndpoint="https://api.example.com/b", RequestBody={"x": [1, 2], "y": {"z": "w"}},
        Transform={"RequestBodyEncoding": "URL_ENCODED", "RequestEncodingOptions": {"ArrayFormat": "BRACKETS"}},
    )  # fmt: skip
    as_json, as_form = seen
    assert as_json.body == '{"x":[1,2]}' and as_json.header("content-type") == "application/json"
    assert as_form.body == "x[]=1&x[]=2&y[z]=w"
    assert as_form.header("Content-Type") == "application/x-www-form-urlencoded"
    assert as_json.header("x-api-key") == "secret"


def test_statuses_outside_2xx_fail_the_task() -> None:
    resources = Resources()
    resources.http.endpoint("https://api.example.com/*", lambda request: HttpResponse(404, {"error": "no"}))
    execution = invoke(resources, ApiEndpoint="https://api.example.com/x")
    assert execution.error == "States.Http.StatusCode.404"
    assert json.loads(execution.cause or "")["ResponseBody"] == {"error": "no"}


def test_parameters_are_checked_before_scheduling() -> None:
    execution = invoke(Resources(), ApiEndpoint="https://api.example.com", Headers={"a": 1})
    assert execution.error == "States.Runtime"
    assert execution.cause is not None and execution.cause.endswith(
        "[The value of the field 'Headers' has an invalid format]"
    )
    no_connection = task_machine(INVOKE, Parameters={"ApiEndpoint": "https://x", "Method": "GET"})
    assert "The field 'Authentication' is required" in (no_connection.execute({}, resources=Resources()).cause or "")


def test_nothing_is_sent_unless_allowed() -> None:
    execution = invoke(Resources(), ApiEndpoint="https://api.example.com/orders")
    assert execution.error == "States.Runtime"
    assert execution.cause is not None and "real calls to it are not allowed" in execution.cause
    (task,) = execution.unanswered_tasks
    assert task.missing is not None and task.missing.config_line == 'allow = ["https://api.example.com/orders"]'


class _Api(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        status = 500 if self.path.startswith("/broken") else 201
        answer = json.dumps({"got": json.loads(body), "auth": self.headers.get("Authorization")}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Api)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


@pytest.mark.parametrize("clock_kind", ["virtual", "real"])
def test_a_real_call_where_asl_toml_allows_it(server: str, tmp_path: Path, clock_kind: str) -> None:
    pytest.importorskip("httpx")
    file = tmp_path / "asl.toml"
    file.write_text(
        f'[http]\nallow = ["{server}/orders*"]\n'
        f'[http.connections."{CONNECTION}"]\nbasic = {{ username = "u", password = "p" }}\n'
    )
    resources = load_resources(file)
    execution = invoke(
        resources, real_clock=clock_kind == "real", Method="POST", ApiEndpoint=f"{server}/orders", RequestBody={"n": 1}
    )
    output = execution.output
    assert (output["StatusCode"], output["StatusText"]) == (201, "Created")
    assert output["ResponseBody"] == {"got": {"n": 1}, "auth": "Basic dTpw"}
    assert output["Headers"]["Content-Type"] == ["application/json"]
    refused = invoke(resources, Method="POST", ApiEndpoint=f"{server}/broken", RequestBody={})
    assert refused.error == "States.Runtime"  # not allowed: never sent


def test_real_failures(server: str) -> None:
    pytest.importorskip("httpx")
    resources = Resources()
    resources.http.real = True
    broken = invoke(resources, Method="POST", ApiEndpoint=f"{server}/broken", RequestBody={})
    assert broken.error == "States.Http.StatusCode.500"
    resources.http.timeout = 2.0
    port = server.rsplit(":", 1)[1]
    unreachable = invoke(resources, ApiEndpoint=f"http://127.0.0.1:{int(port) + 1 if port != '65535' else 1}/x")
    assert unreachable.error == "States.Http.Socket"
