"""``StateMachine``: the library's front door.

Loading validates and compiles the definition once; every ``execute`` then reuses the compiled
form. Executions share nothing mutable with each other or with the machine.
"""

from __future__ import annotations

import asyncio
import os
import random
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from asl_engine.definition.loader import load_definition
from asl_engine.definition.validate import validate_document
from asl_engine.errors import AslEngineError, ConfigurationError, ValidationError
from asl_engine.execution import Execution
from asl_engine.handle import AsyncExecutionHandle, ExecutionHandle, drive_in_loop
from asl_engine.observers import notify_finished
from asl_engine.resources.base import HandlerSource
from asl_engine.resources.mocks import Mocks
from asl_engine.runtime.clock import Clock, VirtualClock
from asl_engine.runtime.compiler import CompiledMachine, compile_machine
from asl_engine.runtime.history import EventListener
from asl_engine.runtime.json_text import to_strict_json_text
from asl_engine.runtime.run import ExecutionRun, ExecutionStopped, Identity
from asl_engine.runtime.scheduler import Cancelled, Scheduler, Task

if TYPE_CHECKING:
    from asl_engine.runtime.durable.recorder import Recorder
    from asl_engine.store.base import Store

MACHINE_TYPES = ("STANDARD", "EXPRESS")


class InvalidExecutionInput(AslEngineError):
    """The execution input is not JSON (AWS: InvalidExecutionInput)."""


