"""The durable-execution commands: ``asl resume``, ``asl executions``, ``asl redrive``, ``asl task``.

Each takes ``--store DB``, the SQLite file ``asl run ... --store DB`` writes. Read-only commands
never create or modify a store; a file that is not a store, a store written by a newer asl-engine
or one locked by another process is exit 2 with a message, never a traceback.
"""

from __future__ import annotations

import contextlib
import shutil
import sys
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from asl_engine.cli import common
from asl_engine.cli.common import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_SUCCEEDED,
    EXIT_TIMED_OUT,
    EXIT_UNUSABLE,
    CommandError,
    dump_json,
    parse_json,
)
from asl_engine.cli.history_cmd import history_document
from asl_engine.cli.render.events import EventView
from asl_engine.cli.render.table import history_table
from asl_engine.errors import AslEngineError
from asl_engine.execution import Execution
from asl_engine.services import Resources, load_resources
from asl_engine.store import ExecutionAbandoned, Store, open_store

F = TypeVar("F", bound=Callable[..., Any])


def store_option(function: F) -> F:
    """``--store DB`` (required), delivered as the path ``store_path``."""
    return click.option(
        "--store",
        "store_path",
        required=True,
        type=click.Path(dir_okay=False, path_type=Path),
        metavar="DB",
        help="The durable-execution store: a SQLite file written by 'asl run ... --store DB'.",
    )(function)


