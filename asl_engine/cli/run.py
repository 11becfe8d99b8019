"""``asl run``: execute a state machine and print its output as JSON.

stdout carries one thing, the execution's output, so that ``asl run ... | jq`` always works;
everything for people (status, error and cause, the trace, the progress line, the history table)
goes to stderr. The exit status says how the execution ended (see ``asl_engine.cli.common``).
"""

from __future__ import annotations

import contextlib
import shutil
import signal
import sys
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, Any

import click

from asl_engine import InvalidExecutionInput, SafetyLimits, StateMachine
from asl_engine.cli import common
from asl_engine.cli.common import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_SUCCEEDED,
    EXIT_TIMED_OUT,
    CommandError,
    MachineChoice,
    dump_json,
    load_handlers,
    load_machine,
    load_mock_config,
    machine_type_option,
    parameters_option,
    read_input,
    substitutions_option,
    write_file_atomically,
)
from asl_engine.cli.history_cmd import history_document
from asl_engine.cli.render.advice import cli_advice
from asl_engine.cli.render.events import EventView
from asl_engine.cli.render.progress import EngineProbe, ProgressDisplay
from asl_engine.cli.render.table import history_table
from asl_engine.cli.render.terminal import TerminalWriter
from asl_engine.cli.render.text import describe_path
from asl_engine.cli.render.trace import TraceListener
from asl_engine.cli.render.waits import LongWaitNotice, static_wait_deadlines
from asl_engine.errors import ConfigurationError
from asl_engine.execution import Execution
from asl_engine.handle import ExecutionHandle
from asl_engine.runtime.clock import Clock, RealClock, VirtualClock
from asl_engine.runtime.history import EXECUTION_END_EVENTS, EventListener, HistoryEvent
from asl_engine.runtime.safety import DEFAULT_LIMITS
from asl_engine.services import Resources
from asl_engine.store import AttachedExecution, ExecutionAbandoned, Store, StoreError

_STOP_CAUSE = "Interrupted with Ctrl-C"


