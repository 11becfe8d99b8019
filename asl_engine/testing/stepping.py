"""A scheduler a test drives step by step from its own thread.

``Scheduler.run_until`` runs one execution to an end, skipping virtual time whenever its work waits
on timers. A test environment needs finer control: run every execution until nothing more can
happen *at the current instant*, then decide whether time moves (``advance``), moves to the next
timer, or skips freely while the test waits for a result. Driving from the test's thread keeps
every interleaving deterministic: there is no other thread to race with (except worker threads a
handler starts on purpose, whose results arrive through ``post``).
"""

from __future__ import annotations

from asl_engine.runtime.scheduler import Scheduler


class SteppingScheduler(Scheduler):
    """A ``Scheduler`` with the primitives a test environment steps time with."""

    def run_until_idle(self) -> None:
        """Run everything that can run at the current time; never moves time, never blocks."""
        while True:
            if self._posted:
                self._drain_posted()
            self._run_ready()
            self._fire_due_timers()
            if not self._ready and not self._posted:
                return

    def next_timer_at(self) -> float | None:
        """When the earliest pending timer is due (epoch seconds), or None when none is pending."""
        return self._next_timer()

    @property
    def external_work(self) -> int:
        """Outstanding work outside the scheduler: open task tokens and worker threads."""
        with self._condition:
            return self._external

    def wait_for_posted(self, timeout: float) -> bool:
        """Block (real time) until another thread posts work; False when ``timeout`` passed first."""
        with self._condition:
            if self._posted:
                return True
            return self._condition.wait_for(lambda: bool(self._posted), timeout)
