"""The state loop: enter a state, run it, follow its transition, until the scope ends.

This is the hot path of the engine, so it is deliberately plain: one dictionary lookup per
transition, entering inlined, non-blocking states (Pass, Choice, Succeed, Fail) called directly.
The loop itself is a plain function (``run_states``) that runs states until one may suspend; the
coroutine ``run_scope`` awaits what it hands back (a blocking state, a checkpoint, a durable
execution's hold), so a run of states that never suspend costs no coroutine step, and an inline
Map iteration of such states runs without a coroutine at all (``run_child_scope_directly``).
Each transition is counted; every so often the run's ``checkpoint`` enforces the transition limit
and yields to the scheduler (``runtime/safety.py``).
"""

from __future__ import annotations

from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any

from asl_engine.errors import StatesError
from asl_engine.language.errors import EvaluationError, PathNotFoundError
from asl_engine.runtime.children import ChildFailure
from asl_engine.runtime.history import HistoryLimitReached
from asl_engine.runtime.json_text import to_json_text
from asl_engine.runtime.limits import PAYLOAD_LIMIT_BYTES, QUICK_PAYLOAD_CHARS, data_limit_error, text_size
from asl_engine.runtime.payload_meter import LARGE_TEXT_CHARS
from asl_engine.runtime.states.base import evaluation_guard

if TYPE_CHECKING:
    from asl_engine.runtime.compiler import CompiledScope
    from asl_engine.runtime.frame import Frame
    from asl_engine.runtime.states.base import StateNode

Stop = tuple[Any, "str | None", "StateNode | None"]
"""Where ``run_states`` stopped: (the value, the next state's name, the state entered but not run)."""


def run_states(scope: CompiledScope, frame: Frame, value: Any, name: str | None, checked: bool) -> Stop:
    """Enter and run states from ``name`` as long as none may suspend.

    Stops at the end of the scope (name None), before entering a state when a checkpoint is due
    (name set, nothing entered; ``checked``: the caller has just been through the checkpoint, so the
    first state is entered without looking again), or after entering a state that may suspend or
    that a durable execution must hold (that state returned, not run).

    A plain Pass or Choice (``StateNode.plain_output``, ``plain_choice``) is run and exited here,
    ``run`` and ``StateNode.exit`` written out, when the history's rows are appended to directly and
    the payload is an ordinary one (its text made, not measured piecewise); every other state runs
    its own ``run``.
    """
    states = scope.states
    run = frame.run
    now = run.clock.now
    history = run.history
    wants_text = history.wants_text
    rows, limit = history.state_rows, history.limit
    gates = run.visit_gates  # set before the execution's first state, if ever
    direct = rows is not None and gates is None
    """Plain states may be entered, run and exited here (no visit of this execution is held)."""
    while name is not None:
        if checked:
            checked = False
        elif run.transitions >= run.next_checkpoint:
            return value, name, None  # the transition limit; a chance for a timeout or a stop to land
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
            step, choose = node.plain_output, node.plain_choice
            plain = step is not None or choose is not None
            if plain and direct and type(text) is str and len(text) < LARGE_TEXT_CHARS:
                # A plain Pass or Choice with an ordinary payload: entered, run and exited here (``run``
                # and ``StateNode.exit`` written out), its two rows appended at once once it has run.
                event_id = history.last_id = history.last_id + 1
                entered_previous = None if cause == event_id - 1 else cause
                if event_id == limit:
                    rows += (node.entered_type, entered_previous, timestamp, name, text, None)  # type: ignore[operator]
                    raise HistoryLimitReached(event_id)
                frame.entered_event_id = frame.last_event_id = event_id
                decision = None
                try:
                    if step is not None:
                        try:
                            output = step(value, frame)
                        except (PathNotFoundError, EvaluationError) as error:
                            raise evaluation_guard(frame, error) from None
                        if output is value:
                            output_text: str = text
                        else:
                            output_text = node.plain_text(output)
                            if len(output_text) > QUICK_PAYLOAD_CHARS and text_size(output_text) > PAYLOAD_LIMIT_BYTES:
                                raise data_limit_error(name)
                        following = node.next_state
                    else:
                        following, decision = choose(frame, value)  # type: ignore[misc]
                        output, output_text = value, text
                except BaseException:
                    rows += (node.entered_type, entered_previous, timestamp, name, text, None)  # type: ignore[operator]
                    raise
                # The Exited event follows the Entered one (a plain step records nothing): no previous id.
                history.last_id = event_id = event_id + 1
                rows += (  # type: ignore[operator]
                    node.entered_type,
                    entered_previous,
                    timestamp,
                    name,
                    text,
                    None,
                    node.exited_type,
                    None,
                    now(),
                    name,
                    output_text,
                    None,
                )
                if event_id == limit:
                    raise HistoryLimitReached(event_id)
                frame.last_event_id = event_id
                frame.last_output = value = output
                frame.last_output_text = output_text
                if decision is not None:
                    run.decisions.append(decision)
                name = following
                continue
            if rows is not None:  # History.add_state, written out
                event_id = history.last_id = history.last_id + 1
                rows += (node.entered_type, None if cause == event_id - 1 else cause, timestamp, name, text, None)
                if event_id == limit:
                    raise HistoryLimitReached(event_id)
            else:
                event_id = history.add_state(node.entered_type, cause, timestamp, name, "input", text)
        else:
            event_id = history.add_state(node.entered_type, cause, timestamp, name, "input", "")
        frame.entered_event_id = frame.last_event_id = event_id
        if node.blocking or (gates is not None and (run.stream, event_id) in gates):
            return value, name, node
        value, name = node.run(frame, value)
    return value, None, None


