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
from asl_engine.runtime.clock import VirtualClock
from asl_engine.runtime.history import HistoryLimitReached
from asl_engine.runtime.json_text import to_json_text
from asl_engine.runtime.limits import PAYLOAD_LIMIT_BYTES, QUICK_PAYLOAD_CHARS, data_limit_error, text_size
from asl_engine.runtime.payload_meter import LARGE_TEXT_CHARS
from asl_engine.runtime.states.base import evaluation_guard

if TYPE_CHECKING:
    from asl_engine.runtime.compiler import CompiledScope, PlainStep
    from asl_engine.runtime.direct import DirectStep
    from asl_engine.runtime.frame import Frame
    from asl_engine.runtime.states.base import StateNode

Stop = tuple[Any, "str | None", "StateNode | None"]
"""Where ``run_states`` stopped: (the value, the next state's name, the state entered but not run;
with ``direct``, in its place, the coroutine that finishes a state that would suspend)."""


def run_states(
    scope: CompiledScope, frame: Frame, value: Any, name: str | None, checked: bool, direct: bool = False
) -> Stop:
    """Enter and run states from ``name`` as long as none may suspend.

    Stops at the end of the scope (name None), before entering a state when a checkpoint is due
    (name set, nothing entered; ``checked``: the caller has just been through the checkpoint, so the
    first state is entered without looking again), or after entering a state that may suspend or
    that a durable execution must hold (that state returned, not run).

    A run of plain Pass and Choice states (``CompiledScope.plain_steps``) with an ordinary payload
    goes to ``run_plain_states`` when the history's rows are appended to directly, or nothing is
    recorded at all, and no visit is held; every other state (and a plain one near the history's
    limit or after a large payload) is entered here and runs its own ``run``.

    ``direct`` (``runtime/direct.py``): a blocking state with a ``run_directly`` (Task, Wait) is run
    here by it, and the loop goes on after it; when it would suspend, the coroutine that finishes it
    (not started yet) is returned in the entered state's place. A Map or a Parallel is returned as
    without ``direct``.
    """
    states = scope.states
    run = frame.run
    clock = run.clock
    virtual = type(clock) is VirtualClock
    """``VirtualClock.now`` returns its ``_now``: read here where ``now()`` would be called, without the call."""
    history = run.history
    wants_text = history.wants_text
    rows, limit = history.state_rows, history.limit
    gates = run.visit_gates  # set before the execution's first state, if ever
    unrecorded: list[Any] | None = None
    if rows is None and not wants_text:
        # History off and nobody listening: plain states still take the plain path (the quota needs
        # their texts anyway); their rows go to a list emptied after each run, the ids are counted.
        rows = unrecorded = []
    plain = scope.plain_steps if rows is not None and gates is None else None
    texts = wants_text or plain is not None
    """Whether states' input texts are made here: for the history, or for the plain path."""
    while name is not None:
        if checked:
            checked = False
        elif run.transitions >= run.next_checkpoint:
            return value, name, None  # the transition limit; a chance for a timeout or a stop to land
        if texts:
            # A state's input is usually the previous state's output, whose text its exit made.
            if frame.last_output is value:
                text = frame.last_output_text
            else:
                frame.last_output, frame.last_output_text = value, (text := to_json_text(value))
            if (
                plain is not None
                and name in plain
                and type(text) is str
                and len(text) < LARGE_TEXT_CHARS
                and (limit is None or history.last_id + 2 < limit)
            ):
                try:
                    step_of = plain[name]
                    if step_of[3] is None and step_of[0] is not None:  # the scope's last state, a Pass
                        value, name = run_last_pass(step_of, frame, value, name, text, rows), None  # type: ignore[arg-type]
                    else:
                        value, name = run_plain_states(plain, frame, value, name, text, rows)  # type: ignore[arg-type]
                finally:
                    if unrecorded is not None:
                        unrecorded.clear()
                continue
        run.transitions += 1
        node = states[name]
        frame.state_cause_id = cause = frame.last_event_id
        frame.state_name = name
        frame.entered_time = timestamp = clock._now if virtual else clock.now()  # type: ignore[attr-defined]
        frame.retry_count = 0 if node.retriable else None
        frame.task_token = None
        if wants_text:
            if rows is not None:  # History.add_state, written out (``wants_text``: never ``unrecorded``)
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
            step: DirectStep | None = node.run_directly if direct and gates is None else None
            if step is None:
                return value, name, node
            outcome = step(frame, value)
            if type(outcome) is not tuple:
                return value, name, outcome  # type: ignore[return-value]  # the coroutine that finishes it
            value, name = outcome
            continue
        value, name = node.run(frame, value)
    return value, None, None


