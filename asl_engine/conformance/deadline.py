"""A wall-clock limit per case, so that one hanging case never stops the run.

In the main thread a real-time interval timer interrupts the case where it is (the engine runs in
this process, as the brief asks: no pickling, no process start-up per case). Elsewhere (a test
runner's worker thread, an embedding application) the case runs in a daemon thread that is
abandoned if it overruns; its result is then ignored.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from types import FrameType
from typing import TypeVar

T = TypeVar("T")


class CaseTimeout(BaseException):
    """Raised into a case that overran; a BaseException so that the engine's handlers let it pass."""


def call_with_deadline(function: Callable[[], T], seconds: float) -> T:
    """``function()``, or CaseTimeout once ``seconds`` of wall-clock time have passed."""
    if seconds <= 0:
        return function()
    if threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer"):
        return _with_interval_timer(function, seconds)
    return _with_watchdog_thread(function, seconds)


def _with_interval_timer(function: Callable[[], T], seconds: float) -> T:
    def expire(signum: int, frame: FrameType | None) -> None:
        raise CaseTimeout(seconds)

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return function()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _with_watchdog_thread(function: Callable[[], T], seconds: float) -> T:
    outcome: list[T] = []
    failure: list[BaseException] = []

    def work() -> None:
        try:
            outcome.append(function())
        except BaseException as error:
            failure.append(error)

    worker = threading.Thread(target=work, name="conformance-case", daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise CaseTimeout(seconds)
    if failure:
        raise failure[0]
    return outcome[0]
