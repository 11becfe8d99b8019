"""``StateMachine``: the library's front door.

Loading validates and compiles the definition once; every ``execute`` then reuses the compiled
form. Executions share nothing mutable with each other or with the machine.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Unpack, cast

from asl_engine.definition.loader import load_definition
from asl_engine.definition.templates import TemplateStateMachine, load_state_machine, read_template
from asl_engine.errors import AslEngineError, ConfigurationError, ValidationError
from asl_engine.execution import Execution
from asl_engine.executors import resolve_executor
from asl_engine.handle import ExecutionHandle
from asl_engine.observers import notify_finished
from asl_engine.options import ExecutionOptions, ExecutionSettings
from asl_engine.runtime.clock import Clock, VirtualClock
from asl_engine.runtime.compiler import CompiledMachine
from asl_engine.runtime.handlers import HandlerSource
from asl_engine.runtime.json_text import to_strict_json_text
from asl_engine.runtime.loading import compile_definition
from asl_engine.runtime.run import ExecutionRun, ExecutionStopped, ExecutionTimedOut, Identity
from asl_engine.runtime.scheduler import Cancelled, Scheduler, Task
from asl_engine.runtime.starter import StartableMachine
from asl_engine.services.mocks import Mocks
from asl_engine.services.registry import ExecutorConfig, Resources
from asl_engine.teststate import TestStateError, TestStateResult, run_test_state, test_state_request


class InvalidExecutionInput(AslEngineError):
    """The execution input is not JSON (AWS: InvalidExecutionInput)."""


class StateMachine:
    """A validated, compiled state machine, ready to run any number of executions."""

    def __init__(self, compiled: CompiledMachine, *, name: str = "StateMachine", source: str | None = None) -> None:
        self._compiled = compiled
        self.name = name
        self.source = source
        self.template: TemplateStateMachine | None = None
        """For a machine loaded with ``from_template``: the template's state machine, resolved (its
        logical id, the template, the names of the template's resources)."""

    def __repr__(self) -> str:
        return f"<StateMachine {self.name} ({self.type})>"

    # -- loading -------------------------------------------------------------------------------------

    @classmethod
    def from_json(
        cls,
        definition: str | Mapping[str, Any],
        *,
        name: str | None = None,
        machine_type: str = "STANDARD",
        substitutions: Mapping[str, str] | None = None,
    ) -> StateMachine:
        """Load from JSON (or YAML) text or an already-parsed dict; raise ValidationError if invalid."""
        document = _load(definition, substitutions)
        return cls._build(document, name or "StateMachine", machine_type, None)

    @classmethod
    def from_file(
        cls,
        path: str | Path,
        *,
        name: str | None = None,
        machine_type: str = "STANDARD",
        substitutions: Mapping[str, str] | None = None,
    ) -> StateMachine:
        """Load a JSON or YAML definition file; the machine is named after the file by default."""
        file = Path(path)
        document = _load(file, substitutions)
        default_name = file.stem if file.stem not in ("machine", "definition", "statemachine") else file.parent.name
        return cls._build(document, name or default_name or "StateMachine", machine_type, str(file))

    @classmethod
    def from_template(
        cls,
        path: str | Path,
        logical_id: str | None = None,
        parameters: Mapping[str, Any] | None = None,
        *,
        name: str | None = None,
    ) -> StateMachine:
        """Load a state machine from a CloudFormation, SAM or CDK (``cdk.out``) template.

        ``logical_id`` picks the state machine when the template has several. ``parameters``
        override the template's parameters (whose ``Default`` is used otherwise), pseudo parameters
        (``AWS::Region``...), and what ``Ref``/``Fn::GetAtt`` return for a resource
        (``"Orders"``, ``"Orders.StreamArn"``). The machine is named after the resource's
        ``StateMachineName`` (SAM: ``Name``), else its logical id, and has the type the template
        gives it. Raises ``TemplateError`` (a ``DefinitionError``) for what cannot be resolved,
        ``ValidationError`` (diagnostics located in the template) for an invalid definition.
        ``machine.template`` keeps what was resolved; ``Resources.add_template_aliases`` lets
        handlers registered under logical ids answer the template's resource names.
        """
        resolved = load_state_machine(read_template(Path(path)), logical_id, parameters)
        if resolved.loaded.problems:
            raise ValidationError([resolved.position(d) for d in resolved.loaded.problems], resolved.source_name)
        try:
            compiled = compile_definition(resolved.document, machine_type=resolved.machine_type)
        except ValidationError as error:
            positioned = [resolved.position(diagnostic) for diagnostic in error.diagnostics]
            raise ValidationError(positioned, resolved.source_name) from None
        machine = cls(compiled, name=name or resolved.name, source=resolved.source_name)
        machine.template = resolved
        return machine

    @classmethod
    def _build(cls, document: dict[str, Any], name: str, machine_type: str, source: str | None) -> StateMachine:
        compiled = compile_definition(document, machine_type=machine_type, source=source)
        return cls(compiled, name=name, source=source)

    # -- properties ----------------------------------------------------------------------------------

    @property
    def definition(self) -> dict[str, Any]:
        return self._compiled.definition

    @property
    def type(self) -> str:
        return self._compiled.machine_type

    @property
    def compiled(self) -> CompiledMachine:
        return self._compiled

    # -- testing one state --------------------------------------------------------------------------

    def test_state(
        self,
        state_name: str,
        input: Any = None,
        *,
        mock: Mapping[str, Any] | None = None,
        variables: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
        inspection_level: str = "INFO",
        resources: HandlerSource | Sequence[HandlerSource] | None = None,
        role_arn: str | None = None,
        retrier_retry_count: int = 0,
        reveal_secrets: bool = False,
        seed: int | None = None,
    ) -> TestStateResult:
        """Run the state ``state_name`` (at any depth) once, as AWS's TestState API does.

        ``mock`` is one response in the shape ``mocks=`` takes (``{"Return": value}`` or
        ``{"Throw": {"Error": ..., "Cause": ...}}``), for a Task, Map or Parallel state (a Map or
        Parallel state needs one: its branches do not run); a Task without a mock is answered by
        ``resources``. ``variables`` are the workflow variables the state sees, ``context`` the whole
        context object (with a mock only, as on AWS), ``retrier_retry_count`` the retries already
        made. ``inspection_level`` DEBUG or TRACE adds ``inspection_data``: the data after each
        stage of the state's processing. Raises ``TestStateError`` for a request AWS would refuse.
        """
        return run_test_state(
            self.definition,
            state_name=state_name,
            input=input,
            mock=mock,
            variables=variables,
            context=context,
            inspection_level=inspection_level,
            resources=resources,
            role_arn=role_arn,
            retrier_retry_count=retrier_retry_count,
            reveal_secrets=reveal_secrets,
            machine_type=self.type,
            machine_name=self.name,
            seed=seed,
            starter=_STARTER,
            checked=True,
        )

    @staticmethod
    def test_state_definition(
        state_definition: Mapping[str, Any] | str,
        input: Any = None,
        *,
        mock: Mapping[str, Any] | None = None,
        variables: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
        inspection_level: str = "INFO",
        resources: HandlerSource | Sequence[HandlerSource] | None = None,
        role_arn: str | None = None,
        retrier_retry_count: int = 0,
        reveal_secrets: bool = False,
        seed: int | None = None,
    ) -> TestStateResult:
        """Run one state given by its own definition (a dict, or JSON text), as ``test_state`` does.

        The state is called ``StateName``, as AWS's TestState calls it; its ``Next`` need not exist.
        """
        definition = _state_definition(state_definition)
        return run_test_state(
            definition,
            input=input,
            mock=mock,
            variables=variables,
            context=context,
            inspection_level=inspection_level,
            resources=resources,
            role_arn=role_arn,
            retrier_retry_count=retrier_retry_count,
            reveal_secrets=reveal_secrets,
            seed=seed,
            starter=_STARTER,
        )

    @staticmethod
    def test_state_request(
        request: Mapping[str, Any], *, resources: HandlerSource | Sequence[HandlerSource] | None = None
    ) -> TestStateResult:
        """The ``TestState`` API operation: ``request`` in AWS's shape (JSON text fields), the
        result's ``to_api()`` AWS's response. For the API server."""
        return test_state_request(request, resources=resources, starter=_STARTER)

    # -- running -------------------------------------------------------------------------------------

    def execute(self, input: Any = None, **options: Unpack[ExecutionOptions]) -> Execution:
        """Run one execution to completion and return it (never raises for execution failures).

        ``input`` is any JSON value (``{}`` when omitted). ``clock`` defaults to a fresh
        ``VirtualClock``: Wait states and retry intervals take no real time. ``mocks`` maps state
        names to mocked responses; ``resources`` answers the other Task states. ``context``
        overrides parts of the context object (``{"Execution": {...}, "StateMachine": {...}}``).
        ``seed`` makes random values (UUIDs, jitter, task tokens) reproducible. ``listeners`` are
        called with each history event as it is recorded (on the execution's thread).
        ``start_mode="sync"`` runs an Express machine as StartSyncExecution would (its context object
        has no ``RedriveCount``, since such executions cannot be redriven). The options are
        ``asl_engine.options.ExecutionOptions``.
        """
        run = self._new_run(input, ExecutionSettings.from_options(options, "StateMachine.execute"))
        main = run.scheduler.spawn(run.main(), "execution")
        self._arm_timeout(run, main)
        with run.clock.awaiting_result():
            run.scheduler.run_until(main.done_future)
        main.done_future.result()
        execution = Execution(run)
        notify_finished(self, execution)
        return execution

    def start(self, input: Any = None, **options: Unpack[ExecutionOptions]) -> ExecutionHandle:
        """Start an execution in the background (same options as ``execute``) and return its handle.

        Use the handle to wait for it, stop it, or answer ``.waitForTaskToken`` tasks from this thread.
        """
        run = self._new_run(input, ExecutionSettings.from_options(options, "StateMachine.start"))
        main = run.scheduler.spawn(run.main(), "execution")
        self._arm_timeout(run, main)
        return ExecutionHandle(run, main, on_finished=lambda execution: notify_finished(self, execution))

    def start_on(
        self, scheduler: Scheduler, input: Any = None, **options: Unpack[ExecutionOptions]
    ) -> tuple[ExecutionRun, Task[None]]:
        """Start an execution on a scheduler shared with other executions and driven by the caller.

        For test environments (``asl_engine.testing``): one scheduler for every execution of a test is
        what keeps several executions deterministic under one virtual clock. The options are
        ``execute``'s; the clock is the scheduler's. Returns the execution's state and its main task;
        ``Execution(run)`` views it.
        """
        settings = ExecutionSettings.from_options(options, "StateMachine.start_on")
        if settings.clock is not None and settings.clock is not scheduler.clock:
            raise ConfigurationError("start_on runs the execution on the scheduler's clock; pass no other clock")
        run = self._new_run(input, settings, scheduler=scheduler)
        main = scheduler.spawn(run.main(), f"execution {run.identity.execution_name}")
        self._arm_timeout(run, main)
        return run, main

    def _start_nested(self, parent: ExecutionRun, input: Any, *, name: str | None) -> NestedExecution:
        """A child execution on the parent's scheduler and clock (``states:startExecution``)."""
        value = {} if input is None else input
        rng = random.Random(parent.random.getrandbits(64))
        execution_name = name or str(uuid.UUID(int=rng.getrandbits(128), version=4))
        run = ExecutionRun.alongside(
            parent, self._compiled, parent.identity.sibling(self.name, execution_name), value, rng=rng
        )
        run.state_machine = self
        parent.nested_runs.append(run)
        main = run.scheduler.spawn(run.main(), f"execution {execution_name}")
        self._arm_timeout(run, main)
        main.done_future.add_done_callback(lambda _: notify_finished(self, Execution(run)))
        return NestedExecution(run, main)

    def _new_run(self, input: Any, settings: ExecutionSettings, *, scheduler: Scheduler | None = None) -> ExecutionRun:
        if settings.start_mode not in ("async", "sync"):
            raise ConfigurationError(f"start_mode must be 'async' or 'sync', got {settings.start_mode!r}")
        value = {} if input is None else input
        input_text = _input_text(value)
        if scheduler is not None:
            clock = scheduler.clock
        else:
            clock = settings.clock if settings.clock is not None else VirtualClock()
        rng = random.Random(settings.seed)
        execution_name = settings.name or str(uuid.UUID(int=rng.getrandbits(128), version=4))
        express_id = str(uuid.UUID(int=rng.getrandbits(128), version=4)) if self.type == "EXPRESS" else None
        identity = Identity(
            self.name,
            execution_name,
            region=settings.region,
            account=settings.account,
            role_arn=settings.role_arn,
            express_id=express_id,
        )
        handlers: list[HandlerSource] = []
        mocks = settings.mocks
        if mocks is not None:
            mock_source = mocks if isinstance(mocks, Mocks) else Mocks(mocks)
            unknown = [state for state in mock_source.states() if state not in self._compiled.all_states]
            if unknown:
                raise ConfigurationError(
                    f"mocks name states that are not in the definition: {', '.join(map(repr, unknown))}"
                )
            handlers.append(mock_source)
        resources = settings.resources
        if resources is not None:
            if isinstance(resources, list | tuple):
                handlers.extend(resources)
            else:
                handlers.append(cast(HandlerSource, resources))
        context = settings.context
        run = ExecutionRun(
            self._compiled,
            identity,
            value,
            clock=clock,
            scheduler=scheduler if scheduler is not None else Scheduler(clock, attach=True),
            handlers=handlers,
            rng=rng,
            record_history=settings.history,
            context_overrides=dict(context) if context else None,
            listeners=list(settings.listeners),
            redrivable=not (self.type == "EXPRESS" and settings.start_mode == "sync"),
            input_text=input_text,
            starter=_STARTER,
        )
        run.state_machine = self
        run.map_executor = resolve_executor(settings.executor, _configured_executor(handlers))
        return run

    def _arm_timeout(self, run: ExecutionRun, main: Any) -> None:
        timeout = self._compiled.timeout_seconds
        if timeout is None:
            return
        scheduler = run.scheduler
        deadline = run.start_time + timeout

        async def expire() -> None:
            await scheduler.sleep_until(deadline)
            main.cancel(ExecutionTimedOut())

        watchdog = scheduler.spawn(expire(), "execution-timeout")
        main.done_future.add_done_callback(lambda _: watchdog.cancel())


