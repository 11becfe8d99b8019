"""The server as a library: run it on a thread of this process, on a free loopback port, for tests."""

from __future__ import annotations

import contextlib
import dataclasses
import socket
import threading
from collections.abc import Iterator, Sequence

import uvicorn
from starlette.routing import BaseRoute

from asl_engine.server.app import create_app
from asl_engine.server.process import SHUTDOWN_SECONDS, uvicorn_options
from asl_engine.server.service import StepFunctionsService
from asl_engine.server.settings import ServerSettings

STARTUP_SECONDS = 30.0
__all__ = ["SHUTDOWN_SECONDS", "ServerThread", "free_port", "running", "serve_in_thread"]


class ServerThread:
    """A uvicorn server on a thread of its own: ``endpoint`` is its URL once ``start`` returned."""

    def __init__(
        self,
        settings: ServerSettings,
        *,
        routes: Sequence[BaseRoute] = (),
        service: StepFunctionsService | None = None,
    ) -> None:
        if settings.port == 0:
            settings = dataclasses.replace(settings, port=free_port(settings.host))
        self.settings = settings
        self.app = create_app(settings, routes=routes, service=service)
        config = uvicorn.Config(self.app, host=settings.host, port=settings.port, lifespan="on", **uvicorn_options())
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="asl-serve", daemon=True)

    @property
    def endpoint(self) -> str:
        return f"http://{self.settings.host}:{self.settings.port}"

    def start(self) -> None:
        self._thread.start()
        waited = 0.0
        while not self._server.started:
            if not self._thread.is_alive():
                raise RuntimeError(f"the server did not start on {self.endpoint} (see the log above)")
            if waited > STARTUP_SECONDS:
                raise RuntimeError(f"the server did not start on {self.endpoint} within {STARTUP_SECONDS} s")
            self._thread.join(0.01)
            waited += 0.01

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def stop(self) -> None:
        """Stop accepting, let requests in progress finish (``SHUTDOWN_SECONDS`` at most), and return."""
        self._server.should_exit = True
        self._thread.join(STARTUP_SECONDS)


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def serve_in_thread(
    settings: ServerSettings | None = None,
    *,
    routes: Sequence[BaseRoute] = (),
    service: StepFunctionsService | None = None,
) -> ServerThread:
    """Start a server on a thread (port 0: a free one) and return it; ``.stop()`` ends it."""
    server = ServerThread(settings or ServerSettings(port=0), routes=routes, service=service)
    server.start()
    return server


@contextlib.contextmanager
def running(
    settings: ServerSettings | None = None,
    *,
    routes: Sequence[BaseRoute] = (),
    service: StepFunctionsService | None = None,
) -> Iterator[str]:
    """``with running(ServerSettings(port=0)) as endpoint:`` a server for the block; yields its URL."""
    server = serve_in_thread(settings, routes=routes, service=service)
    try:
        yield server.endpoint
    finally:
        server.stop()
