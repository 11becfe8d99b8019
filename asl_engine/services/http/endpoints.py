"""The HTTP task's side of one account: local handlers for HTTPS endpoints, which real endpoints may be
called, the EventBridge connections' credentials, and the requests the workflows made.

A request goes to the first local handler whose URL pattern (``*`` for any run of characters) and
method match it. Without one, it goes to the real endpoint only when that is allowed (``allow``
patterns, or ``real = True``); otherwise the task fails saying how to answer it. Nothing is sent
anywhere unless allowed.
"""

from __future__ import annotations

import base64
import re
import threading
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from asl_engine.errors import ConfigurationError
from asl_engine.services.http.messages import HttpExchange, HttpRequest

HttpHandler = Callable[[HttpRequest], Any]
METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS")


def url_pattern(pattern: str) -> re.Pattern[str]:
    """A URL pattern: ``*`` stands for any run of characters, the rest is literal."""
    if not isinstance(pattern, str) or not pattern:
        raise ConfigurationError(f"expected a URL pattern such as 'https://api.example.com/*', got {pattern!r}")
    return re.compile(".*".join(re.escape(part) for part in pattern.split("*")), re.DOTALL)


@dataclass(frozen=True, slots=True)
class Endpoint:
    pattern: str
    handler: HttpHandler
    method: str | None = None
    regex: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "regex", url_pattern(self.pattern))

    def answers(self, method: str, url: str) -> bool:
        return (self.method is None or self.method == method) and self.regex.fullmatch(url) is not None


@dataclass(frozen=True, slots=True)
class Connection:
    """An EventBridge connection's authorization, added to requests that name its ARN."""

    headers: Mapping[str, str] = field(default_factory=dict)
    query: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def api_key(cls, name: str, value: str) -> Connection:
        return cls({name: value})

    @classmethod
    def basic(cls, username: str, password: str) -> Connection:
        token = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
        return cls({"Authorization": f"Basic {token}"})

    @classmethod
    def oauth(cls, token: str) -> Connection:
        """An OAuth connection with a token obtained beforehand (the client-credentials exchange that
        EventBridge performs is not emulated)."""
        return cls({"Authorization": f"Bearer {token}"})


EXCHANGES_KEPT = 1024
"""Answered requests kept for TestState's TRACE level: the newest only, so that a long run's responses
are not all held (the outbox keeps every request, without its answer)."""


class HttpService:
    """Local HTTPS endpoints, what may be called for real, connections and the requests made."""

    def __init__(self) -> None:
        self._endpoints: list[Endpoint] = []
        self._allowed: list[re.Pattern[str]] = []
        self.allowed_patterns: list[str] = []
        self.real = False
        """Call any endpoint no local handler answers (``[http] real = true``)."""
        self.connections: dict[str, Connection] = {}
        self._requests: list[HttpRequest] = []
        self._exchanges: deque[HttpExchange] = deque(maxlen=EXCHANGES_KEPT)
        self._lock = threading.Lock()
        self.timeout = 60.0
        """Seconds a real call may take (Step Functions' limit for an HTTP task)."""

    def endpoint(self, pattern: str, handler: HttpHandler, *, method: str | None = None) -> Endpoint:
        """Answer requests to URLs matching ``pattern`` (and ``method``, if given) with ``handler(request)``."""
        if not callable(handler):
            raise ConfigurationError(f"endpoint({pattern!r}): the handler must be callable, got {handler!r}")
        if method is not None and method.upper() not in METHODS:
            raise ConfigurationError(f"endpoint({pattern!r}): method must be one of {', '.join(METHODS)}")
        endpoint = Endpoint(pattern, handler, method.upper() if method else None)
        with self._lock:
            self._endpoints.append(endpoint)
        return endpoint

    def allow(self, pattern: str) -> None:
        """Let requests to URLs matching ``pattern`` that no local handler answers reach the real endpoint."""
        compiled = url_pattern(pattern)
        with self._lock:
            self._allowed.append(compiled)
            self.allowed_patterns.append(pattern)

    def handler_for(self, method: str, url: str) -> HttpHandler | None:
        with self._lock:
            endpoints = list(self._endpoints)
        return next((endpoint.handler for endpoint in endpoints if endpoint.answers(method, url)), None)

    def may_call(self, url: str) -> bool:
        with self._lock:
            return self.real or any(pattern.fullmatch(url) for pattern in self._allowed)

    def record(self, request: HttpRequest) -> None:
        with self._lock:
            self._requests.append(request)

    def answered(self, exchange: HttpExchange) -> None:
        with self._lock:
            self._exchanges.append(exchange)

    def exchanges(self, execution_arn: str | None = None) -> list[HttpExchange]:
        """The requests that got an answer, with it, oldest first (only ``execution_arn``'s when given)."""
        with self._lock:
            return [
                exchange
                for exchange in self._exchanges
                if execution_arn is None or exchange.request.sent_by.execution_arn == execution_arn
            ]

    def requests(self) -> list[HttpRequest]:
        """The requests the workflows made, oldest first."""
        with self._lock:
            return list(self._requests)

    def outbox(self) -> dict[str, Any]:
        return {"requests": [request.to_json() for request in self.requests()]} if self._requests else {}
