"""One Distributed Map child execution: its identity, and running it (in this process or a worker).

A child's name and random seed derive from its Map Run's seed and its index, never from the order
in which children happen to start or finish, so the same run gives the same children whether they
run here, in a process pool or on a cluster.
"""

from __future__ import annotations

from collections.abc import Awaitable, Coroutine, Sequence
from types import CoroutineType
from typing import TYPE_CHECKING, Any

from asl_engine.errors import StatesError
from asl_engine.runtime.clock import RealClock, VirtualClock
from asl_engine.runtime.direct import run_scope_directly
from asl_engine.runtime.frame import Frame, VariableScope
from asl_engine.runtime.handlers import HandlerSource
from asl_engine.runtime.interpreter import run_scope
from asl_engine.runtime.json_text import to_json_text
from asl_engine.runtime.map_run.executor import ChildReport, ChildWork
from asl_engine.runtime.map_run.packing import child_random, pack_history
from asl_engine.runtime.payload_meter import payload_text
from asl_engine.runtime.run import ExecutionRun, Identity, nested_too_deeply
from asl_engine.runtime.safety import DEFAULT_LIMITS, SafetyLimits
from asl_engine.runtime.scheduler import Scheduler

if TYPE_CHECKING:
    from asl_engine.runtime.compiler import CompiledMachine, CompiledScope
    from asl_engine.runtime.starter import ExecutionStarter


async def child_main(
    child: ExecutionRun, processor: CompiledScope, frame: Frame | None = None, rest: Awaitable[Any] | None = None
) -> str | None:
    """A child execution from ``ExecutionStarted`` to its end (a cancellation propagates).

    Returns the output's JSON text when it succeeds (made anyway for the quota and the history; the
    result files reuse it), as ``child.input_text`` keeps the input's. ``frame`` and ``rest``: go on
    from what ``run_child_directly`` handed over.
    """
    if frame is None:
        frame = _begin(child)
    try:
        if rest is None:
            rest = run_scope(processor, frame, child.input)
        try:  # ``run_guarded`` written out: a coroutine fewer to make and step through per child
            output = await rest
        except RecursionError:
            raise nested_too_deeply(frame) from None
    except StatesError as error:
        child._finish("FAILED", error=error.error, cause=error.cause)
        return None
    return _succeeded(child, frame, output)


def run_child_directly(child: ExecutionRun, processor: CompiledScope) -> str | Coroutine[Any, Any, str | None] | None:
    """``child_main`` by plain calls (``runtime/direct.py``): its result once the child ended, else
    the ``child_main`` coroutine (not started yet) that goes on from the first thing that would
    suspend. Timers are jumps of the clock only where the coroutine's would have been (the parent
    under ``drive_alone`` with nothing else to run: ``Scheduler.jump_alone``)."""
    frame = _begin(child)
    try:
        try:
            output = run_scope_directly(processor, frame, child.input)
        except RecursionError:
            raise nested_too_deeply(frame) from None
    except StatesError as error:
        child._finish("FAILED", error=error.error, cause=error.cause)
        return None
    if type(output) is CoroutineType:
        return child_main(child, processor, frame, output)
    return _succeeded(child, frame, output)


def _begin(child: ExecutionRun) -> Frame:
    """``ExecutionStarted``, the input's text (the first state's input text), and the child's frame."""
    frame = Frame(child, VariableScope(), 0)
    value = child.input
    text = to_json_text(value)
    child.input_text = text
    frame.last_output, frame.last_output_text = value, text
    child.history.add("ExecutionStarted", 0, child.start_time, {"input": value})
    return frame


def _succeeded(child: ExecutionRun, frame: Frame, output: Any) -> str:
    child._finish("SUCCEEDED", output=output)
    child.history.add("ExecutionSucceeded", frame.last_event_id, child.clock.now(), {"output": output})
    last = frame.last_output_text
    if output is frame.last_output and (type(last) is not str or last):
        return payload_text(last)
    return to_json_text(output)


def report_of(
    index: int, child: ExecutionRun, output_text: str | None, *, status: str | None = None, keep_run: bool
) -> ChildReport:
    """What an executor reports of a finished (or stopped) child: the run itself when it stays in
    this process, else its results (as JSON text) and its packed history."""
    report = ChildReport(
        index,
        status or child.status,
        None,
        child.error,
        child.cause,
        child.start_time,
        child.stop_time if child.stop_time is not None else child.clock.now(),
        input_text=child.input_text,
        output_text=output_text,
        events=child.history.count(),
    )
    if keep_run:
        report.run = child
        report.output = child.output
    else:
        report.decisions = tuple(child.decisions)
        report.unanswered = tuple(child.unanswered)
        if child.history.record:
            report.history = pack_history(child.history.rows())
    return report


def run_child_alone(
    machine: CompiledMachine,
    processor: CompiledScope,
    identity: Identity,
    work: ChildWork,
    handlers: Sequence[HandlerSource],
    *,
    virtual_clock: bool,
    record_history: bool,
    starter: ExecutionStarter | None = None,
    limits: SafetyLimits = DEFAULT_LIMITS,
) -> ChildReport:
    """Run one child to its end on a scheduler and clock of its own (a worker process does this).

    Under a virtual clock the child starts at ``work.start_time``, when the Map Run started it, so
    its timestamps are those it would have had in the parent's process. The clock is the child's
    alone, so it runs as ``StateMachine.execute`` runs an execution on a clock of its own: without
    registering with the clock until something needs it (``Scheduler.run_alone``; about a third of a
    trivial child's cost on a worker, ``tests/executors/test_worker_children.py`` compares the paths).
    """
    clock = VirtualClock(work.start_time) if virtual_clock else RealClock()
    scheduler = Scheduler(clock)
    child = ExecutionRun(
        machine,
        identity,
        work.input,
        clock=clock,
        scheduler=scheduler,
        handlers=handlers,
        rng=child_random(work.seed),
        record_history=record_history,
        starter=starter,
        limits=limits,
    )
    main = scheduler.spawn(child_main(child, processor), f"execution {work.name}")
    if not scheduler.run_alone(main.done_future):
        with clock.awaiting_result():
            scheduler.run_until(main.done_future)
    output_text = main.done_future.result()
    return report_of(work.index, child, output_text, keep_run=False)
