"""``asl validate``: check definitions the way AWS would, with positions and suggestions.

A FILE may be a CloudFormation, SAM or CDK template: every state machine in it is validated (or
the one ``--state-machine`` names), each with its diagnostics located in the file that holds its
definition (see ``asl_engine.validation.validate_template``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from asl_engine.cli.common import dump_json, parameters_option, parse_substitutions, template_in
from asl_engine.definition.diagnostics import Diagnostic
from asl_engine.definition.templates import TemplateError
from asl_engine.definition.validate import UNREADABLE
from asl_engine.validation import validate, validate_template

EXIT_VALID = 0
EXIT_INVALID = 1
EXIT_UNREADABLE = 2


@dataclass(frozen=True, slots=True)
class Checked:
    """One definition checked: a file, or one state machine of a template."""

    file: str
    """The FILE argument it came from."""
    source: str
    """Where its diagnostics are located (a template's DefinitionUri names another file)."""
    machine: str | None
    """The logical id, for a template's state machine."""
    diagnostics: list[Diagnostic]

    @property
    def label(self) -> str:
        return f"{self.file} ({self.machine})" if self.machine else self.file


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=True, path_type=Path))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text: one line per diagnostic; json: AWS's ValidateStateMachineDefinition response.",
)
@click.option(
    "--type",
    "machine_type",
    type=click.Choice(["STANDARD", "EXPRESS"], case_sensitive=False),
    default="STANDARD",
    show_default=True,
    help="State machine type (Express forbids .sync, callbacks...). A template gives each machine's own.",
)
@click.option(
    "--set",
    "assignments",
    multiple=True,
    metavar="NAME=VALUE",
    help="Definition substitution: replaces ${NAME} in the definition's text before it is parsed, as "
    "CloudFormation's DefinitionSubstitutions do. Repeatable.",
)
@parameters_option
@click.option(
    "--state-machine",
    "logical_id",
    metavar="LOGICAL_ID",
    help="For a template: validate only this state machine (default: every one).",
)
@click.option(
    "--advice",
    is_flag=True,
    help="Also show ADVICE: recommended practices that many sound definitions skip (e.g. Lambda retriers).",
)
def validate_command(
    files: tuple[Path, ...],
    output_format: str,
    machine_type: str,
    assignments: tuple[str, ...],
    parameters: dict[str, str],
    logical_id: str | None,
    advice: bool,
) -> None:
    """Validate state machine definitions (JSON or YAML files) and templates.

    A CloudFormation, SAM or CDK template is validated state machine by state
    machine, each diagnostic located in the template (or in the file its
    DefinitionUri names). Exit status: 0 when everything is valid (warnings and
    advice allowed), 1 when a definition is invalid, 2 when a file cannot be read
    or a template's values cannot be resolved.

    \b
    Examples:
      asl validate machine.asl.json
      asl validate --type EXPRESS --set LambdaArn=arn:aws:lambda:us-east-1:123456789012:function:f flow.yaml
      asl validate template.yaml --parameter Stage=prod
      asl validate --format json machine.asl.json
      asl validate --advice machine.asl.json
    """
    substitutions = parse_substitutions(assignments)
    checked: list[Checked] = []
    for file in files:
        if template_in(file) is not None:
            checked.extend(_template(file, parameters, logical_id, advice))
            continue
        diagnostics = validate(file, machine_type=machine_type.upper(), substitutions=substitutions, advice=advice)
        checked.append(Checked(str(file), str(file), None, diagnostics))
    if output_format == "json":
        _print_json(checked)
    else:
        _print_text(checked)
    unreadable = any(d.code == UNREADABLE for item in checked for d in item.diagnostics)
    invalid = any(d.severity == "ERROR" for item in checked for d in item.diagnostics)
    raise SystemExit(EXIT_UNREADABLE if unreadable else EXIT_INVALID if invalid else EXIT_VALID)


def _template(file: Path, parameters: dict[str, str], logical_id: str | None, advice: bool) -> list[Checked]:
    try:
        results = validate_template(file, parameters=parameters, advice=advice)
    except TemplateError as error:
        return [Checked(str(file), str(file), None, [Diagnostic(UNREADABLE, error.detail, None)])]
    if logical_id is not None:
        known = [result.logical_id for result in results]
        if logical_id not in known:
            message = f"no state machine {logical_id!r} in the template; its state machines: {', '.join(known)}"
            return [Checked(str(file), str(file), None, [Diagnostic(UNREADABLE, message, None)])]
        results = [result for result in results if result.logical_id == logical_id]
    source_of = {str(file.resolve()): str(file)}
    return [
        Checked(str(file), source_of.get(str(Path(r.source).resolve()), r.source), r.logical_id, r.diagnostics)
        for r in results
    ]


def aws_response(diagnostics: list[Diagnostic]) -> dict[str, Any]:
    """The shape of AWS's ValidateStateMachineDefinition response."""
    failed = any(diagnostic.severity == "ERROR" for diagnostic in diagnostics)
    return {
        "result": "FAIL" if failed else "OK",
        "diagnostics": [diagnostic.to_dict() for diagnostic in diagnostics],
        "truncated": False,
    }


def _print_json(checked: list[Checked]) -> None:
    if len(checked) == 1 and checked[0].machine is None:
        document: Any = aws_response(checked[0].diagnostics)
    else:
        document = {}
        for item in checked:
            if item.machine is None:
                document[item.file] = aws_response(item.diagnostics)
            else:
                document.setdefault(item.file, {})[item.machine] = aws_response(item.diagnostics)
    click.echo(dump_json(document, pretty=True))


def _print_text(checked: list[Checked]) -> None:
    counts = {"ERROR": 0, "WARNING": 0, "ADVICE": 0}
    invalid = 0
    for item in checked:
        if not item.diagnostics:
            click.echo(f"{item.label}: OK")
        for diagnostic in item.diagnostics:
            line = diagnostic.format(item.source)
            click.echo(f"{line} [{item.machine}]" if item.machine else line)
            counts[diagnostic.severity] += 1
        invalid += any(diagnostic.severity == "ERROR" for diagnostic in item.diagnostics)
    total = len(checked)
    if any(item.machine for item in checked):
        noun = "state machine" if total == 1 else "definitions"
    else:
        noun = "file" if total == 1 else "files"
    errors, warnings = counts["ERROR"], counts["WARNING"]
    tally = f"{errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}"
    if counts["ADVICE"]:
        tally += f", {counts['ADVICE']} advice"
    click.echo(f"{total} {noun} checked: {total - invalid} valid, {invalid} invalid ({tally})")
