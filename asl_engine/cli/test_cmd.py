"""``asl test``: run the test cases of a test spec or a MockConfigFile and print a pass/fail table.

Two kinds of SPEC are accepted, told apart by their top-level keys:

* a **test spec** (JSON or YAML; ``definition`` and ``tests``), this project's format: each test
  names its input, its mocks (inline, or a MockConfigFile test case) and what it expects
  (status, output, error, cause, the path of states entered);
* a **MockConfigFile** (``StateMachines``), Step Functions Local's format: every test case of every
  state machine is run against the definition found beside the file, and passes when the
  execution succeeds (the format has no expectations; write a test spec to expect more).

A spec's ``definition`` may be a CloudFormation, SAM or CDK template: ``state_machine`` then names
the state machine (its logical id, also used for the MockConfigFile when it has that name) and
``parameters`` override the template's parameters. A MockConfigFile's machine is looked for in a
template beside it (``template.yaml``, ``template.json``, ``*.template.json``) when no definition
file carries its name.
"""

from __future__ import annotations

import difflib
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from asl_engine import StateMachine
from asl_engine.cli import common
from asl_engine.cli.common import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_SUCCEEDED,
    CommandError,
    MachineChoice,
    dump_json,
    load_data_file,
    load_handlers,
    load_machine,
    load_mock_config,
    parse_json,
    read_input,
    read_text,
    template_in,
)
from asl_engine.cli.render.text import describe_path, format_duration
from asl_engine.definition.templates import state_machine_ids
from asl_engine.errors import AslEngineError, ConfigurationError
from asl_engine.execution import Execution
from asl_engine.runtime.clock import Clock, RealClock, VirtualClock
from asl_engine.testing.json_diff import json_differences

STATUSES = ("SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED")
DEFINITION_SUFFIXES = (".asl.json", ".json", ".asl.yaml", ".asl.yml", ".yaml", ".yml")

_SPEC_KEYS = ("definition", "type", "substitutions", "parameters", "resources", "mock_config", "state_machine", "tests")
_TEMPLATE_NAMES = ("template.yaml", "template.yml", "template.json")
_TEST_KEYS = ("input", "input_file", "test_case", "mocks", "expect")
_EXPECT_KEYS = ("status", "output", "output_match", "error", "cause", "path")
OUTPUT_MATCHES = ("exact", "subset")


# -- what a test is ------------------------------------------------------------------------------------


@dataclass(slots=True)
class Expectation:
    status: str = "SUCCEEDED"
    output: Any = None
    has_output: bool = False
    subset: bool = False
    """``output_match: subset``: the output's objects may hold keys the expected output does not name."""
    error: str | None = None
    has_error: bool = False
    cause: str | None = None
    has_cause: bool = False
    path: list[str] | None = None


@dataclass(slots=True)
class TestCase:
    """One execution to run and what it must show."""

    name: str
    definition: Path
    machine_type: str
    substitutions: dict[str, str]
    input: Any
    mocks: dict[str, Any] | None
    expect: Expectation = field(default_factory=Expectation)
    resources_file: Path | None = None
    """Handlers for the Task states no mock answers (None: asl.toml beside the definition, if any)."""
    logical_id: str | None = None
    """For a template: the state machine to run."""
    parameters: dict[str, str] = field(default_factory=dict)
    """For a template: the parameters that override its own."""


@dataclass(slots=True)
class Outcome:
    test: TestCase
    passed: bool
    status: str
    seconds: float
    problems: list[str] = field(default_factory=list)
    errored: bool = False
    """The test could not run (a mock names an unknown state, the definition is invalid...)."""


class SpecError(CommandError):
    """A spec file that cannot be used: says where, in JSON-pointer terms, and what was expected."""

    def __init__(self, origin: str, pointer: str, message: str) -> None:
        super().__init__(f"{origin} at {pointer or '/'}: {message}")


# -- reading specs -------------------------------------------------------------------------------------


