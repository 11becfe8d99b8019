"""The few places where the testing tools reach below the engine's public API, kept in one module.

Each function here stands in for a hook the engine does not offer yet (a shared scheduler for
several executions, the compiled machine and child executions of an ``Execution``). When the
engine grows public equivalents, only this module changes.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from asl_engine.execution import Execution
from asl_engine.machine import InvalidExecutionInput
from asl_engine.runtime.run import ExecutionRun, Identity

if TYPE_CHECKING:
    from asl_engine.machine import StateMachine
    from asl_engine.resources.base import HandlerSource
    from asl_engine.runtime.clock import Clock
    from asl_engine.runtime.compiler import CompiledMachine
    from asl_engine.runtime.scheduler import Scheduler, Task


def compiled_machine_of(execution: Execution) -> CompiledMachine:
    return execution._run.machine


def child_executions(execution: Execution) -> list[Execution]:
    """The child executions of the execution's Distributed Map runs (each has a history of its own)."""
    return [Execution(child) for map_run in execution._run.map_runs for child in map_run.children]


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
    region: str = "us-east-1",
    account: str = "123456789012",
) -> tuple[ExecutionRun, Task[None]]:
    """Start an execution on a scheduler shared with other executions (``StateMachine.start`` makes its own).

    One scheduler for every execution of a test is what keeps several executions deterministic
    under one virtual clock: time moves only when all of them wait on timers.
    """
    value = {} if input is None else input
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError) as error:
        raise InvalidExecutionInput(f"Invalid State Machine Execution Input: {error}") from None
    execution_name = name or str(uuid.UUID(int=rng.getrandbits(128), version=4))
    express_id = str(uuid.UUID(int=rng.getrandbits(128), version=4)) if machine.type == "EXPRESS" else None
    identity = Identity(machine.name, execution_name, region=region, account=account, express_id=express_id)
    run = ExecutionRun(
        machine.compiled,
        identity,
        value,
        clock=clock,
        scheduler=scheduler,
        handlers=list(handlers),
        rng=rng,
        context_overrides=dict(context) if context else None,
    )
    main = scheduler.spawn(run.main(), f"execution {execution_name}")
    machine._arm_timeout(run, main)
    return run, main