def json_option(function: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON (the AWS API's shape).")(function)


@contextlib.contextmanager
def opened(path: Path, *, create: bool = False) -> Iterator[Store]:
    """The store at ``path``; every store or API error becomes a CommandError (exit 2)."""
    try:
        store = open_store(path, create=create)
    except AslEngineError as error:
        raise CommandError(str(error)) from None
    try:
        with _reported():
            yield store
    finally:
        store.close()


@contextlib.contextmanager
def _reported() -> Iterator[None]:
    try:
        yield
    except ExecutionAbandoned as error:
        raise CommandError(str(error)) from None
    except AslEngineError as error:
        raise CommandError(str(error)) from None


def _resources(path: Path | None) -> Resources | None:
    if path is None:
        return None
    try:
        return load_resources(path)
    except AslEngineError as error:
        raise CommandError(str(error)) from None


_RESOURCES = click.option(
    "--resources",
    "resources_file",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Handlers for Task states (TOML).  [default: the resources file each execution was started with]",
)


# -- asl resume ------------------------------------------------------------------------------------


@click.command("resume", short_help="Resume the unfinished executions of a store.")
@store_option
@_RESOURCES
@click.pass_context
def resume_command(ctx: click.Context, store_path: Path, resources_file: Path | None) -> None:
    """Resume every unfinished execution in DB that no live process runs, and wait for them.

    Each replays its recorded history and goes on from where it stopped: a Wait whose time passed
    fires at once, a task that had started without finishing is invoked again, answers to task
    tokens sent meanwhile are taken in. stdout gets one JSON line per execution (executionArn,
    status, and output or error and cause); stderr a status line each.

    Exit status: 0 when all succeeded (or none needed resuming), 1 when one did not, 2 when an
    execution cannot be resumed (its definition or handlers changed) or the store is unusable,
    130 on Ctrl-C (the executions stay RUNNING in the store, to be resumed again).
    """
    resources = _resources(resources_file)
    with opened(store_path) as store:
        handles = store.resume(resources=resources)
        if not handles:
            click.echo("nothing to resume: no unfinished execution that no live process runs", err=True)
            ctx.exit(EXIT_SUCCEEDED)
        click.echo(f"resuming {len(handles)} execution(s)", err=True)
        failed = False
        abandoned = False
        try:
            for handle in handles:
                try:
                    execution = handle.wait()
                except ExecutionAbandoned as error:  # the others go on; this one stays as it was
                    click.echo(f"{handle.execution.name}: not resumed: {error}", err=True)
                    abandoned = True
                    continue
                _report_line(execution)
                failed = failed or execution.status != "SUCCEEDED"
        except KeyboardInterrupt:
            click.echo("interrupted: the executions stay RUNNING in the store", err=True)
            ctx.exit(EXIT_INTERRUPTED)
    ctx.exit(EXIT_UNUSABLE if abandoned else EXIT_FAILED if failed else EXIT_SUCCEEDED)


def _report_line(execution: Execution) -> None:
    line: dict[str, Any] = {"executionArn": execution.arn, "status": execution.status}
    if execution.status == "SUCCEEDED":
        line["output"] = execution.output
    else:
        line.update({k: v for k, v in (("error", execution.error), ("cause", execution.cause)) if v is not None})
    click.echo(dump_json(line, pretty=False))
    click.echo(f"{execution.name}: {execution.status}", err=True)


# -- asl executions ----------------------------------------------------------------------------------


@click.group("executions", short_help="List, describe, show the history of and stop stored executions.")
def executions_group() -> None:
    """The executions of a durable-execution store (see 'asl run --store')."""


@executions_group.command("list")
@store_option
@click.option("--status", type=click.Choice(["RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"]))
@click.option("--machine", metavar="NAME_OR_ARN", help="Only the executions of this state machine.")
@json_option
def list_command(store_path: Path, status: str | None, machine: str | None, as_json: bool) -> None:
    """List the executions in DB, newest first (ListExecutions)."""
    with opened(store_path) as store:
        records = store.records(status=status, machine=machine)
    if as_json:
        click.echo(dump_json({"executions": [_jsonable(record.summary()) for record in records]}, pretty=True))
        return
    if not records:
        click.echo("no executions", err=True)
        return
    rows = [("NAME", "STATUS", "STATE MACHINE", "STARTED", "STOPPED")]
    for record in records:
        rows.append(
            (
                record.name,
                record.status,
                record.machine_name,
                _when(record.start_time),
                _when(record.stop_time) if record.stop_time is not None else "-",
            )
        )
    click.echo(_table(rows))


@executions_group.command("describe")
@click.argument("execution", metavar="NAME_OR_ARN")
@store_option
@json_option
def describe_command(execution: str, store_path: Path, as_json: bool) -> None:
    """Show one execution's fields, shaped like DescribeExecution."""
    with opened(store_path) as store:
        described = store.describe(execution)
    if as_json:
        click.echo(dump_json(_jsonable(described), pretty=True))
        return
    for key, value in _jsonable(described).items():
        if isinstance(value, dict):
            continue
        click.echo(f"{key}: {value}")


@executions_group.command("history")
@click.argument("execution", metavar="NAME_OR_ARN")
@store_option
@json_option
def history_command(execution: str, store_path: Path, as_json: bool) -> None:
    """Show one execution's history (a table, or GetExecutionHistory's JSON with --json)."""
    with opened(store_path) as store:
        events = store.events(execution)
    if as_json:
        click.echo(dump_json(history_document([event.to_dict() for event in events]), pretty=True))
        return
    stdout = sys.stdout
    width = shutil.get_terminal_size().columns if common.is_terminal(stdout) else None
    color = common.wants_color(stdout)
    click.echo(history_table([EventView.of(event) for event in events], width=width, color=color), nl=False)


@executions_group.command("stop")
@click.argument("execution", metavar="NAME_OR_ARN")
@store_option
@click.option("--error", metavar="ERROR", help="The error the execution is aborted with.")
@click.option("--cause", metavar="CAUSE", help="The cause it is aborted with.")
def stop_command(execution: str, store_path: Path, error: str | None, cause: str | None) -> None:
    """Stop an execution (StopExecution): it ends ABORTED.

    Running in another process, that process stops it within a fraction of a second; running
    nowhere (its process died), it is marked ABORTED at once.
    """
    with opened(store_path) as store:
        record = store.record(execution)
        if not record.open:
            click.echo(f"{record.name} is {record.status} already: nothing to stop", err=True)
            return
        store.stop(record.arn, error, cause)
    click.echo(f"{record.name}: stop requested", err=True)


# -- asl redrive -------------------------------------------------------------------------------------


@click.command("redrive", short_help="Redrive a failed, timed-out or aborted execution.")
@click.argument("execution", metavar="NAME_OR_ARN")
@store_option
@_RESOURCES
@click.pass_context
def redrive_command(ctx: click.Context, execution: str, store_path: Path, resources_file: Path | None) -> None:
    """Redrive a FAILED, TIMED_OUT or ABORTED Standard execution (RedriveExecution) and wait for it.

    It runs again from the state visits that did not finish, keeping the results of those that
    did (a Map re-runs only its failed or unfinished iterations, a Parallel its failed branches).
    Output and exit status as 'asl run': 0 succeeded, 1 failed, 3 timed out, 2 when it cannot be
    redriven.
    """
    resources = _resources(resources_file)
    with opened(store_path) as store:
        handle = store.redrive(execution, resources=resources)
        click.echo(f"redriving {handle.execution.name}", err=True)
        try:
            result = handle.wait()
        except KeyboardInterrupt:
            click.echo("interrupted: the execution stays RUNNING in the store ('asl resume' goes on)", err=True)
            ctx.exit(EXIT_INTERRUPTED)
    if result.status == "SUCCEEDED":
        click.echo(dump_json(result.output, pretty=common.is_terminal(sys.stdout)))
        click.echo(f"status: {result.status}", err=True)
        ctx.exit(EXIT_SUCCEEDED)
    click.echo(f"status: {result.status}", err=True)
    for label, value in (("error", result.error), ("cause", result.cause)):
        if value is not None:
            click.echo(f"{label}: {value}", err=True)
    ctx.exit(EXIT_TIMED_OUT if result.status == "TIMED_OUT" else EXIT_FAILED)


# -- asl task ----------------------------------------------------------------------------------------


@click.group("task", short_help="Answer a task token: success, failure or heartbeat.")
def task_group() -> None:
    """Answer a '.waitForTaskToken' task of a stored execution, from any process.

    The answer is kept in the store: the process running the execution takes it in within a
    fraction of a second, or 'asl resume' does if none runs it now.
    """


@task_group.command("success")
@click.argument("token")
@click.option("--output", "output", required=True, metavar="JSON", help="The task's result, as JSON text.")
@store_option
def success_command(token: str, output: str, store_path: Path) -> None:
    """SendTaskSuccess: the task succeeds with OUTPUT."""
    value = parse_json(output, "--output")
    with opened(store_path) as store:
        store.send_task_success(token, value)


@task_group.command("failure")
@click.argument("token")
@click.option("--error", metavar="ERROR", help="The error name the task fails with.")
@click.option("--cause", metavar="CAUSE", help="The cause it fails with.")
@store_option
def failure_command(token: str, error: str | None, cause: str | None, store_path: Path) -> None:
    """SendTaskFailure: the task fails with ERROR and CAUSE."""
    with opened(store_path) as store:
        store.send_task_failure(token, error, cause)


@task_group.command("heartbeat")
@click.argument("token")
@store_option
def heartbeat_command(token: str, store_path: Path) -> None:
    """SendTaskHeartbeat: the task's HeartbeatSeconds start again from now."""
    with opened(store_path) as store:
        store.send_task_heartbeat(token)


# -- formatting ----------------------------------------------------------------------------------------


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_jsonable(item) for item in value]
    return value


def _when(epoch: float | None) -> str:
    if epoch is None:
        return "-"
    return datetime.fromtimestamp(epoch).astimezone().strftime("%Y-%m-%d %H:%M:%S")


def _table(rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows
    )


__all__ = [
    "EXIT_UNUSABLE",
    "executions_group",
    "redrive_command",
    "resume_command",
    "store_option",
    "task_group",
]