@click.command("run", short_help="Execute a state machine and print its output.")
@click.argument("definition", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--input", "input_file", metavar="FILE", help="Execution input: a JSON file, or '-' for stdin.")
@click.option("--input-json", metavar="JSON", help="Execution input given inline as JSON text.")
@substitutions_option
@parameters_option
@machine_type_option
@click.option("--name", metavar="NAME", help="Execution name (default: a random UUID; see --seed).")
@click.option(
    "--resources",
    "resources_file",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Handlers for Task states (TOML).  [default: asl.toml beside DEFINITION, if there is one]",
)
@click.option(
    "--mock-config",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="A Step Functions Local MockConfigFile; use with --test-case.",
)
@click.option("--test-case", metavar="NAME", help="The MockConfigFile test case whose mocked responses to use.")
@click.option(
    "--state-machine",
    "mock_machine",
    metavar="NAME",
    help="For a template: the logical id of the state machine to run (needed when it has several). With "
    "--mock-config: the MockConfigFile state machine holding --test-case (needed only when several do; for a "
    "template, its logical id when the MockConfigFile has it).",
)
@click.option(
    "--clock",
    "clock_kind",
    type=click.Choice(["real", "virtual"]),
    default="real",
    show_default=True,
    help="real: Wait states and retry intervals take their time; virtual: they take none.",
)
@click.option("--seed", type=int, metavar="N", help="Seed random values (names, UUIDs, jitter, task tokens).")
@click.option(
    "--executor",
    metavar="NAME",
    help="Where Distributed Map children run: in-process, processes[:N], dask or dask://HOST:PORT.  "
    "[default: the [executor] of the resources file, else in-process]",
)
@click.option(
    "--max-transitions",
    type=click.IntRange(min=1),
    metavar="N",
    help="Fail the execution (States.Runtime) once it has entered N states (a safety limit for endless loops).  "
    f"[default: {DEFAULT_LIMITS.max_transitions:,}]",
)
@click.option(
    "-o",
    "--output",
    "output_file",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Write the output JSON to FILE instead of stdout.",
)
@click.option(
    "--pretty/--compact",
    default=None,
    help="Indented or one-line output JSON.  [default: indented on a terminal and in --output files]",
)
@click.option("--history", "show_history", is_flag=True, help="Print the execution history as a table on stderr.")
@click.option(
    "--history-json",
    metavar="FILE",
    help="Save the history as GetExecutionHistory JSON ('-': to stdout, instead of the output).",
)
@click.option(
    "--trace",
    is_flag=True,
    help="Log each history event on stderr as it happens (JSON lines when stderr is not a terminal).",
)
@click.option(
    "--trace-file",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Log each history event to FILE as JSON lines, as it happens.",
)
@click.option(
    "--outbox",
    "outbox_file",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Write what the workflow sent (queue messages, published messages, events, API and HTTP requests) to "
    "FILE as JSON.",
)
@click.option(
    "--store",
    "store_path",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="DB",
    help="Run durably: record the execution in the SQLite file DB (created if needed), from which it can be "
    "resumed after a crash ('asl resume'), stopped, redriven and inspected ('asl executions').",
)
@click.option("--no-progress", is_flag=True, help="No progress line (it shows only when stderr is a terminal).")
@click.option("-q", "--quiet", is_flag=True, help="Say nothing on stderr when the execution succeeds.")
@click.pass_context
def run(
    ctx: click.Context,
    definition: Path,
    input_file: str | None,
    input_json: str | None,
    substitutions: dict[str, str],
    parameters: dict[str, str],
    machine_type: str,
    name: str | None,
    resources_file: Path | None,
    mock_config: Path | None,
    test_case: str | None,
    mock_machine: str | None,
    clock_kind: str,
    seed: int | None,
    executor: str | None,
    max_transitions: int | None,
    output_file: Path | None,
    pretty: bool | None,
    show_history: bool,
    history_json: str | None,
    trace: bool,
    trace_file: Path | None,
    outbox_file: Path | None,
    store_path: Path | None,
    no_progress: bool,
    quiet: bool,
) -> None:
    """Execute DEFINITION (JSON or YAML) and print its output as JSON on stdout.

    DEFINITION may also be a CloudFormation, SAM or CDK template (cdk.out/*.template.json):
    its state machine runs, picked with --state-machine when there are several, with the
    template's intrinsic functions resolved (--parameter overrides what they use).
    Status, error and cause go to stderr. Exit status: 0 succeeded, 1 failed,
    2 unusable input or invalid definition, 3 timed out, 130 interrupted (Ctrl-C).

    \b
    Examples:
      asl run machine.json --input input.json
      asl run template.yaml --state-machine OrderStateMachine --input-json '{"orderId": 42}'
      asl run cdk.out/OrdersStack.template.json --parameter AWS::Region=eu-west-1
      asl run machine.yaml --input-json '{"orderId": 42}' --clock virtual
      echo '{"orderId": 42}' | asl run machine.json --input - | jq .total
      asl run machine.json --mock-config MockConfigFile.json --test-case HappyPath --history
      asl run machine.json --resources handlers.toml --set Env=dev --trace-file trace.jsonl
      asl run machine.json --outbox sent.json   # the SQS messages, SNS messages, events... it sent
      asl run machine.json --input input.json --store runs.db --name order-42
      asl run big-map.json --executor processes:4
    """
    try:
        if (mock_config is None) != (test_case is None):
            raise click.UsageError("--mock-config and --test-case go together")
        is_template = common.template_in(definition) is not None
        if mock_machine is not None and mock_config is None and not is_template:
            raise click.UsageError("--state-machine needs --mock-config and --test-case (or a template)")
        execution_input = read_input(input_file, input_json)
        choice = MachineChoice(mock_machine if is_template else None, parameters, common.given(ctx, "machine_type"))
        machine = load_machine(definition, machine_type=machine_type, substitutions=substitutions, choice=choice)
        resources = load_handlers(definition, resources_file, machine)
        mocks = _mocks_of(mock_config, test_case, mock_machine, machine if is_template else None)
        with _opened(trace_file) as trace_stream, _durable(store_path) as store:
            execution, interrupted = _execute(
                machine,
                execution_input,
                name=name,
                resources=resources,
                mocks=mocks,
                clock=_clock(clock_kind),
                seed=seed,
                executor=executor,
                limits=DEFAULT_LIMITS if max_transitions is None else SafetyLimits(max_transitions=max_transitions),
                trace=trace,
                trace_stream=trace_stream,
                progress=not no_progress,
                hints=not quiet,
                store=store,
            )
    except KeyboardInterrupt:
        click.echo("interrupted before the execution started", err=True)
        ctx.exit(EXIT_INTERRUPTED)
    _emit_history(execution, show_history, history_json)
    if outbox_file is not None:
        _emit_outbox(resources, outbox_file)
    if execution.status == "SUCCEEDED":
        _emit_output(execution.output, output_file, pretty, to_stdout=history_json != "-")
    where = str(resources_file if resources_file is not None else definition.parent / common.DEFAULT_RESOURCES)
    ctx.exit(_report(execution, machine, interrupted=interrupted, quiet=quiet, resources_file=where))


def _clock(kind: str) -> Clock:
    return RealClock() if kind == "real" else VirtualClock()


@contextlib.contextmanager
def _opened(path: Path | None) -> Iterator[IO[str] | None]:
    """The trace file, open for writing (None without one); a file that cannot be created is exit 2."""
    if path is None:
        yield None
        return
    try:
        stream = path.open("w", encoding="utf-8")
    except OSError as error:
        raise CommandError(f"{path}: cannot write the trace: {error.strerror}") from None
    with stream:
        yield stream


@contextlib.contextmanager
def _durable(path: Path | None) -> Iterator[Store | None]:
    """The store of ``--store`` (created if needed), or None; store errors are exit 2."""
    if path is None:
        yield None
        return
    from asl_engine.cli.store_cmds import opened

    with opened(path, create=True) as store:
        yield store


def _mocks_of(
    config: Path | None, test_case: str | None, state_machine: str | None, from_template: StateMachine | None
) -> dict[str, Any] | None:
    if config is None or test_case is None:
        return None
    mock_config = load_mock_config(config)
    if from_template is not None and from_template.template is not None:
        # A template's machine is known in the MockConfigFile by its logical id (or its name), if at all.
        names = (from_template.template.logical_id, from_template.name)
        state_machine = next((name for name in names if name in mock_config.state_machines()), None)
    try:
        return mock_config.test_case(test_case, state_machine=state_machine)
    except ConfigurationError as error:
        raise CommandError(str(error)) from None


# -- running -------------------------------------------------------------------------------------------


def _execute(
    machine: StateMachine,
    execution_input: Any,
    *,
    name: str | None,
    resources: Resources | None,
    mocks: Mapping[str, Any] | None,
    clock: Clock,
    seed: int | None,
    executor: str | None,
    limits: SafetyLimits,
    trace: bool,
    trace_stream: IO[str] | None,
    progress: bool,
    hints: bool,
    store: Store | None = None,
) -> tuple[Execution, bool]:
    """Run in the background and wait in the foreground, where Ctrl-C arrives; True when interrupted."""
    stderr = sys.stderr
    on_terminal = common.is_terminal(stderr)
    writer = TerminalWriter(stderr, status_enabled=on_terminal and progress)
    finished = _LastEvent()
    listeners: list[EventListener] = [finished]
    if trace_stream is not None:
        listeners.append(TraceListener(TerminalWriter(trace_stream), console=False))
    if trace:
        listeners.append(TraceListener(writer, console=on_terminal, color=common.wants_color(stderr)))
    display = notice = None
    if writer.status_enabled:
        display = ProgressDisplay(writer, wait_deadline=static_wait_deadlines(machine))
        listeners.append(display)
    if hints and not clock.virtual:
        notice = LongWaitNotice(writer, wait_deadline=static_wait_deadlines(machine))
        listeners.append(notice)
    held = _HeldInterrupt()
    try:
        started = machine.start(
            execution_input,
            name=name,
            clock=clock,
            mocks=mocks,
            resources=resources,
            seed=seed,
            listeners=listeners,
            executor=executor,
            limits=limits,
            store=store,
        )
    except (ConfigurationError, InvalidExecutionInput, StoreError) as error:
        held.release()
        raise CommandError(str(error)) from None
    except BaseException:
        held.release()
        raise
    if isinstance(started, AttachedExecution):
        held.release()
        writer.line(f"an execution named {name!r} with this input is running already: waiting for it")
        return _wait_attached(started), False
    handle = started
    try:
        try:
            held.release()  # a Ctrl-C pressed while the execution was starting is raised here, and handled
            if display is not None:
                display.attach(EngineProbe(handle))
            return _wait(handle, finished, display, notice), False
        except KeyboardInterrupt:
            writer.line("Interrupted: stopping the execution (Ctrl-C again to quit at once)")
            handle.stop(None, _STOP_CAUSE)
        try:
            return _wait(handle, finished, display, notice), True
        except KeyboardInterrupt:
            return handle.execution, True  # still RUNNING: report what ran so far
    finally:
        if display is not None:
            display.finish()


def _wait_attached(handle: Any) -> Execution:
    try:
        return handle.wait()  # type: ignore[no-any-return]
    except ExecutionAbandoned as error:
        raise CommandError(str(error)) from None


class _HeldInterrupt:
    """Holds back Ctrl-C from now until ``release``: while ``start`` runs, an interrupt would leave
    an execution running whose handle we never received, so it could not be stopped cleanly."""

    def __init__(self) -> None:
        self._pressed = False
        self._previous: Any = None
        self._holding = False
        if threading.current_thread() is threading.main_thread():  # Python signal handlers live there only
            self._previous = signal.getsignal(signal.SIGINT)
            # Hold only what Python would turn into KeyboardInterrupt (not SIG_IGN in a background job).
            self._holding = callable(self._previous)
        if self._holding:
            signal.signal(signal.SIGINT, self._note)

    def _note(self, signum: int, frame: Any) -> None:
        self._pressed = True

    def release(self) -> None:
        """Stop holding; raise KeyboardInterrupt now if Ctrl-C was pressed meanwhile."""
        if self._holding:
            self._holding = False
            signal.signal(signal.SIGINT, self._previous)
        if self._pressed:
            self._pressed = False
            raise KeyboardInterrupt


class _LastEvent:
    """A listener that notices the execution's final event.

    The main thread waits on this ``threading.Event`` rather than joining the execution's thread:
    on CPython 3.11 a KeyboardInterrupt that lands inside ``Thread.join`` can leave the thread
    marked as stopped while it still runs.
    """

    def __init__(self) -> None:
        self.seen = threading.Event()

    def __call__(self, event: HistoryEvent) -> None:
        if event.type in EXECUTION_END_EVENTS:
            self.seen.set()


def _wait(
    handle: ExecutionHandle, finished: _LastEvent, display: ProgressDisplay | None, notice: LongWaitNotice | None
) -> Execution:
    # Short waits keep the progress line moving; without one, a longer tick costs nothing.
    tick = 0.1 if display is not None else 0.5
    probe = EngineProbe(handle)
    # We block on the result: a virtual clock may skip time meanwhile (it only does while someone waits).
    with handle.clock.awaiting_result():
        while not finished.seen.wait(tick):
            if display is not None:
                display.tick()
            if notice is not None:
                notice.check(probe)
            if handle.done():
                break  # the engine's thread ended without a final event: wait() raises what went wrong
    try:
        return handle.wait()
    except ExecutionAbandoned as error:  # a durable execution another process took over
        raise CommandError(str(error)) from None


# -- reporting -----------------------------------------------------------------------------------------


def _emit_output(output: Any, output_file: Path | None, pretty: bool | None, *, to_stdout: bool) -> None:
    if output_file is not None:
        text = dump_json(output, pretty=True if pretty is None else pretty)
        try:
            write_file_atomically(output_file, text + "\n")
        except OSError as error:
            raise CommandError(f"{output_file}: cannot write the output: {error.strerror}") from None
        return
    if to_stdout:
        stdout = sys.stdout
        click.echo(dump_json(output, pretty=common.is_terminal(stdout) if pretty is None else pretty))


def _emit_history(execution: Execution, show_table: bool, json_file: str | None) -> None:
    if show_table:
        stderr = sys.stderr
        events = [EventView.of(event) for event in list(execution.events)]
        width = shutil.get_terminal_size().columns if common.is_terminal(stderr) else None
        color = common.wants_color(stderr)
        click.echo(history_table(events, width=width, color=color), err=True, nl=False, color=color)
    if json_file is None:
        return
    text = dump_json(history_document(execution.history), pretty=True)
    if json_file == "-":
        click.echo(text)
        return
    try:
        write_file_atomically(Path(json_file), text + "\n")
    except OSError as error:
        raise CommandError(f"{json_file}: cannot write the history: {error.strerror}") from None


def _emit_outbox(resources: Resources, path: Path) -> None:
    text = dump_json(resources.outbox.to_json(), pretty=True)
    try:
        path.write_text(text + "\n", encoding="utf-8")
    except OSError as error:
        raise CommandError(f"{path}: cannot write the outbox: {error.strerror}") from None


def _report(execution: Execution, machine: StateMachine, *, interrupted: bool, quiet: bool, resources_file: str) -> int:
    """Status, error and cause on stderr; returns the exit status."""
    stderr = sys.stderr
    color = common.wants_color(stderr)
    status = execution.status

    def say(label: str, value: str, **style: Any) -> None:
        click.echo(f"{label}: " + click.style(value, **style), err=True, color=color)

    if interrupted:
        say("status", f"{status} (interrupted)", fg="yellow")
        _say_what_ran(execution)
        return EXIT_INTERRUPTED
    if status == "SUCCEEDED":
        if not quiet:
            say("status", status, fg="green")
        return EXIT_SUCCEEDED
    say("status", status, fg="red")
    if execution.error is not None:
        say("error", execution.error, bold=True)
    if execution.cause is not None:
        say("cause", execution.cause)
    for line in cli_advice(execution.unanswered_tasks, resources_file):
        click.echo(line, err=True)
    if status == "TIMED_OUT":
        timeout = machine.compiled.timeout_seconds
        if timeout is not None:
            click.echo(f"note: the execution ran longer than its TimeoutSeconds ({timeout:g})", err=True)
        return EXIT_TIMED_OUT
    return EXIT_FAILED


def _say_what_ran(execution: Execution) -> None:
    entered = execution.states_entered
    if not entered:
        click.echo("ran: no state was entered", err=True)
        return
    click.echo(f"ran: {describe_path(entered)}", err=True)