def _configured_executor(handlers: Sequence[HandlerSource]) -> ExecutorConfig | None:
    """The ``[executor]`` section of the ``asl.toml`` the resources were loaded from, if any."""
    for source in handlers:
        if isinstance(source, Resources) and source.executor_config is not None:
            return source.executor_config
    return None


def _input_text(value: Any) -> str:
    """The input's JSON text, made once: it proves the input is JSON, is measured against the quota,
    and is the first state's input text in the history."""
    try:
        return to_strict_json_text(value)
    except (TypeError, ValueError) as error:
        raise InvalidExecutionInput(f"Invalid State Machine Execution Input: {error}") from None


def _state_definition(definition: Mapping[str, Any] | str) -> dict[str, Any]:
    if isinstance(definition, str):
        try:
            parsed = json.loads(definition)
        except json.JSONDecodeError as error:
            raise TestStateError("InvalidDefinition", f"the state definition is not valid JSON: {error}") from None
    else:
        parsed = definition
    if not isinstance(parsed, Mapping):
        raise TestStateError("InvalidDefinition", "a state definition is a JSON object with a 'Type'")
    return dict(parsed)


def _load(definition: Any, substitutions: Mapping[str, str] | None) -> dict[str, Any]:
    source = Path(definition) if isinstance(definition, Path) else definition
    loaded = load_definition(source, substitutions=substitutions)
    return loaded.document