def load_tests(spec: Path, *, input_value: Any, resources_file: Path | None = None) -> list[TestCase]:
    """The test cases of a spec file of either kind; ``input_value`` and ``resources_file`` serve the
    tests that name no input or resources of their own."""
    document = load_data_file(spec, "a test spec or a MockConfigFile")
    if isinstance(document, Mapping) and "StateMachines" in document:
        return _mock_config_tests(spec, input_value, resources_file)
    if isinstance(document, Mapping) and "tests" in document:
        return _spec_tests(spec, document, input_value, resources_file)
    raise CommandError(
        f"{spec}: neither a test spec (with 'definition' and 'tests') nor a MockConfigFile "
        "(with 'StateMachines'); see `asl test --help`"
    )


def _mock_config_tests(spec: Path, input_value: Any, resources_file: Path | None) -> list[TestCase]:
    config = load_mock_config(spec)
    tests = []
    for machine in config.state_machines():
        definition, logical_id = _definition_beside(spec, machine)
        for case in config.test_cases(machine):
            mocks = config.test_case(case, state_machine=machine)
            tests.append(
                TestCase(
                    f"{machine}#{case}",
                    definition,
                    "STANDARD",
                    {},
                    input_value,
                    mocks,
                    resources_file=resources_file,
                    logical_id=logical_id,
                )
            )
    return tests


def _definition_beside(spec: Path, machine: str) -> tuple[Path, str | None]:
    """The definition file named after ``machine``, else a template beside ``spec`` holding it
    (with its logical id)."""
    candidates = [spec.parent / f"{machine}{suffix}" for suffix in DEFINITION_SUFFIXES]
    for candidate in candidates:
        if candidate.is_file():
            return candidate, None
    templates = [spec.parent / name for name in _TEMPLATE_NAMES] + sorted(spec.parent.glob("*.template.json"))
    for candidate in templates:
        template = template_in(candidate) if candidate.is_file() else None
        if template is not None and machine in state_machine_ids(template):
            return candidate, machine
    raise CommandError(
        f"{spec}: no definition for state machine '{machine}': expected one of "
        + ", ".join(candidate.name for candidate in candidates)
        + f" in {spec.parent}, or a template there (template.yaml, *.template.json) with a state machine '{machine}'"
    )


def _spec_tests(
    spec: Path, document: Mapping[str, Any], default_input: Any, default_resources: Path | None
) -> list[TestCase]:
    origin = str(spec)
    _check_keys(origin, "", document, _SPEC_KEYS)
    base = spec.parent
    definition_text = _string(origin, "/definition", document.get("definition"), required=True)
    definition = base / definition_text
    machine_type = _string(origin, "/type", document.get("type", "STANDARD")).upper()
    if machine_type not in ("STANDARD", "EXPRESS"):
        raise SpecError(origin, "/type", f"expected STANDARD or EXPRESS, got {machine_type!r}")
    substitutions = _substitutions(origin, document.get("substitutions", {}))
    parameters = _substitutions(origin, document.get("parameters", {}), "/parameters")
    resources_file = default_resources
    if "resources" in document:
        resources_file = base / _string(origin, "/resources", document["resources"])
    config = None
    if "mock_config" in document:
        config = load_mock_config(base / _string(origin, "/mock_config", document["mock_config"]))
    state_machine = document.get("state_machine")
    if state_machine is not None:
        state_machine = _string(origin, "/state_machine", state_machine)
    is_template = template_in(definition) is not None
    logical_id = state_machine if is_template else None
    if parameters and not is_template:
        raise SpecError(origin, "/parameters", f"parameters apply to templates; {definition_text} is a definition")
    for key in ("type", "substitutions"):
        if is_template and key in document:
            raise SpecError(
                origin, f"/{key}", f"{definition_text} is a template, which gives its machines' {key} itself"
            )
    if is_template and (config is None or state_machine not in config.state_machines()):
        state_machine = None  # the MockConfigFile knows this machine by another name, if at all
    tests = document["tests"]
    if not isinstance(tests, Mapping) or not tests:
        raise SpecError(origin, "/tests", "expected an object mapping test names to tests")
    cases = []
    for name, test in tests.items():
        pointer = f"/tests/{_escape(str(name))}"
        if test is None:
            test = {}
        if not isinstance(test, Mapping):
            raise SpecError(origin, pointer, "expected an object with input, mocks, expect")
        _check_keys(origin, pointer, test, _TEST_KEYS)
        mocks = _test_mocks(origin, pointer, test, config, state_machine)
        cases.append(
            TestCase(
                str(name),
                definition,
                machine_type,
                substitutions,
                _test_input(origin, pointer, test, base, default_input),
                mocks,
                _expectation(origin, f"{pointer}/expect", test.get("expect", {})),
                resources_file,
                logical_id,
                parameters,
            )
        )
    return cases


