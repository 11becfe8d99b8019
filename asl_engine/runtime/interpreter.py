"""The state loop: enter a state, run it, follow its transition, until the scope ends.

This is the hot path of the engine, so it is deliberately plain: one dictionary lookup per
transition, entering inlined, non-blocking states (Pass, Choice, Succeed, Fail) called directly
without creating a coroutine. Each transition is counted; every so often the run's ``checkpoint``
enforces the transition limit and yields to the scheduler (``runtime/safety.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from asl_engine.errors import StatesError
from asl_engine.runtime.children import ChildFailure
from asl_engine.runtime.json_text import to_json_text

if TYPE_CHECKING:
    from asl_engine.runtime.compiler import CompiledScope
    from asl_engine.runtime.frame import Frame


async def run_scope(scope: CompiledScope, frame: Frame, value: Any) -> Any:
    """Run ``scope`` from its StartAt state; return the output of its terminal state."""
    states = scope.states
    name: str | None = scope.start_at
    run = frame.run
    now = run.clock.now
    history = run.history
    wants_text = history.wants_text
    while name is not None:
        if run.transitions >= run.next_checkpoint:
            await run.checkpoint()  # the transition limit; a chance for a timeout or a stop to land
        run.transitions += 1
        node = states[name]
        frame.state_cause_id = cause = frame.last_event_id
        frame.state_name = name
        frame.entered_time = timestamp = now()
        frame.retry_count = 0 if node.retriable else None
        frame.task_token = None
        if wants_text:
            # A state's input is usually the previous state's output, whose text exit() just made.
            if frame.last_output is value:
                text = frame.last_output_text
            else:
                frame.last_output, frame.last_output_text = value, (text := to_json_text(value))
            event_id = history.add_state(node.entered_type, cause, timestamp, name, "input", text)
        else:
            event_id = history.add_state(node.entered_type, cause, timestamp, name, "input", "")
        frame.entered_event_id = frame.last_event_id = event_id
        if run.visit_gates is not None and (run.stream, event_id) in run.visit_gates:
            await run.durable.hold(frame, event_id)  # type: ignore[union-attr]  # a redrive runs this visit again
        if node.blocking:
            value, name = await node.run_async(frame, value)
        else:
            value, name = node.run(frame, value)
    return value


async def run_child_scope(scope: CompiledScope, frame: Frame, value: Any) -> tuple[Any, int]:
    """Run a branch or an iteration: its output and last event id, or ``ChildFailure`` (naming the
    abort event of the state it failed in)."""
    try:
        output = await run_scope(scope, frame, value)
    except StatesError as error:
        failed_in = scope.states[frame.state_name]
        raise ChildFailure(error, frame.last_event_id, failed_in.aborted_type) from None
    finally:
        frame.run.release_variables(frame.variables)  # the branch's or iteration's scope ends here
    return output, frame.last_event_id
