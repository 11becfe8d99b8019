"""The API Gateway APIs of one account, as local routes: a method and a resource path answered by a
Python handler, optionally only for one API endpoint and stage.

Paths may hold ``{name}`` segments (their values reach the handler as ``path_parameters``) and a
final ``{name+}`` that takes the rest of the path. A request to an API that has routes but none for
its method and path gets what a REST API answers then: 403 ``{"message":"Missing Authentication
Token"}``. An API with no route at all is not emulated: the task fails saying how to add one.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import Any

from asl_engine.errors import ConfigurationError
from asl_engine.services.http.endpoints import METHODS, HttpHandler
from asl_engine.services.http.messages import HttpRequest

_SEGMENT = re.compile(r"\{([A-Za-z0-9_.-]+)(\+?)\}")


@dataclass(frozen=True, slots=True)
class ApiRoute:
    method: str
    """An HTTP method, or ``ANY``."""
    path: str
    handler: HttpHandler
    endpoint: str | None = None
    """The ``ApiEndpoint`` host it belongs to (None: any API)."""
    stage: str | None = None
    regex: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "regex", _path_regex(self.path))

    def serves(self, endpoint: str, stage: str | None) -> bool:
        return (self.endpoint is None or self.endpoint == endpoint) and (self.stage is None or self.stage == stage)

    def match(self, method: str, path: str) -> dict[str, str] | None:
        if self.method not in ("ANY", method):
            return None
        found = self.regex.fullmatch(path)
        return None if found is None else found.groupdict()


def _path_regex(path: str) -> re.Pattern[str]:
    if not isinstance(path, str) or not path.startswith("/"):
        raise ConfigurationError(f"an API route's path starts with '/', got {path!r}")
    parts, position = [], 0
    for segment in _SEGMENT.finditer(path):
        parts.append(re.escape(path[position : segment.start()]))
        parts.append(f"(?P<{segment[1].replace('.', '_').replace('-', '_')}>{'.+' if segment[2] else '[^/]+'})")
        position = segment.end()
    parts.append(re.escape(path[position:]))
    return re.compile("".join(parts) + "/?")


def normalized_path(path: str | None) -> str:
    text = (path or "").strip("/")
    return "/" + text


class ApiGatewayService:
    """Routes of the account's APIs and the requests made to them."""

    def __init__(self) -> None:
        self._routes: list[ApiRoute] = []
        self._requests: list[HttpRequest] = []
        self._lock = threading.Lock()

    def route(
        self, method: str, path: str, handler: HttpHandler, *, endpoint: str | None = None, stage: str | None = None
    ) -> ApiRoute:
        """Answer ``method`` (or ``ANY``) requests to ``path`` with ``handler(request)``."""
        verb = method.upper() if isinstance(method, str) else method
        if verb not in (*METHODS, "ANY"):
            raise ConfigurationError(
                f"route({method!r}, {path!r}): the method must be ANY or one of {', '.join(METHODS)}"
            )
        if not callable(handler):
            raise ConfigurationError(f"route({method!r}, {path!r}): the handler must be callable, got {handler!r}")
        route = ApiRoute(verb, path, handler, endpoint, stage)
        with self._lock:
            self._routes.append(route)
        return route

    def routes(self) -> list[ApiRoute]:
        with self._lock:
            return list(self._routes)

    def routes_of(self, endpoint: str, stage: str | None) -> list[ApiRoute]:
        return [route for route in self.routes() if route.serves(endpoint, stage)]

    def record(self, request: HttpRequest) -> None:
        with self._lock:
            self._requests.append(request)

    def requests(self) -> list[HttpRequest]:
        """The requests the workflows made to APIs, oldest first."""
        with self._lock:
            return list(self._requests)

    def outbox(self) -> dict[str, Any]:
        requests = self.requests()
        return {"requests": [request.to_json() for request in requests]} if requests else {}
