"""Execution observers: a hook for tools that watch every execution (test coverage, tracing).

The interpreter never looks at this; ``StateMachine.execute`` and ``ExecutionHandle`` notify the
observers once an execution has finished. Observers must not raise; whatever they raise is
swallowed so that a faulty tool never changes an execution's outcome.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from asl_engine.execution import Execution
    from asl_engine.runtime.starter import StartableMachine

Observer = Callable[["StartableMachine", "Execution"], None]
"""Called with the machine (a ``StateMachine``) and the execution that finished."""

_lock = threading.Lock()
OBSERVERS: list[Observer] = []


def add_observer(observer: Observer) -> None:
    with _lock:
        OBSERVERS.append(observer)


def remove_observer(observer: Observer) -> None:
    with _lock:
        if observer in OBSERVERS:
            OBSERVERS.remove(observer)


def notify_finished(machine: StartableMachine, execution: Execution) -> None:
    if not OBSERVERS:  # most programs have none: no lock taken, no copy made
        return
    with _lock:
        observers = list(OBSERVERS)
    for observer in observers:
        # A faulty observer must not change an execution's outcome.
        with contextlib.suppress(Exception):
            observer(machine, execution)
