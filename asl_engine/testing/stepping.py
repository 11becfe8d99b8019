"""A scheduler a test drives step by step from its own thread.

The stepping primitives (``run_until_idle``, ``next_timer_at``, ``external_work``,
``wait_for_posted``) are part of the engine's ``Scheduler``; this name is kept for the environment.
"""

from __future__ import annotations

from asl_engine.runtime.scheduler import Scheduler


class SteppingScheduler(Scheduler):
    """A ``Scheduler`` that is never attached to the clock: the test environment moves time itself."""
