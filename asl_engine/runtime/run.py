"""One execution in progress: everything mutable about it, in one explicit object.

An ``ExecutionRun`` owns the execution's history, its identity (the ``$$.Execution`` part of the
context object), its random source, its task-invocation counters and the handlers that answer its
Task states. The interpreter and the states read and write only this object and the frames it
creates, which keeps the engine free of global state: any number of executions can run side by
side, and everything needed to persist or resume one is reachable from here.
"""

from __future__ import annotations

import functools
import os
import threading
import uuid
from collections.abc import Awaitable, Coroutine, Sequence
from operator import call
from random import Random
from types import CoroutineType
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from asl_engine.definition.arns import DEFAULT_ACCOUNT, DEFAULT_REGION, ResourceRef
from asl_engine.definition.nesting import MAX_NESTING_DEPTH
from asl_engine.errors import StatesError
from asl_engine.runtime import failures
from asl_engine.runtime.callbacks import CallbackRegistry, directories
from asl_engine.runtime.children import BranchAbort
from asl_engine.runtime.clock import Clock, VirtualClock
from asl_engine.runtime.decisions import Decision
from asl_engine.runtime.direct import run_scope_directly
from asl_engine.runtime.environment import TaskEnvironment
from asl_engine.runtime.frame import Frame, VariableScope
from asl_engine.runtime.handlers import HandlerSource, TaskHandler, UnansweredTask
from asl_engine.runtime.history import EventListener, History, format_timestamp
from asl_engine.runtime.interpreter import run_scope
from asl_engine.runtime.json_text import to_json_text
from asl_engine.runtime.lazy import lazy_attribute
from asl_engine.runtime.limits import (
    EXECUTION_VARIABLES_LIMIT_BYTES,
    HISTORY_EVENT_LIMIT,
    PAYLOAD_LIMIT_BYTES,
    QUICK_PAYLOAD_CHARS,
    VARIABLE_LIMIT_BYTES,
    data_limit_error,
    payload_size,
    text_size,
)
from asl_engine.runtime.map_run.records import ChildList
from asl_engine.runtime.payload_meter import PayloadMeter
from asl_engine.runtime.safety import CHECK_EVERY, DEFAULT_LIMITS, SafetyLimits, transitions_exceeded
from asl_engine.runtime.scheduler import Cancelled, Scheduler

if TYPE_CHECKING:
    from asl_engine.language.jsonata_budget import EvaluationBudget
    from asl_engine.runtime.compiler import CompiledMachine, CompiledScope
    from asl_engine.runtime.durable.journal import Key
    from asl_engine.runtime.durable.recorder import Recorder
    from asl_engine.runtime.map_run.executor import ChildExecutor
    from asl_engine.runtime.scheduler import Task
    from asl_engine.runtime.starter import ExecutionStarter, StartableMachine
    from asl_engine.runtime.states.map_ import MapState


_LAZY_LOCK = threading.Lock()
"""Guards the first use of an execution's parts that another thread may reach first (``callbacks``)."""


class ActivityRunner(Protocol):
    """Where the waiting part of a handler runs (an ``async def`` handler, a ``.sync`` job): by
    default a task on the execution's scheduler; under ``execute_async`` an asyncio task."""

    def start(self, coro: Coroutine[Any, Any, Any], name: str) -> Any:
        """Start ``coro``; returns an object with ``done_future`` (resolved with its outcome) and ``cancel()``."""
        ...


class Identity(NamedTuple):
    """Where an execution pretends to run: names and ARNs shown in the context object and history.

    A named tuple, immutable: every execution and every Distributed Map child makes one, and a frozen
    dataclass took four times as long to build (``_replace`` gives a copy with other values).
    """

    state_machine_name: str
    execution_name: str
    region: str = DEFAULT_REGION
    account: str = DEFAULT_ACCOUNT
    partition: str = "aws"
    role_arn: str | None = None
    express_id: str | None = None
    """Set for Express executions, whose ARNs read ``...:express:<machine>:<name>:<id>``."""

    @property
    def state_machine_arn(self) -> str:
        return f"arn:{self.partition}:states:{self.region}:{self.account}:stateMachine:{self.state_machine_name}"

    @property
    def execution_arn(self) -> str:
        base = f"arn:{self.partition}:states:{self.region}:{self.account}"
        if self.express_id is not None:
            return f"{base}:express:{self.state_machine_name}:{self.execution_name}:{self.express_id}"
        return f"{base}:execution:{self.state_machine_name}:{self.execution_name}"

    def sibling(self, state_machine_name: str, execution_name: str) -> Identity:
        """Another execution in the same partition, region and account, under the same role (a
        nested execution, a Distributed Map child)."""
        return Identity(state_machine_name, execution_name, self.region, self.account, self.partition, self.role_arn)

    @property
    def effective_role_arn(self) -> str:
        return self.role_arn or default_role_arn(self.partition, self.account, self.state_machine_name)


