"""The API and the console on one server, on a thread of this process, for tests and benchmarks:
``with console_running(ServerSettings(port=0)) as server: ... server.url``."""

from __future__ import annotations

import contextlib
import dataclasses
import threading
from collections.abc import Iterator

import uvicorn

from asl_engine.console.routes import console_routes
from asl_engine.server import ServerSettings, StepFunctionsService, create_app
from asl_engine.server.threaded import free_port
from asl_engine.services import Resources

STARTUP_SECONDS = 30.0


class ConsoleThread:
    """``asl serve`` with its console (``allow_actions`` from the settings) on a uvicorn thread;
    ``resources`` answer the Task states, as ``--resources`` would."""

    def __init__(self, settings: ServerSettings, *, resources: Resources | None = None) -> None:
        if settings.port == 0:
            settings = dataclasses.replace(settings, port=free_port(settings.host))
        self.settings = settings
        self.service = StepFunctionsService(settings, resources=resources)
        routes = console_routes(self.service, allow_actions=settings.allow_actions)
        app = create_app(settings, routes=routes, service=self.service)
        config = uvicorn.Config(app, host=settings.host, port=settings.port, log_level="warning", lifespan="on")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="asl-console", daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.settings.host}:{self.settings.port}"

    def start(self) -> ConsoleThread:
        self._thread.start()
        waited = 0.0
        while not self._server.started:
            if not self._thread.is_alive() or waited > STARTUP_SECONDS:
                raise RuntimeError(f"the server did not start on {self.url}")
            self._thread.join(0.01)
            waited += 0.01
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(STARTUP_SECONDS)
        self.service.close()


@contextlib.contextmanager
def console_running(
    settings: ServerSettings | None = None, *, resources: Resources | None = None
) -> Iterator[ConsoleThread]:
    """A started ``ConsoleThread`` for the block (port 0 in the settings: a free one)."""
    server = ConsoleThread(settings or ServerSettings(port=0), resources=resources).start()
    try:
        yield server
    finally:
        server.stop()
