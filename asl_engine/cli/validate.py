"""``asl validate``: check definitions the way AWS would, with positions and suggestions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from asl_engine.cli.common import dump_json, parse_substitutions
from asl_engine.definition.diagnostics import Diagnostic
from asl_engine.definition.validate import UNREADABLE
from asl_engine.validation import validate

EXIT_VALID = 0
EXIT_INVALID = 1
EXIT_UNREADABLE = 2


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
    help="State machine type (Express forbids .sync, callbacks...).",
)
@click.option(
    "--set",
    "assignments",
    multiple=True,
    metavar="NAME=VALUE",
    help="Definition substitution: replaces ${NAME} in the definition's text before it is parsed, as "
    "CloudFormation's DefinitionSubstitutions do. Repeatable.",
)
@click.option(
    "--advice",
    is_flag=True,
    help="Also show ADVICE: recommended practices that many sound definitions skip (e.g. Lambda retriers).",
)
def validate_command(
    files: tuple[Path, ...], output_format: str, machine_type: str, assignments: tuple[str, ...], advice: bool
) -> None:
    """Validate state machine definitions (JSON or YAML files).

    Exit status: 0 when every file is valid (warnings and advice allowed), 1 when a
    file is invalid, 2 when a file cannot be read.

    \b
    Examples:
      asl validate machine.asl.json
      asl validate --type EXPRESS --set LambdaArn=arn:aws:lambda:us-east-1:123456789012:function:f flow.yaml
      asl validate --format json machine.asl.json
      asl validate --advice machine.asl.json
    """
    substitutions = parse_substitutions(assignments)
    results = {
        str(file): validate(file, machine_type=machine_type.upper(), substitutions=substitutions, advice=advice)
        for file in files
    }
    if output_format == "json":
        _print_json(results)
    else:
        _print_text(results)
    unreadable = any(d.code == UNREADABLE for found in results.values() for d in found)
    invalid = any(d.severity == "ERROR" for found in results.values() for d in found)
    raise SystemExit(EXIT_UNREADABLE if unreadable else EXIT_INVALID if invalid else EXIT_VALID)


def aws_response(diagnostics: list[Diagnostic]) -> dict[str, Any]:
    """The shape of AWS's ValidateStateMachineDefinition response."""
    failed = any(diagnostic.severity == "ERROR" for diagnostic in diagnostics)
    return {
        "result": "FAIL" if failed else "OK",
        "diagnostics": [diagnostic.to_dict() for diagnostic in diagnostics],
        "truncated": False,
    }


def _print_json(results: dict[str, list[Diagnostic]]) -> None:
    if len(results) == 1:
        document: Any = aws_response(next(iter(results.values())))
    else:
        document = {file: aws_response(found) for file, found in results.items()}
    click.echo(dump_json(document, pretty=True))


def _print_text(results: dict[str, list[Diagnostic]]) -> None:
    counts = {"ERROR": 0, "WARNING": 0, "ADVICE": 0}
    invalid_files = 0
    for file, found in results.items():
        if not found:
            click.echo(f"{file}: OK")
        for diagnostic in found:
            click.echo(diagnostic.format(file), err=False)
            counts[diagnostic.severity] += 1
        invalid_files += any(diagnostic.severity == "ERROR" for diagnostic in found)
    checked = len(results)
    noun = "file" if checked == 1 else "files"
    errors, warnings = counts["ERROR"], counts["WARNING"]
    tally = f"{errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}"
    if counts["ADVICE"]:
        tally += f", {counts['ADVICE']} advice"
    click.echo(f"{checked} {noun} checked: {checked - invalid_files} valid, {invalid_files} invalid ({tally})")
