"""Starting an execution from inside another: what the runtime needs, stated here, supplied from above.

A Task can start another state machine (``states:startExecution``): as a *nested* execution that
shares the caller's scheduler and clock (``.sync``, ``.sync:2``, ``.waitForTaskToken``), or in the
*background*, on its own scheduler and clock (request-response). Starting an execution is the
public API's job (``StateMachine``: timeouts, observers, handles), and that API sits above the
runtime and the services. So the runtime declares here the little it needs, every
``ExecutionRun`` carries the ``ExecutionStarter`` it was started with (children inherit it), and
the services reach it through ``TaskEnvironment``: none of them imports the API layer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from asl_engine.runtime.clock import Clock
    from asl_engine.runtime.compiler import CompiledMachine
    from asl_engine.runtime.handlers import HandlerSource
    from asl_engine.runtime.run import ExecutionRun


class StartableMachine(Protocol):
    """A compiled state machine another execution can start: a ``StateMachine``, or a ``LoadedMachine``."""

    @property
    def name(self) -> str: ...

    @property
    def compiled(self) -> CompiledMachine: ...

    @property
    def source(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class LoadedMachine:
    """A definition validated and compiled without the public API (``asl.toml``'s ``[state_machines]``)."""

    name: str
    compiled: CompiledMachine
    source: str | None = None


class ExecutionView(Protocol):
    """What a task sees of an execution it started (an ``asl_engine.Execution``)."""

    @property
    def name(self) -> str: ...

    @property
    def arn(self) -> str: ...

    @property
    def input(self) -> Any: ...

    @property
    def status(self) -> str: ...

    @property
    def output(self) -> Any: ...

    @property
    def error(self) -> str | None: ...

    @property
    def cause(self) -> str | None: ...

    @property
    def start_date(self) -> datetime: ...

    @property
    def stop_date(self) -> datetime | None: ...


class NestedExecution(Protocol):
    """A child execution running on its parent's scheduler and clock."""

    @property
    def execution(self) -> ExecutionView:
        """A live view (status RUNNING until it ends)."""
        ...

    async def finished(self) -> ExecutionView:
        """Wait for the child to end (a cancelled wait stops it, as AWS stops the child of an aborted task)."""
        ...


class BackgroundExecution(Protocol):
    """An execution running on its own scheduler and thread (an ``asl_engine.ExecutionHandle``)."""

    @property
    def execution(self) -> ExecutionView:
        """A live view (status RUNNING until it ends)."""
        ...

    def wait(self, timeout: float | None = None) -> ExecutionView: ...

    def stop(self, error: str | None = None, cause: str | None = None) -> None:
        """StopExecution: it ends as ABORTED with this error and cause."""
        ...


class ExecutionStarter(Protocol):
    """Who starts the executions a running execution asks for; ``StateMachine`` gives every run one."""

    def start_nested(
        self, parent: ExecutionRun, machine: StartableMachine, input: Any, *, name: str | None
    ) -> NestedExecution:
        """Start ``machine`` as a child of ``parent``, on its scheduler and clock, with its task handlers."""
        ...

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
    ) -> BackgroundExecution:
        """Start ``machine`` on a scheduler and thread of its own, answered by ``handlers``."""
        ...
