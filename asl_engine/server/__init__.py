"""``asl serve``: the Step Functions API (AWS JSON 1.0) on a local endpoint, a drop-in for Step Functions Local.

    from asl_engine.server import ServerSettings, running

    with running(ServerSettings(port=0, clock="virtual")) as endpoint:
        client = boto3.client("stepfunctions", endpoint_url=endpoint, region_name="us-east-1")

Needs the ``[server]`` extra (Starlette, uvicorn, botocore). The names below are imported on first
use, so that importing this package (the pytest plugin does) costs nothing and needs no extra.
See docs/server.md.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from asl_engine.server.app import create_app as create_app
    from asl_engine.server.errors import ServiceError as ServiceError
    from asl_engine.server.service import StepFunctionsService as StepFunctionsService
    from asl_engine.server.settings import ServerSettings as ServerSettings
    from asl_engine.server.threaded import ServerThread as ServerThread
    from asl_engine.server.threaded import running as running
    from asl_engine.server.threaded import serve_in_thread as serve_in_thread

_WHERE = {
    "create_app": "asl_engine.server.app",
    "ServiceError": "asl_engine.server.errors",
    "ServerThread": "asl_engine.server.threaded",
    "running": "asl_engine.server.threaded",
    "serve_in_thread": "asl_engine.server.threaded",
    "StepFunctionsService": "asl_engine.server.service",
    "ServerSettings": "asl_engine.server.settings",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'asl_engine.server' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
