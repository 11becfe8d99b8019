"""What an execution did in each state, read from its history, for ``asl graph --execution``.

Each visit of a state (one ``*StateEntered``) ends one of three ways, as far as a drawing cares:

* **caught**: its latest event before ``*StateExited`` is a failure (``TaskFailed``,
  ``ParallelStateFailed``...): a Catcher took the error and the state exited to its ``Next``;
* **failed**: a Fail state; or a visit that never exited after a failure of its own, or whose event
  the ``ExecutionFailed`` follows (a Pass state whose path matched nothing fails with no event of
  its own);
* **entered**: anything else: it succeeded (perhaps after retries), or was stopped with its branch.

A state entered several times gets its count, and the worst of its visits' outcomes.
"""

from __future__ import annotations

from collections.abc import Sequence

from asl_engine.cli.render.events import EventView, StepTracker, Visit
from asl_engine.definition.render import CAUGHT, ENTERED, FAILED, StateMark

_FAILURES = ("Failed", "TimedOut")
_RANK = {ENTERED: 0, CAUGHT: 1, FAILED: 2}


def state_marks(events: Sequence[EventView]) -> dict[str, StateMark]:
    """Marks by state name, in the order the states were first entered."""
    tracker = StepTracker()
    visits: list[Visit] = []
    latest: dict[int, str] = {}
    exited: set[int] = set()
    failed_execution_at: int | None = None
    for event in events:
        visit = tracker.add(event)
        if event.type == "ExecutionFailed":
            failed_execution_at = event.previous_id
        if visit is None:
            continue
        if event.type.endswith("StateEntered"):
            visits.append(visit)
        elif event.type.endswith("StateExited"):
            exited.add(id(visit))
        else:
            latest[id(visit)] = event.type
    culprit = tracker.visit_of(failed_execution_at) if failed_execution_at is not None else None
    marks: dict[str, StateMark] = {}
    for visit in visits:
        failure = latest.get(id(visit), "").endswith(_FAILURES)
        if visit.kind == "Fail" or (id(visit) not in exited and (failure or visit is culprit)):
            outcome = FAILED
        elif id(visit) in exited and failure:
            outcome = CAUGHT
        else:
            outcome = ENTERED
        earlier = marks.get(visit.name)
        if earlier is None:
            marks[visit.name] = StateMark(1, outcome)
        else:
            worst = max(earlier.outcome, outcome, key=_RANK.__getitem__)
            marks[visit.name] = StateMark(earlier.entered + 1, worst)
    return marks
