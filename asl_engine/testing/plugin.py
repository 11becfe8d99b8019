"""The pytest plugin (entry point ``pytest11``): fixtures, options and the coverage report.

Installed with the package, so a test needs no conftest::

    def test_declined_card_is_refunded(asl_machine, asl_env, asl_mocks):
        machine = asl_machine("order.json")
        asl_mocks.raises("Charge", "Payment.Declined")
        execution = asl_env.execute(machine, {"order": 1})
        assert_caught(execution, "Charge", error="Payment.Declined", by="Refund")

This module is imported by every pytest run in an environment where asl-engine is installed, so
it imports the engine only when a fixture or an option needs it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Generator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from asl_engine import StateMachine
    from asl_engine.services import Outbox, Resources
    from asl_engine.testing.coverage import CoverageCollector
    from asl_engine.testing.environment import AslEnvironment, TestClock
    from asl_engine.testing.mocking import MockSet
    from asl_engine.testing.snapshots import Snapshot, SnapshotSession

DEFAULT_CLOCK_START = "2024-01-01T00:00:00Z"


class _PluginState:
    """Session-wide state: the coverage collector, loaded machines, snapshot bookkeeping."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.collector: CoverageCollector | None = None
        self.observer: Callable[..., None] | None = None
        self.machines: dict[tuple[Any, ...], StateMachine] = {}
        self.snapshots: SnapshotSession | None = None
        self.coverage_failed: str | None = None
        self.found_files: dict[tuple[Path, str], Path] = {}
        """``asl_machine``'s files, by the test's directory and the name it was given."""
        self.clock_start: float | None = None
        """``asl_clock_start`` as epoch seconds, once a test asked for a clock."""


_STATE = pytest.StashKey[_PluginState]()
_LOADED = pytest.StashKey["list[StateMachine]"]()
"""The machines a test loaded through ``asl_machine`` (for "did you mean" hints about mocks)."""