def _test_input(origin: str, pointer: str, test: Mapping[str, Any], base: Path, default: Any) -> Any:
    if "input" in test and "input_file" in test:
        raise SpecError(origin, pointer, "give 'input' or 'input_file', not both")
    if "input_file" in test:
        path = base / _string(origin, f"{pointer}/input_file", test["input_file"])
        return parse_json(read_text(path, "a JSON execution input"), str(path))
    return test.get("input", default)


def _test_mocks(
    origin: str, pointer: str, test: Mapping[str, Any], config: Any, state_machine: str | None
) -> dict[str, Any] | None:
    mocks: dict[str, Any] | None = None
    if "test_case" in test:
        case = _string(origin, f"{pointer}/test_case", test["test_case"])
        if config is None:
            raise SpecError(origin, f"{pointer}/test_case", "a test case needs 'mock_config' at the top of the spec")
        try:
            mocks = dict(config.test_case(case, state_machine=state_machine))
        except ConfigurationError as error:
            raise SpecError(origin, f"{pointer}/test_case", str(error)) from None
    inline = test.get("mocks")
    if inline is not None:
        if not isinstance(inline, Mapping):
            raise SpecError(origin, f"{pointer}/mocks", "expected an object mapping state names to responses")
        mocks = {**(mocks or {}), **inline}
    return mocks


def _expectation(origin: str, pointer: str, raw: Any) -> Expectation:
    if not isinstance(raw, Mapping):
        raise SpecError(origin, pointer, "expected an object with status, output, output_match, error, cause or path")
    _check_keys(origin, pointer, raw, _EXPECT_KEYS)
    expect = Expectation()
    status = raw.get("status", "FAILED" if "error" in raw or "cause" in raw else "SUCCEEDED")
    if status not in STATUSES:
        raise SpecError(origin, f"{pointer}/status", f"expected one of {', '.join(STATUSES)}, got {status!r}")
    expect.status = status
    if "output" in raw:
        expect.output, expect.has_output = raw["output"], True
    if "output_match" in raw:
        match = raw["output_match"]
        if match not in OUTPUT_MATCHES:
            raise SpecError(origin, f"{pointer}/output_match", f"expected 'exact' or 'subset', got {match!r}")
        if "output" not in raw:
            raise SpecError(origin, f"{pointer}/output_match", "'output_match' applies to an expected 'output'")
        expect.subset = match == "subset"
    if "error" in raw:
        expect.error, expect.has_error = _optional_string(origin, f"{pointer}/error", raw["error"]), True
    if "cause" in raw:
        expect.cause, expect.has_cause = _optional_string(origin, f"{pointer}/cause", raw["cause"]), True
    if "path" in raw:
        path = raw["path"]
        if not isinstance(path, list) or not all(isinstance(step, str) for step in path):
            raise SpecError(origin, f"{pointer}/path", "expected a list of state names")
        expect.path = list(path)
    return expect


def _check_keys(origin: str, pointer: str, raw: Mapping[str, Any], allowed: Sequence[str]) -> None:
    for key in raw:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), allowed, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else f" (allowed: {', '.join(allowed)})"
            raise SpecError(origin, f"{pointer}/{_escape(str(key))}", f"unknown field '{key}'{hint}")


def _string(origin: str, pointer: str, value: Any, required: bool = False) -> str:
    if value is None and required:
        raise SpecError(origin, pointer, "this field is required")
    if not isinstance(value, str) or not value:
        raise SpecError(origin, pointer, f"expected a non-empty string, got {value!r}")
    return value


def _optional_string(origin: str, pointer: str, value: Any) -> str | None:
    if value is not None and not isinstance(value, str):
        raise SpecError(origin, pointer, f"expected a string or null, got {value!r}")
    return value


