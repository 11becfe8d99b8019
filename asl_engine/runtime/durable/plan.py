"""Which recorded rows a replay must reproduce, and what a redrive runs again.

A plain resume reproduces every row, in order. A redriven execution is more work: its journal is
made of *segments*, the rows of each attempt, separated by ``ExecutionRedriven`` events. At the
end of a segment the execution had failed (or timed out, or been stopped) while some state visits
were still unfinished; the redrive runs those visits again from their entry, with fresh retry
counters, and keeps everything else (AWS: "Step Functions preserves the results and execution
history of the successful steps"; a Map re-runs its failed or unfinished iterations, a Parallel
its failed or unfinished branches).

The visits run again are found from the recorded events alone. Every event row names the state
visit that recorded it (the id of its StateEntered event), and a visit's StateEntered event names
its enclosing Map iteration or Parallel branch through its ``previousEventId``. A visit is *live*
at the end of a segment when it has no StateExited event, and its enclosing Map or Parallel is
live and still in the attempt that started it (a failure caught or retried by an enclosing state
closes the attempt). The deepest live visits (live, with no live visit inside them) are the ones
run again; the replay holds each at its entry (a *gate*) until the redrive that releases it.

Rows those visits recorded after their entry, the failures that travelled up from them (a Map
iteration failing, a Parallel failing, the aborts a Map or Parallel records for the state that failed
and for its siblings) and the execution's final event did not happen in the run being replayed:
they are *dead*. The replay puts them into the history as recorded, without the engine producing
them, and drops the inputs meant for them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from asl_engine.runtime.durable.journal import EventRow, Input, Key, MarkRow, Row
from asl_engine.runtime.history import EXECUTION_END_EVENTS

REDRIVEN = "ExecutionRedriven"
TERMINAL_EVENTS = EXECUTION_END_EVENTS
_COMPOUND_ENTERED = frozenset({"MapStateEntered", "ParallelStateEntered"})
_SCOPE_STARTS = frozenset({"MapIterationStarted", "ParallelStateStarted"})
_ATTEMPT_STARTS = frozenset({"MapStateStarted", "ParallelStateStarted"})
_PROPAGATION = frozenset(
    {
        "MapIterationFailed",
        "MapIterationAborted",
        "MapStateFailed",
        "MapStateAborted",
        "ParallelStateFailed",
        "ParallelStateAborted",
    }
)

VisitKey = tuple[int, int]
"""(stream, id of the visit's StateEntered event)."""


@dataclass(slots=True)
class ReplayPlan:
    """The rows a replay walks through, in order: ``(kind, row)`` with kind "event" (reproduce it),
    "dead" (put it in the history as recorded), "turn", "outcome" or "redriven" (a boundary)."""

    entries: list[tuple[str, Row]] = field(default_factory=list)
    outcomes: dict[Key, str] = field(default_factory=dict)
    """Invocations whose outcome the replay delivers: "inline" (an outcome row) or "posted" (a turn's input)."""
    gates: dict[VisitKey, int] = field(default_factory=dict)
    """Visits held at their entry, each until the redrive boundary of that index."""
    boundaries: int = 0
    """``ExecutionRedriven`` events recorded."""
    pending_redrive: bool = False
    """A redrive was asked for and has not been recorded yet: it happens when the replay ends."""
    first_segment_closed: bool = False
    """The first attempt ended (the execution's TimeoutSeconds must not fire while replaying it)."""


@dataclass(slots=True)
class _Visit:
    stream: int
    entered: int
    segment: int
    compound: bool
    parent: int
    attempt: int
    exited_segment: int | None = None


def plan_replay(rows: Sequence[Row], *, pending_redrive: bool = False) -> ReplayPlan:
    """The plan for replaying ``rows`` (the journal, in order); ``pending_redrive`` when a redrive
    was asked for beyond the ``ExecutionRedriven`` events already recorded."""
    segments = _segments(rows)
    boundaries = max(segments, default=0)
    closed = boundaries + (1 if pending_redrive else 0)
    plan = ReplayPlan(boundaries=boundaries, pending_redrive=pending_redrive, first_segment_closed=closed > 0)
    if closed == 0:
        for row in rows:
            kind = "event" if isinstance(row, EventRow) else row.kind
            plan.entries.append((kind, row))
            _note_outcomes(plan, row, None)
        return plan
    analysis = _Analysis(rows, segments, closed)
    plan.gates = analysis.gates
    dead_keys: set[Key] = set()
    for row, segment in zip(rows, segments, strict=True):
        if isinstance(row, EventRow):
            if row.type == REDRIVEN and row.stream == 0:
                plan.entries.append(("redriven", row))
            elif analysis.is_dead(row, segment):
                plan.entries.append(("dead", row))
                if row.type.endswith("Scheduled"):
                    dead_keys.add((row.stream, row.event_id))
            else:
                plan.entries.append(("event", row))
            continue
        in_closed_segment = segment < closed
        if row.kind in ("outcome", "launch"):
            if _key(row.data) in dead_keys:
                continue
            plan.entries.append((row.kind, row))
        else:
            inputs = [item for item in row.data.get("inputs", ()) if _alive_input(item, dead_keys, in_closed_segment)]
            row = MarkRow(row.kind, {**row.data, "inputs": inputs})
            plan.entries.append((row.kind, row))
        _note_outcomes(plan, row, dead_keys)
    return plan


def _segments(rows: Sequence[Row]) -> list[int]:
    """The segment of each row: the number of ``ExecutionRedriven`` events before it (the boundary
    itself belongs to the segment it opens)."""
    segment = 0
    result = []
    for row in rows:
        if isinstance(row, EventRow) and row.type == REDRIVEN and row.stream == 0:
            segment += 1
        result.append(segment)
    return result


def _key(data: dict[str, Any]) -> Key:
    stream, event_id = data["key"]
    return int(stream), int(event_id)


def _alive_input(item: Input, dead_keys: set[Key], in_closed_segment: bool) -> bool:
    if item["kind"] == "stop":
        return not in_closed_segment  # a stop ended its attempt; a redrive starts a new one
    return "key" not in item or _key(item) not in dead_keys


def _note_outcomes(plan: ReplayPlan, row: Row, dead_keys: set[Key] | None) -> None:
    if not isinstance(row, MarkRow):
        return
    if row.kind == "outcome":
        plan.outcomes[_key(row.data)] = "inline"
    elif row.kind == "turn":
        for item in row.data.get("inputs", ()):
            if item["kind"] == "outcome":
                plan.outcomes[_key(item)] = "posted"


class _Analysis:
    """The visits of a journal, and which ones each closed segment left unfinished."""

    def __init__(self, rows: Sequence[Row], segments: list[int], closed: int) -> None:
        self.events: dict[tuple[int, int], EventRow] = {}
        self.visits: dict[VisitKey, _Visit] = {}
        self.attempts: dict[VisitKey, list[tuple[int, int]]] = {}
        """Each Map/Parallel visit's attempts: (segment, id of its MapStateStarted/ParallelStateStarted)."""
        self.segment_of: dict[tuple[int, int], int] = {}
        for row, segment in zip(rows, segments, strict=True):
            if isinstance(row, EventRow):
                self._take(row, segment)
        self.gates: dict[VisitKey, int] = {}
        self.live: list[set[VisitKey]] = []
        for k in range(closed):
            live = self._live_at_end(k)
            self.live.append(live)
            with_live_child = {(key[0], self.visits[key].parent) for key in live}
            for key in live:
                if key not in with_live_child:
                    self.gates[key] = k
        self._gate_above: dict[VisitKey, int] = {}

    def _take(self, row: EventRow, segment: int) -> None:
        key = (row.stream, row.event_id)
        self.events[key] = row
        self.segment_of[key] = segment
        if row.type.endswith("StateEntered"):
            parent, attempt = self._scope_of(row)
            self.visits[key] = _Visit(row.stream, row.event_id, segment, row.type in _COMPOUND_ENTERED, parent, attempt)
        elif row.type.endswith("StateExited"):
            visit = self.visits.get((row.stream, row.visit))
            if visit is not None and visit.exited_segment is None:
                visit.exited_segment = segment
        elif row.type in _ATTEMPT_STARTS:
            self.attempts.setdefault((row.stream, row.visit), []).append((segment, row.event_id))

    def _scope_of(self, entered: EventRow) -> tuple[int, int]:
        """(enclosing Map/Parallel visit, id of the attempt event that opened its scope), (0, 0) at top level."""
        previous = self.events.get((entered.stream, entered.previous_id))
        if previous is None:
            return 0, 0
        if previous.type in _SCOPE_STARTS:
            return previous.visit, self._attempt_of_scope_start(previous)
        visit = self.visits.get((previous.stream, self.visit_of(previous)))
        return (visit.parent, visit.attempt) if visit is not None else (0, 0)

    def _attempt_of_scope_start(self, start: EventRow) -> int:
        if start.type == "ParallelStateStarted":
            return start.event_id
        before = self.events.get((start.stream, start.previous_id))  # MapIterationStarted
        if before is None or before.type == "MapStateStarted":
            return start.previous_id
        visit = self.visits.get((before.stream, self.visit_of(before)))  # the last event of an earlier iteration
        return visit.attempt if visit is not None else start.previous_id

    @staticmethod
    def visit_of(row: EventRow) -> int:
        return row.event_id if row.type.endswith("StateEntered") else row.visit

    def _latest_attempt(self, key: VisitKey, k: int) -> int | None:
        latest = None
        for segment, attempt in self.attempts.get(key, ()):
            if segment <= k:
                latest = attempt
        return latest

    def _live_at_end(self, k: int) -> set[VisitKey]:
        memo: dict[VisitKey, bool] = {}

        def live(key: VisitKey) -> bool:
            known = memo.get(key)
            if known is not None:
                return known
            visit = self.visits[key]
            result = visit.segment <= k and (visit.exited_segment is None or visit.exited_segment > k)
            if result and visit.parent:
                parent = (visit.stream, visit.parent)
                result = parent in self.visits and live(parent) and visit.attempt == self._latest_attempt(parent, k)
            memo[key] = result
            return result

        return {key for key in self.visits if live(key)}

    def _gate_over(self, key: VisitKey) -> int:
        """The latest boundary any visit enclosing ``key`` (or ``key`` itself) is held until; -1 for none."""
        known = self._gate_above.get(key)
        if known is not None:
            return known
        visit = self.visits.get(key)
        if visit is None:
            return -1
        gate = self.gates.get(key, -1)
        if visit.parent:
            gate = max(gate, self._gate_over((visit.stream, visit.parent)))
        self._gate_above[key] = gate
        return gate

    def is_dead(self, row: EventRow, segment: int) -> bool:
        if row.stream == 0 and row.type in TERMINAL_EVENTS:
            return segment < len(self.live)
        visit_id = self.visit_of(row)
        if not visit_id:
            return False
        key = (row.stream, visit_id)
        visit = self.visits.get(key)
        if visit is None:
            return False
        if row.type.endswith("StateEntered"):
            # A held visit's own entry is reproduced; it is dead only inside an enclosing held visit.
            gate = self._gate_over((row.stream, visit.parent)) if visit.parent else -1
        else:
            gate = self._gate_over(key)
        if gate >= segment:
            return True
        propagating = row.type in _PROPAGATION or row.type.endswith("StateAborted")
        if propagating and segment < len(self.live) and key in self.live[segment]:
            latest = self._latest_attempt(key, segment)
            return latest is not None and row.event_id > latest
        return False
