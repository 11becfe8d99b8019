"""The console: state machines and executions in a browser, served by ``asl serve`` beside the API.

    from asl_engine.console import console_routes
    app = create_app(settings, routes=console_routes(service, allow_actions=False), service=service)

Pages at ``/``, ``/state-machines/<url-encoded ARN>`` and ``/executions/<url-encoded ARN>``; every
asset (scripts, styles, the Graphviz layout engine) comes from this package. It reads through the
Step Functions API (``StepFunctionsService.call``) and acts only with ``allow_actions``. Needs the
``[server]`` extra; ``console_routes`` is imported on first use so that the pure parts
(``outcomes``, ``diagram``) need no web framework. See docs/console.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from asl_engine.console.routes import console_routes as console_routes

__all__ = ["console_routes"]


def __getattr__(name: str) -> Any:
    if name == "console_routes":
        from asl_engine.console.routes import console_routes

        return console_routes
    raise AttributeError(f"module 'asl_engine.console' has no attribute {name!r}")