@functools.lru_cache(maxsize=256)
def default_role_arn(partition: str, account: str, state_machine_name: str) -> str:
    """The role an execution started without ``role_arn`` shows (``ExecutionStarted``, ``$$``): made
    once per machine, partition and account, not for every execution."""
    return f"arn:{partition}:iam::{account}:role/StepFunctions-{state_machine_name}-role"


_last_role = ("", "", "", "")
"""The last (machine name, account, partition, ``default_role_arn``) ``run_directly`` asked for, compared
by identity: the same machine's executions pass the same strings, and the ``lru_cache``'s call and
key tuple cost a short execution 2%. Replaced whole (threads see one or the other)."""


def _remember_role(partition: str, account: str, state_machine_name: str) -> str:
    global _last_role
    role_arn = default_role_arn(partition, account, state_machine_name)
    _last_role = (state_machine_name, account, partition, role_arn)
    return role_arn


class RunTemplate(NamedTuple):
    """The parts of an ``ExecutionRun`` its siblings share (``ExecutionRun.children_template``)."""

    shared: dict[str, Any]
    """Attributes every run made from the template gets as they are (immutable, or shared on purpose:
    the clock, the scheduler, the handlers, the task tokens, the starter, the limits)."""
    fresh: tuple[tuple[str, type], ...]
    """Attributes each run gets a new empty one of (its lists and dicts)."""
    record_history: bool
    history_limit: int | None
    fresh_names: tuple[str, ...]
    fresh_kinds: tuple[type, ...]
    """``fresh`` as two columns, for ``from_template``'s one ``dict.update``."""


_PER_RUN = frozenset({"identity", "input", "_random", "region", "history", "start_time"})
"""What ``ExecutionRun.from_template`` sets for each run itself."""


class ExecutionStopped(Exception):
    """Reason for cancelling an execution that was stopped (StopExecution)."""

    def __init__(self, error: str | None, cause: str | None) -> None:
        super().__init__(error, cause)
        self.error = error
        self.cause = cause


class ExecutionTimedOut(Exception):
    """Reason for cancelling an execution whose TimeoutSeconds elapsed."""


def history_limit(machine: CompiledMachine) -> int | None:
    """The most events an execution of ``machine`` may have: 25,000 for a Standard workflow, none
    for an Express one (its history is CloudWatch's)."""
    return HISTORY_EVENT_LIMIT if machine.machine_type == "STANDARD" else None


