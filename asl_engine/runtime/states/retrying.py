"""The attempt loop shared by the states that have Retry and Catch (Task, Parallel, Map)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from asl_engine.errors import StatesError
from asl_engine.runtime.decisions import Decision
from asl_engine.runtime.safety import transitions_exceeded
from asl_engine.runtime.scheduler import Cancelled
from asl_engine.runtime.states.base import StateNode, Transition

if TYPE_CHECKING:
    from asl_engine.runtime.frame import Frame
    from asl_engine.runtime.retry import RetryPolicy

Attempt = Callable[["Frame", Any], Awaitable[Any]]
"""One try of the state's work: returns its raw result or raises StatesError (events already recorded)."""


async def run_with_policy(
    node: StateNode, policy: RetryPolicy, frame: Frame, raw_input: Any, attempt: Attempt, aborted_event: str
) -> Transition:
    attempts = [0] * len(policy.retriers)
    run = frame.run
    while True:
        try:
            result = await attempt(frame, raw_input)
            output, assigned = node.flow.finish(frame, raw_input, result)
        except StatesError as error:
            retry = policy.next_retry(error, attempts, run.random)
            if retry is not None:
                run.transitions += 1  # each retry is a state transition (as AWS counts them)
                if run.transitions >= run.limits.max_transitions:
                    raise transitions_exceeded(run.limits.max_transitions) from None
                retrier, delay = retry
                run.decisions.append(Decision("retry", node.name, retrier, error.error))
                frame.retry_count = (frame.retry_count or 0) + 1
                if delay > 0:
                    try:
                        await run.scheduler.sleep_until(run.clock.now() + delay)
                    except Cancelled as cancelled:
                        run.record_aborted(frame, aborted_event, cancelled)
                        raise
                continue
            catcher = policy.catcher_for(error)
            if catcher is None:
                raise
            run.decisions.append(Decision("catch", node.name, policy.catchers.index(catcher), error.error))
            output, assigned = catcher.handle(frame, raw_input, error)
            node.exit(frame, output, assigned)
            return output, catcher.next_state
        node.exit(frame, output, assigned)
        return output, node.next_state
