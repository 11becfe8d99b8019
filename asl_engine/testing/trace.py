"""An execution's history read back as state visits: what assertions and coverage reason about.

A history is a flat list of events linked by ``previousEventId``; Parallel branches and Map
iterations interleave in it. This module rebuilds, from those links alone, one ``StateVisit`` per
``*StateEntered`` event: which Parallel or Map visit encloses it, its attempts (a retry shows as a
new ``*Scheduled``/``*StateStarted`` event linked to the failure that ended the previous attempt),
how it ended (normally or caught) and which state followed. Nothing here looks inside the engine,
so it works on any recorded execution.

What the history cannot say is recovered from the definition: the error behind a Parallel or Map
failure (the failing branch's own event), the Retrier and Catcher that handled an error (the first
whose ``ErrorEquals`` covers it, as AWS picks them) and the Choice rule taken (the rules whose
``Next`` is the state that followed; ambiguous when several rules share it).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from asl_engine.definition.pointers import resolve
from asl_engine.errors import StatesError
from asl_engine.runtime.failures import error_matches
from asl_engine.runtime.history import HistoryEvent
from asl_engine.runtime.states.choice import ChoiceState

if TYPE_CHECKING:
    from asl_engine.execution import Execution
    from asl_engine.runtime.compiler import CompiledMachine
    from asl_engine.runtime.retry import RetryPolicy

_ATTEMPT_STARTS = (
    "LambdaFunctionScheduled",
    "TaskScheduled",
    "ActivityScheduled",
    "ParallelStateStarted",
    "MapStateStarted",
)
_BRANCH_FAILURES = ("ParallelStateFailed", "MapStateFailed")
_FAILURES_CAUSED_ELSEWHERE = (*_BRANCH_FAILURES, "MapIterationFailed")
"""Failure events without an error of their own: they follow the event of the failure that caused them."""
DEFAULT_RULE = "Default"


class _Unknown:
    """The error of a failure the history does not name (distinct from a failure with no error)."""

    def __repr__(self) -> str:
        return "<unknown error>"


UNKNOWN = _Unknown()
ErrorName = str | None | _Unknown


def is_failure(event_type: str) -> bool:
    return event_type.endswith(("Failed", "TimedOut"))


def _kind(event_type: str) -> str | None:
    """The state type whose own bookkeeping events these are (``ParallelStateStarted`` -> Parallel)."""
    if event_type.startswith("ParallelState"):
        return "Parallel"
    if event_type.startswith(("MapState", "MapIteration", "MapRun")):
        return "Map"
    return None


@dataclass(eq=False)
class StateVisit:
    """One entry into a state, from ``*StateEntered`` to ``*StateExited`` (or to where it stopped)."""

    name: str
    state_type: str
    entered: HistoryEvent
    parent: StateVisit | None
    """The Parallel or Map visit whose branch or iteration this visit runs in (None at the top level)."""
    iteration: int | None
    """The Map iteration index this visit belongs to, for states directly inside a Map."""
    attempt_errors: list[ErrorName] = field(default_factory=list)
    """The error of every attempt that failed and was retried, in order."""
    attempts: int = 0
    exited: HistoryEvent | None = None
    caught: bool = False
    caught_error: ErrorName = None
    failure: ErrorName = None
    """The error that ended the last attempt, when it failed (caught or not)."""
    failed: bool = False
    """A Parallel or Map visit that recorded ``*StateFailed`` (AWS records it only for a final failure)."""
    next_visit: StateVisit | None = None

    @property
    def retries(self) -> int:
        return len(self.attempt_errors)

    @property
    def input(self) -> Any:
        return (self.entered.details or {}).get("input")

    @property
    def output(self) -> Any:
        return None if self.exited is None else (self.exited.details or {}).get("output")

    @property
    def next_state(self) -> str | None:
        return None if self.next_visit is None else self.next_visit.name

    @property
    def depth(self) -> int:
        depth, parent = 0, self.parent
        while parent is not None:
            depth, parent = depth + 1, parent.parent
        return depth


class ExecutionTrace:
    """The visits of one execution, in the order they were entered, with their definition."""

    def __init__(self, events: Sequence[HistoryEvent], machine: CompiledMachine | None) -> None:
        self.events = events
        self.machine = machine
        self._by_id = {event.id: event for event in events}
        self.visits: list[StateVisit] = []
        self._owner: dict[int, StateVisit] = {}
        for event in events:
            self._read(event)
        self._finish()

    @classmethod
    def of(cls, execution: Execution, machine: CompiledMachine | None = None) -> ExecutionTrace:
        from asl_engine.testing import _engine

        return cls(execution.events, machine or _engine.compiled_machine_of(execution))

    # -- queries -----------------------------------------------------------------------------------

    def visits_of(self, state: str) -> list[StateVisit]:
        return [visit for visit in self.visits if visit.name == state]

    def __iter__(self) -> Iterator[StateVisit]:
        return iter(self.visits)

    @cached_property
    def state_names(self) -> list[str]:
        return [visit.name for visit in self.visits]

    # -- building ----------------------------------------------------------------------------------

    def _prev(self, event: HistoryEvent) -> HistoryEvent | None:
        return self._by_id.get(event.previous_event_id)

    def _read(self, event: HistoryEvent) -> None:
        event_type = event.type
        previous = self._prev(event)
        if event_type.startswith("Execution"):
            return
        if event_type.endswith("StateEntered"):
            self._enter(event, previous)
            return
        if event_type.endswith("StateAborted"):
            return  # recorded aside, linked to the failure that aborted it; nothing to attribute
        if event_type == "EvaluationFailed":  # linked to the state's own cause, named in its details
            owner = self._open_visit((event.details or {}).get("state"))
        elif previous is None:
            return
        else:
            owner = self._owner_of(event, previous)
        if owner is None:
            return
        self._owner[event.id] = owner
        if event_type in _BRANCH_FAILURES:
            owner.failed = True
        if event_type in _ATTEMPT_STARTS:
            owner.attempts += 1
            owner.failure = None
            if owner.attempts > 1 and previous is not None:  # a retry follows the failure that ended the last try
                owner.attempt_errors.append(self.error_of(previous))
        elif event_type.endswith("StateExited") and event.state_name == owner.name:
            owner.exited = event
            if previous is not None and is_failure(previous.type) and self._owner.get(previous.id) is owner:
                owner.caught = True
                owner.caught_error = self.error_of(previous)
        if is_failure(event_type) and owner.state_type in ("Task", "Parallel", "Map"):
            owner.failure = self.error_of(event)

    def _enter(self, event: HistoryEvent, previous: HistoryEvent | None) -> None:
        parent: StateVisit | None = None
        iteration: int | None = None
        if previous is not None and previous.type != "ExecutionStarted":
            before = self._owner.get(previous.id)
            if previous.type in ("ParallelStateStarted", "MapIterationStarted"):
                parent = before
                if previous.type == "MapIterationStarted":
                    iteration = (previous.details or {}).get("index")
            elif before is not None:
                parent, iteration = before.parent, before.iteration
        name = (event.details or {}).get("name", "?")
        visit = StateVisit(name, event.type[: -len("StateEntered")], event, parent, iteration)
        if visit.state_type == "Fail":
            visit.failure = self._fail_state_error(name)
        if previous is not None and previous.type.endswith("StateExited"):
            before = self._owner.get(previous.id)
            if before is not None and before.exited is previous:
                before.next_visit = visit
        self.visits.append(visit)
        self._owner[event.id] = visit

    def _owner_of(self, event: HistoryEvent, previous: HistoryEvent) -> StateVisit | None:
        """The visit an event belongs to, from the event it follows (see the module docstring)."""
        owner = self._owner.get(previous.id)
        if owner is None:
            return None
        name = event.state_name
        if name is not None:  # *StateExited, MapIteration*: named after their own state
            while owner is not None and owner.name != name:
                owner = owner.parent
            return owner
        kind = _kind(event.type)
        if kind is None:
            return owner  # a Task's own events follow each other
        if event.type in _ATTEMPT_STARTS and previous is not owner.entered:
            # A retry follows the failure that ended the last attempt (an event of a branch or an
            # iteration, or the state's own EvaluationFailed): the nearest open visit of that kind.
            retrying: StateVisit | None = owner
            while retrying is not None and (retrying.state_type != kind or retrying.failed or retrying.exited):
                retrying = retrying.parent
            return retrying
        if event.type.endswith("Started"):
            return owner  # the first attempt follows Entered; MapRunStarted follows MapStateStarted
        ended = previous.type.endswith("StateExited") or previous.type in _BRANCH_FAILURES
        if owner.state_type == kind and not ended:
            return owner
        # ``previous`` is the last event of a branch or iteration: the event belongs to the
        # nearest enclosing visit of that kind.
        enclosing = owner.parent
        while enclosing is not None and enclosing.state_type != kind:
            enclosing = enclosing.parent
        return enclosing

    def _open_visit(self, name: Any) -> StateVisit | None:
        """The latest visit of state ``name`` that has not ended."""
        for visit in reversed(self.visits):
            if visit.name == name and visit.exited is None and not visit.failed:
                return visit
        return None

    def _finish(self) -> None:
        if self.machine is None:
            return
        for visit in self.visits:
            if visit.exited is None or visit.caught:
                continue
            node = self.machine.all_states.get(visit.name)
            policy: RetryPolicy | None = getattr(node, "policy", None)
            following = visit.next_state
            if node is None or policy is None or following is None or following == node.next_state:
                continue
            # Left for a state its Next does not name: a Catcher took an error the history did not record.
            if any(catcher.next_state == following for catcher in policy.catchers):
                visit.caught = True
                visit.caught_error = UNKNOWN

    # -- errors -------------------------------------------------------------------------------------

    def error_of(self, event: HistoryEvent) -> ErrorName:
        """The error a failure event stands for; UNKNOWN when the history does not name it."""
        seen = 0
        current: HistoryEvent | None = event
        while current is not None and seen < 10_000:
            seen += 1
            details = current.details or {}
            if "error" in details:
                return details["error"]  # type: ignore[no-any-return]
            if current.type.endswith("TimedOut"):
                return "States.Timeout"
            if current.type == "FailStateEntered":
                return self._fail_state_error(details.get("name"))
            if current.type in _FAILURES_CAUSED_ELSEWHERE:
                current = self._prev(current)
                continue
            if is_failure(current.type):
                return None  # a failure reported with no error name (e.g. SendTaskFailure without one)
            return UNKNOWN
        return UNKNOWN

    def _fail_state_error(self, name: str | None) -> ErrorName:
        if self.machine is None or name is None:
            return UNKNOWN
        node = self.machine.all_states.get(name)
        if node is None:
            return UNKNOWN
        try:
            spec = resolve(self.machine.definition, node.pointer)
        except (LookupError, ValueError):
            return UNKNOWN
        error = spec.get("Error") if isinstance(spec, dict) else None
        if isinstance(error, str) and not error.startswith("{%"):
            return error
        if isinstance(spec, dict) and ("Error" in spec or "ErrorPath" in spec):
            return UNKNOWN  # computed at run time: not recorded in the history
        return None

    # -- which Retrier, Catcher, Choice rule ---------------------------------------------------------

    def retriers_used(self, visit: StateVisit) -> list[int | None]:
        """The index of the Retrier behind each retry of ``visit`` (None where it cannot be told)."""
        policy = self._policy(visit.name)
        if policy is None:
            return [None] * visit.retries
        only = 0 if len(policy.retriers) == 1 else None  # a retry happened, so the only Retrier took it
        return [
            only if isinstance(error, _Unknown) else _first_match(policy.retriers, error)
            for error in visit.attempt_errors
        ]

    def catcher_used(self, visit: StateVisit) -> int | None:
        """The index of the Catcher that caught ``visit``'s error (None when not caught or unclear)."""
        if not visit.caught:
            return None
        policy = self._policy(visit.name)
        if policy is None:
            return None
        index = _first_match(policy.catchers, visit.caught_error)
        if index is not None and policy.catchers[index].next_state == visit.next_state:
            return index
        # The error is unknown (or matched a catcher that goes elsewhere): the state that followed decides,
        # when only one Catcher leads there.
        candidates = [i for i, catcher in enumerate(policy.catchers) if catcher.next_state == visit.next_state]
        return candidates[0] if len(candidates) == 1 else None

    def choice_rules_taken(self, visit: StateVisit) -> list[int | str]:
        """The Choice rules (indexes, or ``"Default"``) that lead to the state entered after ``visit``.

        One element when the rule is known; several when rules share that ``Next`` (the history
        cannot tell them apart); none when the Choice did not complete.
        """
        if self.machine is None or visit.exited is None or visit.next_state is None:
            return []
        node = self.machine.all_states.get(visit.name)
        if not isinstance(node, ChoiceState):
            return []
        rules: list[int | str] = [i for i, branch in enumerate(node.branches) if branch.next_state == visit.next_state]
        if node.default == visit.next_state:
            rules.append(DEFAULT_RULE)
        return rules

    def _policy(self, state: str) -> RetryPolicy | None:
        if self.machine is None:
            return None
        return getattr(self.machine.all_states.get(state), "policy", None)


def _first_match(handlers: Sequence[Any], error: ErrorName) -> int | None:
    if isinstance(error, _Unknown):
        return None
    probe = StatesError(error, None)
    for index, handler in enumerate(handlers):
        if error_matches(probe, handler.error_equals):
            return index
    return None


def describe_error(error: ErrorName) -> str:
    if isinstance(error, _Unknown):
        return "an error the history does not name"
    return "an error with no name" if error is None else error
