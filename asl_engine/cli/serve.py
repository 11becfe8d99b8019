"""``asl serve``: the Step Functions API on a local endpoint (a drop-in for Step Functions Local)."""

from __future__ import annotations

import importlib.util
import socket
from pathlib import Path
from typing import Any

import click

from asl_engine.cli.common import CommandError
from asl_engine.definition.arns import DEFAULT_ACCOUNT, DEFAULT_REGION
from asl_engine.errors import AslEngineError


@click.command("serve", short_help="Serve the Step Functions API on a local endpoint.")
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to listen on (loopback by default).")
@click.option(
    "--port", default=8083, show_default=True, type=click.IntRange(0, 65535), help="The port (Step Functions Local's)."
)
@click.option(
    "--store",
    "store_path",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="DB",
    help="Keep executions in this durable store (SQLite): they survive a restart. In memory without it.",
)
@click.option(
    "--resources",
    "resources_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Handlers for the Task states that are not mocked (asl.toml).",
)
@click.option(
    "--mock-config",
    "mock_config",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Step Functions Local's MockConfigFile [default: $SFN_MOCK_CONFIG]; StartExecution on ARN#TestCase uses it.",
)
@click.option(
    "--clock",
    type=click.Choice(["real", "virtual"]),
    default="real",
    show_default=True,
    help="virtual: Waits and retry intervals take no real time.",
)
@click.option("--region", default=DEFAULT_REGION, show_default=True, help="The region of the ARNs the server makes.")
@click.option("--account", default=DEFAULT_ACCOUNT, show_default=True, help="The account id of the ARNs.")
@click.option(
    "--allow-actions",
    is_flag=True,
    help="Let the web console (asl_engine.console) start, stop and redrive executions and answer tasks; "
    "it is read-only without this flag. The API accepts every operation either way.",
)
def serve_command(
    host: str,
    port: int,
    store_path: Path | None,
    resources_file: Path | None,
    mock_config: Path | None,
    clock: str,
    region: str,
    account: str,
    allow_actions: bool,
) -> None:
    """Serve the AWS Step Functions API (AWS JSON 1.0, POST /) until Ctrl-C.

    \b
    Point any SDK, the AWS CLI or CDK/SAM tooling at it:
      aws stepfunctions list-state-machines --endpoint-url http://127.0.0.1:8083
      boto3.client("stepfunctions", endpoint_url="http://127.0.0.1:8083")

    Exit status: 0 after Ctrl-C, 2 when the server cannot start (a missing [server] extra, a port in
    use, an unreadable store, resources file or MockConfigFile).
    """
    if importlib.util.find_spec("starlette") is None or importlib.util.find_spec("uvicorn") is None:
        raise CommandError("asl serve needs the [server] extra: pip install 'asl-engine[server]'")

    from asl_engine.server import ServerSettings, StepFunctionsService, create_app
    from asl_engine.server.process import serve_forever

    try:
        settings = ServerSettings(
            host=host, port=port, store=store_path, resources=resources_file, mock_config=mock_config,
            clock=clock, region=region, account=account, allow_actions=allow_actions,
        )  # fmt: skip
        service = StepFunctionsService(settings)
    except AslEngineError as error:
        raise CommandError(str(error)) from None
    try:
        _check_free(host, port)
    except CommandError:
        service.close()
        raise
    app = create_app(settings, routes=_console_routes(service, settings.allow_actions), service=service)
    click.echo(f"asl serve: the Step Functions API on http://{host}:{port} (Ctrl-C to stop)", err=True)
    try:
        serve_forever(app, host, port)
    finally:
        service.close()


def _check_free(host: str, port: int) -> None:
    """A port another process listens on is a clear error (exit 2), not uvicorn's log line and exit 1."""
    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as error:
        raise CommandError(f"cannot listen on {host}:{port}: {error.strerror or error}") from None


def _console_routes(service: Any, allow_actions: bool) -> list[Any]:
    """The console's pages (asl_engine.console), served beside the API: read-only unless allowed."""
    from asl_engine.console import console_routes

    return console_routes(service, allow_actions=allow_actions)