class NestedExecution:
    """A child execution started by a task of another execution, on the same scheduler."""

    def __init__(self, run: ExecutionRun, main: Task[None]) -> None:
        self.run = run
        self.main = main

    @property
    def execution(self) -> Execution:
        return Execution(self.run)

    async def finished(self) -> Execution:
        try:
            await self.main.done_future
        except Cancelled:
            # Best effort, as AWS stops the child of an aborted .sync task.
            self.main.cancel(ExecutionStopped(None, None))
            raise
        return Execution(self.run)


class _Starter:
    """The runtime's ``ExecutionStarter``: how a task starts another state machine (the services hold
    machines as ``StartableMachine``, compiled by themselves or registered as a ``StateMachine``)."""

    def start_nested(
        self, parent: ExecutionRun, machine: StartableMachine, input: Any, *, name: str | None
    ) -> NestedExecution:
        return _state_machine(machine)._start_nested(parent, input, name=name)

    def start_background(
        self,
        machine: StartableMachine,
        input: Any,
        *,
        name: str | None,
        clock: Clock,
        handlers: Sequence[HandlerSource],
        seed: int,
        region: str,
        account: str,
    ) -> ExecutionHandle:
        return _state_machine(machine).start(
            input, name=name, clock=clock, resources=list(handlers), seed=seed, region=region, account=account
        )


_STARTER = _Starter()


def _state_machine(machine: StartableMachine) -> StateMachine:
    if isinstance(machine, StateMachine):
        return machine
    return StateMachine(machine.compiled, name=machine.name, source=machine.source)


__all__ = ["InvalidExecutionInput", "StateMachine"]
