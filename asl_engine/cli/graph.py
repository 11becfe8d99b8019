"""``asl graph``: draw a state machine as a Mermaid flowchart or a Graphviz DOT graph."""

from __future__ import annotations

from pathlib import Path

import click

from asl_engine.cli.common import parse_substitutions
from asl_engine.cli.validate import EXIT_INVALID, EXIT_UNREADABLE
from asl_engine.definition.graph import build_graph
from asl_engine.definition.loader import load_definition
from asl_engine.definition.render import to_dot, to_mermaid
from asl_engine.errors import DefinitionError, ValidationError


class _GraphError(click.ClickException):
    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        # click declares exit_code a ClassVar, but sets no rule against a per-instance value, which it reads.
        self.exit_code = exit_code  # type: ignore[misc]


@click.command()
@click.argument("file", type=click.Path(dir_okay=True, path_type=Path))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["mermaid", "dot"]),
    default="mermaid",
    show_default=True,
    help="mermaid: a flowchart for Markdown; dot: Graphviz (render with dot -Tsvg).",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write to this file instead of standard output.",
)
@click.option(
    "--set",
    "assignments",
    multiple=True,
    metavar="NAME=VALUE",
    help="Definition substitution: replaces ${NAME} in string values. Repeatable.",
)
def graph_command(file: Path, output_format: str, output: Path | None, assignments: tuple[str, ...]) -> None:
    """Draw the states and transitions of FILE.

    Parallel branches and Map processors are nested boxes, Catch edges are dashed and
    labelled with their errors, Choice edges carry their rule, terminal states are doubled.
    The definition only has to parse: a transition to a missing state is simply not drawn.

    \b
    Examples:
      asl graph machine.asl.json > machine.mmd
      asl graph --format dot machine.asl.json | dot -Tsvg -o machine.svg
      asl graph --format dot --output machine.dot machine.yaml
    """
    try:
        loaded = load_definition(file, substitutions=parse_substitutions(assignments))
    except ValidationError as error:
        raise _GraphError(str(error), EXIT_INVALID) from None
    except DefinitionError as error:
        raise _GraphError(str(error), EXIT_UNREADABLE) from None
    graph = build_graph(loaded.document)
    text = to_mermaid(graph) if output_format == "mermaid" else to_dot(graph, file.stem)
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as error:
        raise _GraphError(f"{output}: cannot write: {error.strerror}", EXIT_UNREADABLE) from None
