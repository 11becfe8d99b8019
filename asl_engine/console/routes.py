"""The console's routes: three pages with stable addresses, their static assets and a JSON API.

Pages (HTML shells; ``console.js`` fetches their data):

* ``GET /``: state machines and recent executions;
* ``GET /state-machines/<url-encoded ARN>``: one machine, its graph, definition and executions;
* ``GET /executions/<url-encoded ARN>``: one execution, coloured graph, events, input and output.

JSON, under ``/console/api/``:

* ``GET home``, ``GET state-machine?arn=``, ``GET execution?arn=&since=``: each page's data
  (``views.py``);
* ``POST <Operation>``: a Step Functions API operation, forwarded to the service. Read operations
  always; actions (``ACTIONS``) only when the server runs with ``--allow-actions``, otherwise 403.

Posts must be ``application/json`` and, when the browser says where they come from (``Origin``),
come from the console's own origin: a page on another site cannot make the console act.
"""

from __future__ import annotations

import html
import json
import logging
from collections.abc import Awaitable, Callable
from importlib import resources
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from asl_engine import __version__
from asl_engine.console.views import HistoryCache, Service, execution_view, home_view, machine_view
from asl_engine.server import ServiceError

log = logging.getLogger("asl_engine.console")

PREFIX = "/console"
READ_OPERATIONS = frozenset(
    {
        "ListStateMachines",
        "DescribeStateMachine",
        "DescribeStateMachineForExecution",
        "ListStateMachineVersions",
        "ListStateMachineAliases",
        "DescribeStateMachineAlias",
        "ListExecutions",
        "DescribeExecution",
        "GetExecutionHistory",
        "ListMapRuns",
        "DescribeMapRun",
        "ListActivities",
        "DescribeActivity",
        "ListTagsForResource",
        "ValidateStateMachineDefinition",
    }
)
"""Operations the console may forward whatever the settings: they change nothing."""
ACTIONS = frozenset({"StartExecution", "StopExecution", "RedriveExecution", "SendTaskSuccess", "SendTaskFailure"})
"""Operations the console forwards only with ``--allow-actions``."""

_SHELL = resources.files("asl_engine.console").joinpath("templates", "page.html").read_text(encoding="utf-8")

Endpoint = Callable[[Request], Awaitable[Response]]


def console_routes(service: Service, *, allow_actions: bool = False) -> list[BaseRoute]:
    """The console's routes for ``create_app(settings, routes=...)``: pages, assets and JSON API,
    reading and (with ``allow_actions``) acting through ``service``."""
    histories = HistoryCache()

    def page(kind: str) -> Endpoint:
        async def endpoint(request: Request) -> Response:
            arn = request.path_params.get("arn", "")
            return HTMLResponse(_shell(kind, arn, allow_actions))

        return endpoint

    async def home(request: Request) -> Response:
        params = request.query_params
        return await _answer(lambda: home_view(service, params.get("status"), params.get("machine")))

    async def state_machine(request: Request) -> Response:
        arn = request.query_params.get("arn", "")
        return await _answer(lambda: machine_view(service, arn))

    async def execution(request: Request) -> Response:
        arn = request.query_params.get("arn", "")
        since = request.query_params.get("since", "0")
        if not since.isdigit():
            return _error("ValidationException", f"since must be an event id (a whole number), not {since!r}", 400)
        return await _answer(lambda: execution_view(service, arn, int(since), histories), allow_actions=allow_actions)

    async def operation(request: Request) -> Response:
        name = request.path_params["operation"]
        refused = _refuse_foreign(request)
        if refused is not None:
            return refused
        if name in ACTIONS and not allow_actions:
            return _error(
                "ActionsNotAllowed",
                f"The console is read-only: {name} needs the server started with --allow-actions "
                "(asl serve --allow-actions).",
                403,
            )
        if name not in READ_OPERATIONS and name not in ACTIONS:
            return _error("UnknownOperationException", f"The console does not forward {name}", 404)
        try:
            body = json.loads(await request.body() or b"{}")
        except ValueError as error:
            return _error("SerializationException", f"The request body is not JSON: {error}", 400)
        if not isinstance(body, dict):
            return _error("SerializationException", "The request body must be a JSON object", 400)
        return await _answer(lambda: service.call(name, body))

    return [
        Route("/", page("home"), methods=["GET"]),
        Route("/state-machines/{arn:path}", page("state-machine"), methods=["GET"]),
        Route("/executions/{arn:path}", page("execution"), methods=["GET"]),
        Route(f"{PREFIX}/api/home", home, methods=["GET"]),
        Route(f"{PREFIX}/api/state-machine", state_machine, methods=["GET"]),
        Route(f"{PREFIX}/api/execution", execution, methods=["GET"]),
        Route(f"{PREFIX}/api/{{operation}}", operation, methods=["POST"]),
        Mount(f"{PREFIX}/static", StaticFiles(packages=[("asl_engine.console", "static")]), name="console-static"),
    ]


async def _answer(make: Callable[[], Awaitable[dict[str, Any]]], *, allow_actions: bool | None = None) -> Response:
    try:
        result = await make()
    except ServiceError as error:
        return _error(error.code, error.message, error.status)
    except Exception:
        log.exception("the console failed to answer")
        return _error("InternalFailure", "The console failed to answer (see the server's log)", 500)
    if allow_actions is not None:
        result["allowActions"] = allow_actions
    return JSONResponse(result)


def _error(code: str, message: str, status: int) -> Response:
    return JSONResponse({"__type": code, "message": message}, status_code=status)


def _refuse_foreign(request: Request) -> Response | None:
    """403 unless the post is JSON from the console's own origin (no cross-site form can do that)."""
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        return _error("ForbiddenRequest", "The console's API takes Content-Type: application/json", 403)
    origin = request.headers.get("origin")
    if origin is not None and origin != f"{request.url.scheme}://{request.headers.get('host', '')}":
        return _error("ForbiddenRequest", f"The console's API does not take requests from {origin}", 403)
    return None


def _shell(kind: str, arn: str, allow_actions: bool) -> str:
    titles = {"home": "Step Functions", "state-machine": "State machine", "execution": "Execution"}
    name = arn.rsplit(":", 1)[-1] if arn else ""
    title = f"{name} - {titles[kind]}" if name else titles[kind]
    return (
        _SHELL.replace("{{title}}", html.escape(title))
        .replace("{{page}}", html.escape(kind))
        .replace("{{arn}}", html.escape(arn))
        .replace("{{actions}}", "true" if allow_actions else "false")
        .replace("{{version}}", html.escape(__version__))
        .replace("{{static}}", f"{PREFIX}/static")
    )
