"""``arn:aws:states:::apigateway:invoke`` answered by local API routes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from asl_engine.services import HttpRequest, HttpResponse, Resources, load_resources
from tests.services.support import clock, events, task_machine

INVOKE = "arn:aws:states:::apigateway:invoke"
ENDPOINT = "abc123.execute-api.us-east-1.amazonaws.com"


def invoke(resources: Resources, **parameters: Any) -> Any:
    parameters = {"ApiEndpoint": ENDPOINT, "Method": "POST", **parameters}
    return task_machine(INVOKE, Parameters=parameters).execute({}, resources=resources, clock=clock())


def test_a_route_answers_with_the_recorded_result_shape() -> None:
    resources = Resources()
    seen: list[HttpRequest] = []

    def create(request: HttpRequest) -> Any:
        seen.append(request)
        return {"id": request.path_parameters["customer"], "body": request.json()}

    resources.apigateway.route("POST", "/customers/{customer}/orders", create, stage="prod")
    output = invoke(
        resources, Stage="prod", Path="customers/c7/orders", RequestBody={"n": 1}, Headers={"X-Trace": ["t1"]},
        QueryParameters={"dry": ["true"]},
    ).output  # fmt: skip
    assert (output["StatusCode"], output["StatusText"]) == (200, "OK")
    assert output["ResponseBody"] == {"id": "c7", "body": {"n": 1}}
    headers = output["Headers"]
    assert headers["Content-Length"] == [str(len(json.dumps(output["ResponseBody"])))]
    assert headers["X-Cache"] == ["Miss from cloudfront"] and headers["Connection"] == ["keep-alive"]
    assert {"Date", "Via", "x-amz-apigw-id", "X-Amz-Cf-Id", "X-Amz-Cf-Pop", "x-amzn-RequestId"} <= set(headers)
    (request,) = seen
    assert request.url == f"https://{ENDPOINT}/prod/customers/c7/orders?dry=true"
    assert request.header("x-trace") == "t1" and request.query == {"dry": ["true"]}
    assert resources.outbox.apigateway() == seen


def test_an_unknown_path_is_api_gateways_403_and_fails_the_task() -> None:
    resources = Resources()
    resources.apigateway.route("POST", "/orders", lambda request: {})
    execution = invoke(resources, Path="nowhere")
    assert execution.error == "ApiGateway.403"
    assert json.loads(execution.cause or "") == {"message": "Missing Authentication Token"}


def test_handler_status_codes_and_headers() -> None:
    resources = Resources()
    resources.apigateway.route(
        "ANY", "/items/{rest+}", lambda request: HttpResponse(409, "taken", {"Retry-After": "3"})
    )
    execution = invoke(resources, Method="PUT", Path="items/a/b")
    assert (execution.error, execution.cause) == ("ApiGateway.409", "taken")


def test_a_bad_headers_field_fails_before_the_task_is_scheduled() -> None:
    resources = Resources()
    resources.apigateway.route("POST", "/orders", lambda request: {})
    execution = invoke(resources, Path="orders", Headers={"custom_header": "singleStringHeader"})
    assert execution.error == "States.Runtime"
    assert execution.cause is not None and execution.cause.startswith(
        "An error occurred while executing the state 'Call' (entered at the event id #2). The Parameters '"
    )
    assert execution.cause.endswith(
        "could not be used to start the Task: [The value of the field 'Headers' has an invalid format]"
    )
    assert [event["type"] for event in execution.history] == ["ExecutionStarted", "TaskStateEntered", "ExecutionFailed"]


def test_an_api_with_no_route_says_how_to_add_one() -> None:
    execution = invoke(Resources(), Path="orders")
    assert execution.error == "States.Runtime"
    assert execution.cause is not None and "No local route answers the API Gateway request POST" in execution.cause
    assert execution.advice is not None and 'resources.apigateway.route("POST", "/orders", handler)' in execution.advice
    assert events(execution, "TaskScheduled")  # the request was valid: the task was scheduled


def test_routes_from_asl_toml(tmp_path: Path) -> None:
    (tmp_path / "api.py").write_text("def orders(request):\n    return {'method': request.method}\n")
    file = tmp_path / "asl.toml"
    file.write_text('[apigateway.routes]\n"GET /orders" = "api:orders"\n')
    execution = invoke(load_resources(file), Method="GET", Path="/orders")
    assert execution.output["ResponseBody"] == {"method": "GET"}
