"""``StateMachine``: the library's front door.

Loading validates and compiles the definition once; every ``execute`` then reuses the compiled
form. Executions share nothing mutable with each other or with the machine.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import random
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Unpack, cast

from asl_engine.definition.loader import load_definition
from asl_engine.definition.nesting import text_too_deep, too_deep_at, too_deep_message
from asl_engine.definition.templates import TemplateStateMachine, load_state_machine, read_template
from asl_engine.errors import AslEngineError, ConfigurationError, ValidationError
from asl_engine.execution import Execution
from asl_engine.handle import AsyncExecutionHandle, ExecutionHandle, drive_in_loop
from asl_engine.observers import OBSERVERS, notify_finished
from asl_engine.options import DEFAULT_SETTINGS, ExecutionOptions, ExecutionSettings
from asl_engine.runtime.clock import Clock, VirtualClock
from asl_engine.runtime.compiler import CompiledMachine
from asl_engine.runtime.handlers import HandlerSource
from asl_engine.runtime.history import EventListener
from asl_engine.runtime.json_text import to_strict_json_text
from asl_engine.runtime.loading import LOAD_CACHE, compile_definition
from asl_engine.runtime.run import ExecutionRun, ExecutionStopped, Identity
from asl_engine.runtime.safety import DEFAULT_LIMITS, SafetyLimits
from asl_engine.runtime.scheduler import Cancelled, Scheduler, Task
from asl_engine.runtime.starter import StartableMachine
from asl_engine.services.mocks import Mocks, MocksShape, mocks_shape

if TYPE_CHECKING:
    from asl_engine.runtime.durable.recorder import Recorder
    from asl_engine.runtime.map_run.executor import ChildExecutor
    from asl_engine.services.registry import ExecutorConfig
    from asl_engine.teststate import TestStateResult


class InvalidExecutionInput(AslEngineError):
    """The execution input is not JSON (AWS: InvalidExecutionInput)."""


class StateMachine:
    """A validated, compiled state machine, ready to run any number of executions.

    Immutable (its attributes are read-only, its compiled form is never changed by an execution),
    so one machine can run executions from any number of threads at once.
    """

    __slots__ = ("_compiled", "_last_mocks", "_name", "_source", "_template")

    runs_directly: ClassVar[bool] = True
    """Run an execution alone on a clock of its own by plain calls while it never suspends
    (``ExecutionRun.run_directly``); False drives its coroutine from the start (the differential test)."""

    def __init__(
        self,
        compiled: CompiledMachine,
        *,
        name: str = "StateMachine",
        source: str | None = None,
        template: TemplateStateMachine | None = None,
    ) -> None:
        self._compiled = compiled
        self._name = name
        self._source = source
        self._template = template
        self._last_mocks: tuple[Mapping[str, Any], MocksShape, Mocks] | None = None
        """The mocks last passed as a dict, their shape and their parse (``_mocks``): a memo, not state."""

    @property
    def name(self) -> str:
        return self._name

    @property
    def source(self) -> str | None:
        """The file the definition was read from, when it was."""
        return self._source

    @property
    def template(self) -> TemplateStateMachine | None:
        """For a machine loaded with ``from_template``: the template's state machine, resolved (its
        logical id, the template, the names of the template's resources)."""
        return self._template

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
        """Load from JSON (or YAML) text or an already-parsed dict; raise ValidationError if invalid.

        Text this process already loaded with the same options is not parsed, validated or compiled
        again: the compiled form is shared (see ``LoadCache``).
        """
        if isinstance(definition, str):
            key = LOAD_CACHE.key(definition, machine_type, substitutions)
            compiled = LOAD_CACHE.get(key)
            if compiled is None:
                compiled = _compile(_load(definition, substitutions), machine_type, None, nesting_checked=True)
                LOAD_CACHE.put(key, compiled)
            return cls(compiled, name=name or "StateMachine")
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
        default_name = file.stem if file.stem not in ("machine", "definition", "statemachine") else file.parent.name
        machine_name = name or default_name or "StateMachine"
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            text = None  # the loader below says what is wrong
        key = None if text is None else LOAD_CACHE.key(text, machine_type, substitutions)
        compiled = LOAD_CACHE.get(key)
        if compiled is None:
            compiled = _compile(_load(file, substitutions), machine_type, str(file), nesting_checked=True)
            LOAD_CACHE.put(key, compiled)
        return cls(compiled, name=machine_name, source=str(file))

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
        return cls(compiled, name=name or resolved.name, source=resolved.source_name, template=resolved)

    @classmethod
    def _build(cls, document: dict[str, Any], name: str, machine_type: str, source: str | None) -> StateMachine:
        return cls(_compile(document, machine_type, source), name=name, source=source)

    # -- properties ----------------------------------------------------------------------------------

    @property
    def definition(self) -> dict[str, Any]:
        """The definition as loaded. Shared by every machine loaded from the same text: read it, do not
        change it (copy it first)."""
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
        from asl_engine.teststate import run_test_state  # with the service integrations TestState calls

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
        from asl_engine.teststate import run_test_state  # with the service integrations TestState calls

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
        from asl_engine.teststate import test_state_request

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
        has no ``RedriveCount``, since such executions cannot be redriven). With ``store`` (see
        ``asl_engine.open_store``) the execution is durable: every event is committed to the store
        before the engine acts on it, and it can be resumed, stopped or redriven from any process.
        The options are ``asl_engine.options.ExecutionOptions``.
        """
        if options:
            settings = ExecutionSettings.from_options(options, "StateMachine.execute")
            if settings.store is not None:
                return cast(Execution, settings.store.execute(self, input, **_without_store(options)))
            own_clock = settings.clock is None
        else:  # ``execute(input)``: the defaults, without a store or a clock
            settings = DEFAULT_SETTINGS
            own_clock = True
        # Without a clock the execution gets one of its own, which nobody else drives: it then runs
        # without registering with the clock until something else might need it (Scheduler.run_alone).
        alone = own_clock and self._compiled.timeout_seconds is None
        # Alone, the run makes its scheduler only if something needs one (``ExecutionRun.run_directly``).
        run = self._new_run(input, settings, None, not own_clock, alone)  # positional: no keyword lookups
        main: Task[None] | None
        if alone:
            # Alone on its clock, with no timeout to arm: run by plain calls, then without a task,
            # until something needs one.
            rest = run.run_directly() if self.runs_directly else run.main()
            main = None if rest is None else run.scheduler.drive_alone(rest, "execution")
        else:
            main = run.scheduler.spawn(run.main(), "execution")
            self._arm_timeout(run, main)
        if main is not None:
            if not (own_clock and run.scheduler.run_alone(main.done_future)):
                with run.clock.awaiting_result():
                    run.scheduler.run_until(main.done_future)
            main.done_future.result()
        execution = Execution(run)
        if OBSERVERS:  # most programs have none: no call
            notify_finished(self, execution)
        return execution

    def start(self, input: Any = None, **options: Unpack[ExecutionOptions]) -> ExecutionHandle:
        """Start an execution in the background (same options as ``execute``) and return its handle.

        Use the handle to wait for it, stop it, or answer ``.waitForTaskToken`` tasks from this thread.
        With ``store``, a name already used in the store follows AWS's rules: ``ExecutionAlreadyExists``,
        or, for the same input, the running execution of that name (an ``AttachedExecution`` handle
        when another handle or process drives it).
        """
        settings = ExecutionSettings.from_options(options, "StateMachine.start")
        if settings.store is not None:
            return cast(ExecutionHandle, settings.store.start(self, input, **_without_store(options)))
        run = self._new_run(input, settings)
        main = run.scheduler.spawn(run.main(), "execution")
        self._arm_timeout(run, main)
        return ExecutionHandle(run, main, on_finished=lambda execution: notify_finished(self, execution))

    async def start_async(self, input: Any = None, **options: Unpack[ExecutionOptions]) -> AsyncExecutionHandle:
        """Start an execution inside the running asyncio event loop (same options as ``execute``).

        The loop drives it: no thread is started, and ``async def`` handlers are awaited as tasks of
        the loop, so thousands of executions that wait on I/O run side by side. ``await
        handle.result()`` waits for the end. Call it from a coroutine (a FastAPI or aiohttp handler).
        """
        asyncio.get_running_loop()  # RuntimeError outside a running event loop, before anything starts
        settings = ExecutionSettings.from_options(options, "StateMachine.start_async")
        if settings.store is not None:
            started = await settings.store.start_async(self, input, **_without_store(options))
            return cast(AsyncExecutionHandle, started)
        run = self._new_run(input, settings, attach=False)
        main = run.scheduler.spawn(run.main(), "execution")
        self._arm_timeout(run, main)
        return drive_in_loop(run, main, on_finished=lambda execution: notify_finished(self, execution))

    async def execute_async(self, input: Any = None, **options: Unpack[ExecutionOptions]) -> Execution:
        """``execute`` for asyncio code: ``await machine.execute_async(input)`` (see ``start_async``)."""
        handle = await self.start_async(input, **options)
        return await handle.result()

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
        if settings.store is not None:
            raise ConfigurationError("start_on runs an execution in memory, on a shared scheduler: it takes no store")
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
        execution_name = name or uuid4_text(rng.getrandbits(128))
        run = ExecutionRun.alongside(
            parent, self._compiled, parent.identity.sibling(self.name, execution_name), value, rng=rng
        )
        run.state_machine = self
        parent.nested_runs.append(run)
        main = run.scheduler.spawn(run.main(), f"execution {execution_name}")
        self._arm_timeout(run, main)
        main.done_future.add_done_callback(lambda _: notify_finished(self, Execution(run)))
        return NestedExecution(run, main)

    def _new_run(
        self,
        input: Any,
        settings: ExecutionSettings,
        scheduler: Scheduler | None = None,
        attach: bool = True,
        alone: bool = False,
    ) -> ExecutionRun:
        """The run of an execution with these settings (``_build_run``'s, written out here: a call
        with sixteen arguments fewer per execution)."""
        # The fields in locals, unpacked at once: a named tuple's field read is a descriptor's call.
        (
            name,
            given_clock,
            mocks,
            resources,
            context,
            history,
            seed,
            region,
            account,
            role_arn,
            listeners,
            start_mode,
            executor,
            limits,
            _,
        ) = settings
        # Refused before anything is made (a scheduler would subscribe to the caller's clock).
        if start_mode not in _START_MODES:
            check_start_mode(start_mode)  # raises
        if type(limits) is not SafetyLimits:
            check_limits(limits)  # raises unless a ``SafetyLimits`` subclass
        value = {} if input is None else input
        # The usual input of a test (``None`` becomes it too) without a call.
        input_text = "{}" if type(value) is dict and not value else execution_input_text(value)
        if scheduler is not None:
            clock = scheduler.clock
        elif given_clock is not None:
            clock = given_clock
        else:
            clock = VirtualClock()
        express = self._compiled.machine_type == "EXPRESS"
        rng: random.Random | None
        if seed is None:
            # Names of the process's series; the random source is made only if the execution draws from it.
            rng = None
            execution_name = name or next(_NAMES, None) or _next_names()  # ``fresh_name()`` without the call
            express_id = fresh_name() if express else None
        else:
            rng = random.Random(seed)
            execution_name = name or uuid4_text(rng.getrandbits(128))
            express_id = uuid4_text(rng.getrandbits(128)) if express else None
        # ``Identity(...)`` made in C (the named tuple's ``__new__`` is Python): every field, in order.
        identity = tuple.__new__(Identity, (self._name, execution_name, region, account, "aws", role_arn, express_id))
        handlers = () if mocks is None and resources is None else self._handlers(mocks, resources)
        # ``ExecutionRun(...)`` as its two steps, ``__init__`` given its arguments by position (see
        # ``_build_run``).
        run = _new_object(ExecutionRun)
        run.__init__(  # type: ignore[misc]
            self._compiled,
            identity,
            value,
            clock,
            scheduler if scheduler is not None or alone else Scheduler(clock, attach=attach),
            handlers,
            rng,
            history,  # record_history
            None,  # history: the run makes its own
            dict(context) if context else None,
            None,  # callbacks
            list(listeners) if listeners else None,  # else the history has none
            not (express and start_mode == "sync"),  # redrivable
            input_text,
            _STARTER,
            None,  # durable
            limits,
        )
        run.state_machine = self
        # An ``[executor]`` comes with resources (``Resources``); mocks are a ``Mocks`` parse, which has none.
        configured = None if resources is None else _configured_executor(handlers)
        if executor is not None or configured is not None:
            run.map_executor = _map_executor(executor, configured)
        return run

    def _handlers(
        self, mocks: Mapping[str, Any] | Mocks | None, resources: HandlerSource | Sequence[HandlerSource] | None
    ) -> list[HandlerSource]:
        """Mocks (checked against the definition's states) first, then the resources, in order."""
        if resources is None:
            last = self._last_mocks
            if last is not None and last[0] is mocks and mocks == last[1]:
                return [last[2]]  # the usual test's: the same mocks again, and nothing else (``_mocks``)
        handlers: list[HandlerSource] = []
        if mocks is not None:
            handlers.append(mocks if isinstance(mocks, Mocks) else self._mocks(mocks))
        if resources is not None:
            if isinstance(resources, list | tuple):
                handlers.extend(resources)
            else:
                handlers.append(cast(HandlerSource, resources))
        return handlers

    def _mocks(self, spec: Mapping[str, Any]) -> Mocks:
        """``Mocks(spec)``, checked against the definition's states.

        A test suite passes the same dict to execution after execution: while ``spec`` is the very
        mapping parsed last time and has the same shape (``mocks_shape``: its states, responses, errors
        and the identity of each returned value), that parse is used again (a ``Mocks`` is immutable,
        and answers by the invocation's number, which each execution counts for itself). The memo holds
        the dict it was made from, so its identity cannot pass to another object; one memo per machine,
        replaced whole (a tuple), so threads sharing the machine see one or the other.
        """
        last = self._last_mocks
        if last is not None and last[0] is spec and spec == last[1]:
            return last[2]
        shape = mocks_shape(spec)
        parsed = Mocks(spec)
        unknown = [state for state in parsed.states() if state not in self._compiled.all_states]
        if unknown:
            names = ", ".join(map(repr, unknown))
            raise ConfigurationError(f"mocks name states that are not in the definition: {names}")
        if shape is not None:
            self._last_mocks = (spec, shape, parsed)
        return parsed

    def _build_run(
        self,
        identity: Identity,
        value: Any,
        input_text: str,
        clock: Clock,
        handlers: Sequence[HandlerSource],
        rng: random.Random | None,
        history: bool = True,
        context: Mapping[str, Any] | None = None,
        listeners: Sequence[EventListener] = (),
        redrivable: bool = True,
        scheduler: Scheduler | None = None,
        durable: Recorder | None = None,
        attach: bool = True,
        alone: bool = False,
        limits: SafetyLimits = DEFAULT_LIMITS,
        executor: str | ChildExecutor | None = None,
    ) -> ExecutionRun:
        """The run of an execution whose identity the caller made (a durable store's; ``_new_run`` makes
        a run the same way, written out).

        ``attach``: the scheduler is driven by a thread of its own (``run_until``), not an asyncio loop.
        ``alone``: the execution runs alone on a virtual clock of its own (``run_directly``), its
        scheduler made only when something needs it (then detached: ``attach`` must be False).
        ``executor``: where Distributed Map children run (else the resources' ``[executor]``); a
        durable run keeps them in this process (the store refuses an executor, and Distributed Maps)."""
        # ``ExecutionRun(...)`` as its two steps, ``__init__`` given its arguments by position: calling
        # the class passes them through ``type.__call__`` and ``slot_tp_init`` (CPython 3.11), and
        # keyword arguments cost a search of the parameters' names for each, and a dictionary lookup
        # for each keyword-only default not given.
        run = _new_object(ExecutionRun)
        run.__init__(  # type: ignore[misc]
            self._compiled,
            identity,
            value,
            clock,
            scheduler if scheduler is not None or alone else Scheduler(clock, attach=attach),
            handlers,
            rng,
            history,  # record_history
            None,  # history: the run makes its own
            dict(context) if context else None,
            None,  # callbacks
            list(listeners) if listeners else None,  # else the history has none
            redrivable,
            input_text,
            _STARTER,
            durable,
            limits,
        )
        run.state_machine = self
        if durable is not None:
            run.callbacks.journal = durable
        else:
            configured = _configured_executor(handlers) if handlers else None
            if executor is not None or configured is not None:
                run.map_executor = _map_executor(executor, configured)
        return run

    def _arm_timeout(self, run: ExecutionRun, main: Task[None]) -> None:
        run.arm_timeout(main, run.start_time)


def _map_executor(executor: str | ChildExecutor | None, configured: ExecutorConfig | None) -> ChildExecutor | None:
    """Process pools and Dask (and their modules) only for the executions that ask for them."""
    from asl_engine.executors import resolve_executor

    return resolve_executor(executor, configured)


def _configured_executor(handlers: Sequence[HandlerSource]) -> ExecutorConfig | None:
    """The ``[executor]`` section of the ``asl.toml`` the resources were loaded from, if any.

    Read by attribute (a ``Resources`` has it): importing ``Resources`` here would import every
    service integration with ``StateMachine``, which most programs never need."""
    for source in handlers:
        config: ExecutorConfig | None = getattr(source, "executor_config", None)
        if config is not None:
            return config
    return None


def uuid4_text(bits: int) -> str:
    """``str(uuid.UUID(int=bits, version=4))``, in a third of the time (an id made per execution)."""
    bits = (bits & ~(0xC000 << 48) | 0x8000 << 48) & ~(0xF000 << 64) | 4 << 76
    text = "%032x" % bits  # noqa: UP031 - half the time of a format spec
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


_LAST_DIGITS = tuple("%02x" % low for low in range(256))  # noqa: UP031 - as the names' other digits
"""The names' last two hex digits, in order: a block of 256 names is a head and each of these."""
_NAME_PREFIX = ""
_NAME_BLOCKS = itertools.count()
_NAMES: Iterator[str] = iter(())


def _new_name_series() -> None:
    """A series of names for this process: a random UUID's first 20 hex digits (74 random bits with
    its version and variant), and a count from a random 46-bit start for the last 12, in blocks of
    256 (``_next_names``). Drawn at import and again in a forked child, so that two processes never
    name executions alike."""
    global _NAME_PREFIX, _NAME_BLOCKS, _NAMES
    ids = random.Random()  # from the system's entropy
    _NAME_PREFIX = uuid4_text(ids.getrandbits(128))[:24]
    _NAME_BLOCKS = itertools.count(ids.getrandbits(38))  # the count's first 10 of 12 hex digits
    _NAMES = iter(())


_new_name_series()
os.register_at_fork(after_in_child=_new_name_series)


def fresh_name() -> str:
    """The name of an execution started without a seed or a name: the next of the process's series
    (``_new_name_series``), a version 4 UUID's text that no other execution of the process has.
    ``_new_run`` writes it out."""
    return next(_NAMES, None) or _next_names()


def _next_names() -> str:
    """The first name of the series' next block of 256, whose others ``_NAMES`` then gives: its head
    (the prefix and the block's 10 hex digits) added to each of ``_LAST_DIGITS``, in C (``next`` on a
    ``map`` is one step that no other thread interrupts). Formatting each name (``%012x`` of a count)
    was a fifth of what a one-Pass execution's setup cost. Two threads that find the block used up
    at once take a block each (``_NAME_BLOCKS`` counts in C); the names of the block replaced are
    skipped, never given twice."""
    global _NAMES
    names = map((_NAME_PREFIX + "%010x" % next(_NAME_BLOCKS)).__add__, _LAST_DIGITS)  # noqa: UP031
    _NAMES = names
    return next(names)


_START_MODES = ("async", "sync")

_new_object = object.__new__
"""``ExecutionRun.__new__``, read once (an attribute read of a class is not specialised in CPython 3.11)."""


def check_start_mode(start_mode: str) -> None:
    if start_mode not in _START_MODES:
        raise ConfigurationError(f"start_mode must be 'async' or 'sync', got {start_mode!r}")


def _without_store(options: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in options.items() if key != "store"}


def check_limits(limits: Any) -> SafetyLimits:
    if not isinstance(limits, SafetyLimits):
        raise ConfigurationError(f"limits must be a SafetyLimits, got {type(limits).__name__}")
    return limits


def execution_input_text(value: Any) -> str:
    """The input's JSON text, made once: it proves the input is JSON, is measured against the quota,
    and is the first state's input text in the history."""
    if type(value) is dict and not value:  # the usual input of a test (``None`` becomes it too)
        return "{}"
    try:
        text = to_strict_json_text(value)
    except (TypeError, ValueError) as error:
        if too_deep_at(value) is not None:  # the encoder ran out of stack: too deep, or it contains itself
            raise InvalidExecutionInput(
                "Invalid State Machine Execution Input: the value contains itself (a circular reference) or "
                + too_deep_message("it", None)
            ) from None
        raise InvalidExecutionInput(f"Invalid State Machine Execution Input: {error}") from None
    if text_too_deep(text):
        raise InvalidExecutionInput(f"Invalid State Machine Execution Input: {too_deep_message('it', None)}")
    return text


def _state_definition(definition: Mapping[str, Any] | str) -> dict[str, Any]:
    from asl_engine.teststate import TestStateError

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


def _compile(
    document: dict[str, Any], machine_type: str, source: str | None, *, nesting_checked: bool = False
) -> CompiledMachine:
    """``nesting_checked``: ``document`` was read from a text or a file (``_load``), whose depth the
    loader checked after its substitutions; a dict given by the caller is checked by the validator."""
    return compile_definition(document, machine_type=machine_type, source=source, nesting_checked=nesting_checked)


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
