"""``Store``: durable executions, whatever database keeps them.

The class holds everything that is the same for any database: AWS's rules (names, redrive,
StopExecution, task tokens), putting an execution together from what was stored, and the
bookkeeping of the executions this process runs (their leases, the answers and stop requests other
processes leave for them). A concrete store implements the primitives at the end (``_create_execution``,
``_commit``...) in one transaction each; ``SqliteStore`` is the embedded one, and a server
database implements the same primitives.

Every execution runs in the process that started, resumed or redrove it, holding a *lease* (an
owner id and an expiry, renewed while it runs). Another process takes an execution over only when
its lease has expired, or its owner is a process of this machine that no longer exists; two
processes never run one execution at once, since every commit checks the lease in its transaction.
"""

from __future__ import annotations

import dataclasses
import json
import os
import random
import socket
import threading
import time
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from asl_engine.errors import AslEngineError, ConfigurationError, StatesError
from asl_engine.execution import Execution
from asl_engine.handle import AsyncExecutionHandle, ExecutionHandle, MapRunProgress, drive_in_loop
from asl_engine.machine import StateMachine, check_limits, check_start_mode, execution_input_text
from asl_engine.runtime.callbacks import InvalidOutput, TaskDoesNotExist
from asl_engine.runtime.clock import Clock, RealClock, TurnClock, VirtualClock
from asl_engine.runtime.durable.history import events_from_rows
from asl_engine.runtime.durable.inputs import answer_input, heartbeat_input
from asl_engine.runtime.durable.journal import Commit, EventRow, Input, Key, Row
from asl_engine.runtime.durable.recorder import Recorder
from asl_engine.runtime.map_run.in_process import IN_PROCESS, InProcessExecutor
from asl_engine.runtime.run import ExecutionRun, Identity
from asl_engine.runtime.safety import DEFAULT_LIMITS, SafetyLimits
from asl_engine.services.mocks import Mocks
from asl_engine.store.errors import (
    ExecutionAlreadyExists,
    ExecutionDoesNotExist,
    ExecutionNotRedrivable,
    StateMachineDoesNotExist,
    TaskTimedOut,
)
from asl_engine.store.records import NAME_REUSE_SECONDS, ActivityRecord, ExecutionRecord, StateMachineRecord

if TYPE_CHECKING:
    from asl_engine.runtime.handlers import HandlerSource
    from asl_engine.runtime.history import EventListener, HistoryEvent
    from asl_engine.runtime.scheduler import Task

DEFAULT_REGION = "us-east-1"
DEFAULT_ACCOUNT = "123456789012"

Resources = Any
"""What answers Task states: a ``Resources``, any handler source, or a list of them."""


@dataclass(slots=True)
class _Running:
    run: ExecutionRun
    main: Task[None]
    recorder: Recorder