def _truthy(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("1", "true", "yes", "on")


# -- options ---------------------------------------------------------------------------------------------


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("asl-engine", "asl-engine: testing Step Functions state machines")
    group.addoption(
        "--asl-cov",
        action="store_true",
        default=False,
        help="report which states, transitions, Choice rules, Retriers and Catchers the tests exercised",
    )
    group.addoption(
        "--asl-cov-fail-under",
        type=float,
        default=None,
        metavar="PERCENT",
        help="fail the run if the total state machine coverage is below PERCENT",
    )
    group.addoption("--asl-cov-report", default=None, metavar="FILE", help="write the coverage report as JSON to FILE")
    group.addoption(
        "--asl-snapshot-update",
        action="store_true",
        default=False,
        help="rewrite history snapshots that differ (also: ASL_SNAPSHOT_UPDATE=1)",
    )
    group.addoption(
        "--asl-fail-on-unused-mocks",
        action="store_true",
        default=None,
        help="fail a test whose mocks were not all used",
    )
    group.addoption(
        "--asl-fail-on-unmocked",
        action="store_true",
        default=None,
        help="fail a test in which a Task state ran with neither a mock nor a handler",
    )
    group.addoption(
        "--asl-mock-config",
        default=None,
        metavar="FILE",
        help="the MockConfigFile that asl_mocks.use_test_case() reads",
    )
    parser.addini("asl_mock_config", "the MockConfigFile that asl_mocks.use_test_case() reads (relative to rootdir)")
    parser.addini("asl_resources", "a resources file (asl.toml) loaded into asl_resources for every test")
    parser.addini("asl_clock_start", "where the asl_clock fixture starts (ISO-8601)", default=DEFAULT_CLOCK_START)
    parser.addini("asl_fail_on_unused_mocks", "fail a test whose mocks were not all used", type="bool", default=False)
    parser.addini(
        "asl_fail_on_unmocked",
        "fail a test in which a Task state ran without a mock or handler",
        type="bool",
        default=False,
    )
    parser.addini("asl_cov_fail_under", "fail the run below this total state machine coverage (percent)")


def _coverage_wanted(config: pytest.Config) -> bool:
    return bool(config.getoption("asl_cov") or config.getoption("asl_cov_report") or _fail_under(config) is not None)


def _fail_under(config: pytest.Config) -> float | None:
    value = config.getoption("asl_cov_fail_under")
    if value is None:
        text = config.getini("asl_cov_fail_under")
        if not text:
            return None
        try:
            value = float(str(text))
        except ValueError:
            raise pytest.UsageError(f"asl_cov_fail_under must be a number of percent, got {text!r}") from None
    if not 0 <= value <= 100:
        raise pytest.UsageError(f"--asl-cov-fail-under must be between 0 and 100, got {value}")
    return float(value)


def _flag(config: pytest.Config, option: str) -> bool:
    value = config.getoption(option)
    return bool(value) if value is not None else bool(config.getini(option))


# -- session ---------------------------------------------------------------------------------------------


def pytest_configure(config: pytest.Config) -> None:
    state = _PluginState(config)
    config.stash[_STATE] = state
    if _coverage_wanted(config):
        _fail_under(config)  # report a bad threshold before running anything
        from asl_engine.observers import add_observer
        from asl_engine.testing.coverage import CoverageCollector

        state.collector = CoverageCollector()
        state.observer = state.collector.observe
        add_observer(state.observer)


def pytest_unconfigure(config: pytest.Config) -> None:
    state = config.stash.get(_STATE, None)
    if state is not None and state.observer is not None:
        from asl_engine.observers import remove_observer

        remove_observer(state.observer)
        state.observer = None


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    state = session.config.stash.get(_STATE, None)
    if state is None or state.collector is None or hasattr(session.config, "workerinput"):
        return  # a pytest-xdist worker sees only its share: it must not write or judge the report
    from asl_engine.testing.coverage_report import total_percent, write_json_report

    machines = state.collector.report()
    report_file = session.config.getoption("asl_cov_report")
    if report_file:
        target = Path(session.config.invocation_params.dir, report_file)
        write_json_report(target, machines, session.config.rootpath, state.collector.errors)
    threshold = _fail_under(session.config)
    if threshold is not None:
        percent = total_percent(machines)
        if percent < threshold:
            state.coverage_failed = (
                f"FAIL Required state machine coverage of {threshold:g}% not reached. Total coverage: {percent:.2f}%"
            )
            if session.exitstatus == pytest.ExitCode.OK:
                session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    state = config.stash.get(_STATE, None)
    if state is None:
        return
    if state.collector is not None and (config.getoption("asl_cov") or state.coverage_failed):
        from asl_engine.testing.coverage_report import text_report

        terminalreporter.write_sep("-", "asl-engine state machine coverage")
        terminalreporter.write_line(
            text_report(state.collector.report(), config.rootpath, errors=state.collector.errors)
        )
    if state.collector is not None and config.getoption("asl_cov_report"):
        terminalreporter.write_line(f"asl-engine coverage JSON written to {config.getoption('asl_cov_report')}")
    if state.coverage_failed:
        terminalreporter.write_line(state.coverage_failed, red=True, bold=True)
    snapshots = state.snapshots
    if snapshots is not None and (snapshots.written or snapshots.updated):
        terminalreporter.write_line(
            f"asl-engine snapshots: {len(snapshots.written)} written, {len(snapshots.updated)} updated"
        )


# -- per-test checks ---------------------------------------------------------------------------------------


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    result = yield
    funcargs: dict[str, Any] = getattr(item, "funcargs", {})
    mocks = funcargs.get("asl_mocks")
    environment = funcargs.get("asl_env")
    problems: list[str] = []
    if environment is not None and environment.fail_on_unmocked and environment.unanswered.requests:
        for request in environment.unanswered.requests:
            problems.append(
                f"Task state '{request.state_name}' ran without a mock (resource {request.resource.arn}, "
                f"invocation {request.invocation}); mock it with asl_mocks.returns('{request.state_name}', ...)"
            )
    if mocks is not None and mocks.fail_on_unused:
        known: set[str] = set()
        for machine in _machines_of(item, environment):
            known.update(machine.compiled.all_states)
        problems.extend(mocks.unused(known))
    if problems:
        raise AssertionError("asl-engine: " + "\n".join(problems))
    return result


def _machines_of(item: pytest.Item, environment: AslEnvironment | None) -> list[StateMachine]:
    machines = list(environment.machines) if environment is not None else []
    loaded: list[StateMachine] = item.stash.get(_LOADED, [])
    machines.extend(loaded)
    return machines


# -- fixtures ----------------------------------------------------------------------------------------------


@pytest.fixture
def asl_machine(request: pytest.FixtureRequest) -> Callable[..., StateMachine]:
    """Load a state machine: ``asl_machine("machine.json")`` (beside the test file) or a definition dict.

    Files are validated and compiled once per session, whatever the number of tests using them.
    """
    state = request.config.stash[_STATE]
    loaded: list[StateMachine] = []
    request.node.stash[_LOADED] = loaded

    def load(source: str | Path | dict[str, Any], **options: Any) -> StateMachine:
        __tracebackhide__ = True
        from asl_engine import StateMachine

        if isinstance(source, dict):
            machine = StateMachine.from_json(source, **options)
        else:
            machine = _load_file(state, _find_file(request, source), options)
        loaded.append(machine)
        if state.collector is not None:
            state.collector.register(machine)
        return machine

    return load


def _load_file(state: _PluginState, path: Path, options: dict[str, Any]) -> StateMachine:
    """A machine file, compiled once per session for the same content and options."""
    from asl_engine import StateMachine

    try:
        key: tuple[Any, ...] | None = (path, path.stat().st_mtime_ns, frozenset(options.items()))
        cached = state.machines.get(key)  # type: ignore[arg-type]
    except TypeError:  # an unhashable option (a substitutions dict): no caching
        key, cached = None, None
    if cached is not None:
        return cached
    machine = StateMachine.from_file(path, **options)
    if key is not None:
        state.machines[key] = machine
    return machine


def _find_file(request: pytest.FixtureRequest, source: str | Path) -> Path:
    """The file ``source`` names, beside the test, under the root or the working directory; found once
    per session for each test directory (a suite loads the same file in hundreds of tests)."""
    __tracebackhide__ = True
    found_files = request.config.stash[_STATE].found_files
    key = (request.path.parent, str(source))
    found = found_files.get(key)
    if found is not None and found.is_file():
        return found
    found = found_files[key] = _search_file(request, source)
    return found


def _search_file(request: pytest.FixtureRequest, source: str | Path) -> Path:
    __tracebackhide__ = True
    candidate = Path(source)
    if candidate.is_absolute():
        places = [candidate]
    else:
        places = [Path(request.path).parent / candidate, request.config.rootpath / candidate, Path.cwd() / candidate]
    for place in places:
        if place.is_file():
            return place.resolve()
    looked = ", ".join(str(p) for p in dict.fromkeys(places))
    pytest.fail(f"asl_machine: no state machine file {str(source)!r} (looked in {looked})", pytrace=False)


# The per-test fixtures take ``pytestconfig`` rather than ``request`` where the configuration is all
# they read: pytest builds a fixture definition for ``request`` each time one asks for it.


@pytest.fixture
def asl_clock(pytestconfig: pytest.Config) -> TestClock:
    """A virtual clock for this test, at a fixed start (ini ``asl_clock_start``)."""
    from asl_engine.testing.environment import TestClock

    return TestClock(_clock_start(pytestconfig))


def _clock_start(config: pytest.Config) -> float:
    """The ini's start time, read once per session."""
    state = config.stash[_STATE]
    if state.clock_start is None:
        from datetime import datetime

        text = str(config.getini("asl_clock_start") or DEFAULT_CLOCK_START)
        try:
            state.clock_start = datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
        except ValueError:
            raise pytest.UsageError(f"asl_clock_start must be an ISO-8601 time, got {text!r}") from None
    return state.clock_start


@pytest.fixture
def asl_mocks(pytestconfig: pytest.Config) -> MockSet:
    """Mocked Task states for this test (``returns``, ``raises``, ``answers``, ``use_test_case``)."""
    from asl_engine.testing.mocking import MockSet

    config = pytestconfig
    mock_config: Path | None = None
    if config.getoption("asl_mock_config"):
        mock_config = Path(config.invocation_params.dir, config.getoption("asl_mock_config"))
    elif config.getini("asl_mock_config"):
        base = config.inipath.parent if config.inipath is not None else config.rootpath
        mock_config = Path(base, str(config.getini("asl_mock_config")))
    mocks = MockSet(mock_config)
    mocks.fail_on_unused = _flag(config, "asl_fail_on_unused_mocks")
    return mocks


@pytest.fixture
def asl_env(request: pytest.FixtureRequest, asl_clock: TestClock, asl_mocks: MockSet) -> AslEnvironment:
    """Executions on one virtual clock with this test's mocks (and resources); deterministic, time-skipping."""
    from asl_engine.testing.environment import AslEnvironment

    environment = AslEnvironment(clock=asl_clock, mocks=asl_mocks, seed=request.node.nodeid)
    environment.fail_on_unmocked = _flag(request.config, "asl_fail_on_unmocked")
    if "asl_resources" in request.fixturenames or request.config.getini("asl_resources"):
        environment.resources.append(request.getfixturevalue("asl_resources"))
    return environment


@pytest.fixture
def asl_resources(request: pytest.FixtureRequest) -> Resources:
    """This test's ``Resources`` (Lambda functions, Glue jobs, DynamoDB tables, handlers), after the mocks.

    Empty, or loaded from the ini option ``asl_resources`` (an ``asl.toml``) afresh for each test,
    so table data and job runs never leak from one test into another.
    """
    from asl_engine.services import Resources, load_resources

    config = request.config
    toml = config.getini("asl_resources")
    if not toml:
        return Resources()
    base = config.inipath.parent if config.inipath is not None else config.rootpath
    return load_resources(Path(base, str(toml)))


@pytest.fixture
def asl_outbox(asl_resources: Resources) -> Outbox:
    """What this test's workflows sent, from ``asl_resources``: ``asl_outbox.sqs("orders-queue")`` (the
    queue's messages), ``.sns(topic)``, ``.events(bus)``, ``.apigateway()``, ``.http()``."""
    return asl_resources.outbox


@pytest.fixture
def asl_snapshot(request: pytest.FixtureRequest) -> Snapshot:
    """Compare an execution's history with a snapshot file beside the test: ``asl_snapshot.assert_match(ex)``."""
    from asl_engine.testing.snapshots import Snapshot, SnapshotSession

    state = request.config.stash[_STATE]
    if state.snapshots is None:
        update = bool(request.config.getoption("asl_snapshot_update")) or _truthy(
            os.environ.get("ASL_SNAPSHOT_UPDATE", "")
        )
        state.snapshots = SnapshotSession(update=update)
    return Snapshot(Path(request.path), request.node.name, state.snapshots)
