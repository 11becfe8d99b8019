"""Requests and responses of the HTTP integrations (the HTTP task and API Gateway), as local handlers
see them and as the outbox keeps them.

A local handler receives an ``HttpRequest`` and returns an ``HttpResponse``, or just a body: a JSON
value (sent as ``application/json``, 200) or text (``text/plain``, 200).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from asl_engine.services.sent import NOBODY, SentBy

STATUS_TEXT = {
    200: "OK", 201: "Created", 202: "Accepted", 204: "No Content", 301: "Moved Permanently", 302: "Found",
    304: "Not Modified", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
    405: "Method Not Allowed", 409: "Conflict", 410: "Gone", 412: "Precondition Failed",
    415: "Unsupported Media Type", 422: "Unprocessable Entity", 429: "Too Many Requests",
    500: "Internal Server Error", 501: "Not Implemented", 502: "Bad Gateway", 503: "Service Unavailable",
    504: "Gateway Timeout",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class HttpRequest:
    """A request a Task made: to an HTTPS API (``http:invoke``) or to an API Gateway API."""

    method: str
    url: str
    """The full URL, query string included."""
    path: str
    headers: Mapping[str, list[str]] = field(default_factory=dict)
    query: Mapping[str, list[str]] = field(default_factory=dict)
    body: str | None = None
    """The body as sent (JSON text, form data or text), None without one."""
    stage: str | None = None
    """API Gateway only: the stage the request named."""
    path_parameters: Mapping[str, str] = field(default_factory=dict)
    """API Gateway only: the values of the route's ``{name}`` segments."""
    sent_by: SentBy = NOBODY

    def header(self, name: str) -> str | None:
        """The first value of header ``name`` (case-insensitive), or None."""
        lowered = name.lower()
        for key, values in self.headers.items():
            if key.lower() == lowered and values:
                return values[0]
        return None

    def json(self) -> Any:
        """The body parsed as JSON (None without a body)."""
        return None if self.body is None else json.loads(self.body)

    def to_json(self) -> dict[str, Any]:
        shown: dict[str, Any] = {"method": self.method, "url": self.url}
        if self.stage is not None:
            shown["stage"] = self.stage
        if self.headers:
            shown["headers"] = {name: list(values) for name, values in self.headers.items()}
        if self.body is not None:
            shown["body"] = self.body
        shown["sentBy"] = self.sent_by.to_json()
        return shown


@dataclass(frozen=True, slots=True)
class HttpResponse:
    """A response from a local handler (or a real server)."""

    status: int = 200
    body: Any = None
    """A JSON value (sent as JSON text), text, bytes, or None for an empty body."""
    headers: Mapping[str, str | list[str]] = field(default_factory=dict)

    def encoded(self) -> tuple[bytes, str | None]:
        """The body's bytes and the content type they imply (None: no body)."""
        body = self.body
        if body is None:
            return b"", None
        if isinstance(body, bytes):
            return body, "application/octet-stream"
        if isinstance(body, str):
            return body.encode("utf-8"), "text/plain; charset=utf-8"
        # As a Python Lambda function's answer is serialized (json.dumps with its default separators).
        return json.dumps(body).encode("utf-8"), "application/json"

    def header_lists(self) -> dict[str, list[str]]:
        return {name: list(value) if isinstance(value, list) else [value] for name, value in self.headers.items()}


@dataclass(frozen=True, slots=True)
class HttpExchange:
    """One request the HTTP task sent and the answer it got, as TestState's TRACE level shows them.

    ``secret_headers`` names the headers an EventBridge connection added and ``public_url`` is the URL
    without the query parameters it added: TestState shows those only when ``revealSecrets`` is set,
    as Step Functions does.
    """

    request: HttpRequest
    status: int
    headers: Mapping[str, list[str]]
    body: bytes
    secret_headers: frozenset[str] = frozenset()
    public_url: str = ""


def as_response(answer: Any) -> HttpResponse:
    """A handler's answer as a response: an ``HttpResponse``, or a body for a 200."""
    return answer if isinstance(answer, HttpResponse) else HttpResponse(200, answer)


def response_body(data: bytes, content_type: str | None) -> Any:
    """The body as Step Functions returns it in ``ResponseBody``: parsed when it is JSON, else text."""
    text = data.decode("utf-8", "replace")
    if (content_type is not None and "json" in content_type.lower()) or _looks_like_json(text):
        try:
            return json.loads(text)
        except ValueError:
            return text
    return text


def _looks_like_json(text: str) -> bool:
    stripped = text.strip()
    return stripped[:1] in ("{", "[")


def status_text(status: int) -> str:
    return STATUS_TEXT.get(status, "")