def _substitutions(origin: str, raw: Any, pointer: str = "/substitutions") -> dict[str, str]:
    if not isinstance(raw, Mapping):
        raise SpecError(origin, pointer, "expected an object mapping names to values")
    return {str(key): value if isinstance(value, str) else dump_json(value, pretty=False) for key, value in raw.items()}


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


# -- running -------------------------------------------------------------------------------------------


class MachineCache:
    """Each definition is loaded and compiled once, however many tests use it."""

    def __init__(self) -> None:
        self._machines: dict[tuple[Any, ...], StateMachine] = {}

    def get(self, test: TestCase) -> StateMachine:
        key = (
            test.definition,
            test.machine_type,
            tuple(sorted(test.substitutions.items())),
            test.logical_id,
            tuple(sorted(test.parameters.items())),
        )
        machine = self._machines.get(key)
        if machine is None:
            machine = load_machine(
                test.definition,
                machine_type=test.machine_type,
                substitutions=test.substitutions,
                choice=MachineChoice(test.logical_id, test.parameters),
            )
            self._machines[key] = machine
        return machine


def run_test(test: TestCase, machines: MachineCache, clock: str) -> Outcome:
    started = time.perf_counter()
    machine = machines.get(test)
    execution_clock: Clock = RealClock() if clock == "real" else VirtualClock()
    resources = load_handlers(test.definition, test.resources_file, machine)  # fresh per test: tables from seed
    try:
        execution = machine.execute(test.input, mocks=test.mocks, resources=resources, clock=execution_clock)
    except AslEngineError as error:  # e.g. a mock for a state the definition does not have
        return Outcome(test, False, "ERROR", time.perf_counter() - started, str(error).splitlines(), errored=True)
    problems = check(test.expect, execution)
    return Outcome(test, not problems, execution.status, time.perf_counter() - started, problems)


def check(expect: Expectation, execution: Execution) -> list[str]:
    """What differs from the expectation, one sentence each (empty when the test passes)."""
    problems: list[str] = []
    if execution.status != expect.status:
        got = execution.status
        if execution.error is not None or execution.cause is not None:
            got += f" ({': '.join(str(p) for p in (execution.error, execution.cause) if p is not None)})"
        problems.append(f"expected status {expect.status}, got {got}")
    if expect.has_output and execution.status == "SUCCEEDED":
        differences = json_differences(expect.output, execution.output, subset=expect.subset)
        problems.extend(f"output differs {difference}" for difference in differences)
    if expect.has_error and execution.error != expect.error:
        problems.append(f"expected error {expect.error!r}, got {execution.error!r}")
    if expect.has_cause and execution.cause != expect.cause:
        problems.append(f"expected cause {expect.cause!r}, got {execution.cause!r}")
    if expect.path is not None:
        taken = execution.states_entered
        if taken != expect.path:
            step = next(
                (i for i, (a, b) in enumerate(zip(expect.path, taken, strict=False)) if a != b),
                min(len(expect.path), len(taken)),
            )
            problems.append(f"path differs at step {step + 1}:")
            problems.append(f"  expected: {describe_path(expect.path)}")
            problems.append(f"  got:      {describe_path(taken) or '(no state entered)'}")
    return problems


# -- reporting -----------------------------------------------------------------------------------------


def print_table(outcomes: Sequence[Outcome], *, color: bool) -> None:
    width = max([len("TEST"), *(len(outcome.test.name) for outcome in outcomes)])
    status_width = max([len("STATUS"), *(len(outcome.status) for outcome in outcomes)])
    click.echo(
        click.style(f"{'RESULT':<6}  {'TEST':<{width}}  {'STATUS':<{status_width}}  TIME", bold=True), color=color
    )
    for outcome in outcomes:
        verdict = "PASS" if outcome.passed else "ERROR" if outcome.errored else "FAIL"
        styled = click.style(f"{verdict:<6}", fg="green" if outcome.passed else "red", bold=not outcome.passed)
        click.echo(
            f"{styled}  {outcome.test.name:<{width}}  {outcome.status:<{status_width}}  "
            f"{format_duration(outcome.seconds)}",
            color=color,
        )
        for problem in outcome.problems:
            click.echo(f"{'':<6}  {problem}", color=color)
    passed = sum(outcome.passed for outcome in outcomes)
    failed = len(outcomes) - passed
    noun = "test" if len(outcomes) == 1 else "tests"
    click.echo(f"{len(outcomes)} {noun}: {passed} passed, {failed} failed", color=color)


