"""``arn:aws:states:::apigateway:invoke`` (request-response and ``.waitForTaskToken``), answered by the
account's local API routes.

Parameters (checked before the task is scheduled, as Step Functions does: a bad one fails the
execution with ``States.Runtime``, recorded on AWS for ``Headers``): ``ApiEndpoint`` (the API's host,
``<id>.execute-api.<region>.amazonaws.com``), ``Method``, ``Stage``, ``Path``, ``Headers`` and
``QueryParameters`` (names to lists of strings), ``RequestBody`` (sent as JSON text),
``AllowNullValues``, ``AuthType`` (NO_AUTH, IAM_ROLE, RESOURCE_POLICY; not enforced).

The result is ``{Headers, ResponseBody, StatusCode, StatusText}`` as recorded on AWS: the headers
API Gateway behind CloudFront sends (each a list of values) plus the handler's, the body parsed
when it is JSON. A status outside 2xx fails the task with ``ApiGateway.<status>`` and the response
body as cause (recorded: ``ApiGateway.403``, ``{"message": "Missing Authentication Token"}``).
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from asl_engine.errors import StatesError
from asl_engine.runtime.handlers import MissingTarget, TaskRequest, UnansweredTask
from asl_engine.services.apigateway.apis import ApiGatewayService, normalized_path
from asl_engine.services.http.endpoints import METHODS
from asl_engine.services.http.messages import HttpRequest, HttpResponse, as_response, response_body, status_text
from asl_engine.services.sdk_metadata import http_date, trace_id
from asl_engine.services.sent import SentBy
from asl_engine.services.support import environment_of, parameters_error, parameters_object, state_prefix

AUTH_TYPES = ("NO_AUTH", "IAM_ROLE", "RESOURCE_POLICY")
MISSING_TOKEN = HttpResponse(403, {"message": "Missing Authentication Token"})


class InvokeTask:
    """Answers ``arn:aws:states:::apigateway:invoke`` and its ``.waitForTaskToken`` form."""

    def __init__(self, service: ApiGatewayService) -> None:
        self.service = service

    def check_request(self, request: TaskRequest) -> None:
        parameters = parameters_object(request)
        for required in ("ApiEndpoint", "Method"):
            if parameters.get(required) is None:
                raise parameters_error(request, f"The field '{required}' is required")
        if not isinstance(parameters["ApiEndpoint"], str):
            raise parameters_error(request, "The value of the field 'ApiEndpoint' has an invalid format")
        if parameters["Method"] not in METHODS:
            raise parameters_error(request, "The value of the field 'Method' has an invalid format")
        for field_name in ("Headers", "QueryParameters"):
            value = parameters.get(field_name)
            if value is not None and not _lists_of_strings(value):
                raise parameters_error(request, f"The value of the field '{field_name}' has an invalid format")
        for field_name in ("Stage", "Path"):
            value = parameters.get(field_name)
            if value is not None and not isinstance(value, str):
                raise parameters_error(request, f"The value of the field '{field_name}' has an invalid format")
        if parameters.get("AuthType", "NO_AUTH") not in AUTH_TYPES:
            raise parameters_error(request, "The value of the field 'AuthType' has an invalid format")
        if not isinstance(parameters.get("AllowNullValues", False), bool):
            raise parameters_error(request, "The value of the field 'AllowNullValues' has an invalid format")

    def __call__(self, request: TaskRequest) -> dict[str, Any]:
        self.check_request(request)
        env = environment_of(request)
        parameters = parameters_object(request)
        endpoint = str(parameters["ApiEndpoint"]).removeprefix("https://").rstrip("/")
        method = str(parameters["Method"])
        stage = parameters.get("Stage")
        path = normalized_path(parameters.get("Path"))
        headers = {name: list(values) for name, values in (parameters.get("Headers") or {}).items()}
        query = {name: list(values) for name, values in (parameters.get("QueryParameters") or {}).items()}
        body = None
        if "RequestBody" in parameters:
            value = parameters["RequestBody"]
            body = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"), ensure_ascii=False)
            if not any(name.lower() == "content-type" for name in headers):
                headers["Content-Type"] = ["application/json"]
        prefix = f"/{stage}" if stage else ""
        url = f"https://{endpoint}{prefix}{path}" + (f"?{urlencode(query, doseq=True)}" if query else "")
        routes = self.service.routes_of(endpoint, stage)
        if not routes:
            raise UnansweredTask(
                "States.Runtime",
                f"{state_prefix(request)}No local route answers the API Gateway request {method} {url}.",
                state_name=request.state_name,
                resource=request.resource,
                missing=MissingTarget(
                    "API Gateway route",
                    f"{method} {path}",
                    "apigateway",
                    f'"{method} {path}" = "module:function"',
                    f'resources.apigateway.route("{method}", "{path}", handler)',
                ),
            )
        chosen = next(((route, found) for route in routes if (found := route.match(method, path)) is not None), None)
        sent = HttpRequest(
            method, url, path, headers, query, body, stage, chosen[1] if chosen else {}, SentBy.of(request)
        )
        self.service.record(sent)
        response = MISSING_TOKEN if chosen is None else as_response(chosen[0].handler(sent))
        return _result(response, env)


def _lists_of_strings(value: Any) -> bool:
    return isinstance(value, Mapping) and all(
        isinstance(values, list) and all(isinstance(item, str) for item in values) for values in value.values()
    )


def _result(response: HttpResponse, env: Any) -> dict[str, Any]:
    data, content_type = response.encoded()
    rng, now = env.random, env.now()
    headers: dict[str, list[str]] = {
        "Connection": ["keep-alive"],
        "Content-Length": [str(len(data))],
        "Content-Type": [content_type or "application/json"],
        "Date": [http_date(now)],
        "Via": [f"1.1 {rng.getrandbits(128):032x}.cloudfront.net (CloudFront)"],
        "x-amz-apigw-id": [base64.b64encode(rng.getrandbits(96).to_bytes(12, "big")).decode("ascii")[:16]],
        "X-Amz-Cf-Id": [base64.urlsafe_b64encode(rng.getrandbits(336).to_bytes(42, "big")).decode("ascii")[:56]],
        "X-Amz-Cf-Pop": ["IAD89-C3"],
        "x-amzn-RequestId": [str(uuid.UUID(int=rng.getrandbits(128), version=4))],
        "X-Amzn-Trace-Id": [trace_id(rng, now).replace(";Sampled=0", "")],
        "X-Cache": ["Miss from cloudfront" if 200 <= response.status < 300 else "Error from cloudfront"],
    }
    for name, values in response.header_lists().items():
        existing = next((key for key in headers if key.lower() == name.lower()), name)
        headers[existing] = values
    if not 200 <= response.status < 300:
        raise StatesError(f"ApiGateway.{response.status}", data.decode("utf-8", "replace"))
    return {
        "Headers": headers,
        "ResponseBody": response_body(data, content_type) if data else {},
        "StatusCode": response.status,
        "StatusText": status_text(response.status),
    }