class Store(ABC):
    """Durable executions: start, resume, redrive, stop and inspect them, answer their task tokens."""

    def __init__(self, *, lease_seconds: float = 30.0, poll_interval: float = 0.1) -> None:
        if lease_seconds <= 0 or poll_interval <= 0:
            raise ConfigurationError("lease_seconds and poll_interval must be positive")
        self.lease_seconds = lease_seconds
        """How long an execution stays this process's after its last renewal (renewed every third of it)."""
        self.poll_interval = poll_interval
        """How often this process looks for answers and stop requests other processes left (seconds)."""
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"
        """This store object's lease owner id: host, process id and a random part."""
        self._running: dict[int, _Running] = {}
        self._running_lock = threading.Lock()
        self._keeper: threading.Thread | None = None
        self._keeper_stop = threading.Event()
        self._delivered: dict[tuple[int, str], str] = {}
        self.closed = False

    # -- context manager -------------------------------------------------------------------------

    def __enter__(self) -> Store:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """Stop looking after this process's executions and close the store (end them first)."""
        self.closed = True
        self._keeper_stop.set()
        keeper = self._keeper
        if keeper is not None and keeper is not threading.current_thread():
            keeper.join(timeout=5)
        self._close()

    # -- state machines ----------------------------------------------------------------------------

    def create_state_machine(
        self,
        name: str,
        definition: str | Mapping[str, Any],
        *,
        machine_type: str = "STANDARD",
        role_arn: str | None = None,
        region: str = DEFAULT_REGION,
        account: str = DEFAULT_ACCOUNT,
        attributes: Mapping[str, Any] | None = None,
    ) -> StateMachineRecord:
        """Keep a state machine (validated first, as CreateStateMachine does); returns its record."""
        machine = StateMachine.from_json(definition, name=name, machine_type=machine_type)
        identity = Identity(name, "-", region=region, account=account, role_arn=role_arn)
        now = time.time()
        record = StateMachineRecord(
            identity.state_machine_arn,
            name,
            machine.type,
            json.dumps(machine.definition, ensure_ascii=False),
            identity.effective_role_arn,
            now,
            now,
            attributes=dict(attributes or {}),
        )
        return self._save_machine(record)

    def save_state_machine(
        self,
        arn: str,
        name: str,
        definition: str,
        *,
        machine_type: str,
        role_arn: str,
        created: float,
        updated: float,
        attributes: Mapping[str, Any],
    ) -> None:
        """Keep a state machine exactly as given, replacing what the store had under its ARN (the API
        server keeps its versions, aliases and tags in ``attributes``). Not validated: the caller has."""
        self._check_open()
        record = StateMachineRecord(
            arn, name, machine_type, definition, role_arn, created, updated, attributes=dict(attributes)
        )
        _check_json(record.attributes, "state machine attributes")
        self._put_machine(record)

    def describe_state_machine(self, arn: str) -> dict[str, Any]:
        return self._machine(arn).describe()

    def state_machine(self, arn: str) -> StateMachine:
        """The kept definition as a ``StateMachine``, ready to start."""
        record = self._machine(arn)
        return StateMachine.from_json(record.definition, name=record.name, machine_type=record.type)

    def list_state_machines(self) -> list[StateMachineRecord]:
        return self._list_machines()

    def delete_state_machine(self, arn: str) -> None:
        self._machine(arn)
        self._delete_machine(arn)

    # -- what a server keeps beside: activities, and fields of executions ------------------------------

    def save_activity(self, arn: str, name: str, *, created: float, attributes: Mapping[str, Any]) -> None:
        """Keep an activity (replacing what the store had under its ARN): the API server keeps the
        activities it is asked to create, with their tags in ``attributes``."""
        self._check_open()
        record = ActivityRecord(arn, name, created, dict(attributes))
        _check_json(record.attributes, "activity attributes")
        self._put_activity(record)

    def list_activities(self) -> list[ActivityRecord]:
        return self._list_activities()

    def delete_activity(self, arn: str) -> None:
        """Forget an activity (nothing happens when the store does not have it)."""
        self._check_open()
        self._delete_activity(arn)

    def annotate_execution(self, execution: str, attributes: Mapping[str, Any]) -> None:
        """Keep more fields of an execution's DescribeExecution and ListExecutions answers (the API
        server: the version or alias it was started through), added to those it has."""
        self._check_open()
        record = self.record(execution)
        merged = {**record.attributes, **attributes}
        _check_json(merged, "execution attributes")
        self._set_execution_attributes(record.id, merged)

    def _machine(self, arn: str) -> StateMachineRecord:
        record = self._get_machine(arn)
        if record is None:
            raise StateMachineDoesNotExist(f"State Machine Does Not Exist: '{arn}'")
        return record

    # -- starting ------------------------------------------------------------------------------------

    def start(self, machine: StateMachine | str, input: Any = None, **options: Any) -> ExecutionHandle:
        """StartExecution: a durable execution, running in this process; returns its handle.

        ``machine`` is a ``StateMachine`` or the ARN of one this store keeps; the options are
        ``StateMachine.start``'s. A ``name`` already used follows AWS's rules: the running execution
        of that name is returned when the input is the same; otherwise ``ExecutionAlreadyExists``
        (also for a closed execution, for 90 days).
        """
        prepared = self._prepare(machine, input, **options)
        if isinstance(prepared, ExecutionRecord):
            return self._existing_handle(prepared, options.get("resources"), options.get("listeners", ()))
        return self._handle(prepared)

    def execute(self, machine: StateMachine | str, input: Any = None, **options: Any) -> Execution:
        """Start a durable execution and run it to its end on this thread (see ``start``)."""
        prepared = self._prepare(machine, input, **options)
        if isinstance(prepared, ExecutionRecord):
            handle = self._existing_handle(prepared, options.get("resources"), options.get("listeners", ()))
            return handle.wait()
        return self._drive(prepared)

    def _prepare(
        self,
        machine: StateMachine | str,
        input: Any = None,
        *,
        name: str | None = None,
        clock: Clock | None = None,
        mocks: Mapping[str, Any] | Mocks | None = None,
        resources: Resources | None = None,
        context: Mapping[str, Any] | None = None,
        seed: int | None = None,
        region: str = DEFAULT_REGION,
        account: str = DEFAULT_ACCOUNT,
        role_arn: str | None = None,
        listeners: Sequence[EventListener] = (),
        start_mode: str = "async",
        history: bool = True,
        attach: bool = True,
        limits: SafetyLimits = DEFAULT_LIMITS,
        executor: Any = None,
    ) -> _Running | ExecutionRecord:
        self._check_open()
        _check_executor(executor)
        if isinstance(machine, str):
            machine = self.state_machine(machine)
        check_start_mode(start_mode)
        if not history:
            raise ConfigurationError("history=False cannot be combined with store=: the history is what is stored")
        _check_durable(machine)
        value = {} if input is None else input
        input_text = execution_input_text(value)
        handlers = machine._handlers(mocks, resources)
        execution_name = name or str(uuid.uuid4())
        express_id = str(uuid.uuid4()) if machine.type == "EXPRESS" else None
        identity = Identity(
            machine.name, execution_name, region=region, account=account, role_arn=role_arn, express_id=express_id
        )
        source = clock if clock is not None else VirtualClock()
        seed = seed if seed is not None else random.SystemRandom().getrandbits(63)
        mock_spec = mocks.spec if isinstance(mocks, Mocks) else (dict(mocks) if mocks is not None else None)
        resources_path = _resources_path(resources)
        options = {
            "seed": seed,
            "region": region,
            "account": account,
            "partition": identity.partition,
            "role_arn": role_arn,
            "clock": "virtual" if source.virtual else "real",
            "start_mode": start_mode,
            "express_id": express_id,
            "context": dict(context) if context else None,
            "mocks": mock_spec,
            "handlers": "none" if resources is None else ("file" if resources_path else "object"),
            "limits": None if limits == DEFAULT_LIMITS else dataclasses.asdict(check_limits(limits)),
        }
        _check_json(options, "mocks and context")
        definition = json.dumps(machine.definition, ensure_ascii=False)
        now = time.time()
        self._save_machine(
            StateMachineRecord(
                identity.state_machine_arn,
                machine.name,
                machine.type,
                definition,
                identity.effective_role_arn,
                now,
                now,
            )
        )
        record = ExecutionRecord(
            0, identity.execution_arn, execution_name, identity.state_machine_arn, machine.name, machine.type,
            definition, input_text, options, resources_path, "RUNNING", source.now(),
        )  # fmt: skip
        stored, created = self._create_execution(record, self.owner, self.lease_seconds, _name_rule(input_text))
        if not created:
            return stored
        return self._launch(
            machine, stored, source, handlers, listeners, journal=[], redrivable=start_mode == "async", attach=attach
        )

    def _launch(
        self,
        machine: StateMachine,
        record: ExecutionRecord,
        source: Clock,
        handlers: list[HandlerSource],
        listeners: Sequence[EventListener],
        *,
        journal: list[Row],
        redrivable: bool = True,
        attach: bool = True,
    ) -> _Running:
        options = record.options
        clock = TurnClock(source, start=record.start_time)
        sink = _Sink(self, record)
        recorder = Recorder(
            sink,
            clock,
            seed=int(options["seed"]),
            journal=journal,
            pending_redrive=record.redrive_requested > record.redrive_count,
        )
        identity = Identity(
            record.machine_name,
            record.name,
            region=options["region"],
            account=options["account"],
            partition=options.get("partition", "aws"),
            role_arn=options.get("role_arn"),
            express_id=options.get("express_id"),
        )
        run = machine._build_run(
            identity,
            json.loads(record.input),
            record.input,
            clock=clock,
            handlers=handlers,
            rng=random.Random(int(options["seed"])),
            context=options.get("context"),
            listeners=listeners,
            redrivable=redrivable and options.get("start_mode", "async") == "async",
            durable=recorder,
            attach=attach,
            limits=SafetyLimits(**options["limits"]) if options.get("limits") else DEFAULT_LIMITS,
        )
        main = run.scheduler.spawn(run.main(), f"execution {record.name}")
        recorder.attach(run, main)
        running = _Running(run, main, recorder)
        with self._running_lock:
            self._running[record.id] = running
        self._ensure_keeper()
        return running

    def _handle(self, running: _Running) -> ExecutionHandle:
        machine = running.run.state_machine
        assert machine is not None
        from asl_engine.observers import notify_finished

        return ExecutionHandle(
            running.run, running.main, on_finished=lambda execution: notify_finished(machine, execution)
        )

    def _drive(self, running: _Running) -> Execution:
        run = running.run
        with run.clock.awaiting_result():
            run.scheduler.run_until(running.main.done_future)
        running.main.done_future.result()
        execution = Execution(run)
        if run.state_machine is not None:
            from asl_engine.observers import notify_finished

            notify_finished(run.state_machine, execution)
        return execution

    def _existing_handle(
        self, record: ExecutionRecord, resources: Resources | None, listeners: Sequence[EventListener]
    ) -> ExecutionHandle:
        """What a start with the name and input of an open execution returns: that execution. Run by
        nobody (its process died), it is resumed here; otherwise its handle only watches it."""
        with self._running_lock:
            running = self._running.get(record.id)
        if running is None:
            revived = self._revive(record, resources, listeners)
            if revived is not None:
                return self._handle(revived)
        return AttachedExecution(self, record.arn, running)

    # -- resuming ----------------------------------------------------------------------------------

    def resume(self, *, resources: Resources | None = None) -> list[ExecutionHandle]:
        """Resume every unfinished execution no live process is running; returns their handles.

        Each one replays its recorded history, then goes on where it stopped. ``resources``
        answers their Task states; without it, each uses the resources file it was started with.
        """
        self._check_open()
        handles = []
        for record in self._unfinished():
            revived = self._revive(record, resources, ())
            if revived is not None:
                handles.append(self._handle(revived))
        return handles

    def _revive(
        self,
        record: ExecutionRecord,
        resources: Resources | None,
        listeners: Sequence[EventListener],
        *,
        attach: bool = True,
    ) -> _Running | None:
        """Take the execution over and start replaying it; None when another live process runs it."""
        claimed = self._claim(record.id, self.owner, self.lease_seconds)
        if claimed is None:
            return None
        try:
            machine = StateMachine.from_json(claimed.definition, name=claimed.machine_name, machine_type=claimed.type)
            handlers = machine._handlers(claimed.options.get("mocks"), _resources_for(claimed, resources))
            journal = self._journal(claimed.id)
            source: Clock = RealClock() if claimed.options.get("clock") == "real" else VirtualClock(claimed.start_time)
            return self._launch(machine, claimed, source, handlers, listeners, journal=journal, attach=attach)
        except BaseException:
            self._release(claimed.id, self.owner)
            raise

    # -- redrive -------------------------------------------------------------------------------------

    def redrive(self, execution: str, *, resources: Resources | None = None) -> ExecutionHandle:
        """RedriveExecution: run a FAILED, TIMED_OUT or ABORTED Standard execution again from the
        state visits that did not finish (failed or aborted Map iterations and Parallel branches
        only; everything that succeeded is kept). Returns the handle of the redriven execution."""
        return self._handle(self._redriven(execution, resources, attach=True))

    def _redriven(self, execution: str, resources: Resources | None, *, attach: bool) -> _Running:
        self._check_open()
        record = self.record(execution)
        status, reason = record.redrive_status()
        if status != "REDRIVABLE":
            raise ExecutionNotRedrivable(f"Execution {record.arn} cannot be redriven: {reason}")
        requested = self._request_redrive(record.id, self.owner, self.lease_seconds)
        if requested is None:
            raise ExecutionNotRedrivable(f"Execution {record.arn} cannot be redriven: it is being redriven already")
        try:
            machine = StateMachine.from_json(
                requested.definition, name=requested.machine_name, machine_type=requested.type
            )
            handlers = machine._handlers(requested.options.get("mocks"), _resources_for(requested, resources))
            source: Clock = (
                RealClock() if requested.options.get("clock") == "real" else VirtualClock(requested.start_time)
            )
            return self._launch(
                machine, requested, source, handlers, (), journal=self._journal(requested.id), attach=attach
            )
        except BaseException:
            self._release(requested.id, self.owner)
            raise

    # -- the same, inside an asyncio event loop -----------------------------------------------------------

    async def start_async(self, machine: StateMachine | str, input: Any = None, **options: Any) -> AsyncExecutionHandle:
        """``start`` for asyncio code: the running loop drives the execution (see ``StateMachine.start_async``)."""
        prepared = self._prepare(machine, input, attach=False, **options)
        if isinstance(prepared, ExecutionRecord):
            with self._running_lock:
                running = self._running.get(prepared.id)
            if running is None:
                running = self._revive(prepared, options.get("resources"), options.get("listeners", ()), attach=False)
            if running is None or running.run.activities is not None or running.run.scheduler.on_post is not None:
                raise ExecutionAlreadyExists(
                    f"Execution Already Exists: '{prepared.arn}' (it is running, driven elsewhere: wait for it with "
                    "start(), which returns a handle that watches it)"
                )
        else:
            running = prepared
        return self._drive_async(running)

    async def resume_async(self, *, resources: Resources | None = None) -> list[AsyncExecutionHandle]:
        """``resume`` for asyncio code: the running loop drives the resumed executions."""
        self._check_open()
        handles = []
        for record in self._unfinished():
            revived = self._revive(record, resources, (), attach=False)
            if revived is not None:
                handles.append(self._drive_async(revived))
        return handles

    async def redrive_async(self, execution: str, *, resources: Resources | None = None) -> AsyncExecutionHandle:
        """``redrive`` for asyncio code: the running loop drives the redriven execution."""
        return self._drive_async(self._redriven(execution, resources, attach=False))

    def _drive_async(self, running: _Running) -> AsyncExecutionHandle:
        machine = running.run.state_machine
        assert machine is not None
        from asl_engine.observers import notify_finished

        return drive_in_loop(running.run, running.main, on_finished=lambda e: notify_finished(machine, e))

    # -- stopping ----------------------------------------------------------------------------------

    def stop(self, execution: str, error: str | None = None, cause: str | None = None) -> None:
        """StopExecution: the execution ends as ABORTED with ``error`` and ``cause``.

        Running here, it is stopped at once; running in another process, that process stops it
        within ``poll_interval``; running nowhere (its process died), it is marked ABORTED now.
        """
        self._check_open()
        record = self.record(execution)
        if not record.open:
            return
        with self._running_lock:
            running = self._running.get(record.id)
        if running is not None:
            running.run.request_stop(running.main, error, cause)
            return
        self._stop_elsewhere(record.id, self.owner, error, cause, _stop_time(record))

    # -- looking ---------------------------------------------------------------------------------------

    def record(self, execution: str) -> ExecutionRecord:
        """The stored record of an execution, by ARN or by name (``ExecutionDoesNotExist``)."""
        found = self._get_execution(execution) if execution.startswith("arn:") else None
        if found is not None:
            return found
        if not execution.startswith("arn:"):
            named = self._find_named(execution)
            if len(named) == 1:
                return named[0]
            if len(named) > 1:
                arns = ", ".join(record.arn for record in named)
                raise AslEngineError(f"several executions are named '{execution}'; give the ARN of one: {arns}")
        raise ExecutionDoesNotExist(f"Execution Does Not Exist: '{execution}'")

    def describe(self, execution: str) -> dict[str, Any]:
        """DescribeExecution's fields (input and output as JSON text), with ``redriveCount``,
        ``redriveDate``, ``redriveStatus`` and ``redriveStatusReason``."""
        return self.record(execution).describe()

    def list_executions(
        self, *, status: str | None = None, machine: str | None = None, max_results: int | None = None
    ) -> list[dict[str, Any]]:
        """ListExecutions: newest first; ``machine`` is a state machine ARN or name."""
        return [record.summary() for record in self.records(status=status, machine=machine, max_results=max_results)]

    def list_executions_page(
        self,
        *,
        status: str | None = None,
        machine: str | None = None,
        max_results: int = 100,
        next_token: str | None = None,
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One page of ListExecutions, newest first; the token continues it (None after the last page)."""
        offset = int(next_token) if next_token else 0
        page = self._list_executions(status, machine, max_results + 1, offset)
        token = str(offset + max_results) if len(page) > max_results else None
        return [record.summary() for record in page[:max_results]], token

    def records(
        self, *, status: str | None = None, machine: str | None = None, max_results: int | None = None
    ) -> list[ExecutionRecord]:
        return self._list_executions(status, machine, max_results, 0)

    def history(self, execution: str, *, reverse: bool = False) -> list[dict[str, Any]]:
        """GetExecutionHistory's events, oldest first (``reverse``: newest first)."""
        events, _ = self.history_page(execution, reverse=reverse, max_results=None)
        return events

    def history_page(
        self,
        execution: str,
        *,
        max_results: int | None = 100,
        next_token: str | None = None,
        reverse: bool = False,
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One page of GetExecutionHistory; the token continues it (None after the last page)."""
        record = self.record(execution)
        after = int(next_token) if next_token else None
        rows = self._history_rows(record.id, after, max_results, reverse)
        events = [event.to_dict() for event in events_from_rows(rows)]
        token = None
        if max_results is not None and len(rows) == max_results:
            token = str(rows[-1].event_id)
        return events, token

    def events(self, execution: str) -> list[HistoryEvent]:
        """The whole history as engine objects (``HistoryEvent``), oldest first."""
        return events_from_rows(self._history_rows(self.record(execution).id, None, None, False))

    def waiting_tokens(self, execution: str) -> dict[str, str]:
        """The task tokens the execution's tasks wait on, mapped to their state names."""
        return self._waiting_tokens(self.record(execution).id)

    def execution(self, execution: str) -> Execution:
        """An ``Execution`` view of a stored execution (status, output, the whole history)."""
        record = self.record(execution)
        with self._running_lock:
            running = self._running.get(record.id)
        if running is not None:
            return Execution(running.run)
        return Execution(_StoredRun(record, self._history_rows(record.id, None, None, False)))  # type: ignore[arg-type]

    # -- task tokens -----------------------------------------------------------------------------------

    def send_task_success(self, token: str, output: Any) -> None:
        """SendTaskSuccess from any process: ``output`` is a JSON value or JSON text."""
        value = _output_value(output)
        self._answer(token, lambda key, at: answer_input(key, token, value))

    def send_task_failure(self, token: str, error: str | None = None, cause: str | None = None) -> None:
        self._answer(token, lambda key, at: answer_input(key, token, error=StatesError(error, cause)))

    def send_task_heartbeat(self, token: str) -> None:
        self._answer(token, lambda key, at: heartbeat_input(key, token, at))

    def _answer(self, token: str, make: Callable[[Key, float], Input]) -> None:
        self._check_open()
        execution_id, item = self._record_answer(token, make, time.time())
        with self._running_lock:
            running = self._running.get(execution_id)
        if running is not None:
            running.run.post_input(item)

    # -- this process's executions ----------------------------------------------------------------------

    def _finished(self, execution_id: int) -> None:
        with self._running_lock:
            self._running.pop(execution_id, None)
        self._release(execution_id, self.owner)

    def _ensure_keeper(self) -> None:
        if self._keeper is not None and self._keeper.is_alive():
            return
        self._keeper_stop.clear()
        self._keeper = threading.Thread(target=self._keep, name="asl-store-keeper", daemon=True)
        self._keeper.start()

    def _keep(self) -> None:
        """Renew this process's leases, and deliver what other processes left for its executions."""
        renewed = 0.0
        while not self._keeper_stop.wait(self.poll_interval):
            with self._running_lock:
                running = dict(self._running)
            if not running:
                continue
            try:
                if time.monotonic() - renewed >= self.lease_seconds / 3:
                    self._renew(list(running), self.owner, self.lease_seconds)
                    renewed = time.monotonic()
                for execution_id, item in self._poll_inputs(list(running)):
                    target = running.get(execution_id)
                    if target is None:
                        continue
                    mark = json.dumps(item, sort_keys=True)
                    slot = (execution_id, str(item.get("token") or item["kind"]))
                    if self._delivered.get(slot) == mark:
                        continue
                    self._delivered[slot] = mark
                    target.run.post_input(item)
            except AslEngineError:
                continue  # a busy or closing store: try again at the next tick

    def _check_open(self) -> None:
        if self.closed:
            raise ConfigurationError("the store is closed")

    # -- primitives: one transaction each --------------------------------------------------------------

    @abstractmethod
    def _close(self) -> None: ...

    @abstractmethod
    def _save_machine(self, record: StateMachineRecord) -> StateMachineRecord:
        """Keep a state machine (a new definition for a known ARN replaces the old one)."""

    @abstractmethod
    def _get_machine(self, arn: str) -> StateMachineRecord | None: ...

    @abstractmethod
    def _list_machines(self) -> list[StateMachineRecord]: ...

    @abstractmethod
    def _delete_machine(self, arn: str) -> None: ...

    @abstractmethod
    def _put_machine(self, record: StateMachineRecord) -> None:
        """Insert or replace the state machine, every column."""

    @abstractmethod
    def _put_activity(self, record: ActivityRecord) -> None:
        """Insert or replace the activity."""

    @abstractmethod
    def _list_activities(self) -> list[ActivityRecord]: ...

    @abstractmethod
    def _delete_activity(self, arn: str) -> None: ...

    @abstractmethod
    def _set_execution_attributes(self, execution_id: int, attributes: dict[str, Any]) -> None: ...

    @abstractmethod
    def _create_execution(
        self,
        record: ExecutionRecord,
        owner: str,
        lease_seconds: float,
        name_rule: Callable[[ExecutionRecord, float], str],
    ) -> tuple[ExecutionRecord, bool]:
        """Insert the execution, leased to ``owner``; returns it with its id, and True. When its ARN
        exists, ``name_rule(existing, now)`` decides: "reuse" returns the existing record and False,
        "replace" deletes it first (a name free again after 90 days); it raises otherwise."""

    @abstractmethod
    def _get_execution(self, arn: str) -> ExecutionRecord | None: ...

    @abstractmethod
    def _find_named(self, name: str) -> list[ExecutionRecord]: ...

    @abstractmethod
    def _list_executions(
        self, status: str | None, machine: str | None, limit: int | None, offset: int
    ) -> list[ExecutionRecord]: ...

    @abstractmethod
    def _unfinished(self) -> list[ExecutionRecord]:
        """Executions that are RUNNING, or redriven but not yet resumed, oldest first."""

    @abstractmethod
    def _claim(self, execution_id: int, owner: str, lease_seconds: float) -> ExecutionRecord | None:
        """Lease an open execution to ``owner`` if nobody holds it: its lease expired, or its owner
        is a process of this host that no longer runs; None when a live owner holds it."""

    @abstractmethod
    def _renew(self, execution_ids: list[int], owner: str, lease_seconds: float) -> None: ...

    @abstractmethod
    def _release(self, execution_id: int, owner: str) -> None: ...

    @abstractmethod
    def _commit(self, execution_id: int, owner: str, lease_seconds: float, commit: Commit) -> None:
        """Append the rows and apply the changes, if ``owner`` still holds the lease (else ``LeaseLost``)."""

    @abstractmethod
    def _journal(self, execution_id: int) -> list[Row]:
        """Every journal row of the execution, in order."""

    @abstractmethod
    def _history_rows(self, execution_id: int, after: int | None, limit: int | None, reverse: bool) -> list[EventRow]:
        """History events (stream 0) after (before, in ``reverse``) event id ``after``, at most ``limit``."""

    @abstractmethod
    def _request_redrive(self, execution_id: int, owner: str, lease_seconds: float) -> ExecutionRecord | None:
        """Mark a closed execution redriven (RUNNING again, one redrive requested) and lease it;
        None when it is open already."""

    @abstractmethod
    def _stop_elsewhere(self, execution_id: int, owner: str, error: str | None, cause: str | None, now: float) -> None:
        """Stop an execution this process does not run: leave a stop request for its live owner, or,
        with no live owner, record ``ExecutionAborted`` and close it."""

    @abstractmethod
    def _set_stop_request(self, execution_id: int, error: str | None, cause: str | None) -> None: ...

    @abstractmethod
    def _record_answer(self, token: str, make: Callable[[Key, float], Input], now: float) -> tuple[int, Input]:
        """Keep an answer or heartbeat for a waiting token (``TaskDoesNotExist``, ``TaskTimedOut``);
        returns the execution's id and the input made."""

    @abstractmethod
    def _pending_inputs(self, execution_id: int) -> list[Input]: ...

    @abstractmethod
    def _waiting_tokens(self, execution_id: int) -> dict[str, str]: ...

    @abstractmethod
    def _poll_inputs(self, execution_ids: list[int]) -> list[tuple[int, Input]]: ...


class _Sink:
    """The ``JournalSink`` of one execution this process runs."""

    def __init__(self, store: Store, record: ExecutionRecord) -> None:
        self.store = store
        self.record = record
        self._released = False

    def commit(self, commit: Commit) -> None:
        self.store._commit(self.record.id, self.store.owner, self.store.lease_seconds, commit)

    def record_answer(self, token: str, answer: Input) -> None:
        self.store._record_answer(token, lambda key, at: answer, time.time())

    def request_stop(self, error: str | None, cause: str | None) -> None:
        self.store._set_stop_request(self.record.id, error, cause)

    def pending_inputs(self) -> list[Input]:
        return self.store._pending_inputs(self.record.id)

    def release(self) -> None:
        if not self._released:
            self._released = True
            self.store._finished(self.record.id)


class AttachedExecution(ExecutionHandle):
    """The handle a start returns for the running execution of the same name and input: it waits
    for it, stops it and answers its task tokens, but does not drive it (this process drives it
    already, through another handle, or another live process does)."""

    def __init__(self, store: Store, arn: str, running: _Running | None = None) -> None:
        # No thread of its own: the execution is driven elsewhere.
        self._store = store
        self._attached = running
        self.arn = arn

    def __repr__(self) -> str:
        return f"<AttachedExecution {self.arn}>"

    @property
    def execution(self) -> Execution:
        if self._attached is not None:
            return Execution(self._attached.run)
        return self._store.execution(self.arn)

    @property
    def clock(self) -> Clock:
        if self._attached is not None:
            return self._attached.run.clock
        return RealClock()

    def done(self) -> bool:
        if self._attached is not None:
            return self._attached.main.done()
        return not self._store.record(self.arn).open

    def next_timer(self) -> float | None:
        return None if self._attached is None else self._attached.run.scheduler.peek_next_timer()

    def map_run_progress(self, map_state: str) -> MapRunProgress | None:
        return None

    def wait(self, timeout: float | None = None) -> Execution:
        """Block until the execution ends (real seconds); raise TimeoutError if it does not in time."""
        deadline = None if timeout is None else time.monotonic() + timeout
        if self._attached is not None:
            finished = threading.Event()
            main = self._attached.main
            main.done_future.add_done_callback(lambda _: finished.set())
            if not finished.wait(timeout):
                raise TimeoutError(f"the execution did not finish within {timeout} s")
            main.done_future.result()
            return Execution(self._attached.run)
        while not self.done():
            if deadline is not None and time.monotonic() >= deadline:
                raise TimeoutError(f"the execution did not finish within {timeout} s")
            time.sleep(self._store.poll_interval)
        return self.execution

    def stop(self, error: str | None = None, cause: str | None = None) -> None:
        self._store.stop(self.arn, error, cause)

    def task_tokens(self) -> dict[str, str]:
        if self._attached is not None:
            return self._attached.run.callbacks.outstanding()
        return self._store.waiting_tokens(self.arn)

    def wait_for_task_token(self, state_name: str | None = None, timeout: float | None = 10.0) -> str:
        if self._attached is not None:
            return self._attached.run.callbacks.wait_for_token(state_name, timeout)
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            for token, state in self._store.waiting_tokens(self.arn).items():
                if state_name is None or state == state_name:
                    return token
            if deadline is not None and time.monotonic() >= deadline:
                where = f" in state '{state_name}'" if state_name else ""
                raise TimeoutError(f"no task{where} waited for a task token within {timeout} s")
            time.sleep(self._store.poll_interval)

    def send_task_success(self, token: str, output: Any) -> None:
        self._store.send_task_success(token, output)

    def send_task_failure(self, token: str, error: str | None = None, cause: str | None = None) -> None:
        self._store.send_task_failure(token, error, cause)

    def send_task_heartbeat(self, token: str) -> None:
        self._store.send_task_heartbeat(token)


class _StoredRun:
    """What ``Execution`` reads, for an execution known only from the store."""

    def __init__(self, record: ExecutionRecord, rows: list[EventRow]) -> None:
        self.identity = _identity_of(record)
        self.input = json.loads(record.input)
        self.status = record.status
        self.output = json.loads(record.output) if record.output is not None else None
        self.error = record.error
        self.cause = record.cause
        self.start_time = record.start_time
        self.stop_time = record.stop_time
        self.state_machine = None
        self.decisions: list[Any] = []
        self.map_runs: list[Any] = []
        self.nested_runs: list[Any] = []
        self.history = _Events(events_from_rows(rows))


class _Events:
    def __init__(self, events: list[Any]) -> None:
        self.events = events


def _identity_of(record: ExecutionRecord) -> Identity:
    options = record.options
    return Identity(
        record.machine_name,
        record.name,
        region=options.get("region", DEFAULT_REGION),
        account=options.get("account", DEFAULT_ACCOUNT),
        partition=options.get("partition", "aws"),
        role_arn=options.get("role_arn"),
        express_id=options.get("express_id"),
    )


def _name_rule(input_text: str) -> Callable[[ExecutionRecord, float], str]:
    """AWS's rules for an execution name already used (StartExecution's documentation)."""

    def decide(existing: ExecutionRecord, now: float) -> str:
        if existing.open:
            if existing.type == "STANDARD" and existing.input == input_text:
                return "reuse"
            raise ExecutionAlreadyExists(f"Execution Already Exists: '{existing.arn}'")
        if existing.stop_time is not None and now - existing.stop_time > NAME_REUSE_SECONDS:
            return "replace"
        raise ExecutionAlreadyExists(f"Execution Already Exists: '{existing.arn}'")

    return decide


def _check_executor(executor: Any) -> None:
    """An executor runs Distributed Map children elsewhere; a durable execution runs none (below)."""
    if executor is None or executor == IN_PROCESS or isinstance(executor, InProcessExecutor):
        return
    shown = executor if isinstance(executor, str) else type(executor).__name__
    raise ConfigurationError(
        f"the executor option ({shown!r}) cannot be combined with store=: it chooses where Distributed Map "
        "children run, and a durable execution runs no Distributed Map yet (docs/durability.md): drop "
        "executor= (asl run: --executor) or the store"
    )


def _check_durable(machine: StateMachine) -> None:
    for name, node in machine.compiled.all_states.items():
        if getattr(node, "distributed", False):
            raise ConfigurationError(
                f"the Map state '{name}' is a Distributed Map, which cannot run durably yet (store=): "
                "run this state machine without a store"
            )


def _check_json(options: dict[str, Any], what: str) -> None:
    try:
        json.dumps(options)
    except (TypeError, ValueError) as error:
        raise ConfigurationError(f"{what} of a durable execution must be JSON: {error}") from None


def _resources_path(resources: Resources | None) -> str | None:
    """The resources file the handlers came from, when they came from exactly one."""
    sources = resources if isinstance(resources, list | tuple) else [resources]
    paths = [getattr(source, "source", None) for source in sources if source is not None]
    if len(paths) == 1 and paths[0] is not None:
        return str(Path(paths[0]).resolve())
    return None


def _resources_for(record: ExecutionRecord, resources: Resources | None) -> Resources | None:
    """What answers a resumed execution's Task states: the given resources, or its resources file."""
    if resources is not None:
        return resources
    kind = record.options.get("handlers", "none")
    if record.resources:
        from asl_engine.services.config import load_resources

        return load_resources(record.resources)
    if kind == "object":
        raise ConfigurationError(
            f"execution {record.arn} was started with handlers that are not from a resources file: "
            "pass resources= (or --resources FILE) to resume it"
        )
    return None


def _stop_time(record: ExecutionRecord) -> float:
    if record.options.get("clock") == "real":
        return time.time_ns() // 1_000_000 / 1000
    return record.start_time


def _output_value(output: Any) -> Any:
    if isinstance(output, str):
        try:
            return json.loads(output)
        except json.JSONDecodeError as error:
            raise InvalidOutput(f"Invalid Output: the output is not JSON text: {error.msg}") from None
    try:
        return json.loads(json.dumps(output))
    except (TypeError, ValueError) as error:
        raise InvalidOutput(f"Invalid Output: {error}") from None


__all__ = [
    "AttachedExecution",
    "ExecutionAlreadyExists",
    "ExecutionDoesNotExist",
    "ExecutionNotRedrivable",
    "Store",
    "TaskDoesNotExist",
    "TaskTimedOut",
]
