"""An execution's states run by plain calls, while it never suspends (issue 20's fixed cost).

``StateMachine.execute`` without ``clock=`` or ``TimeoutSeconds`` runs an execution alone on a
virtual clock of its own (``Scheduler.drive_alone``): a timer is a jump of the clock, a checkpoint's
pause goes on at once, as long as nothing else exists. Such an execution often never suspends at
all: its Tasks are answered at once (mocks, functions), its retries and Waits are clock jumps. The
coroutines it is written as (``main``, ``run_scope``, the retry loop) then only cost their making
and stepping. Here the same states run as plain calls: the state loop (``run_states``) for what
never suspends, and a blocking state's ``run_directly`` (Task, Wait) for the rest, which does what
its ``run_async`` does as long as nothing suspends for real.

At the first thing that would suspend (an awaitable answer, a token, a timer or pause while
something else exists, a Map or a Parallel), the direct path hands over: it returns the coroutine
that goes on from exactly there (``_rest``), which ``ExecutionRun.main`` awaits, and ``drive_alone``
drives from then on as it would have driven ``main`` at that point. Nothing has been recorded twice
or skipped: the hand-over happens where the coroutine path would have handed its request up.
``tests/runtime/test_direct_execution.py`` compares both paths, history for history.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from types import CoroutineType
from typing import TYPE_CHECKING, Any

from asl_engine.runtime.interpreter import run_scope, run_states

if TYPE_CHECKING:
    from asl_engine.runtime.compiler import CompiledScope
    from asl_engine.runtime.frame import Frame
    from asl_engine.runtime.states.base import Transition

DirectStep = Callable[["Frame", Any], "Transition | Coroutine[Any, Any, Transition]"]
"""A blocking state's ``run_directly``: its transition, or the coroutine that finishes the state on
the general path (not started yet) when it would suspend."""


def run_scope_directly(scope: CompiledScope, frame: Frame, value: Any) -> Any:
    """``run_scope`` from StartAt as plain calls: the scope's output, or, at the first thing that would
    suspend, the coroutine (not started yet) that runs the rest of the scope and returns its output."""
    run = frame.run
    name: str | None = scope.start_at
    checked = False
    while True:
        # The state loop runs a Task's or a Wait's ``run_directly`` itself (``direct``).
        value, name, entered = run_states(scope, frame, value, name, checked, True)
        checked = False
        if entered is not None:
            stopped: Any = entered
            if type(stopped) is CoroutineType:  # the rest of a Task or a Wait that would suspend
                return _rest(scope, frame, value, None, stopped)
            # A Map or a Parallel: their branches and iterations are the scheduler's.
            return _rest(scope, frame, value, None, entered.run_async(frame, value))
        elif name is None:
            return value
        else:
            run.check_transitions()
            if not run.jump_alone(0.0):  # the checkpoint's pause would suspend
                return _rest(scope, frame, value, name, None)
            checked = True


async def _rest(
    scope: CompiledScope, frame: Frame, value: Any, name: str | None, pending: Awaitable[Transition] | None
) -> Any:
    """The rest of ``scope`` on the general path: after ``pending`` (the state being run), or, without
    it, from ``name`` after the checkpoint's pause."""
    checked = False
    if pending is not None:
        value, name = await pending
        if name is None:
            return value
    else:
        await frame.run.scheduler.pause()
        checked = True
    return await run_scope(scope, frame, value, name, checked)