async def run_scope(
    scope: CompiledScope, frame: Frame, value: Any, name: str | None = None, checked: bool = False
) -> Any:
    """Run ``scope`` from its StartAt state (or from ``name``, see ``run_states``); return the output
    of its terminal state."""
    run = frame.run
    if name is None:
        name = scope.start_at
    while True:
        value, name, entered = run_states(scope, frame, value, name, checked)
        checked = False
        if entered is not None:
            gates, event_id = run.visit_gates, frame.entered_event_id
            if gates is not None and (run.stream, event_id) in gates:
                await run.durable.hold(frame, event_id)  # type: ignore[union-attr]  # a redrive runs this visit again
            if entered.blocking:
                value, name = await entered.run_async(frame, value)
            else:
                value, name = entered.run(frame, value)
        elif name is None:
            return value
        else:
            await run.checkpoint()
            checked = True


async def run_child_scope(scope: CompiledScope, frame: Frame, value: Any, name: str | None = None) -> tuple[Any, int]:
    """Run a branch or an iteration: its output and last event id, or ``ChildFailure`` (naming the
    abort event of the state it failed in). ``name``: go on from there (see ``run_child_scope_directly``)."""
    try:
        output = await run_scope(scope, frame, value, name)
    except StatesError as error:
        failed_in = scope.states[frame.state_name]
        raise ChildFailure(error, frame.last_event_id, failed_in.aborted_type) from None
    finally:
        variables = frame.variables
        if variables.sizes and variables is not frame.parent.variables:  # type: ignore[union-attr]
            frame.run.release_variables(variables)  # the branch's or iteration's own scope ends here
    return output, frame.last_event_id


def run_child_scope_directly(
    scope: CompiledScope, frame: Frame, value: Any, name: str | None = None
) -> tuple[Any, int] | Coroutine[Any, Any, tuple[Any, int]]:
    """``run_child_scope`` for a scope whose states never suspend (an inline Map's direct path),
    without a coroutine: its output and last event id, or, when a checkpoint is due before the scope
    ends, the ``run_child_scope`` coroutine that goes on from there (not started yet). Raises
    ``ChildFailure`` as ``run_child_scope`` does. ``name``: go on from there (the direct iteration
    loop ran the states before it, ``InlineIterations.run_directly``)."""
    ended = True
    try:
        value, name, entered = run_states(scope, frame, value, scope.start_at if name is None else name, False)
        if name is not None:
            if entered is not None:  # the caller checked that no state may suspend and no visit is held
                raise RuntimeError(f"state {name!r} of an iteration run directly may suspend")
            ended = False
            return run_child_scope(scope, frame, value, name)
    except StatesError as error:
        failed_in = scope.states[frame.state_name]
        raise ChildFailure(error, frame.last_event_id, failed_in.aborted_type) from None
    finally:
        variables = frame.variables
        if ended and variables.sizes and variables is not frame.parent.variables:  # type: ignore[union-attr]
            frame.run.release_variables(variables)  # the iteration's own scope ends here
    return value, frame.last_event_id
