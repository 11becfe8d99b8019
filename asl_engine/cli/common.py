"""What every ``asl`` command shares: exit codes, options, reading files and showing errors.

One rule runs through this module: a problem the user can fix is a ``CommandError`` carrying a
message that names the file, the place and (where obvious) the fix. Nothing here lets a traceback
reach the terminal for bad input; tracebacks are kept for bugs in the engine itself.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TypeVar

import click
from click.core import ParameterSource

from asl_engine import StateMachine
from asl_engine.cli.render.text import printable
from asl_engine.definition import yaml_reader
from asl_engine.definition.diagnostics import Diagnostic
from asl_engine.definition.nesting import too_deep_message
from asl_engine.definition.templates import TemplateSource, sniff_template
from asl_engine.errors import ConfigurationError, DefinitionError, ValidationError
from asl_engine.services import Resources, load_resources
from asl_engine.validation import validate, validate_template

if TYPE_CHECKING:
    from asl_engine.testing.mock_config import MockConfig

EXIT_SUCCEEDED = 0
EXIT_FAILED = 1
"""The execution failed (or was aborted other than by Ctrl-C); for ``asl test``, a test failed."""
EXIT_UNUSABLE = 2
"""Bad usage or input: unreadable file, invalid JSON, invalid definition, bad configuration."""
EXIT_TIMED_OUT = 3
EXIT_INTERRUPTED = 130
"""128 + SIGINT, what shells report for a program stopped with Ctrl-C."""

F = TypeVar("F", bound=Callable[..., Any])


class CommandError(click.ClickException):
    """A problem the user can fix; click prints ``Error: <message>`` on stderr and exits with ``exit_code``."""

    def __init__(self, message: str, exit_code: int = EXIT_UNUSABLE) -> None:
        super().__init__(message)
        # click declares exit_code a ClassVar, but sets no rule against a per-instance value, which it reads.
        self.exit_code = exit_code  # type: ignore[misc,unused-ignore]


class InvalidDefinition(CommandError):
    """A definition AWS would reject, with the validator's positioned diagnostics."""

    def __init__(self, source: str, diagnostics: list[Diagnostic], exit_code: int = EXIT_UNUSABLE) -> None:
        self.source = source
        self.diagnostics = diagnostics
        count = len(diagnostics)
        lines = [f"{source} is not a valid state machine definition ({count} error{'s' if count != 1 else ''}):"]
        lines.extend(f"  {diagnostic.format(source)}" for diagnostic in diagnostics)
        super().__init__("\n".join(lines), exit_code)


# -- terminals ---------------------------------------------------------------------------------------


def is_terminal(stream: IO[Any]) -> bool:
    """Whether ``stream`` is an interactive terminal: decides pretty output, progress and trace style.

    Looked up through this module by the commands, so tests can pretend to be a terminal.
    """
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or exotic stream is not a terminal
        return False


def wants_color(stream: IO[Any]) -> bool:
    """Colours on a terminal unless ``NO_COLOR`` is set (https://no-color.org)."""
    return is_terminal(stream) and not os.environ.get("NO_COLOR")


# -- shared options ----------------------------------------------------------------------------------


def parse_assignments(assignments: Iterable[str], shape: str, option: str) -> dict[str, str]:
    """``("Name=Value", ...)`` -> ``{"Name": "Value"}``; ``click.BadParameter`` naming ``option`` and the
    expected ``shape`` (``NAME=VALUE``) for a malformed one."""
    values: dict[str, str] = {}
    for assignment in assignments:
        name, sep, value = assignment.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"expected {shape}, got {assignment!r}", param_hint=option)
        values[name.strip()] = value
    return values


def parse_substitutions(assignments: Iterable[str]) -> dict[str, str]:
    """``--set`` values: ``("Name=Value", ...)`` -> ``{"Name": "Value"}``."""
    return parse_assignments(assignments, "NAME=VALUE", "--set")


def substitutions_option(function: F) -> F:
    """``--set NAME=VALUE`` (repeatable), delivered to the command as a dict named ``substitutions``."""
    return click.option(
        "--set",
        "substitutions",
        multiple=True,
        metavar="NAME=VALUE",
        callback=lambda ctx, param, assignments: parse_substitutions(assignments),
        help="Definition substitution: replaces ${NAME} in the definition's text before parsing. Repeatable.",
    )(function)


def parse_parameters(assignments: Iterable[str]) -> dict[str, str]:
    """``--parameter`` values: ``("Key=Value", ...)`` -> ``{"Key": "Value"}``."""
    return parse_assignments(assignments, "KEY=VALUE", "--parameter")


