"""How uvicorn runs the app: its options (one place for ``asl serve`` and ``ServerThread``), and
``serve_forever`` for a process that is nothing but the server (``asl serve``)."""

from __future__ import annotations

import gc
from typing import Any

SHUTDOWN_SECONDS = 2
"""How long a stopping server lets requests in progress finish (an activity poll holds one for 60 s)."""


def uvicorn_options() -> dict[str, Any]:
    """uvicorn's options: no access log, no ``X-Forwarded-*`` rewriting (nothing proxies a local
    endpoint, and it is a middleware run on every request) and no ``server`` header (AWS sends none).
    uvicorn picks httptools and uvloop, which the ``[server]`` extra installs."""
    return {
        "log_level": "warning",
        "access_log": False,
        "proxy_headers": False,
        "server_header": False,
        "timeout_graceful_shutdown": SHUTDOWN_SECONDS,
    }


def serve_forever(app: Any, host: str, port: int) -> None:
    """Run the app on uvicorn in this process until Ctrl-C.

    What the process holds before it serves (botocore's model of the API, the request checks, the
    resources, the compiled state machines of a store) lives as long as the process: ``gc.freeze``
    moves it out of the collector's sight, so that the collections the executions' objects trigger
    do not walk it again and again (a sixth of the server's CPU per execution went there).
    """
    import uvicorn

    gc.collect()
    gc.freeze()
    uvicorn.run(app, host=host, port=port, **uvicorn_options())