def run_plain_states(
    plain: dict[str, PlainStep], frame: Frame, value: Any, name: str, text: str, rows: list[Any]
) -> tuple[Any, str | None]:
    """Enter, run and exit plain states (``plain``: ``CompiledScope.plain_steps``) from ``name``, the
    first of them, whose input's text is ``text`` (under ``LARGE_TEXT_CHARS``), appending their events
    to ``rows`` (the history's ``state_rows``, or a list nobody keeps when nothing is recorded); return
    the value and the state to go on from (None: the scope ended).

    ``run`` and ``StateNode.exit`` of each, written out for what a plain state does: a plain step
    records no event, so the event ids, the transition count and the previous output are kept in
    locals and written back when the run stops or a step raises; each state's Entered and Exited rows
    go into the history in one append after its step (the Entered row alone when it raises). Of the
    frame, a step can read only what the context object and a failure's cause read (``state_name``,
    ``entered_time``, ``entered_event_id``, written per state; a plain state is not retriable and has
    no task token, so ``retry_count`` and ``task_token`` are cleared once), and ``state_cause_id`` is
    read only by JSONata states, never plain. The caller checked the first state against the history's
    limit; the run stops before a state that is not plain, a checkpoint (the first state is entered
    without looking: the caller looked), two events before the history's limit (``run_states`` records
    the event that reaches it), or after a large output (the payload meter's, in ``StateNode.exit``).
    """
    run = frame.run
    history = run.history
    limit = history.limit
    clock = run.clock
    virtual = clock if type(clock) is VirtualClock else None
    """``VirtualClock.now`` returns its ``_now``: read here where ``now()`` would be called, without the call."""
    now = clock.now
    decisions = run.decisions
    first_id = last_id = history.last_id
    # Each plain state is one transition and two events: its Entered event id tells when the next
    # checkpoint is due; stop before an Exited event would reach the limit.
    stop_at = max(first_id + 2, first_id + 1 + 2 * (run.next_checkpoint - run.transitions))
    if limit is not None and limit - 1 < stop_at:
        stop_at = limit - 1
    cause = frame.last_event_id
    entered_previous = None if cause == first_id else cause
    frame.retry_count = frame.task_token = None
    state: str | None = name
    event_id = first_id + 1
    try:
        while state is not None:
            event_id = last_id + 1
            step_of = plain.get(state)
            if step_of is None or event_id >= stop_at:
                break
            step, choose, write, following, entered_type, exited_type = step_of
            frame.state_name = state
            frame.entered_time = timestamp = virtual._now if virtual else now()
            frame.entered_event_id = event_id
            if step is not None:
                try:
                    output = step(value, frame)
                except (PathNotFoundError, EvaluationError) as error:
                    raise evaluation_guard(frame, error) from None
                if output is value:
                    output_text = text
                else:
                    output_text = write(output)
                    if len(output_text) >= LARGE_TEXT_CHARS:
                        if len(output_text) > QUICK_PAYLOAD_CHARS and text_size(output_text) > PAYLOAD_LIMIT_BYTES:
                            raise data_limit_error(state)
                        stop_at = 0  # the next state is ``run_states``' (the payload meter)
            else:
                following, decision = choose(frame, value)  # type: ignore[misc]
                decisions.append(decision)
                output, output_text = value, text
            # The Exited event follows the Entered one (a plain step records nothing): no previous id.
            last_id = event_id + 1
            rows += (
                entered_type,
                entered_previous,
                timestamp,
                state,
                text,
                None,
                exited_type,
                None,
                virtual._now if virtual else now(),
                state,
                output_text,
                None,
            )
            entered_previous = None
            value = output
            text = output_text
            state = following
    except BaseException:
        run.transitions += (event_id - first_id + 1) // 2  # this state's transition included
        history.last_id = frame.last_event_id = event_id
        rows += (entered_type, entered_previous, timestamp, state, text, None)
        frame.last_output, frame.last_output_text = value, text
        raise
    run.transitions += (last_id - first_id) // 2
    history.last_id = frame.last_event_id = last_id
    frame.last_output, frame.last_output_text = value, text
    return value, state


def run_last_pass(step_of: PlainStep, frame: Frame, value: Any, name: str, text: str, rows: list[Any]) -> Any:
    """``run_plain_states`` for one state, the last of its scope and a plain Pass (its ``next_state`` is
    None): its output, its Entered and Exited rows appended, the frame, the history's last id and the
    transition count as ``run_plain_states`` leaves them. A short execution (a one-Pass one, W5's
    Pass after its Wait) ends with such a state, and the loop's set-up (the checkpoint's and the
    history limit's stopping point, the locals of every kind of plain state) costs more than the state
    itself. The caller checked the history's limit as for ``run_plain_states`` (both events fit);
    nothing follows, so a large output stops nothing."""
    step, _, write, _, entered_type, exited_type = step_of
    run = frame.run
    history = run.history
    clock = run.clock
    virtual = type(clock) is VirtualClock
    event_id = history.last_id + 1
    cause = frame.last_event_id
    frame.state_name = name
    frame.entered_time = timestamp = clock._now if virtual else clock.now()  # type: ignore[attr-defined]
    frame.entered_event_id = event_id
    frame.retry_count = frame.task_token = None
    try:
        try:
            output = step(value, frame)  # type: ignore[misc]
        except (PathNotFoundError, EvaluationError) as error:
            raise evaluation_guard(frame, error) from None
        if output is value:
            output_text = text
        else:
            output_text = write(output)
            if len(output_text) > QUICK_PAYLOAD_CHARS and text_size(output_text) > PAYLOAD_LIMIT_BYTES:
                raise data_limit_error(name)
    except BaseException:
        run.transitions += 1
        history.last_id = frame.last_event_id = event_id
        rows += (entered_type, None if cause == event_id - 1 else cause, timestamp, name, text, None)
        frame.last_output, frame.last_output_text = value, text
        raise
    rows += (
        entered_type,
        None if cause == event_id - 1 else cause,
        timestamp,
        name,
        text,
        None,
        exited_type,
        None,
        clock._now if virtual else clock.now(),  # type: ignore[attr-defined]
        name,
        output_text,
        None,
    )
    run.transitions += 1
    history.last_id = frame.last_event_id = event_id + 1
    frame.last_output, frame.last_output_text = output, output_text
    return output


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