class StateMachine:
    """A validated, compiled state machine, ready to run any number of executions."""

    def __init__(self, compiled: CompiledMachine, *, name: str = "StateMachine", source: str | None = None) -> None:
        self._compiled = compiled
        self.name = name
        self.source = source

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
    def _build(cls, document: dict[str, Any], name: str, machine_type: str, source: str | None) -> StateMachine:
        if machine_type not in MACHINE_TYPES:
            raise ConfigurationError(f"machine_type must be one of {', '.join(MACHINE_TYPES)}, got {machine_type!r}")
        _validate_structure(document, machine_type, source)
        compiled = compile_machine(document, machine_type=machine_type)
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

    # -- running -------------------------------------------------------------------------------------

    def execute(
        self,
        input: Any = None,
        *,
        name: str | None = None,
        clock: Clock | None = None,
        mocks: Mapping[str, Any] | Mocks | None = None,
        resources: HandlerSource | Sequence[HandlerSource] | None = None,
        context: Mapping[str, Any] | None = None,
        history: bool = True,
        seed: int | None = None,
        region: str = "us-east-1",
        account: str = "123456789012",
        role_arn: str | None = None,
        listeners: Sequence[EventListener] = (),
        start_mode: str = "async",
        store: Store | None = None,
    ) -> Execution:
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
        """
        if store is not None:
            return store.execute(
                self, input, name=name, clock=clock, mocks=mocks, resources=resources, context=context,
                history=history, seed=seed, region=region, account=account, role_arn=role_arn,
                listeners=listeners, start_mode=start_mode,
            )  # fmt: skip
        run = self._new_run(
            input,
            name=name,
            clock=clock,
            mocks=mocks,
            resources=resources,
            context=context,
            history=history,
            seed=seed,
            region=region,
            account=account,
            role_arn=role_arn,
            listeners=listeners,
            start_mode=start_mode,
        )
        main = run.scheduler.spawn(run.main(), "execution")
        self._arm_timeout(run, main)
        with run.clock.awaiting_result():
            run.scheduler.run_until(main.done_future)
        main.done_future.result()
        execution = Execution(run)
        notify_finished(self, execution)
        return execution

    def start(
        self,
        input: Any = None,
        *,
        name: str | None = None,
        clock: Clock | None = None,
        mocks: Mapping[str, Any] | Mocks | None = None,
        resources: HandlerSource | Sequence[HandlerSource] | None = None,
        context: Mapping[str, Any] | None = None,
        history: bool = True,
        seed: int | None = None,
        region: str = "us-east-1",
        account: str = "123456789012",
        role_arn: str | None = None,
        listeners: Sequence[EventListener] = (),
        store: Store | None = None,
    ) -> ExecutionHandle:
        """Start an execution in the background (same options as ``execute``) and return its handle.

        Use the handle to wait for it, stop it, or answer ``.waitForTaskToken`` tasks from this thread.
        With ``store``, a name already used in the store follows AWS's rules: ``ExecutionAlreadyExists``,
        or, for the same input, the running execution of that name (an ``AttachedExecution`` handle
        when another handle or process drives it).
        """
        if store is not None:
            return store.start(
                self, input, name=name, clock=clock, mocks=mocks, resources=resources, context=context,
                history=history, seed=seed, region=region, account=account, role_arn=role_arn,
                listeners=listeners,
            )  # fmt: skip
        run = self._new_run(
            input,
            name=name,
            clock=clock,
            mocks=mocks,
            resources=resources,
            context=context,
            history=history,
            seed=seed,
            region=region,
            account=account,
            role_arn=role_arn,
            listeners=listeners,
        )
        main = run.scheduler.spawn(run.main(), "execution")
        self._arm_timeout(run, main)
        return ExecutionHandle(run, main, on_finished=lambda execution: notify_finished(self, execution))

    async def start_async(
        self,
        input: Any = None,
        *,
        name: str | None = None,
        clock: Clock | None = None,
        mocks: Mapping[str, Any] | Mocks | None = None,
        resources: HandlerSource | Sequence[HandlerSource] | None = None,
        context: Mapping[str, Any] | None = None,
        history: bool = True,
        seed: int | None = None,
        region: str = "us-east-1",
        account: str = "123456789012",
        role_arn: str | None = None,
        listeners: Sequence[EventListener] = (),
        start_mode: str = "async",
        store: Store | None = None,
    ) -> AsyncExecutionHandle:
        """Start an execution inside the running asyncio event loop (same options as ``execute``).

        The loop drives it: no thread is started, and ``async def`` handlers are awaited as tasks of
        the loop, so thousands of executions that wait on I/O run side by side. ``await
        handle.result()`` waits for the end. Call it from a coroutine (a FastAPI or aiohttp handler).
        """
        asyncio.get_running_loop()  # RuntimeError outside a running event loop, before anything starts
        if store is not None:
            return await store.start_async(
                self, input, name=name, clock=clock, mocks=mocks, resources=resources, context=context,
                history=history, seed=seed, region=region, account=account, role_arn=role_arn,
                listeners=listeners, start_mode=start_mode,
            )  # fmt: skip
        run = self._new_run(
            input,
            name=name,
            clock=clock,
            mocks=mocks,
            resources=resources,
            context=context,
            history=history,
            seed=seed,
            region=region,
            account=account,
            role_arn=role_arn,
            listeners=listeners,
            start_mode=start_mode,
            attach=False,
        )
        main = run.scheduler.spawn(run.main(), "execution")
        self._arm_timeout(run, main)
        return drive_in_loop(run, main, on_finished=lambda execution: notify_finished(self, execution))

    async def execute_async(self, input: Any = None, **options: Any) -> Execution:
        """``execute`` for asyncio code: ``await machine.execute_async(input)`` (options as ``start_async``)."""
        handle = await self.start_async(input, **options)
        return await handle.result()

    def start_on(
        self,
        scheduler: Scheduler,
        input: Any = None,
        *,
        handlers: Sequence[HandlerSource] = (),
        name: str | None = None,
        seed: int | str | None = None,
        context: Mapping[str, Any] | None = None,
    ) -> tuple[ExecutionRun, Task[None]]:
        """Start an execution on a scheduler shared with other executions and driven by the caller.

        For test environments (``asl_engine.testing``): one scheduler for every execution of a test is
        what keeps several executions deterministic under one virtual clock. Returns the execution's
        state and its main task; ``Execution(run)`` views it.
        """
        run = self._new_run(
            input,
            name=name,
            clock=scheduler.clock,
            mocks=None,
            resources=list(handlers),
            context=context,
            history=True,
            seed=None,
            region="us-east-1",
            account="123456789012",
            role_arn=None,
            scheduler=scheduler,
            rng=random.Random(seed),
        )
        main = scheduler.spawn(run.main(), f"execution {run.identity.execution_name}")
        self._arm_timeout(run, main)
        return run, main

    def _start_nested(
        self, parent: ExecutionRun, input: Any, *, name: str | None, seeds: random.Random | None = None
    ) -> NestedExecution:
        """A child execution on the parent's scheduler and clock (``states:startExecution``); its
        seed is drawn from ``seeds`` (the calling handler's random source), else the parent's."""
        value = {} if input is None else input
        rng = random.Random((seeds or parent.random).getrandbits(64))
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

    def _new_run(
        self,
        input: Any,
        *,
        name: str | None,
        clock: Clock | None,
        mocks: Mapping[str, Any] | Mocks | None,
        resources: HandlerSource | Sequence[HandlerSource] | None,
        context: Mapping[str, Any] | None,
        history: bool,
        seed: int | None,
        region: str,
        account: str,
        role_arn: str | None,
        listeners: Sequence[EventListener] = (),
        start_mode: str = "async",
        scheduler: Scheduler | None = None,
        rng: random.Random | None = None,
        attach: bool = True,
    ) -> ExecutionRun:
        _check_start_mode(start_mode)
        value = {} if input is None else input
        input_text = _input_text(value)
        clock = clock if clock is not None else VirtualClock()
        rng = rng if rng is not None else random.Random(seed if seed is not None else _fresh_seed())
        execution_name = name or str(uuid.UUID(int=rng.getrandbits(128), version=4))
        express_id = str(uuid.UUID(int=rng.getrandbits(128), version=4)) if self.type == "EXPRESS" else None
        identity = Identity(
            self.name, execution_name, region=region, account=account, role_arn=role_arn, express_id=express_id
        )
        return self._build_run(
            identity,
            value,
            input_text,
            clock=clock,
            handlers=self._handlers(mocks, resources),
            rng=rng,
            history=history,
            context=context,
            listeners=listeners,
            redrivable=not (self.type == "EXPRESS" and start_mode == "sync"),
            scheduler=scheduler,
            attach=attach,
        )

    def _handlers(
        self, mocks: Mapping[str, Any] | Mocks | None, resources: HandlerSource | Sequence[HandlerSource] | None
    ) -> list[HandlerSource]:
        """Mocks (checked against the definition's states) first, then the resources, in order."""
        handlers: list[HandlerSource] = []
        if mocks is not None:
            mock_source = mocks if isinstance(mocks, Mocks) else Mocks(mocks)
            unknown = [state for state in mock_source.states() if state not in self._compiled.all_states]
            if unknown:
                raise ConfigurationError(
                    f"mocks name states that are not in the definition: {', '.join(map(repr, unknown))}"
                )
            handlers.append(mock_source)
        if resources is not None:
            if isinstance(resources, list | tuple):
                handlers.extend(resources)
            else:
                handlers.append(cast(HandlerSource, resources))
        return handlers

    def _build_run(
        self,
        identity: Identity,
        value: Any,
        input_text: str,
        *,
        clock: Clock,
        handlers: list[HandlerSource],
        rng: random.Random,
        history: bool = True,
        context: Mapping[str, Any] | None = None,
        listeners: Sequence[EventListener] = (),
        redrivable: bool = True,
        scheduler: Scheduler | None = None,
        durable: Recorder | None = None,
        attach: bool = True,
    ) -> ExecutionRun:
        """``attach``: the scheduler is driven by a thread of its own (``run_until``), not an asyncio loop."""
        run = ExecutionRun(
            self._compiled,
            identity,
            value,
            clock=clock,
            scheduler=scheduler if scheduler is not None else Scheduler(clock, attach=attach),
            handlers=handlers,
            rng=rng,
            record_history=history,
            context_overrides=dict(context) if context else None,
            listeners=list(listeners),
            redrivable=redrivable,
            input_text=input_text,
            durable=durable,
        )
        run.state_machine = self
        if durable is not None:
            run.callbacks.journal = durable
        return run

    def _arm_timeout(self, run: ExecutionRun, main: Task[None]) -> None:
        run.arm_timeout(main, run.start_time)


def _fresh_seed() -> int:
    """64 random bits: seeding from them is a third of the cost of ``Random()``'s 2,500 bytes."""
    return int.from_bytes(os.urandom(8), "big")


def _check_start_mode(start_mode: str) -> None:
    if start_mode not in ("async", "sync"):
        raise ConfigurationError(f"start_mode must be 'async' or 'sync', got {start_mode!r}")


def _input_text(value: Any) -> str:
    """The input's JSON text, made once: it proves the input is JSON, is measured against the quota,
    and is the first state's input text in the history."""
    try:
        return to_strict_json_text(value)
    except (TypeError, ValueError) as error:
        raise InvalidExecutionInput(f"Invalid State Machine Execution Input: {error}") from None


def _load(definition: Any, substitutions: Mapping[str, str] | None) -> dict[str, Any]:
    source = Path(definition) if isinstance(definition, Path) else definition
    loaded = load_definition(source, substitutions=substitutions)
    return loaded.document


def _validate_structure(document: dict[str, Any], machine_type: str, source: str | None) -> None:
    diagnostics = validate_document(document, machine_type=machine_type)
    errors = [d for d in diagnostics if d.severity == "ERROR"]
    if errors:
        raise ValidationError(errors, source)


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


__all__ = ["InvalidExecutionInput", "StateMachine"]
