"""What an execution did in each state, read from its history as GetExecutionHistory returns it.

The console colours a state by the outcome of the visits the execution made to it. The rules, per
visit (one ``*StateEntered``; the events between it and its ``*StateExited`` are attributed to it by
``runtime.visits.StepTracker``, which follows ``previousEventId`` through interleaved branches):

* **failed**: a Fail state; or a visit that did not exit and whose latest event of its own is a
  failure (``TaskFailed``, ``TaskTimedOut``, ``ParallelStateFailed``...), or that the
  ``ExecutionFailed`` follows (a Pass state whose path matched nothing fails with no event of its own);
* **caught**: the visit exited and its latest event before the exit is a failure: a Catcher took it;
* **retried**: the visit exited normally after one or more failures (a Retrier ran it again);
* **succeeded**: the visit exited with no failure;
* **running**: the visit has not exited, nothing ended it, and the execution is still running;
* **cancelled**: the visit never exited because something else ended it: the execution stopped, timed
  out or failed elsewhere, or the Parallel or Map it runs in ended (a sibling branch failed);
* a redrive (``ExecutionRedriven``) takes the visits left open up again, without entering them anew:
  they are running again, and what ended the execution before no longer counts;
* **not reached**: the state has no visit (it is absent from the result).

A state entered more than once gets the count and one outcome: ``running`` if any visit is running,
otherwise the worst of its visits (failed, cancelled, caught, retried, succeeded, in that order); the
count of each outcome is kept for the page's tooltip. ``map iterations`` and child executions of a
Distributed Map are not states of this history: the page shows them from ListMapRuns.

``pending_callbacks`` lists the running visits waiting for a task token (``.waitForTaskToken``), with
the strings found in the task's parameters under a key naming a token: the page offers them for
SendTaskSuccess and SendTaskFailure.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from asl_engine.runtime.visits import EventView, StepTracker, Visit, is_failure

SUCCEEDED, FAILED, CAUGHT, RETRIED, RUNNING, CANCELLED = (
    "succeeded",
    "failed",
    "caught",
    "retried",
    "running",
    "cancelled",
)
OUTCOMES = (SUCCEEDED, FAILED, CAUGHT, RETRIED, RUNNING, CANCELLED)
_WORST_FIRST = (RUNNING, FAILED, CANCELLED, CAUGHT, RETRIED, SUCCEEDED)
_EXECUTION_ENDS = ("ExecutionSucceeded", "ExecutionFailed", "ExecutionAborted", "ExecutionTimedOut")
_WAITS_FOR_TOKEN = ".waitForTaskToken"
_WHILE_WAITING = frozenset({"TaskStarted", "TaskSubmitted"})


@dataclass(slots=True)
class StateOutcome:
    """One state's visits: how often it was entered, its outcome, each outcome's count and how many
    failures its Retriers took (``retries``)."""

    entered: int = 0
    outcome: str = SUCCEEDED
    counts: dict[str, int] = field(default_factory=dict)
    retries: int = 0

    def to_json(self) -> dict[str, Any]:
        return {"entered": self.entered, "outcome": self.outcome, "counts": self.counts, "retries": self.retries}


@dataclass(frozen=True, slots=True)
class PendingCallback:
    """A running Task waiting for ``SendTaskSuccess``/``SendTaskFailure`` with its token."""

    state: str
    resource: str
    scheduled_event_id: int
    token_candidates: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "resource": self.resource,
            "scheduledEventId": self.scheduled_event_id,
            "tokenCandidates": list(self.token_candidates),
        }


@dataclass(eq=False, slots=True)
class _VisitRecord:
    visit: Visit
    entered_index: int
    entered_id: int
    own: list[EventView] = field(default_factory=list)
    exited: bool = False


def event_views(events: Iterable[Mapping[str, Any]]) -> list[EventView]:
    """GetExecutionHistory's events (botocore's JSON shape, timestamps as epoch seconds or datetimes)
    as the history readers see them. Payload fields stay JSON text: the rules need only names and
    types, and the page pretty-prints the text itself."""
    views = []
    for raw in events:
        details: Mapping[str, Any] = {}
        for key, value in raw.items():
            if key.endswith("EventDetails") and isinstance(value, Mapping):
                details = value
                break
        stamp = raw.get("timestamp")
        epoch = stamp.timestamp() if isinstance(stamp, datetime) else float(stamp or 0)
        views.append(EventView(int(raw["id"]), int(raw.get("previousEventId") or 0), epoch, str(raw["type"]), details))
    return views


class ExecutionReading:
    """The outcome of every state an execution entered, and its pending callbacks."""

    def __init__(self, events: Sequence[EventView]) -> None:
        tracker = StepTracker()
        records: dict[int, _VisitRecord] = {}
        order: list[_VisitRecord] = []
        final_end: int | None = None  # the index of the event that ended the execution, unless redriven since
        culprit: Visit | None = None
        self.steps: dict[int, str] = {}
        """The state each event belongs to, by event id (execution-level events have none)."""
        for index, event in enumerate(events):
            visit = tracker.add(event)
            if visit is not None:
                self.steps[event.id] = visit.name
            if event.type in _EXECUTION_ENDS:
                final_end = index
                culprit = tracker.visit_of(event.previous_id) if event.type == "ExecutionFailed" else None
            elif event.type == "ExecutionRedriven":
                final_end, culprit = None, None  # the visits left open go on
            if visit is None:
                continue
            if event.type.endswith("StateEntered"):
                record = _VisitRecord(visit, index, event.id)
                records[id(visit)] = record
                order.append(record)
            else:
                record = records[id(visit)]
                if event.type.endswith("StateExited"):
                    record.exited = True
                else:
                    record.own.append(event)
        self._records = order
        self._outcome_of: dict[int, str] = {}
        self._final_end = final_end
        self._culprit = culprit
        self.states: dict[str, StateOutcome] = {}
        for record in order:
            outcome = self._outcome(record, records)
            state = self.states.setdefault(record.visit.name, StateOutcome())
            state.entered += 1
            state.counts[outcome] = state.counts.get(outcome, 0) + 1
            state.retries += _retried_failures(record, outcome)
        for state in self.states.values():
            state.outcome = next(outcome for outcome in _WORST_FIRST if outcome in state.counts)
        self.pending_callbacks: list[PendingCallback] = [
            callback for record in order if (callback := self._pending(record)) is not None
        ]
        self.map_iterations = [runs for record in order if (runs := _iterations(record)) is not None]

    def _outcome(self, record: _VisitRecord, records: Mapping[int, _VisitRecord]) -> str:
        known = self._outcome_of.get(id(record))
        if known is not None:
            return known
        outcome = self._decide(record, records)
        self._outcome_of[id(record)] = outcome
        return outcome

    def _decide(self, record: _VisitRecord, records: Mapping[int, _VisitRecord]) -> str:
        visit = record.visit
        latest_failed = bool(record.own) and _is_own_failure(record.own[-1].type)
        failures = sum(1 for event in record.own if _is_own_failure(event.type))
        if visit.kind == "Fail":
            return FAILED
        if record.exited:
            if latest_failed:
                return CAUGHT
            return RETRIED if failures else SUCCEEDED
        if latest_failed or visit is self._culprit:
            return FAILED
        if self._final_end is not None and self._final_end > record.entered_index:
            return CANCELLED
        parent = records.get(id(visit.parent)) if visit.parent is not None else None
        if parent is not None and self._outcome(parent, records) != RUNNING:
            return CANCELLED  # its Parallel or Map ended (a sibling failed, a Catcher took over)
        return RUNNING

    def _pending(self, record: _VisitRecord) -> PendingCallback | None:
        if record.visit.kind != "Task" or self._outcome_of.get(id(record)) != RUNNING:
            return None
        scheduled = next((event for event in reversed(record.own) if event.type == "TaskScheduled"), None)
        if scheduled is None:
            return None
        resource = str(scheduled.details.get("resource", ""))
        if not resource.endswith(_WAITS_FOR_TOKEN):
            return None
        if any(event.id > scheduled.id and event.type not in _WHILE_WAITING for event in record.own):
            return None  # answered, or failed and about to be retried
        resource_type = scheduled.details.get("resourceType")
        shown = f"{resource_type}:{resource}" if resource_type else resource
        return PendingCallback(record.visit.name, shown, scheduled.id, tuple(_token_candidates(scheduled)))

    def to_json(self) -> dict[str, Any]:
        return {
            "states": {name: state.to_json() for name, state in self.states.items()},
            "pendingCallbacks": [callback.to_json() for callback in self.pending_callbacks],
            "mapIterations": self.map_iterations,
        }


def _is_own_failure(event_type: str) -> bool:
    """A failure of the visit itself: an iteration's failure is the Map's business, not yet its own."""
    return is_failure(event_type) and not event_type.startswith("MapIteration")


def _retried_failures(record: _VisitRecord, outcome: str) -> int:
    failures = sum(1 for event in record.own if _is_own_failure(event.type))
    return failures - 1 if outcome in (CAUGHT, FAILED) and failures else failures


_ITERATION_STATUS = {
    "MapIterationStarted": "RUNNING",
    "MapIterationSucceeded": "SUCCEEDED",
    "MapIterationFailed": "FAILED",
    "MapIterationAborted": "ABORTED",
}


def _iterations(record: _VisitRecord) -> dict[str, Any] | None:
    """An inline Map visit's iterations by index, each with its latest status (MapIteration* events)."""
    if record.visit.kind != "Map":
        return None
    status: dict[int, str] = {}
    for event in record.own:
        found = _ITERATION_STATUS.get(event.type)
        index = event.details.get("index")
        if found is not None and isinstance(index, int):
            status[index] = found
    if not status:
        return None
    return {
        "state": record.visit.name,
        "enteredEventId": record.entered_id,
        "iterations": [{"index": index, "status": status[index]} for index in sorted(status)],
    }


def _token_candidates(scheduled: EventView) -> list[str]:
    """String values under keys that name a token (``TaskToken``, ``taskToken``, ``token``...) in the
    task's parameters, which AWS records as JSON text."""
    parameters = scheduled.details.get("parameters")
    if isinstance(parameters, str):
        try:
            parameters = json.loads(parameters)
        except ValueError:
            return []
    found: list[str] = []

    def walk(value: Any, key: str | None) -> None:
        if isinstance(value, Mapping):
            for name, item in value.items():
                walk(item, str(name))
        elif isinstance(value, list):
            for item in value:
                walk(item, key)
        elif isinstance(value, str) and key is not None and "token" in key.lower() and value not in found:
            found.append(value)

    walk(parameters, None)
    return found


def read_execution(events: Iterable[Mapping[str, Any]]) -> ExecutionReading:
    """The outcomes of a GetExecutionHistory's events (all pages, oldest first)."""
    return ExecutionReading(event_views(events))
