"""The HTTP face of the service: a Starlette app answering ``POST /`` in the AWS JSON 1.0 protocol.

Routes given to ``create_app`` (the console's pages) are matched before the API, which takes every
``POST /``. No error leaves as a traceback: an unexpected exception is logged and answered with
AWS's ``InternalFailure`` (HTTP 500) and no detail.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Sequence

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from asl_engine.server.errors import ServiceError
from asl_engine.server.protocol import CONTENT_TYPE, encode, encode_error, operation_of, parse_body
from asl_engine.server.service import StepFunctionsService
from asl_engine.server.settings import MAX_BODY_BYTES, ServerSettings

log = logging.getLogger("asl_engine.server")


def create_app(
    settings: ServerSettings,
    *,
    routes: Sequence[BaseRoute] = (),
    service: StepFunctionsService | None = None,
) -> Starlette:
    """The server's ASGI app; ``app.state.service`` is its ``StepFunctionsService``."""
    the_service = service if service is not None else StepFunctionsService(settings)

    async def api(request: Request) -> Response:
        return await answer(the_service, request)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await the_service.start()
        try:
            yield
        finally:
            if service is None:
                the_service.close()

    app = Starlette(routes=[*routes, Route("/", api, methods=["POST"])], lifespan=lifespan)
    app.state.service = the_service
    return app


async def answer(service: StepFunctionsService, request: Request) -> Response:
    """One API call, from the HTTP request to the HTTP response."""
    try:
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            raise ServiceError(
                "ValidationException",
                f"Request body of {declared} bytes exceeds the maximum request size of {MAX_BODY_BYTES} bytes",
                413,
            )
        operation = operation_of(request.headers)
        body = parse_body(await request.body())
        result = await service.call(operation, body)
        return Response(encode(result), media_type=CONTENT_TYPE)
    except ServiceError as error:
        return Response(encode_error(error), status_code=error.status, media_type=CONTENT_TYPE)
    except Exception:
        log.exception("internal failure answering %s", request.headers.get("x-amz-target", "a request"))
        failure = ServiceError("InternalFailure", "The server failed to answer the request (see its log)", 500)
        return Response(encode_error(failure), status_code=500, media_type=CONTENT_TYPE)