def parameters_option(function: F) -> F:
    """``--parameter KEY=VALUE`` (repeatable), delivered as a dict named ``parameters``."""
    return click.option(
        "--parameter",
        "parameters",
        multiple=True,
        metavar="KEY=VALUE",
        callback=lambda ctx, param, assignments: parse_parameters(assignments),
        help="For a template: a template parameter (else its Default), a pseudo parameter (AWS::Region, "
        "AWS::AccountId, AWS::StackName...), what Ref gives for a resource (LogicalId=...), an attribute "
        "(LogicalId.Attribute=...) or an export (its name). Repeatable.",
    )(function)


def machine_type_option(function: F) -> F:
    """``--type STANDARD|EXPRESS``, delivered upper-cased as ``machine_type``."""
    return click.option(
        "--type",
        "machine_type",
        type=click.Choice(["STANDARD", "EXPRESS"], case_sensitive=False),
        default="STANDARD",
        show_default=True,
        callback=lambda ctx, param, value: value.upper(),
        help="State machine type (EXPRESS forbids .sync and .waitForTaskToken tasks).",
    )(function)


def given(ctx: click.Context, name: str) -> bool:
    """Whether the option ``name`` was given on the command line (not left at its default)."""
    source = ctx.get_parameter_source(name)
    return source is not None and source not in (ParameterSource.DEFAULT, ParameterSource.DEFAULT_MAP)


# -- definitions -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MachineChoice:
    """What picks the state machine of a file: for a template, its logical id and parameters."""

    logical_id: str | None = None
    parameters: Mapping[str, str] = field(default_factory=dict)
    machine_type_given: bool = False
    """``--type`` was given explicitly (a template's own type wins, so that is an error)."""


def template_in(path: Path) -> TemplateSource | None:
    """The template ``path`` holds, or None when it holds a definition (or cannot be read)."""
    return sniff_template(path)


def load_machine(
    path: Path,
    *,
    machine_type: str = "STANDARD",
    substitutions: Mapping[str, str] | None = None,
    invalid_exit_code: int = EXIT_UNUSABLE,
    choice: MachineChoice | None = None,
) -> StateMachine:
    """Load and compile a definition file or a template, or raise a ``CommandError`` saying exactly
    what is wrong.

    The engine validates without positions (it must load fast); only when a definition is
    rejected do we run the full validator over the file to point at lines and columns.
    """
    choice = choice or MachineChoice()
    if template_in(path) is not None:
        return _load_template_machine(path, substitutions, invalid_exit_code, choice)
    if choice.parameters:
        raise click.UsageError(f"--parameter applies to templates; {path} is a state machine definition")
    try:
        return StateMachine.from_file(path, machine_type=machine_type, substitutions=substitutions)
    except ValidationError as error:
        raise InvalidDefinition(
            str(path), _positioned_errors(path, error, machine_type, substitutions), invalid_exit_code
        ) from None
    except DefinitionError as error:
        raise CommandError(str(error)) from None


def _load_template_machine(
    path: Path, substitutions: Mapping[str, str] | None, invalid_exit_code: int, choice: MachineChoice
) -> StateMachine:
    if substitutions:
        raise click.UsageError(
            f"--set applies to definitions; {path} is a template, whose DefinitionSubstitutions are resolved "
            "from the template itself (override what they use with --parameter)"
        )
    if choice.machine_type_given:
        raise click.UsageError(f"--type applies to definitions; {path} is a template, which gives each machine's type")
    try:
        return StateMachine.from_template(path, choice.logical_id, choice.parameters)
    except ValidationError as error:
        source = error.source or str(path)
        found = [d for d in error.diagnostics if d.severity == "ERROR"]
        machine = choice.logical_id or ""
        checked = validate_template(path, parameters=choice.parameters)
        full = [
            d
            for result in checked
            if result.logical_id == machine or len(checked) == 1
            for d in result.diagnostics
            if d.severity == "ERROR"
        ]
        raise InvalidDefinition(source, full or found, invalid_exit_code) from None
    except DefinitionError as error:
        raise CommandError(str(error)) from None


def _positioned_errors(
    path: Path, error: ValidationError, machine_type: str, substitutions: Mapping[str, str] | None
) -> list[Diagnostic]:
    found = [d for d in validate(path, machine_type=machine_type, substitutions=substitutions) if d.severity == "ERROR"]
    # The validator and the compiler agree on what is invalid; should they ever not, the engine's
    # own diagnostics are still the truth about why it refused to load.
    return found or [d for d in error.diagnostics if d.severity == "ERROR"]


# -- handlers and mocks -------------------------------------------------------------------------------

DEFAULT_RESOURCES = "asl.toml"