class ExecutionRun:
    """The mutable state of one execution (or of one Distributed Map child execution)."""

    # Attributes that start with the same immutable value in every run are class attributes until a
    # run sets its own: an execution (a Distributed Map child, most of all) pays for none of them.
    stream = 0
    """Which history of the durable execution's journal this run's events belong to."""
    visit_gates: dict[tuple[int, int], int] | None = None
    """While a redrive replays: the state visits held at their entry until a redrive boundary."""
    activities: ActivityRunner | None = None
    redrive_count = 0
    redrive_time: float | None = None
    activity_worker_name = "asl-engine"
    status = "RUNNING"
    output: Any = None
    error: str | None = None
    cause: str | None = None
    stop_time: float | None = None
    variable_bytes = 0
    """Bytes of variables stored right now, across every scope (the 10 MiB quota)."""
    state_machine: StartableMachine | None = None
    """The ``StateMachine`` this run belongs to, when started through one."""
    map_executor: ChildExecutor | None = None
    """Runs the child executions of its Distributed Maps (None: in this process); inherited."""
    _watchdog: Task[None] | None = None
    transitions = 0
    """States entered so far (the interpreter counts; ``checkpoint`` compares with the limit)."""
    deadline: float | None = None
    """When the execution times out (its TimeoutSeconds), on its clock; None without a timeout."""
    context_overrides: dict[str, Any] | None = None
    """The caller's ``context=``, as it was at the start (``$$`` is made from it on first use)."""
    _callbacks: CallbackRegistry | None = None
    """``callbacks``, once made (or given)."""

    def __init__(
        self,
        machine: CompiledMachine,
        identity: Identity,
        input_value: Any,
        clock: Clock,
        scheduler: Scheduler | None,
        handlers: Sequence[HandlerSource],
        rng: Random | None,
        record_history: bool = True,
        history: History | None = None,
        context_overrides: dict[str, Any] | None = None,
        callbacks: CallbackRegistry | None = None,
        listeners: list[EventListener] | None = None,
        redrivable: bool = True,
        input_text: str | None = None,
        starter: ExecutionStarter | None = None,
        durable: Recorder | None = None,
        limits: SafetyLimits = DEFAULT_LIMITS,
    ) -> None:
        self.machine = machine
        self.input_text = input_text
        """The input's JSON text when the caller already made it (else made when the run starts)."""
        self.identity = identity
        self.input = input_value
        self.clock = clock
        if scheduler is not None:
            self.alone: VirtualClock | None = None
            """A run made without a scheduler (alone on a virtual clock of its own): the clock, until
            ``run_directly`` ends or something makes the scheduler (``scheduler``, ``jump_alone``)."""
            self.scheduler = scheduler
        elif isinstance(clock, VirtualClock):
            self.alone = clock  # the scheduler is made on first read (``scheduler`` below)
        else:
            raise TypeError("only an execution alone on a virtual clock of its own starts without a scheduler")
        self.handlers = handlers
        if callbacks is not None:
            self.callbacks = callbacks  # shadows the lazily made registry (``callbacks`` below)
        self._random = rng
        self.region = identity.region
        self.durable = durable
        """The recorder of a durable execution (``store=``); None for an in-memory one."""
        if history is None:
            limit = HISTORY_EVENT_LIMIT if machine.machine_type == "STANDARD" else None  # ``history_limit``
            if durable is not None:
                history = durable.history(self.stream, listeners, limit)
            else:
                history = History(record_history, listeners, limit)  # positional: no keyword dict
        self.history = history
        self.start_time = clock._now if type(clock) is VirtualClock else clock.now()  # ``now()``, without the call
        self.redrivable = redrivable
        if context_overrides:
            self.context_overrides = {
                key: dict(value) if isinstance(value, dict) else value for key, value in context_overrides.items()
            }
        self.invocations: dict[str, int] = {}
        """Each Task state's invocations so far (``next_invocation``; a mocked Task's loop counts its own)."""
        self.map_runs: list[MapRun] = []
        self.nested_runs: list[ExecutionRun] = []
        self.decisions: list[Decision] = []
        self.unanswered: list[UnansweredTask] = []
        """Tasks nobody could answer (no handler, or a function, queue or activity not found), in order."""
        self.starter = starter
        """Starts the executions this one asks for (``states:startExecution``); inherited by its children."""
        self.limits = limits
        self.next_checkpoint = CHECK_EVERY if limits.max_transitions >= CHECK_EVERY else limits.max_transitions

    # -- made on first use: an execution that never reads them (most) does not pay for them ----------

    @lazy_attribute
    def scheduler(self) -> Scheduler:
        """What runs the execution's tasks and timers. A run made without one (an execution alone on a
        virtual clock of its own, ``StateMachine.execute``) gets it when something first needs it: one
        that ``run_directly`` runs to its end by plain calls never does. Made by the execution's own
        thread: what hands the run to another thread (a task environment, a task token's registry)
        reads the scheduler first. No attribute of its own says whether it was made: every attribute
        of a run costs (``docs/performance.md``, "Eighth round")."""
        scheduler = Scheduler(self.clock)
        if self.alone is not None:
            # Made while the run is alone (``run_directly``): it drives alone from here on (``call_alone``).
            scheduler._driving_alone = True
            self.alone = None
        return scheduler

    @lazy_attribute
    def execution_context(self) -> dict[str, Any]:
        """``$$.Execution``, with the caller's overrides (``context=``)."""
        self._contexts()
        return self.execution_context

    @lazy_attribute
    def state_machine_context(self) -> dict[str, Any]:
        """``$$.StateMachine``, with the caller's overrides (``context=``)."""
        self._contexts()
        return self.state_machine_context

    def _contexts(self) -> None:
        identity = self.identity
        execution: dict[str, Any] = {
            "Id": identity.execution_arn,
            "Input": self.input,
            "StartTime": format_timestamp(self.start_time),
            "Name": identity.execution_name,
            "RoleArn": identity.effective_role_arn,
        }
        if self.redrivable:
            execution["RedriveCount"] = 0
        state_machine: dict[str, Any] = {"Id": identity.state_machine_arn, "Name": identity.state_machine_name}
        for key, value in (self.context_overrides or {}).items():
            target = state_machine if key == "StateMachine" else execution
            if key in ("Execution", "StateMachine") and isinstance(value, dict):
                target.update(value)
        if self.redrive_time is not None:  # a redrive began before anything read the context (begin_redrive)
            execution["RedriveCount"] = self.redrive_count
            execution["RedriveTime"] = format_timestamp(self.redrive_time)
        # Both at once, in one place: the instance attributes shadow the lazy attributes from now on.
        self.execution_context = execution
        self.state_machine_context = state_machine

    @lazy_attribute
    def payload_meter(self) -> PayloadMeter:
        """Measures large documents flowing from state to state (only executions that carry one)."""
        return PayloadMeter()

    @lazy_attribute
    def execution_arn(self) -> str:
        """``identity.execution_arn``, formatted once (each task invocation's idempotency key quotes it)."""
        return self.identity.execution_arn

    @lazy_attribute
    def jsonata_budget(self) -> EvaluationBudget:
        """What one JSONata evaluation of this execution may do (``SafetyLimits``; ``set_deadline``)."""
        return self.limits.jsonata_budget()

    @property
    def random(self) -> Random:
        """The execution's random source (jitter, task tokens, ``States.UUID``, handlers' ids). An
        execution started without a seed gets one on first use, from fresh entropy: most never draw."""
        rng = self._random
        if rng is None:
            with _LAZY_LOCK:
                rng = self._random
                if rng is None:
                    rng = self._random = Random(int.from_bytes(os.urandom(8), "big"))
        return rng

    @lazy_attribute
    def task_environment(self) -> TaskEnvironment:
        """The services handed to this execution's handlers (``TaskRequest.environment``)."""
        return TaskEnvironment(self)

    @property
    def callbacks(self) -> CallbackRegistry:
        """The execution's task tokens (shared with its Distributed Map children). Made on first use,
        under a lock: a handle may ask for it from another thread while the execution opens a token."""
        registry = self._callbacks
        if registry is None:
            with _LAZY_LOCK:
                registry = self._callbacks
                if registry is None:
                    registry = self._callbacks = CallbackRegistry(self.scheduler, directories(self.handlers))
        return registry

    @callbacks.setter
    def callbacks(self, registry: CallbackRegistry) -> None:
        self._callbacks = registry

    # -- safety ----------------------------------------------------------------------------------------

    def set_deadline(self, deadline: float) -> None:
        """The execution times out at ``deadline``: with a real clock, a JSONata evaluation still
        running then stops at once (under a virtual clock no time passes during one). Not for a
        durable execution: its replay re-evaluates expressions after the deadline, and must get the
        results it recorded; its timeout lands between two states."""
        self.deadline = deadline
        if not self.clock.virtual and self.durable is None:
            self.jsonata_budget = self.limits.jsonata_budget(deadline)

    async def checkpoint(self) -> None:
        """Every ``CHECK_EVERY`` transitions: fail at the transition limit, else step aside so that a
        timeout or a stop request (both delivered by the scheduler) can land in a loop of states that
        never wait."""
        self.check_transitions()
        await self.scheduler.pause()

    def check_transitions(self) -> None:
        """``checkpoint`` without its pause: fail at the transition limit, else set the next checkpoint."""
        limit = self.limits.max_transitions
        if self.transitions >= limit:
            raise transitions_exceeded(limit)
        self.next_checkpoint = min(self.transitions + CHECK_EVERY, limit)

    def timed_out(self) -> Cancelled:
        """What a state raises when it notices the deadline has passed (the watchdog would throw it)."""
        return Cancelled(ExecutionTimedOut())

    # -- services for states -------------------------------------------------------------------------

    def find_handler(self, state_name: str, resource: ResourceRef) -> TaskHandler | None:
        for source in self.handlers:
            handler = source.handler_for(state_name, resource)
            if handler is not None:
                return handler
        return None

    def find_integration(self, state_name: str, resource: ResourceRef) -> TaskHandler | None:
        """The handler for a service call the engine makes itself (a Distributed Map's ItemReader or
        ResultWriter): mocks stand in for Task states, so they are not asked."""
        for source in self.handlers:
            if getattr(source, "mocks_task_states", False):  # ``TaskStateMocks``, by attribute (cheaper)
                continue
            handler = source.handler_for(state_name, resource)
            if handler is not None:
                return handler
        return None

    def handler_for(self, state_name: str, resource: ResourceRef) -> TaskHandler:
        handler = self.find_handler(state_name, resource)
        if handler is not None:
            return handler
        # The cause names the state and the resource; how to answer it is the caller's to say (the
        # library, the CLI and the pytest plugin each know their own way: Execution.unanswered_tasks).
        raise UnansweredTask(
            failures.RUNTIME,
            f"No mock or handler answers the Task state '{state_name}' (resource {resource.arn}).",
            state_name=state_name,
            resource=resource,
        )

    def unanswered_task(self, task: UnansweredTask) -> UnansweredTask:
        """Keep ``task`` for the caller's advice (once) and return it, to be raised."""
        if not any(known is task for known in self.unanswered):
            self.unanswered.append(task)
        return task

    def next_invocation(self, state_name: str) -> int:
        count = self.invocations.get(state_name, 0)
        self.invocations[state_name] = count + 1
        return count

    def new_task_token(self, frame: Frame) -> str:
        rng = self.random if self.durable is None else self.random_for(frame)
        return "".join(rng.choices("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", k=88))

    def random_for(self, frame: Frame) -> Random:
        """The random source of the state visit ``frame`` is in (jitter, task tokens, ``States.UUID``).

        In memory, the execution's one seeded source. A durable execution gives each visit a source
        of its own, derived from the seed and the visit, so that replaying or redriving some visits
        and not others draws the same values everywhere else.
        """
        durable = self.durable
        if durable is None:
            return self.random
        rng = frame.visit_random
        if rng is None or frame.visit_random_id != frame.entered_event_id:
            rng = durable.random_for(self.stream, frame.entered_event_id, self.redrive_count)
            frame.visit_random, frame.visit_random_id = rng, frame.entered_event_id
        return rng

    def task_environment_for(self, key: Key) -> TaskEnvironment:
        """The environment a durable execution's handler gets: its random source depends only on the
        invocation, since a replay does not call the handlers whose results it has."""
        assert self.durable is not None
        rng = Random(f"{self.durable.seed}/task/{key[0]}/{key[1]}")
        return TaskEnvironment(self, random=rng, clock=getattr(self.clock, "source", self.clock))

    def start_activity(self, coro: Coroutine[Any, Any, Any], name: str) -> Any:
        """Run the waiting part of a handler beside the execution (see ``ActivityRunner``)."""
        if self.activities is not None:
            return self.activities.start(coro, name)
        return self.scheduler.spawn(coro, name)

    def post_input(self, item: dict[str, Any]) -> None:
        """Hand a durable execution an input (an answer, a stop) from any thread."""
        self.scheduler.post(item)

    def request_stop(self, main: Task[None], error: str | None, cause: str | None) -> None:
        """StopExecution, from any thread: the execution ends as ABORTED with this error and cause."""
        if self.durable is not None:
            self.durable.request_stop(error, cause)
        else:
            self.scheduler.post(lambda: main.cancel(ExecutionStopped(error, cause)))

    def arm_timeout(self, main: Task[None], since: float) -> None:
        """The state machine's TimeoutSeconds, counted from ``since`` (the start, or the latest redrive)."""
        if self._watchdog is not None:
            self._watchdog.cancel()
            self._watchdog = None
        timeout = self.machine.timeout_seconds
        if timeout is None:
            return
        scheduler = self.scheduler
        deadline = since + timeout
        self.set_deadline(deadline)

        async def expire() -> None:
            await scheduler.sleep_until(deadline)
            main.cancel(ExecutionTimedOut())

        watchdog = self._watchdog = scheduler.spawn(expire(), "execution-timeout")
        main.done_future.add_done_callback(lambda _: watchdog.cancel())

    def begin_redrive(self, count: int, at: float) -> None:
        """A redrive starts: ``$$.Execution.RedriveCount`` and ``RedriveTime`` change from here on."""
        self.redrive_count = count
        self.redrive_time = at
        if "execution_context" in self.__dict__:  # made already; else it is made with these values
            self.execution_context["RedriveCount"] = count
            self.execution_context["RedriveTime"] = format_timestamp(at)
        self.status = "RUNNING"
        self.stop_time = None

    def assign_variables(self, scope: VariableScope, assigned: dict[str, Any]) -> None:
        """Store an Assign's values, enforcing Step Functions' variable quotas (States.DataLimitExceeded)."""
        sizes = {name: payload_size(value) for name, value in assigned.items()}
        for name, size in sizes.items():
            if size > VARIABLE_LIMIT_BYTES:
                raise StatesError(
                    failures.DATA_LIMIT,
                    f"The variable '{name}' has a size of {size} bytes, exceeding the maximum of "
                    f"{VARIABLE_LIMIT_BYTES} bytes for a single variable.",
                )
        total = sum(sizes.values())
        if total > VARIABLE_LIMIT_BYTES:
            raise StatesError(
                failures.DATA_LIMIT,
                f"The variables assigned by one state have a combined size of {total} bytes, exceeding the "
                f"maximum of {VARIABLE_LIMIT_BYTES} bytes.",
            )
        growth = total - sum(scope.sizes.get(name, 0) for name in assigned)
        if self.variable_bytes + growth > EXECUTION_VARIABLES_LIMIT_BYTES:
            raise StatesError(
                failures.DATA_LIMIT,
                f"The execution's variables would take {self.variable_bytes + growth} bytes, exceeding the "
                f"maximum of {EXECUTION_VARIABLES_LIMIT_BYTES} bytes per execution.",
            )
        self.variable_bytes += growth
        # A scope starts with the shared read-only empty mappings (``VariableScope``): its own dicts
        # from its first Assign (``assigned`` and ``sizes`` are this call's own).
        values, stored = scope.values, scope.sizes
        if type(values) is dict:
            values.update(assigned)
        else:
            scope.values = {**values, **assigned}
        if type(stored) is dict:
            stored.update(sizes)
        else:
            scope.sizes = sizes

    def release_variables(self, scope: VariableScope) -> None:
        """A branch or iteration ended: its variables no longer count against the quota."""
        self.variable_bytes -= scope.stored_bytes

    def record_aborted(self, frame: Frame, event_type: str | None, cancelled: Cancelled) -> None:
        """Record ``<Type>StateAborted`` (``event_type``) when a sibling's failure aborted this branch.

        A stopped or timed-out execution does not record per-state aborts (observed on AWS).
        """
        reason = cancelled.reason
        if event_type is not None and isinstance(reason, BranchAbort):
            frame.record_aside(event_type, None, cause=reason.cause_event_id)

    @classmethod
    def alongside(
        cls,
        parent: ExecutionRun,
        machine: CompiledMachine,
        identity: Identity,
        value: Any,
        *,
        rng: Random | None,
        callbacks: CallbackRegistry | None = None,
    ) -> ExecutionRun:
        """An execution started by ``parent`` (nested, or a Distributed Map child): it shares the
        parent's clock, scheduler, task handlers and history setting."""
        run = cls(
            machine,
            identity,
            value,
            clock=parent.clock,
            scheduler=parent.scheduler,
            handlers=parent.handlers,
            rng=rng,
            record_history=parent.history.record,
            callbacks=callbacks,
            starter=parent.starter,
            limits=parent.limits,
        )
        run.map_executor = parent.map_executor
        return run

    def children_template(self) -> RunTemplate:
        """What every child run ``alongside`` this one shares (a Distributed Map's in-process children):
        ``from_template`` makes each child from it without ``__init__``'s work."""
        model = ExecutionRun.alongside(self, self.machine, self.identity, None, rng=None, callbacks=self.callbacks)
        model.state_machine = self.state_machine
        shared: dict[str, Any] = {}
        fresh: list[tuple[str, type]] = []
        for name, value in vars(model).items():
            if name in _PER_RUN:
                continue
            if type(value) in (list, dict) and value is not self.__dict__.get(name):
                # Each run's own (not the parent's, as the handlers are): an empty one of its kind for each.
                if value:
                    raise AssertionError(f"ExecutionRun.{name} starts with a value a template cannot share")
                fresh.append((name, type(value)))
            else:
                shared[name] = value
        history = model.history
        names = tuple(name for name, _ in fresh)
        kinds = tuple(kind for _, kind in fresh)
        return RunTemplate(shared, tuple(fresh), history.record, history.limit, names, kinds)

    @classmethod
    def from_template(cls, template: RunTemplate, identity: Identity, value: Any, rng: Random) -> ExecutionRun:
        """``alongside(parent, parent.machine, identity, value, rng=rng, callbacks=parent.callbacks)``
        with ``state_machine`` set, from ``parent.children_template()``: the attributes every child
        shares copied in one step, a fresh history and empty lists and dicts of its own
        (``tests/runtime/map_run/test_run_template.py`` compares the two)."""
        run = cls.__new__(cls)
        fields = run.__dict__
        shared = template.shared
        fields.update(shared)
        fields.update(zip(template.fresh_names, map(call, template.fresh_kinds), strict=True))  # new, empty
        fields["identity"] = identity
        fields["input"] = value
        fields["_random"] = rng
        fields["region"] = identity.region
        fields["history"] = History(template.record_history, None, template.history_limit)
        fields["start_time"] = shared["clock"].now()
        return run

    def start_map_run(self, frame: Frame, node: MapState) -> MapRun:
        rng = self.random_for(frame)
        run_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        map_run = MapRun(self, node, run_id, rng.getrandbits(64))
        self.map_runs.append(map_run)
        return map_run

    # -- the execution itself ------------------------------------------------------------------------

    async def main(self, frame: Frame | None = None, rest: Awaitable[Any] | None = None) -> None:
        """Run the machine from StartAt and record how the execution ended.

        ``frame`` and ``rest``: go on with an execution ``run_directly`` began, from what it handed
        over (the rest of the top-level scope, as a coroutine not started yet)."""
        if frame is None:
            frame = self._begin()
        try:
            if rest is None:
                rest = run_scope(self.machine.top, frame, self._first_input(frame))
            try:  # ``run_guarded`` written out: a coroutine fewer to make and step through
                output = await rest
            except RecursionError:
                raise nested_too_deeply(frame) from None
        except StatesError as error:
            self._failed(frame, error)
        except Cancelled as cancelled:
            reason = cancelled.reason
            now = self.clock.now
            if isinstance(reason, ExecutionTimedOut):
                # AWS reports a timed-out execution with neither error nor cause.
                self._finish("TIMED_OUT")
                self.history.add("ExecutionTimedOut", frame.last_event_id, now(), {})
            else:
                stop = reason if isinstance(reason, ExecutionStopped) else ExecutionStopped(None, None)
                self._finish("ABORTED", error=stop.error, cause=stop.cause)
                details = {k: v for k, v in (("error", stop.error), ("cause", stop.cause)) if v is not None}
                self.history.add("ExecutionAborted", 0, now(), details)
        else:
            self._finish("SUCCEEDED", output=output)
            self.history.add("ExecutionSucceeded", frame.last_event_id, self.clock.now(), {"output": output})

    def jump_alone(self, when: float) -> bool:
        """``scheduler.jump_alone(when)`` (the direct path's timers and pauses: True once the clock is at
        ``when``, False when the caller must hand over to the coroutine path), without making the
        scheduler while ``run_directly`` runs without one: then only the clock can say no (another
        scheduler drives it, or somebody asked it to advance)."""
        clock = self.alone
        if clock is None:
            return self.scheduler.jump_alone(when)
        return clock.jump_undriven(when)

    def run_directly(self) -> Coroutine[Any, Any, None] | None:
        """``main`` as plain calls, for an execution alone on a virtual clock of its own (what
        ``Scheduler.drive_alone`` would run): None once the execution ended; else the ``main``
        coroutine that goes on from the first thing the direct path does not do itself (a state that
        may suspend for real, a timer or a pause while something else exists), to be driven as
        ``main()`` would have been. The events are ``main``'s, in the same order, at the same times
        (``tests/runtime/test_direct_execution.py`` compares the two).

        For a run made without a scheduler (``alone``: ``StateMachine.execute``), or one whose
        scheduler runs this by ``Scheduler.call_alone``. A run made alone has no scheduler until
        something needs one (``scheduler``): until then nothing can be on it (no task, timer, pause,
        posted or outstanding work), so a timer is a jump of the clock whenever the clock allows it
        (``jump_alone``); a scheduler made meanwhile drives alone until this returns, as
        ``call_alone``'s would.

        ``_begin``, ``_first_input``, ``_finish`` and the two execution events' ``History.add`` are
        written out: a call each is a few per cent of a short execution."""
        clock = self.alone
        try:
            value = self.input
            # ``_begin``: ExecutionStarted (``effective_role_arn``, the fields unpacked without the
            # property) and the top-level frame.
            machine_name, _, _, account, partition, role_arn, _ = self.identity
            if role_arn is None:
                last = _last_role
                if machine_name is last[0] and account is last[1] and partition is last[2]:
                    role_arn = last[3]
                else:
                    role_arn = _remember_role(partition, account, machine_name)
            history = self.history
            rows = history.state_rows
            if rows is not None and history.limit != 1:  # ``add``'s row for the first event
                history.last_id = 1
                rows += ("ExecutionStarted", None, self.start_time, {"input": value, "roleArn": role_arn}, None, None)
            else:
                history.add("ExecutionStarted", 0, self.start_time, {"input": value, "roleArn": role_arn})
            frame = Frame(self, VariableScope(), 0)
            try:
                try:
                    # ``_first_input``.
                    text = self.input_text if self.input_text is not None else to_json_text(value)
                    if len(text) > QUICK_PAYLOAD_CHARS and text_size(text) > PAYLOAD_LIMIT_BYTES:
                        raise data_limit_error("ExecutionInput")
                    frame.last_output, frame.last_output_text = value, text
                    output = run_scope_directly(self.machine.top, frame, value)
                except RecursionError:
                    raise nested_too_deeply(frame) from None
            except StatesError as error:
                self._failed(frame, error)
                return None
            if type(output) is CoroutineType:
                return self.main(frame, output)
            # ``_finish("SUCCEEDED", output=output)``: ``error`` and ``cause`` stay the class's None.
            self.status = "SUCCEEDED"
            self.output = output
            run_clock = self.clock
            self.stop_time = stop = run_clock._now if type(run_clock) is VirtualClock else run_clock.now()
            # At ``stop``: nothing moves the run's own clock after it was read.
            previous = frame.last_event_id
            if rows is not None:  # ``add``'s row (``state_rows``: recorded, nobody listening)
                event_id = history.last_id = history.last_id + 1
                previous_id = None if previous == event_id - 1 else previous
                # The execution's end: never refused by the history's limit (``EXECUTION_END_EVENTS``).
                rows += ("ExecutionSucceeded", previous_id, stop, {"output": output}, None, None)
            else:
                history.add("ExecutionSucceeded", previous, stop, {"output": output})
            return None
        finally:
            if clock is not None:
                if self.alone is clock:  # no scheduler yet: none will drive alone
                    self.alone = None
                else:  # the scheduler was made meanwhile: it drove alone until now
                    self.scheduler._driving_alone = False

    def _begin(self) -> Frame:
        """``ExecutionStarted``, and the top-level frame."""
        self.history.add(
            "ExecutionStarted", 0, self.start_time, {"input": self.input, "roleArn": self.identity.effective_role_arn}
        )
        return Frame(self, VariableScope(), 0)

    def _first_input(self, frame: Frame) -> Any:
        """The input, its text checked against the quota and kept as the first state's input text."""
        text = self.input_text if self.input_text is not None else to_json_text(self.input)
        if len(text) > QUICK_PAYLOAD_CHARS and text_size(text) > PAYLOAD_LIMIT_BYTES:
            raise data_limit_error("ExecutionInput")
        frame.last_output, frame.last_output_text = self.input, text
        return self.input

    def _failed(self, frame: Frame, error: StatesError) -> None:
        self._finish("FAILED", error=error.error, cause=error.cause)
        details: dict[str, Any] = {}
        if error.error is not None:
            details["error"] = error.error
        if error.cause is not None:
            details["cause"] = error.cause
        self.history.add("ExecutionFailed", frame.last_event_id, self.clock.now(), details)

    def _finish(self, status: str, *, output: Any = None, error: str | None = None, cause: str | None = None) -> None:
        self.status = status
        self.output = output
        self.error = error
        self.cause = cause
        clock = self.clock
        # A ``VirtualClock``'s ``now()`` returns its ``_now``: read without the call (as the state loops do).
        self.stop_time = clock._now if type(clock) is VirtualClock else clock.now()


