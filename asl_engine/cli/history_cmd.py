"""``asl history``: show a saved execution history again, and the file format it reads.

The file is what ``aws stepfunctions get-execution-history`` prints: ``{"events": [...]}`` with
each event's payloads (``input``, ``output``, ``parameters``) as JSON text. ``asl run
--history-json FILE`` writes exactly that, so a local run and a run on AWS can be saved, compared
and re-rendered the same way.
"""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from asl_engine.cli import common
from asl_engine.cli.common import CommandError, parse_json, read_text
from asl_engine.cli.render.events import EventView, states_entered
from asl_engine.cli.render.table import history_table
from asl_engine.cli.render.terminal import TerminalWriter
from asl_engine.cli.render.trace import TraceListener

_PAYLOADS = ("input", "output", "parameters")


# -- writing -------------------------------------------------------------------------------------------


def history_document(events: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """GetExecutionHistory's response for ``Execution.history``, timestamps as ISO-8601 like the AWS CLI's."""
    return {"events": [{**event, "timestamp": _timestamp_text(event["timestamp"])} for event in events]}


def _timestamp_text(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


# -- reading -------------------------------------------------------------------------------------------


def parse_history(document: Any, origin: str) -> list[EventView]:
    """Events from a GetExecutionHistory response (or a bare list of its events), checked one by one."""
    events = document.get("events") if isinstance(document, Mapping) else document
    if not isinstance(events, list):
        raise CommandError(
            f'{origin}: expected {{"events": [...]}} as printed by --history-json or '
            "aws stepfunctions get-execution-history"
        )
    return [_event(raw, f"{origin}: /events/{index}") for index, raw in enumerate(events)]


def _event(raw: Any, where: str) -> EventView:
    if not isinstance(raw, Mapping):
        raise CommandError(f"{where}: an event must be an object")
    event_id, event_type = raw.get("id"), raw.get("type")
    if isinstance(event_id, bool) or not isinstance(event_id, int):
        raise CommandError(f"{where}: 'id' must be an integer event id")
    if not isinstance(event_type, str) or not event_type:
        raise CommandError(f"{where}: 'type' must be an event type such as 'TaskStateEntered'")
    previous = raw.get("previousEventId", 0)
    if isinstance(previous, bool) or not isinstance(previous, int):
        raise CommandError(f"{where}: 'previousEventId' must be an integer")
    details: dict[str, Any] = {}
    for key, value in raw.items():
        if key.endswith("EventDetails") and isinstance(value, Mapping):
            details = _details(value)
    return EventView(event_id, previous, _epoch_seconds(raw.get("timestamp"), where), event_type, details)


def _details(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Payloads back to JSON values; the ``*Details`` bookkeeping (truncation flags) dropped."""
    details: dict[str, Any] = {}
    for key, value in raw.items():
        if key.endswith("Details") and isinstance(value, Mapping):
            continue
        if key in _PAYLOADS:
            value = _maybe_json(value)
        elif key == "assignedVariables" and isinstance(value, Mapping):
            value = {name: _maybe_json(text) for name, text in value.items()}
        details[key] = value
    return details


def _maybe_json(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value  # AWS sends a truncated payload as plain text: show it as it is


def _epoch_seconds(value: Any, where: str) -> float:
    """ISO-8601 text (the AWS CLI's and ours) or epoch seconds (the raw API's)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            pass
        else:
            return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()
    raise CommandError(f"{where}: 'timestamp' must be an ISO-8601 time or epoch seconds, got {value!r}")


def read_history(source: str) -> list[EventView]:
    """The events of a history file, or of standard input for ``-``."""
    if source == "-":
        return parse_history(parse_json(sys.stdin.read(), "standard input"), "standard input")
    text = read_text(Path(source), "an execution history (JSON)")
    return parse_history(parse_json(text, source), source)


# -- the command ---------------------------------------------------------------------------------------


@click.command("history", short_help="Show a saved execution history again.")
@click.argument("file", metavar="FILE")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "trace", "path"]),
    default="table",
    show_default=True,
    help="table: one row per event; trace: the lines --trace prints; path: the states entered, one a line.",
)
def history_command(file: str, output_format: str) -> None:
    """Show a saved execution history: FILE from --history-json, or '-' for stdin.

    Reads what `asl run --history-json FILE` writes and what `aws stepfunctions
    get-execution-history` prints, so histories of local and AWS runs look alike.

    \b
    Examples:
      asl run machine.json --history-json run.json && asl history run.json
      asl history --format trace run.json | grep TaskFailed
      aws stepfunctions get-execution-history --execution-arn "$ARN" | asl history -
    """
    events = read_history(file)
    stdout = sys.stdout
    if output_format == "path":
        for name in states_entered(events):
            click.echo(name)
    elif output_format == "trace":
        terminal = common.is_terminal(stdout)
        listener = TraceListener(TerminalWriter(stdout), console=terminal, color=common.wants_color(stdout))
        for event in events:
            listener.log(event)
    else:
        terminal = common.is_terminal(stdout)
        width = shutil.get_terminal_size().columns if terminal else None
        click.echo(
            history_table(events, width=width, color=common.wants_color(stdout)),
            nl=False,
            color=common.wants_color(stdout),
        )


__all__ = ["history_command", "history_document", "parse_history", "read_history"]
