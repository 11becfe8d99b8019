"""The few places where the testing tools reach below the engine's public API, kept in one module.

Each function here stands in for a hook the engine does not offer yet (a shared scheduler for
several executions, the compiled machine and child executions of an ``Execution``). When the
engine grows public equivalents, only this module changes.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from asl_engine.execution import Execution
from asl_engine.runtime.run import ExecutionRun

if TYPE_CHECKING:
    from asl_engine import StateMachine
    from asl_engine.runtime.clock import Clock
    from asl_engine.runtime.compiler import CompiledMachine
    from asl_engine.runtime.handlers import HandlerSource
    from asl_engine.runtime.scheduler import Scheduler, Task


def compiled_machine_of(execution: Execution) -> CompiledMachine:
    return execution.compiled


def child_executions(execution: Execution) -> list[Execution]:
    """The executions it started: Distributed Map children and nested executions (own histories)."""
    return execution.child_executions


def start_on_scheduler(
    machine: StateMachine,
    scheduler: Scheduler,
    input: Any,
    *,
    clock: Clock,
    handlers: Sequence[HandlerSource],
    name: str | None,
    rng: random.Random,
    context: Mapping[str, Any] | None,
) -> tuple[ExecutionRun, Task[None]]:
    """Start an execution on a scheduler shared with other executions (``StateMachine.start`` makes its own)."""
    assert scheduler.clock is clock
    return machine.start_on(
        scheduler, input, resources=list(handlers), name=name, seed=rng.getrandbits(64), context=context
    )