async def run_guarded(scope: CompiledScope, frame: Frame, value: Any) -> Any:
    """``run_scope``, with a ``RecursionError`` (data nested deeper than anything the engine accepts
    at its doors, built up by the execution itself) failing the execution instead of the engine."""
    try:
        return await run_scope(scope, frame, value)
    except RecursionError:
        raise nested_too_deeply(frame) from None


def nested_too_deeply(frame: Frame) -> StatesError:
    """The failure of an execution whose state made data nested deeper than the engine can process."""
    return StatesError(
        failures.RUNTIME,
        f"The state '{frame.state_name}' made data nested too deeply for the engine to process (asl-engine "
        f"accepts JSON nested up to {MAX_NESTING_DEPTH} levels).",
    )


class MapRun:
    """A Distributed Map's run: its identity, progress and finished child executions.

    The children run through the execution's ``map_executor`` (``runtime/map_run``); each finished
    one is kept as a ``ChildRecord``, in item order.
    """

    def __init__(self, parent: ExecutionRun, node: MapState, run_id: str, seed: int = 0) -> None:
        self.parent = parent
        self.node = node
        self.run_id = run_id
        self.seed = seed
        """Every child's name and random seed derive from it and the child's index."""
        identity = parent.identity
        label = node.label or node.name
        self.arn = (
            f"arn:{identity.partition}:states:{identity.region}:{identity.account}:mapRun:"
            f"{identity.state_machine_name}/{label}:{run_id}"
        )
        self.children = ChildList(self)
        """The finished child executions, in item (or batch) order."""
        self.items_read = 0
        """Items known so far: the state input's, or as many as the ItemReader has read (for progress)."""
        self.total: int | None = None
        """Child executions this run starts (batches, with an ItemBatcher), once every item is known."""
        self.started = 0
        self.ended = 0
        """Child executions started and ended so far (for progress)."""
        self.status = "RUNNING"
        """RUNNING, then SUCCEEDED, FAILED or ABORTED (DescribeMapRun's status)."""
        self.started_at = parent.clock.now()
        self.stopped_at: float | None = None
        self.max_concurrency = 0
        self.tolerated_count: int | None = None
        self.tolerated_percentage: float | None = None

    def finish(self, status: str) -> None:
        self.status = status
        self.stopped_at = self.parent.clock.now()

    def count_read(self, items: int) -> None:
        self.items_read = items

    def child_identity(self, name: str) -> Identity:
        """``_child_template.sibling(<its machine name>, name)``, the tuple made in C (one per child)."""
        machine_name, rest = self._child_parts
        return tuple.__new__(Identity, (machine_name, name, *rest))

    @lazy_attribute
    def _child_parts(self) -> tuple[str, tuple[Any, ...]]:
        """A child identity's fields before and after its execution name."""
        template = self._child_template.sibling(self._child_template.state_machine_name, "")
        return template[0], template[2:]

    @lazy_attribute
    def _child_template(self) -> Identity:
        parent = self.parent.identity
        return parent.sibling(f"{parent.state_machine_name}/{self.node.label or self.node.name}", "")

    @lazy_attribute
    def child_arn_prefix(self) -> str:
        """A child's execution ARN without its name."""
        return self._child_template.execution_arn

    @lazy_attribute
    def child_machine_arn(self) -> str:
        return self._child_template.state_machine_arn