def load_handlers(definition: Path, resources_file: Path | None, machine: StateMachine | None = None) -> Resources:
    """The account ``resources_file`` describes, else ``asl.toml`` beside the definition, else an empty
    one (its embedded services, queues, topics, buses and secrets, work with no configuration).

    Loaded afresh on every call: each execution (each ``asl test`` case) starts from the file's
    state, DynamoDB tables back at their seed items. For a machine from a template, functions and
    state machines registered under a resource's logical id also answer the name the template
    gives the resource.
    """
    path = resources_file if resources_file is not None else definition.parent / DEFAULT_RESOURCES
    if resources_file is None and not path.is_file():
        return Resources()
    try:
        resources = load_resources(path)
    except ConfigurationError as error:
        raise CommandError(str(error)) from None
    if machine is not None and machine.template is not None:
        resources.add_template_aliases(machine.template.resource_names)
    return resources


def load_mock_config(path: Path) -> MockConfig:
    """A Step Functions Local MockConfigFile, checked; problems name the file and the JSON pointer."""
    from asl_engine.testing.mock_config import MockConfig

    try:
        return MockConfig.load(path)
    except ConfigurationError as error:
        raise CommandError(str(error)) from None


# -- JSON and data files -----------------------------------------------------------------------------


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def parse_json(text: str, origin: str) -> Any:
    """Parse JSON text strictly (no NaN or Infinity, which AWS rejects); ``origin`` names it in errors."""
    if not text.strip():
        raise CommandError(f"{origin} is empty: expected a JSON value, such as {{}}")
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except RecursionError:
        raise CommandError(f"{origin} is not usable: {too_deep_message('it', None)}") from None
    except json.JSONDecodeError as error:
        raise CommandError(
            f"{origin} is not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})"
            + _excerpt(text, error.lineno, error.colno)
        ) from None
    except ValueError as error:
        raise CommandError(f"{origin} is not valid JSON: {error}") from None


def _excerpt(text: str, line: int, column: int) -> str:
    """The offending line with a caret under the column, when the line is short enough to help."""
    lines = text.splitlines()
    if not 0 < line <= len(lines) or len(lines[line - 1]) > 200:
        return ""
    return f"\n  {lines[line - 1]}\n  {' ' * (column - 1)}^"


def read_text(path: Path, what: str) -> str:
    """The UTF-8 text of ``path``; ``what`` says what the file was meant to be, for the message."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CommandError(f"{path}: no such file (expected {what})") from None
    except IsADirectoryError:
        raise CommandError(f"{path}: is a directory, not {what}") from None
    except UnicodeDecodeError as error:
        raise CommandError(f"{path}: not UTF-8 text ({error.reason} at byte {error.start})") from None
    except OSError as error:
        raise CommandError(f"{path}: cannot read {what}: {error.strerror}") from None


def read_input(input_file: str | None, input_json: str | None) -> Any:
    """The execution input from ``--input FILE``, ``--input -`` or ``--input-json``; ``{}`` when none."""
    if input_file is not None and input_json is not None:
        raise click.UsageError("use --input or --input-json, not both")
    if input_json is not None:
        return parse_json(input_json, "--input-json")
    if input_file is None:
        return {}
    if input_file == "-":
        return parse_json(_stdin_text(), "the input read from stdin")
    return parse_json(read_text(Path(input_file), "a JSON execution input"), input_file)


def _stdin_text() -> str:
    """Standard input as UTF-8, strictly: bytes that are not UTF-8 are refused, as in a file."""
    stream = sys.stdin
    buffer = getattr(stream, "buffer", None)
    if buffer is None:  # a text-only stream (a test's StringIO): already text
        return stream.read()
    data = buffer.read()
    try:
        return str(data.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise CommandError(
            f"the input read from stdin: not UTF-8 text ({error.reason} at byte {error.start})"
        ) from None


def load_data_file(path: Path, what: str) -> Any:
    """A JSON or YAML file (JSON first: it is the common case, and its errors are the clearer)."""
    text = read_text(path, what)
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.startswith(("{", "[")):
        return parse_json(text, str(path))
    try:
        return yaml_reader.load(text)
    except yaml_reader.YamlSyntaxError as error:
        raise CommandError(f"{path} is not valid YAML or JSON: {error}") from None
    except yaml_reader.YamlProblem as problem:
        where = f" (line {problem.line}, column {problem.column})" if problem.line is not None else ""
        raise CommandError(f"{path}: {problem.message}{where}") from None


def dump_json(value: Any, *, pretty: bool) -> str:
    """JSON text as people read it (indented) or as programs want it (compact, one line).

    Always valid JSON that can be written as UTF-8: a lone surrogate (``"\\ud800"`` in an input is
    legal JSON, and AWS carries it through) is written as its ``\\u`` escape, as AWS's JSON writer
    does, rather than failing the write.
    """
    if pretty:
        return printable(json.dumps(value, indent=2, ensure_ascii=False))
    return printable(json.dumps(value, separators=(",", ":"), ensure_ascii=False))


def write_file_atomically(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` through a temporary file beside it, renamed into place: the
    file holds the old content or the new, never a part of it (nor an empty file after a failure)."""
    directory = path.parent if str(path.parent) else Path(".")
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