def outcomes_document(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    return {
        "passed": sum(outcome.passed for outcome in outcomes),
        "failed": sum(not outcome.passed for outcome in outcomes),
        "tests": [
            {
                "name": outcome.test.name,
                "result": "pass" if outcome.passed else "error" if outcome.errored else "fail",
                "status": outcome.status,
                "seconds": round(outcome.seconds, 6),
                "problems": outcome.problems,
            }
            for outcome in outcomes
        ],
    }


# -- the command ---------------------------------------------------------------------------------------


@click.command("test", short_help="Run test cases and print a pass/fail table.")
@click.argument("specs", metavar="SPEC...", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("-k", "selection", metavar="TEXT", help="Run only the tests whose name contains TEXT.")
@click.option("-x", "--exitfirst", is_flag=True, help="Stop at the first failing test.")
@click.option(
    "--clock",
    "clock_kind",
    type=click.Choice(["virtual", "real"]),
    default="virtual",
    show_default=True,
    help="virtual: Wait states and retry intervals take no time.",
)
@click.option(
    "--input",
    "input_file",
    metavar="FILE",
    help="Input of the tests that give none, e.g. MockConfigFile cases (JSON file, '-': stdin; default {}).",
)
@click.option("--input-json", metavar="JSON", help="The same, given inline.")
@click.option(
    "--resources",
    "resources_file",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Handlers for the tests whose spec names none.  [default: asl.toml beside the definition]",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="table: for people; json: a report for CI.",
)
@click.pass_context
def test_command(
    ctx: click.Context,
    specs: tuple[Path, ...],
    selection: str | None,
    exitfirst: bool,
    clock_kind: str,
    input_file: str | None,
    input_json: str | None,
    resources_file: Path | None,
    output_format: str,
) -> None:
    """Run every test case of each SPEC and print a pass/fail table.

    SPEC is a test spec (JSON or YAML with 'definition' and 'tests'; see docs/cli.md)
    or a Step Functions Local MockConfigFile, whose state machines' definitions are
    found beside it (NAME.asl.json, NAME.json, NAME.yaml...). Exit status: 0 all
    passed, 1 a test failed, 2 a spec is unusable, 130 interrupted.

    \b
    Examples:
      asl test order.tests.yaml
      asl test -k retry tests/*.asltest.yaml
      asl test MockConfigFile.json --input-json '{"orderId": 1}'
      asl test --format json tests.yaml > report.json
    """
    input_value = read_input(input_file, input_json)
    tests = [
        test for spec in specs for test in load_tests(spec, input_value=input_value, resources_file=resources_file)
    ]
    if selection is not None:
        tests = [test for test in tests if selection in test.name]
        if not tests:
            raise CommandError(f"no test name contains {selection!r}")
    machines = MachineCache()
    for definition, resources in dict.fromkeys((test.definition, test.resources_file) for test in tests):
        load_handlers(definition, resources)  # unusable resources make the spec unusable (exit 2), up front
    for test in tests:
        machines.get(test)  # likewise a definition that cannot load
    outcomes: list[Outcome] = []
    interrupted = False
    try:
        for test in tests:
            outcome = run_test(test, machines, clock_kind)
            outcomes.append(outcome)
            if exitfirst and not outcome.passed:
                break
    except KeyboardInterrupt:
        interrupted = True
    stdout = sys.stdout
    if output_format == "json":
        click.echo(dump_json(outcomes_document(outcomes), pretty=True))
    else:
        print_table(outcomes, color=common.wants_color(stdout))
    if interrupted:
        click.echo(f"interrupted after {len(outcomes)} of {len(tests)} tests", err=True)
        ctx.exit(EXIT_INTERRUPTED)
    ctx.exit(EXIT_SUCCEEDED if all(outcome.passed for outcome in outcomes) else EXIT_FAILED)
