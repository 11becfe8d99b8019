"""``arn:aws:states:::http:invoke``: the HTTP task, answered by a local handler or, when allowed, by the
real endpoint (called with httpx).

Parameters (checked before the task is scheduled, as Step Functions does, failing with
``States.Runtime``): ``ApiEndpoint`` (the URL), ``Method`` (GET, POST, PUT, DELETE, PATCH, HEAD,
OPTIONS), ``Authentication`` or ``InvocationConfig`` with the EventBridge ``ConnectionArn``,
``Headers`` (names to strings), ``QueryParameters`` (names to strings or lists of strings),
``RequestBody`` (any JSON value, sent as JSON text unless ``Transform`` says
``"RequestBodyEncoding": "URL_ENCODED"``, with ``RequestEncodingOptions.ArrayFormat`` INDICES (the
default here), REPEAT, COMMAS or BRACKETS for lists). A connection declared locally adds its
credentials to the request.

The result is ``{Headers, ResponseBody, StatusCode, StatusText}``: ``Headers`` maps names to lists
of values, ``ResponseBody`` is the body parsed when it is JSON, else its text. A response outside
2xx fails the task with ``States.Http.StatusCode.<code>`` and that result as JSON for cause; an
endpoint that cannot be reached or does not answer within 60 seconds with ``States.Http.Socket``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from asl_engine.errors import StatesError
from asl_engine.runtime.handlers import MissingTarget, TaskRequest, UnansweredTask
from asl_engine.services.http import client
from asl_engine.services.http.endpoints import METHODS, HttpService
from asl_engine.services.http.messages import HttpExchange, HttpRequest, as_response, response_body, status_text
from asl_engine.services.sdk_metadata import compact_json
from asl_engine.services.sent import SentBy
from asl_engine.services.support import environment_of, parameters_error, parameters_object, state_prefix

SOCKET = "States.Http.Socket"
ARRAY_FORMATS = ("INDICES", "REPEAT", "COMMAS", "BRACKETS")


class HttpInvokeTask:
    """Answers ``arn:aws:states:::http:invoke``."""

    def __init__(self, service: HttpService) -> None:
        self.service = service

    def check_request(self, request: TaskRequest) -> None:
        parameters = parameters_object(request)
        endpoint = parameters.get("ApiEndpoint")
        if endpoint is None:
            raise parameters_error(request, "The field 'ApiEndpoint' is required")
        if not isinstance(endpoint, str) or urlsplit(endpoint).scheme not in ("http", "https"):
            raise parameters_error(request, "The value of the field 'ApiEndpoint' has an invalid format")
        method = parameters.get("Method")
        if method is None:
            raise parameters_error(request, "The field 'Method' is required")
        if method not in METHODS:
            raise parameters_error(request, "The value of the field 'Method' has an invalid format")
        if _connection_arn(parameters) is None:
            raise parameters_error(request, "The field 'Authentication' is required")
        headers = parameters.get("Headers")
        if headers is not None and (
            not isinstance(headers, Mapping) or not all(isinstance(value, str) for value in headers.values())
        ):
            raise parameters_error(request, "The value of the field 'Headers' has an invalid format")
        query = parameters.get("QueryParameters")
        if query is not None and (
            not isinstance(query, Mapping) or not all(_query_value(value) for value in query.values())
        ):
            raise parameters_error(request, "The value of the field 'QueryParameters' has an invalid format")
        transform = parameters.get("Transform")
        if transform is not None:
            encoding, array_format = _transform(transform)
            if encoding is None or array_format is None:
                raise parameters_error(request, "The value of the field 'Transform' has an invalid format")
            if encoding == "URL_ENCODED" and not isinstance(parameters.get("RequestBody", {}), Mapping):
                raise parameters_error(request, "The value of the field 'RequestBody' has an invalid format")

    def __call__(self, request: TaskRequest) -> Any:
        self.check_request(request)
        parameters = parameters_object(request)
        method = str(parameters["Method"])
        endpoint = str(parameters["ApiEndpoint"])
        connection = self.service.connections.get(str(_connection_arn(parameters)))
        headers: dict[str, str] = dict(parameters.get("Headers") or {})
        query = {
            name: list(value) if isinstance(value, list) else [value]
            for name, value in (parameters.get("QueryParameters") or {}).items()
        }
        secret_headers: frozenset[str] = frozenset()
        public_url = _url(endpoint, query)
        if connection is not None:
            headers.update(connection.headers)
            for name, value in connection.query.items():
                query.setdefault(name, []).append(value)
            secret_headers = frozenset(connection.headers)
        body = _body(parameters, headers)
        url = _url(endpoint, query)
        sent = HttpRequest(
            method, url, urlsplit(endpoint).path or "/", {name: [value] for name, value in headers.items()},
            query, body, sent_by=SentBy.of(request),
        )  # fmt: skip
        self.service.record(sent)
        local = self.service.handler_for(method, endpoint)
        if local is not None:
            response = as_response(local(sent))
            data, content_type = response.encoded()
            answer_headers = response.header_lists()
            if content_type is not None and not any(name.lower() == "content-type" for name in answer_headers):
                answer_headers["Content-Type"] = [content_type]
            answer_headers.setdefault("Content-Length", [str(len(data))])
            self.service.answered(HttpExchange(sent, response.status, answer_headers, data, secret_headers, public_url))
            return _result(response.status, answer_headers, data, content_type)
        if self.service.may_call(endpoint):
            secrets = (secret_headers, public_url)
            return self._call_for_real(request, sent, headers, body, secrets)
        raise UnansweredTask(
            "States.Runtime",
            f"{state_prefix(request)}No local handler answers the HTTP request {method} {endpoint}, and real calls "
            "to it are not allowed.",
            state_name=request.state_name,
            resource=request.resource,
            missing=MissingTarget(
                "HTTP endpoint",
                endpoint,
                "http",
                f'allow = ["{endpoint}"]',
                f'resources.http.endpoint("{endpoint}", handler)',
            ),
        )

    async def _call_for_real(
        self,
        request: TaskRequest,
        sent: HttpRequest,
        headers: dict[str, str],
        body: str | None,
        secrets: tuple[frozenset[str], str],
    ) -> dict[str, Any]:
        env = environment_of(request)
        data = None if body is None else body.encode("utf-8")
        try:
            raw = await env.run_in_thread(client.send, sent.method, sent.url, headers, data, self.service.timeout)
        except client.SocketFailure as failure:
            raise StatesError(SOCKET, str(failure)) from None
        self.service.answered(HttpExchange(sent, raw.status, raw.headers, raw.body, *secrets))
        return _result(raw.status, raw.headers, raw.body, raw.content_type)


def _result(status: int, headers: dict[str, list[str]], data: bytes, content_type: str | None) -> dict[str, Any]:
    result = {
        "Headers": headers,
        "ResponseBody": response_body(data, content_type) if data else "",
        "StatusCode": status,
        "StatusText": status_text(status),
    }
    if not 200 <= status < 300:
        raise StatesError(f"States.Http.StatusCode.{status}", compact_json(result))
    return result


def _url(endpoint: str, query: Mapping[str, list[str]]) -> str:
    return endpoint + (("&" if "?" in endpoint else "?") + urlencode(query, doseq=True) if query else "")


def _connection_arn(parameters: Mapping[str, Any]) -> str | None:
    for field_name in ("Authentication", "InvocationConfig"):
        block = parameters.get(field_name)
        if isinstance(block, Mapping) and isinstance(block.get("ConnectionArn"), str):
            return str(block["ConnectionArn"])
    return None


def _query_value(value: Any) -> bool:
    return isinstance(value, str) or (isinstance(value, list) and all(isinstance(item, str) for item in value))


def _transform(transform: Any) -> tuple[str | None, str | None]:
    if not isinstance(transform, Mapping):
        return None, None
    encoding = transform.get("RequestBodyEncoding", "NONE")
    options = transform.get("RequestEncodingOptions", {})
    array_format = options.get("ArrayFormat", "INDICES") if isinstance(options, Mapping) else None
    return (
        encoding if encoding in ("NONE", "URL_ENCODED") else None,
        array_format if array_format in ARRAY_FORMATS else None,
    )


def _body(parameters: Mapping[str, Any], headers: dict[str, str]) -> str | None:
    if "RequestBody" not in parameters:
        return None
    value = parameters["RequestBody"]
    encoding, array_format = _transform(parameters.get("Transform", {}))
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), None)
    if encoding == "URL_ENCODED":
        if content_type is None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        return "&".join(f"{quote(key, safe='[]')}={quote(text, safe='')}" for key, text in _form(value, array_format))
    if content_type is None:
        headers["Content-Type"] = "application/json"
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _form(value: Any, array_format: str | None, prefix: str = "") -> list[tuple[str, str]]:
    """Form fields of a JSON object: nested objects as ``key[sub]``, lists per ``ArrayFormat``."""
    pairs: list[tuple[str, str]] = []
    items = value.items() if isinstance(value, Mapping) else []
    for key, item in items:
        name = f"{prefix}[{key}]" if prefix else str(key)
        if isinstance(item, Mapping):
            pairs.extend(_form(item, array_format, name))
        elif isinstance(item, list):
            texts = [_text(element) for element in item]
            if array_format == "COMMAS":
                pairs.append((name, ",".join(texts)))
            elif array_format == "REPEAT":
                pairs.extend((name, text) for text in texts)
            elif array_format == "BRACKETS":
                pairs.extend((f"{name}[]", text) for text in texts)
            else:
                pairs.extend((f"{name}[{index}]", text) for index, text in enumerate(texts))
        else:
            pairs.append((name, _text(item)))
    return pairs


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"))
