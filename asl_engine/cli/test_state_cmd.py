"""``asl test-state``: run one state once, as AWS's TestState API does, and print its answer.

stdout carries AWS's TestState response as JSON (``status``, ``output``, ``error``, ``cause``,
``nextState``, ``inspectionData``), so that ``asl test-state ... | jq`` works; a request AWS would
refuse is ``Error: <code>: <message>`` on stderr with exit status 2.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from asl_engine import StateMachine
from asl_engine.cli import common
from asl_engine.cli.common import (
    EXIT_FAILED,
    EXIT_SUCCEEDED,
    CommandError,
    MachineChoice,
    dump_json,
    load_handlers,
    load_machine,
    parameters_option,
    parse_json,
    read_input,
    substitutions_option,
)
from asl_engine.definition.loader import load_definition
from asl_engine.errors import DefinitionError, ValidationError
from asl_engine.teststate import INSPECTION_LEVELS, TestStateError, TestStateResult

_PASSING = ("SUCCEEDED", "CAUGHT_ERROR")


@click.command("test-state", short_help="Run one state once, as AWS's TestState API does.")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--state", "state_name", metavar="NAME", help="The state to run (any depth; not for a state file).")
@click.option("--input", "input_file", metavar="FILE", help="The state's input: a JSON file, or '-' for stdin.")
@click.option("--input-json", metavar="JSON", help="The state's input given inline as JSON text.")
@click.option("--mock-result", metavar="JSON", help="Mock the state's result (Task, Map, Parallel) with this JSON.")
@click.option("--mock-error", metavar="ERROR", help="Mock the state's work failing with this error name.")
@click.option("--mock-cause", metavar="CAUSE", help="The cause of --mock-error.")
@click.option(
    "--inspection-level",
    type=click.Choice(INSPECTION_LEVELS, case_sensitive=False),
    default="INFO",
    show_default=True,
    help="INFO: status, output, next state; DEBUG and TRACE: also the data after each processing stage.",
)
@click.option("--variables", metavar="JSON", help="The workflow variables the state sees, as a JSON object.")
@click.option("--context", metavar="JSON", help="The whole context object ($$), as a JSON object (with a mock).")
@click.option(
    "--retrier-retry-count",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Retries already made: what the state's retriers have used up, and $$.State.RetryCount.",
)
@click.option("--role-arn", metavar="ARN", help="The execution role ($$.Execution.RoleArn).")
@click.option(
    "--resources",
    "resources_file",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Handlers for a Task state that is not mocked (TOML).  [default: asl.toml beside FILE, if there is one]",
)
@click.option(
    "--state-machine",
    "logical_id",
    metavar="LOGICAL_ID",
    help="For a template: the state machine holding the state (needed when it has several).",
)
@parameters_option
@substitutions_option
@click.option("--pretty/--compact", default=None, help="Indented or one-line JSON.  [default: indented on a terminal]")
def test_state_command(
    file: Path,
    state_name: str | None,
    input_file: str | None,
    input_json: str | None,
    mock_result: str | None,
    mock_error: str | None,
    mock_cause: str | None,
    inspection_level: str,
    variables: str | None,
    context: str | None,
    retrier_retry_count: int,
    role_arn: str | None,
    resources_file: Path | None,
    logical_id: str | None,
    parameters: dict[str, str],
    substitutions: dict[str, str],
    pretty: bool | None,
) -> None:
    """Run one state of FILE once and print AWS's TestState answer as JSON.

    FILE is a state machine definition (name the state with --state, at any depth), a
    CloudFormation, SAM or CDK template (--state-machine picks the machine), or the
    definition of one state on its own. A Task, Map or Parallel state may be mocked
    (--mock-result, or --mock-error with --mock-cause); a Map or Parallel state must
    be; a Task that is not is answered by the handlers of asl.toml. With DEBUG or
    TRACE, inspectionData shows the input and the data after each stage (InputPath,
    Parameters or Arguments, the result, ResultSelector, ResultPath, the variables
    after Assign), and how Retry or Catch handled an error.

    Exit status: 0 SUCCEEDED or CAUGHT_ERROR, 1 FAILED or RETRIABLE, 2 a request AWS
    would refuse or unusable input.

    \b
    Examples:
      asl test-state machine.json --state Charge --input-json '{"total": 10}' --mock-result '{"ok": true}'
      asl test-state machine.json --state Charge --input input.json --mock-error Card.Declined --mock-cause expired
      asl test-state template.yaml --state-machine Orders --state Route --input-json '{}' --inspection-level DEBUG
      asl test-state one-state.json --input-json '{"a": 1}' --inspection-level TRACE
    """
    mock = _mock(mock_result, mock_error, mock_cause)
    state_input = read_input(input_file, input_json)
    options: dict[str, Any] = {
        "mock": mock,
        "variables": parse_json(variables, "--variables") if variables is not None else None,
        "context": parse_json(context, "--context") if context is not None else None,
        "inspection_level": inspection_level.upper(),
        "role_arn": role_arn,
        "retrier_retry_count": retrier_retry_count,
    }
    try:
        single = _single_state(file, substitutions) if common.template_in(file) is None else None
        if single is not None:
            if state_name is not None:
                raise click.UsageError(f"{file} is the definition of one state: leave out --state")
            result = StateMachine.test_state_definition(
                single, state_input, resources=load_handlers(file, resources_file), **options
            )
        else:
            if state_name is None:
                raise click.UsageError("name the state to run with --state")
            machine = load_machine(file, substitutions=substitutions, choice=MachineChoice(logical_id, parameters))
            resources = load_handlers(file, resources_file, machine)
            result = machine.test_state(state_name, state_input, resources=resources, **options)
    except TestStateError as error:
        raise CommandError(str(error)) from None
    _print(result, pretty)
    raise SystemExit(EXIT_SUCCEEDED if result.status in _PASSING else EXIT_FAILED)


def _mock(result: str | None, error: str | None, cause: str | None) -> dict[str, Any] | None:
    if result is not None and (error is not None or cause is not None):
        raise click.UsageError("use --mock-result or --mock-error (with --mock-cause), not both")
    if cause is not None and error is None:
        raise click.UsageError("--mock-cause goes with --mock-error")
    if result is not None:
        return {"Return": parse_json(result, "--mock-result")}
    if error is not None:
        return {"Throw": {"Error": error, "Cause": cause}}
    return None


def _single_state(file: Path, substitutions: dict[str, str]) -> dict[str, Any] | None:
    """The definition of one state when FILE holds just that (a ``Type`` and no ``States``)."""
    try:
        document = load_definition(file, substitutions=substitutions).document
    except (ValidationError, DefinitionError):
        return None  # load_machine reports it, positioned
    return document if "Type" in document and "States" not in document else None


def _print(result: TestStateResult, pretty: bool | None) -> None:
    stdout = sys.stdout
    click.echo(dump_json(result.to_api(), pretty=common.is_terminal(stdout) if pretty is None else pretty))
