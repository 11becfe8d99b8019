"""The options of an execution, written once.

``StateMachine.execute``, ``start`` and ``start_on`` take the same keyword options, declared by
``ExecutionOptions`` (so an IDE or a type checker sees each keyword, its type and its
documentation); each call turns them into one frozen ``ExecutionSettings``, which is what the
engine reads and what a nested execution inherits from its parent. A new option is one field in
each class below, and nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple, Protocol, TypedDict

from asl_engine.definition.arns import DEFAULT_ACCOUNT, DEFAULT_REGION
from asl_engine.runtime.clock import Clock
from asl_engine.runtime.handlers import HandlerSource
from asl_engine.runtime.history import EventListener
from asl_engine.runtime.map_run.executor import ChildExecutor
from asl_engine.runtime.safety import DEFAULT_LIMITS, SafetyLimits
from asl_engine.services.mocks import Mocks


class ExecutionStore(Protocol):
    """Where a durable execution is kept (``asl_engine.open_store``): what ``store=`` accepts.

    The machine hands the execution to the store, which runs it durably; the store is above the
    machine in the API layer's order of use, so it is known here by what it does.
    """

    def execute(self, machine: Any, input: Any = None, **options: Any) -> Any: ...

    def start(self, machine: Any, input: Any = None, **options: Any) -> Any: ...

    async def start_async(self, machine: Any, input: Any = None, **options: Any) -> Any: ...


class ExecutionOptions(TypedDict, total=False):
    """The keyword options of ``StateMachine.execute``, ``start`` and ``start_on``."""

    name: str | None
    """The execution's name (a seeded UUID when omitted)."""
    clock: Clock | None
    """A fresh ``VirtualClock`` when omitted: Wait states and retry intervals take no real time."""
    mocks: Mapping[str, Any] | Mocks | None
    """Mocked responses by state name; they win over ``resources``."""
    resources: HandlerSource | Sequence[HandlerSource] | None
    """What answers the other Task states (a ``Resources``, or any handler source)."""
    context: Mapping[str, Any] | None
    """Overrides of the context object (``{"Execution": {...}, "StateMachine": {...}}``)."""
    history: bool
    """Record the history (on by default)."""
    seed: int | None
    """Makes random values (UUIDs, jitter, task tokens) reproducible."""
    region: str
    account: str
    role_arn: str | None
    listeners: Sequence[EventListener]
    """Called with each history event as it is recorded (on the execution's thread)."""
    start_mode: str
    """``"sync"`` runs an Express machine as StartSyncExecution would (``"async"`` by default)."""
    executor: str | ChildExecutor | None
    """Where Distributed Map child executions run: ``"in-process"`` (the default), ``"processes[:N]"``,
    ``"dask"``, ``"dask://HOST:PORT"``, or an executor from ``asl_engine.executors``. Without it, the
    ``[executor]`` section of the ``asl.toml`` the resources came from, if any."""
    limits: SafetyLimits
    """The engine's safety limits: transitions per execution, the JSONata evaluation budget
    (``SafetyLimits()`` by default; see docs/engine.md, "Safety limits")."""
    store: ExecutionStore | None
    """Run durably, recorded in this store (``asl_engine.open_store``): see docs/durability.md."""


class ExecutionSettings(NamedTuple):
    """``ExecutionOptions`` with their defaults applied: how one execution runs.

    A named tuple, immutable: every execution makes one, in a third of a frozen dataclass's time.
    """

    name: str | None = None
    clock: Clock | None = None
    mocks: Mapping[str, Any] | Mocks | None = None
    resources: HandlerSource | Sequence[HandlerSource] | None = None
    context: Mapping[str, Any] | None = None
    history: bool = True
    seed: int | None = None
    region: str = DEFAULT_REGION
    account: str = DEFAULT_ACCOUNT
    role_arn: str | None = None
    listeners: Sequence[EventListener] = ()
    start_mode: str = "async"
    executor: str | ChildExecutor | None = None
    limits: SafetyLimits = DEFAULT_LIMITS
    store: ExecutionStore | None = None

    @classmethod
    def from_options(cls, options: Mapping[str, Any], caller: str) -> ExecutionSettings:
        """The settings ``options`` ask for; an unknown keyword is a ``TypeError`` naming ``caller``, as
        Python reports one for a function's own parameters.

        Settings hold the options' values as they are (never a copy, nothing derived), so one option
        given with the very object given last time has the settings made then: the usual test calls
        ``execute(input, mocks=MOCKS)`` again and again, and ``cls(**options)`` is most of the cost of
        such a call's setup (``_last_one``)."""
        if not options:  # ``execute(input)``: the defaults, made once (immutable)
            return DEFAULT_SETTINGS
        last = _last_one
        if len(options) == 1 and last is not None and options.get(last[0], _ABSENT) is last[1]:
            return last[2]
        if not _OPTION_NAMES.issuperset(options):
            unknown = next(key for key in options if key not in _OPTION_NAMES)
            raise TypeError(f"{caller}() got an unexpected keyword argument {unknown!r}")
        settings = cls(**options)
        if len(options) == 1:
            _remember_one(options, settings)
        return settings


_OPTION_NAMES = frozenset(ExecutionSettings._fields)
DEFAULT_SETTINGS = ExecutionSettings()
"""The settings of ``execute(input)`` without options (immutable, made once)."""

_ABSENT: Any = object()
_last_one: tuple[str, Any, ExecutionSettings] | None = None
"""The last settings made from one option: its name, its value (the object itself) and the settings.
Replaced whole, so threads see one or the other. It keeps that value alive until another single
option replaces it, as the machine's mocks memo keeps its mocks (a store is never kept)."""


def _remember_one(options: Mapping[str, Any], settings: ExecutionSettings) -> None:
    global _last_one
    for name, value in options.items():
        if name != "store":  # an open store is the caller's to close, not to be kept alive here
            _last_one = (name, value, settings)
