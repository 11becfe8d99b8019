"""Our engine: ``StateMachine.execute`` on a machine compiled once, under a fresh ``VirtualClock``.

Timed: ``execute`` alone (input checks, the run, history recording when on). Called without
``clock=``, as most callers do: ``execute`` then makes a fresh ``VirtualClock`` of its own (before
issue 20 the adapter made it and passed it in, which gives the same clock but, since a caller's
clock may be shared, the coordinated path of ``Scheduler.run_until``; an execution's own clock lets
it take ``Scheduler.run_alone``). Not timed: reading the history afterwards to count the states
entered and the events.
"""

from __future__ import annotations

from time import perf_counter

from asl_engine import Execution, StateMachine
from asl_engine.runtime.loading import LOAD_CACHE
from benchmarks.cases import LoadedCase
from benchmarks.checks import Outcome


class OursRunner:
    def __init__(self, loaded: LoadedCase, history: bool) -> None:
        self.machine = StateMachine.from_json(loaded.definition_text, machine_type=loaded.case.machine_type)
        self.input = loaded.input
        self.mocks = loaded.mocks
        self.history = history

    def execute(self) -> Execution:
        """The timed region (and what ``--profile`` profiles)."""
        return self.machine.execute(self.input, mocks=self.mocks, history=self.history)

    def run_once(self) -> tuple[float, Outcome]:
        started = perf_counter()
        execution = self.execute()
        elapsed = perf_counter() - started
        return elapsed, self.outcome(execution)

    def outcome(self, execution: Execution) -> Outcome:
        transitions = events = None
        if self.history:
            # One event at a time: W7's 400,000 events as objects all at once would weigh more than the
            # history itself, and the peak RSS is measured over the whole process.
            transitions = events = 0
            for event in execution.iter_events():
                events += 1
                transitions += event.type.endswith("StateEntered")
        stop = execution.stop_date
        spanned = None if stop is None else (stop - execution.start_date).total_seconds()
        return Outcome(
            execution.status,
            execution.output,
            execution.error,
            execution.cause,
            transitions=transitions,
            events=events,
            virtual_seconds=spanned,
        )


def time_load(definition_text: str) -> float:
    """``StateMachine.from_json`` from JSON text: parse, validate, compile (the process's cache of
    loaded definitions is emptied first: a repeated load is ``benchmarks/repeat_load.py``'s case)."""
    LOAD_CACHE.clear()
    started = perf_counter()
    StateMachine.from_json(definition_text)
    return perf_counter() - started
