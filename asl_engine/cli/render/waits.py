"""What the definition says about waiting: the deadlines of Wait states written in it."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from asl_engine.definition.pointers import resolve
from asl_engine.language.timestamps import parse_timestamp

if TYPE_CHECKING:
    from asl_engine.machine import StateMachine


WaitDeadline = Callable[[str, float], "float | None"]
"""(Wait state name, when it was entered) -> when it ends, if the definition fixes it."""


def static_wait_deadlines(machine: StateMachine) -> WaitDeadline:
    """Deadlines of the Wait states whose ``Seconds`` or ``Timestamp`` is written in the definition.

    Those need no engine internals and stay exact when several Waits run side by side; a Wait
    computed at run time (``SecondsPath``, JSONata) falls back on the execution's next timer.
    """
    fixed: dict[str, tuple[bool, float]] = {}
    for name, node in machine.compiled.all_states.items():
        if node.state_type != "Wait":
            continue
        try:
            spec = resolve(machine.definition, node.pointer)
        except (LookupError, ValueError):
            continue
        seconds, timestamp = spec.get("Seconds"), spec.get("Timestamp")
        if isinstance(seconds, int) and not isinstance(seconds, bool):
            fixed[name] = (True, float(seconds))
        elif (instant := parse_timestamp(timestamp)) is not None:
            fixed[name] = (False, instant.epoch)

    def deadline(name: str, entered_at: float) -> float | None:
        found = fixed.get(name)
        if found is None:
            return None
        relative, value = found
        return entered_at + value if relative else value

    return deadline
