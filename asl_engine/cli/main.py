"""The ``asl`` command: a click group whose subcommands live in their own modules."""

from __future__ import annotations

import click

from asl_engine import __version__
from asl_engine.cli.common import EXIT_UNUSABLE
from asl_engine.errors import ConfigurationError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="asl")
def cli() -> None:
    """Run, validate and test AWS Step Functions state machines locally.

    \b
    Examples:
      asl run machine.json --input input.json
      asl validate machine.json
      asl graph machine.json --format dot
      asl test tests.yaml
      asl test-state machine.json --state Charge --input-json '{}' --mock-result '{"ok": true}'
      asl run machine.json --input input.json --store runs.db
      asl resume --store runs.db
      asl serve --port 8083 --clock virtual
      asl COMMAND --help
    """


def _register() -> None:
    from asl_engine.cli.conformance import conformance_command
    from asl_engine.cli.graph import graph_command
    from asl_engine.cli.history_cmd import history_command
    from asl_engine.cli.run import run
    from asl_engine.cli.serve import serve_command
    from asl_engine.cli.store_cmds import executions_group, redrive_command, resume_command, task_group
    from asl_engine.cli.test_cmd import test_command
    from asl_engine.cli.test_state_cmd import test_state_command
    from asl_engine.cli.validate import validate_command

    cli.add_command(run)
    cli.add_command(validate_command, "validate")
    cli.add_command(graph_command, "graph")
    cli.add_command(conformance_command, "conformance")
    cli.add_command(test_command, "test")
    cli.add_command(test_state_command, "test-state")
    cli.add_command(history_command, "history")
    cli.add_command(resume_command, "resume")
    cli.add_command(executions_group, "executions")
    cli.add_command(redrive_command, "redrive")
    cli.add_command(task_group, "task")
    cli.add_command(serve_command, "serve")


_register()


def main() -> None:
    try:
        cli()
    except ConfigurationError as error:  # a broken installation (a missing data file), not a bug: no traceback
        click.echo(f"Error: {error}", err=True)
        raise SystemExit(EXIT_UNUSABLE) from None
