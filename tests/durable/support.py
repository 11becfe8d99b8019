"""Running durable executions against an in-memory journal sink, to test recording and replay
without a database: every prefix of a recorded journal is a point where a process could have died."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from asl_engine import StateMachine
from asl_engine.execution import Execution
from asl_engine.runtime.clock import TurnClock, VirtualClock
from asl_engine.runtime.durable.journal import Commit, Input, Row
from asl_engine.runtime.durable.recorder import Recorder
from asl_engine.runtime.run import Identity

START = 1_700_000_000.0


@dataclass
class MemorySink:
    """A ``JournalSink`` keeping commits in a list."""

    rows: list[Row] = field(default_factory=list)
    commits: list[Commit] = field(default_factory=list)
    inputs: list[Input] = field(default_factory=list)
    pending: list[Input] = field(default_factory=list)
    """What ``pending_inputs`` returns: answers a store kept while no process ran the execution."""
    released: bool = False

    def commit(self, commit: Commit) -> None:
        self.commits.append(commit)
        self.rows.extend(commit.rows)

    def record_answer(self, token: str, answer: Input) -> None:
        self.inputs.append(answer)

    def request_stop(self, error: str | None, cause: str | None) -> None:
        pass

    def pending_inputs(self) -> Sequence[Input]:
        return list(self.pending)

    def release(self) -> None:
        self.released = True


def run_durably(
    machine: StateMachine,
    input: Any = None,
    *,
    journal: list[Row] | None = None,
    mocks: dict[str, Any] | None = None,
    resources: Any = None,
    seed: int = 7,
    pending_redrive: bool = False,
    name: str = "run-1",
    pending: Sequence[Input] = (),
) -> tuple[Execution, MemorySink]:
    """Run (or resume from ``journal``) one durable execution on a virtual clock; its execution and sink."""
    sink = MemorySink(pending=list(pending))
    clock = TurnClock(VirtualClock(START), start=START)
    recorder = Recorder(sink, clock, seed=seed, journal=journal, pending_redrive=pending_redrive)
    identity = Identity(machine.name, name)
    value = {} if input is None else input
    import json

    run = machine._build_run(
        identity,
        value,
        json.dumps(value),
        clock=clock,
        handlers=machine._handlers(mocks, resources),
        rng=random.Random(seed),
        durable=recorder,
    )
    main = run.scheduler.spawn(run.main(), "execution")
    recorder.attach(run, main)
    with clock.awaiting_result():
        run.scheduler.run_until(main.done_future)
    main.done_future.result()
    return Execution(run), sink


def commit_points(sink: MemorySink) -> list[int]:
    """The journal lengths a crash can leave: a commit's rows are written together, or not at all."""
    points, total = [0], 0
    for commit in sink.commits:
        total += len(commit.rows)
        points.append(total)
    return points


def signature(execution: Execution) -> list[tuple[Any, ...]]:
    """What two runs of one execution must agree on: every event, with its ids, time and details."""
    return [
        (event["id"], event["previousEventId"], event["timestamp"], event["type"], _details(event))
        for event in execution.history
    ]


def _details(event: dict[str, Any]) -> Any:
    return {key: value for key, value in event.items() if key.endswith("EventDetails")}
