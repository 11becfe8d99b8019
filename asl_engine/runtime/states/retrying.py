"""The attempt loop shared by the states that have Retry and Catch (Task, Parallel, Map).

A Map or Parallel attempt that fails in its own work ends with ``StateFailure``: AWS records
``MapStateFailed``/``ParallelStateFailed`` only when that failure is final, before the Catcher's
``StateExited`` or the execution's failure, and records none for an attempt a Retrier takes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from types import CoroutineType
from typing import TYPE_CHECKING, Any

from asl_engine.errors import StatesError
from asl_engine.runtime.decisions import Decision
from asl_engine.runtime.safety import transitions_exceeded
from asl_engine.runtime.scheduler import Cancelled
from asl_engine.runtime.states.base import StateNode, Transition

if TYPE_CHECKING:
    from asl_engine.runtime.frame import Frame
    from asl_engine.runtime.retry import RetryPolicy

Attempt = Callable[["Frame", Any], Any]
"""One try of the state's work: returns its raw result, or a coroutine that gives it (a Task whose
handler answered at once needs none), or raises StatesError or StateFailure (events already recorded)."""


class StateFailure(Exception):
    """A Map or Parallel attempt failed in its own work: an iteration or a branch, the Map Run, or an
    evaluation that recorded ``EvaluationFailed``.

    ``<Type>StateFailed`` is due, linked to ``cause_event_id`` (the failing child's last event, the
    ``MapRunFailed`` or the ``EvaluationFailed``), unless a Retrier takes ``error``. Failures of the
    engine's own checks (``States.Runtime``: a bad ``MaxConcurrencyPath``, items that are not an
    array under JSONPath) are plain ``StatesError``: AWS records no state failure for them.
    """

    def __init__(self, error: StatesError, cause_event_id: int) -> None:
        super().__init__(error)
        self.error = error
        self.cause_event_id = cause_event_id


async def run_with_policy(
    node: StateNode,
    policy: RetryPolicy,
    frame: Frame,
    raw_input: Any,
    attempt: Attempt,
    attempts: list[int] | None = None,
    pending: Awaitable[Any] | None = None,
    resume_at: float | None = None,
) -> Transition:
    """Attempt, retry and catch until the state ends. ``attempts``, ``pending`` and ``resume_at``: go
    on from where ``run_directly`` handed over (its retriers' counters; the attempt's coroutine to
    await, or the time the next attempt is due)."""
    if attempts is None:
        attempts = [0] * len(policy.retriers)
    run = frame.run
    while True:
        if resume_at is not None:  # a retry's interval (the coroutine's first, or after a failure)
            try:
                await run.scheduler.sleep_until(resume_at)
            except Cancelled as cancelled:
                run.record_aborted(frame, node.aborted_type, cancelled)
                raise
            resume_at = None
        try:
            if pending is None:
                result = attempt(frame, raw_input)
                if type(result) is CoroutineType:
                    result = await result
            else:
                awaited, pending = pending, None
                result = await awaited
            output, assigned = node.flow.finish(frame, raw_input, result)
        except (StatesError, StateFailure) as failure:
            step = after_failure(node, policy, frame, raw_input, failure, attempts)
            if step is None:
                if isinstance(failure, StateFailure):
                    raise failure.error from None
                raise
            if type(step) is tuple:
                return step
            if step > 0:  # type: ignore[operator]
                resume_at = run.clock.now() + step  # type: ignore[operator]
            continue
        node.exit(frame, output, assigned)
        return output, node.next_state


def run_directly(
    node: StateNode, policy: RetryPolicy, frame: Frame, raw_input: Any, attempt: Attempt
) -> Transition | Coroutine[Any, Any, Transition]:
    """``run_with_policy`` as plain calls, for an execution run directly (``runtime/direct.py``): the
    transition, or the ``run_with_policy`` coroutine that goes on from the first thing that would
    suspend (an attempt's coroutine, a retry interval the clock cannot jump: ``ExecutionRun.jump_alone``)."""
    attempts = [0] * len(policy.retriers)
    run = frame.run
    while True:
        try:
            result = attempt(frame, raw_input)
            if type(result) is CoroutineType:
                return run_with_policy(node, policy, frame, raw_input, attempt, attempts, result)
            output, assigned = node.flow.finish(frame, raw_input, result)
        except (StatesError, StateFailure) as failure:
            step = after_failure(node, policy, frame, raw_input, failure, attempts)
            if step is None:
                if isinstance(failure, StateFailure):
                    raise failure.error from None
                raise
            if type(step) is tuple:
                return step
            if step > 0:  # type: ignore[operator]
                when = run.clock.now() + step  # type: ignore[operator]
                if not run.jump_alone(when):
                    return run_with_policy(node, policy, frame, raw_input, attempt, attempts, None, when)
            continue
        node.exit(frame, output, assigned)
        return output, node.next_state


def after_failure(
    node: StateNode,
    policy: RetryPolicy,
    frame: Frame,
    raw_input: Any,
    failure: StatesError | StateFailure,
    attempts: list[int],
) -> float | Transition | None:
    """What follows a failed attempt: the seconds before the retry (a Retrier took it; the retry is
    counted), the state's transition (a Catcher took it; the state has exited), or None (the failure
    is the state's: the caller re-raises it)."""
    run = frame.run
    if isinstance(failure, StateFailure):
        error = failure.error
        frame.last_event_id = failure.cause_event_id
    else:
        error = failure
    retry = policy.next_retry(error, attempts, frame)
    if retry is not None:
        run.transitions += 1  # each retry is a state transition (as AWS counts them)
        if run.transitions >= run.limits.max_transitions:
            raise transitions_exceeded(run.limits.max_transitions) from None
        retrier, delay = retry
        run.decisions.append(Decision("retry", node.name, retrier, error.error))
        frame.retry_count = (frame.retry_count or 0) + 1
        return delay
    if isinstance(failure, StateFailure):
        frame.record(f"{node.state_type}StateFailed")
    catcher = policy.catcher_for(error)
    if catcher is None:
        return None
    run.decisions.append(Decision("catch", node.name, policy.catchers.index(catcher), error.error))
    output, assigned = catcher.handle(frame, raw_input, error)
    node.exit(frame, output, assigned)
    return output, catcher.next_state
