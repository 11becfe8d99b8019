"""The attempt loop shared by the states that have Retry and Catch (Task, Parallel, Map).

A Map or Parallel attempt that fails in its own work ends with ``StateFailure``: AWS records
``MapStateFailed``/``ParallelStateFailed`` only when that failure is final, before the Catcher's
``StateExited`` or the execution's failure, and records none for an attempt a Retrier takes.
"""

from __future__ import annotations

from collections.abc import Callable
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
    node: StateNode, policy: RetryPolicy, frame: Frame, raw_input: Any, attempt: Attempt
) -> Transition:
    attempts = [0] * len(policy.retriers)
    run = frame.run
    while True:
        try:
            result = attempt(frame, raw_input)
            if type(result) is CoroutineType:
                result = await result
            output, assigned = node.flow.finish(frame, raw_input, result)
        except (StatesError, StateFailure) as failure:
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
                # The error is done with. Its traceback refers to this frame, which would hold the
                # error in a reference cycle (keeping the whole execution alive until the garbage
                # collector runs; ``failure`` Python clears itself).
                del error
                frame.retry_count = (frame.retry_count or 0) + 1
                if delay > 0:
                    try:
                        await run.scheduler.sleep_until(run.clock.now() + delay)
                    except Cancelled as cancelled:
                        run.record_aborted(frame, node.aborted_type, cancelled)
                        raise
                continue
            if isinstance(failure, StateFailure):
                frame.record(f"{node.state_type}StateFailed")
            catcher = policy.catcher_for(error)
            if catcher is None:
                del error  # (the reference cycle above)
                if isinstance(failure, StateFailure):
                    raise failure.error from None
                raise
            run.decisions.append(Decision("catch", node.name, policy.catchers.index(catcher), error.error))
            output, assigned = catcher.handle(frame, raw_input, error)
            del error
            node.exit(frame, output, assigned)
            return output, catcher.next_state
        node.exit(frame, output, assigned)
        return output, node.next_state
