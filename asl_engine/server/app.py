"""The HTTP face of the service: an ASGI app answering ``POST /`` in the AWS JSON 1.0 protocol.

Every API call is a ``POST /``, so the app answers it as a plain ASGI callable: it reads the two
headers it needs from the scope, the body from ``receive`` and sends one answer, without a router,
middleware, request or response objects (they cost more per call than the HTTP server itself).
Everything else (the lifespan, and the routes given to ``create_app``, the console's pages) goes to
a Starlette app; a given route that would take ``POST /`` itself keeps it. No error leaves as a
traceback: an unexpected exception is logged and answered with AWS's ``InternalFailure`` (HTTP 500)
and no detail.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Sequence
from typing import Any

from starlette.applications import Starlette
from starlette.datastructures import State
from starlette.routing import BaseRoute, Match, Route
from starlette.types import Message, Receive, Scope, Send

from asl_engine.server.errors import ServiceError
from asl_engine.server.protocol import CONTENT_TYPE, TARGET_HEADER, encode, encode_error, operation_of, parse_body
from asl_engine.server.service import StepFunctionsService
from asl_engine.server.settings import MAX_BODY_BYTES, ServerSettings

log = logging.getLogger("asl_engine.server")

_CONTENT_TYPE_HEADER = (b"content-type", CONTENT_TYPE.encode("ascii"))
_TARGET_HEADER = TARGET_HEADER.encode("ascii")
_LENGTH_HEADER = b"content-length"


class ApiEndpoint:
    """``POST /`` as a plain ASGI callable: one API call, from the HTTP request to the HTTP response."""

    def __init__(self, service: StepFunctionsService) -> None:
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        target: str | None = None
        declared: bytes | None = None
        for name, value in scope["headers"]:
            if name == _TARGET_HEADER:
                target = value.decode("latin-1")
            elif name == _LENGTH_HEADER:
                declared = value
        try:
            if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
                raise ServiceError(
                    "ValidationException",
                    f"Request body of {int(declared)} bytes exceeds the maximum request size of {MAX_BODY_BYTES} bytes",
                    413,
                )
            operation = operation_of(target)
            body = await read_body(receive)
            if body is None:
                return  # the client went away: nobody to answer
            result = await self.service.call(operation, parse_body(body))
            status, payload = 200, encode(result)
        except ServiceError as error:
            status, payload = error.status, encode_error(error)
        except Exception:
            log.exception("internal failure answering %s", target or "a request")
            failure = ServiceError("InternalFailure", "The server failed to answer the request (see its log)", 500)
            status, payload = 500, encode_error(failure)
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-length", str(len(payload)).encode("ascii")), _CONTENT_TYPE_HEADER],
            }
        )
        await send({"type": "http.response.body", "body": payload})


class ApiApp:
    """The server's ASGI app: ``POST /`` goes straight to the API, the rest to ``pages`` (a Starlette
    app with the given routes, then ``POST /``). ``state.service`` is its ``StepFunctionsService``,
    as on a Starlette app."""

    def __init__(self, api: ApiEndpoint, pages: Starlette, *, api_first: bool) -> None:
        self.api = api
        self.pages = pages
        self._api_first = api_first

    @property
    def state(self) -> State:
        return self.pages.state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._api_first and scope["type"] == "http" and scope["method"] == "POST" and scope["path"] == "/":
            await self.api(scope, receive, send)
        else:
            await self.pages(scope, receive, send)


async def read_body(receive: Receive) -> bytes | None:
    """The request's body (None when the client disconnected); reading stops past ``MAX_BODY_BYTES``,
    which ``parse_body`` then refuses."""
    message: Message = await receive()
    if message["type"] != "http.request":
        return None
    body: bytes = message.get("body", b"")
    if not message.get("more_body", False):
        return body
    chunks = [body]
    size = len(body)
    while message.get("more_body", False) and size <= MAX_BODY_BYTES:
        message = await receive()
        if message["type"] != "http.request":
            return None
        chunk = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def create_app(
    settings: ServerSettings,
    *,
    routes: Sequence[BaseRoute] = (),
    service: StepFunctionsService | None = None,
) -> ApiApp:
    """The server's ASGI app; ``app.state.service`` is its ``StepFunctionsService``."""
    the_service = service if service is not None else StepFunctionsService(settings)

    api = ApiEndpoint(the_service)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await the_service.start()
        try:
            yield
        finally:
            if service is None:
                the_service.close()

    pages = Starlette(routes=[*routes, Route("/", api, methods=["POST"])], lifespan=lifespan)
    pages.state.service = the_service
    return ApiApp(api, pages, api_first=not any(_takes_post_root(route) for route in routes))


def _takes_post_root(route: BaseRoute) -> bool:
    """Whether a given route answers ``POST /`` itself (it keeps it: given routes are matched first)."""
    scope: dict[str, Any] = {"type": "http", "method": "POST", "path": "/", "root_path": "", "headers": []}
    match, _ = route.matches(scope)
    return match is Match.FULL
