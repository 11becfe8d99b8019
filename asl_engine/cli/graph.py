"""``asl graph``: draw a state machine as a Mermaid flowchart or a Graphviz DOT graph, optionally
coloured by what one execution did (``--execution HISTORY.json``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from asl_engine.cli.common import parameters_option, parse_substitutions, template_in
from asl_engine.cli.history_cmd import read_history
from asl_engine.cli.render.marks import state_marks
from asl_engine.cli.validate import EXIT_INVALID, EXIT_UNREADABLE
from asl_engine.definition.graph import build_graph
from asl_engine.definition.loader import load_definition
from asl_engine.definition.render import Marks, to_dot, to_mermaid
from asl_engine.definition.templates import load_state_machine
from asl_engine.errors import DefinitionError, ValidationError

if TYPE_CHECKING:
    import networkx as nx


class _GraphError(click.ClickException):
    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        # click declares exit_code a ClassVar, but sets no rule against a per-instance value, which it reads.
        self.exit_code = exit_code  # type: ignore[misc,unused-ignore]


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
    help="Definition substitution: replaces ${NAME} in the definition's text before parsing. Repeatable.",
)
@parameters_option
@click.option(
    "--state-machine",
    "logical_id",
    metavar="LOGICAL_ID",
    help="For a template: the state machine to draw (needed when it has several).",
)
@click.option(
    "--execution",
    "history_file",
    metavar="HISTORY.json",
    help="Colour the states this execution entered, failed and caught (a file from asl run --history-json, "
    "or aws stepfunctions get-execution-history; '-': stdin).",
)
def graph_command(
    file: Path,
    output_format: str,
    output: Path | None,
    assignments: tuple[str, ...],
    parameters: dict[str, str],
    logical_id: str | None,
    history_file: str | None,
) -> None:
    """Draw the states and transitions of FILE (a definition, or a CloudFormation, SAM or CDK template).

    Parallel branches and Map processors are nested boxes, Catch edges are dashed and
    labelled with their errors, each Retrier is a self-loop labelled with its errors and
    MaxAttempts, Choice edges carry their rule; Succeed states are green, Fail states red,
    other End states bold. With --execution the states the execution entered are filled
    (failed: red, caught by a Catcher: orange), with a count on those entered more than once.
    The definition only has to parse: a transition to a missing state is simply not drawn.

    \b
    Examples:
      asl graph machine.asl.json > machine.mmd
      asl graph --format dot machine.asl.json | dot -Tsvg -o machine.svg
      asl graph --format dot --output machine.dot machine.yaml
      asl graph template.yaml --state-machine OrderStateMachine
      asl run machine.json --history-json run.json; asl graph machine.json --execution run.json
    """
    document, name = _document(file, assignments, logical_id, parameters)
    graph = build_graph(document)
    marks = _marks(history_file, graph) if history_file is not None else None
    text = to_mermaid(graph, marks) if output_format == "mermaid" else to_dot(graph, name, marks)
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as error:
        raise _GraphError(f"{output}: cannot write: {error.strerror}", EXIT_UNREADABLE) from None


def _document(
    file: Path, assignments: tuple[str, ...], logical_id: str | None, parameters: dict[str, str]
) -> tuple[dict[str, Any], str]:
    """The definition to draw and the graph's name: the file's, or a template's state machine's."""
    template = template_in(file)
    try:
        if template is None:
            if logical_id is not None or parameters:
                raise click.UsageError(f"--state-machine and --parameter apply to templates; {file} is a definition")
            return load_definition(file, substitutions=parse_substitutions(assignments)).document, file.stem
        if assignments:
            raise click.UsageError(f"--set applies to definitions; {file} is a template (use --parameter)")
        machine = load_state_machine(template, logical_id, parameters)
        return machine.document, machine.name
    except ValidationError as error:
        raise _GraphError(str(error), EXIT_INVALID) from None
    except DefinitionError as error:
        raise _GraphError(str(error), EXIT_UNREADABLE) from None


def _marks(history_file: str, graph: nx.MultiDiGraph) -> Marks:
    """What the execution did, by state; states it entered that the definition lacks are named on stderr."""
    marks = state_marks(read_history(history_file))
    names = {name for _, name in graph.nodes(data="name")}
    unknown = [name for name in marks if name not in names]
    if marks and len(unknown) == len(marks):
        raise _GraphError(
            f"{history_file}: the execution entered none of this definition's states "
            f"({', '.join(unknown[:5])}{', ...' if len(unknown) > 5 else ''}): is it a history of another machine?",
            EXIT_UNREADABLE,
        )
    if unknown:
        click.echo(f"note: {history_file} names states this definition lacks: {', '.join(unknown)}", err=True)
    return marks
