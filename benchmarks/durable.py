#!/usr/bin/env python
"""Durable executions and the async API, measured: ``python benchmarks/durable.py``.

* **Durable throughput**, in state transitions per second, next to the same workload in memory:
  W1 (1,000 Pass states), W3 (an inline Map over 10,000 items, 3 Pass states each, 30,001
  transitions) and a task-heavy Map (2,000 items, each a Task answered by a mock: a commit per task,
  since events are committed before each handler call). Each durable run writes a fresh SQLite
  store (WAL, synchronous=NORMAL); the time is ``execute(store=...)`` up to its last commit.
* **Where the time goes** in a durable run: the engine (the in-memory run), recording the journal
  (building rows), and committing them (SQLite), measured by timing the store's commits.
* **Async**: 1,000 executions started at once with ``execute_async`` on the real clock, whose Task
  handler ``await asyncio.sleep(0.05)``; the time they take, as a multiple of those 0.05 s.

Targets (printed with the results): at least 10,000 durable transitions/s for W1 and W3; the
1,000 concurrent executions within 20x the 0.05 s their handlers wait (not the 50 s that running
them one after another would take). Nothing here asserts: it is a measuring instrument.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script from any directory

from asl_engine import RealClock, StateMachine, VirtualClock, open_store
from asl_engine.services import Resources
from asl_engine.store.sqlite import SqliteStore

WORKLOADS = Path(__file__).resolve().parent / "workloads"
DURABLE_TARGET = 10_000
ASYNC_WAIT = 0.05
ASYNC_TARGET_RATIO = 20.0


def _load(directory: str, machine_type: str) -> tuple[StateMachine, Any]:
    folder = WORKLOADS / directory
    machine = StateMachine.from_json((folder / "machine.json").read_text(), machine_type=machine_type)
    return machine, json.loads((folder / "input.json").read_text())


def _task_map(items: int) -> tuple[StateMachine, Any, dict[str, Any]]:
    machine = StateMachine.from_json(
        {
            "StartAt": "Each",
            "States": {
                "Each": {
                    "Type": "Map",
                    "ItemProcessor": {
                        "StartAt": "Work",
                        "States": {
                            "Work": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage", "End": True}
                        },
                    },
                    "ResultSelector": {"count.$": "States.ArrayLength($)"},
                    "End": True,
                }
            },
        },
        machine_type="EXPRESS",
    )
    mocks = {"Work": {f"0-{items - 1}": {"Return": {"ok": True}}}}
    return machine, list(range(items)), mocks


class CommitTimer:
    """Wraps a store's commit primitive to add up the time spent in SQLite."""

    def __init__(self, store: SqliteStore) -> None:
        self.seconds = 0.0
        self.commits = 0
        original = store._commit

        def timed(*args: Any) -> None:
            started = time.perf_counter()
            try:
                original(*args)
            finally:
                self.seconds += time.perf_counter() - started
                self.commits += 1

        store._commit = timed  # type: ignore[method-assign]


def _median(samples: list[float]) -> float:
    return statistics.median(samples)


def measure_durable(name: str, machine: StateMachine, value: Any, runs: int, **options: Any) -> dict[str, Any]:
    transitions = 0
    memory: list[float] = []
    durable: list[float] = []
    commit: list[float] = []
    commits = 0
    for attempt in range(runs + 1):  # the first run warms up
        gc.collect()
        started = time.perf_counter()
        execution = machine.execute(value, clock=VirtualClock(), **options)
        in_memory = time.perf_counter() - started
        assert execution.status == "SUCCEEDED", (name, execution.error, execution.cause)
        transitions = sum(1 for event in execution.events if event.type.endswith("StateEntered"))
        with tempfile.TemporaryDirectory() as directory:
            store = open_store(Path(directory) / "runs.db")
            timer = CommitTimer(store)
            gc.collect()
            started = time.perf_counter()
            kept = machine.execute(value, clock=VirtualClock(), store=store, **options)
            elapsed = time.perf_counter() - started
            store.close()
        assert kept.output == execution.output, name
        if attempt:
            memory.append(in_memory)
            durable.append(elapsed)
            commit.append(timer.seconds)
            commits = timer.commits
    engine, total, sqlite = _median(memory), _median(durable), _median(commit)
    return {
        "case": name,
        "transitions": transitions,
        "in_memory_ms": engine * 1000,
        "durable_ms": total * 1000,
        "in_memory_tps": transitions / engine,
        "durable_tps": transitions / total,
        "commits": commits,
        "commit_ms": sqlite * 1000,
        "recording_ms": max(0.0, total - engine - sqlite) * 1000,
    }


def measure_async(executions: int, runs: int) -> dict[str, Any]:
    machine = StateMachine.from_json(
        {
            "StartAt": "Call",
            "States": {
                "Call": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::sqs:sendMessage",
                    "Parameters": {"n.$": "$.n"},
                    "End": True,
                }
            },
        }
    )
    active = 0
    most = 0

    async def handle(request: Any) -> Any:
        nonlocal active, most
        active += 1
        most = max(most, active)
        await asyncio.sleep(ASYNC_WAIT)
        active -= 1
        return {"n": request.parameters["n"]}

    resources = Resources()
    resources.handler("arn:aws:states:::sqs:sendMessage", handle)

    async def all_at_once() -> float:
        started = time.perf_counter()
        finished = await asyncio.gather(
            *(machine.execute_async({"n": n}, resources=resources, clock=RealClock()) for n in range(executions))
        )
        elapsed = time.perf_counter() - started
        assert all(execution.status == "SUCCEEDED" for execution in finished)
        return elapsed

    samples = []
    for attempt in range(runs + 1):
        gc.collect()
        elapsed = asyncio.run(all_at_once())
        if attempt:
            samples.append(elapsed)
    elapsed = _median(samples)
    return {"executions": executions, "seconds": elapsed, "ratio": elapsed / ASYNC_WAIT, "most_concurrent": most}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs per measurement, after one warm-up (5)")
    parser.add_argument("--json", metavar="FILE", help="write the measurements as JSON")
    arguments = parser.parse_args(argv)
    runs = max(1, arguments.runs)

    cases: list[tuple[str, Callable[[], tuple[StateMachine, Any, dict[str, Any]]]]] = [
        ("W1", lambda: (*_load("w1_pass_chain", "STANDARD"), {})),
        ("W3", lambda: (*_load("w3_inline_map", "EXPRESS"), {})),
        ("Map of 10,000 Tasks", lambda: _task_map(10_000)),
    ]
    results = []
    for name, build in cases:
        machine, value, options = build()
        mocks = options or None
        results.append(measure_durable(name, machine, value, runs, **({"mocks": mocks} if mocks else {})))
    concurrent = measure_async(1000, runs)

    print("case                 transitions  in memory ms  durable ms  in memory tr/s  durable tr/s  commits  "
          "commit ms  recording ms")  # fmt: skip
    for row in results:
        print(
            f"{row['case']:<20} {row['transitions']:>11,} {row['in_memory_ms']:>13.1f} {row['durable_ms']:>11.1f}"
            f" {row['in_memory_tps']:>15,.0f} {row['durable_tps']:>13,.0f} {row['commits']:>8,}"
            f" {row['commit_ms']:>10.1f} {row['recording_ms']:>13.1f}"
        )
    print(
        f"\nasync: {concurrent['executions']:,} executions at once, handlers awaiting asyncio.sleep({ASYNC_WAIT}):"
        f" {concurrent['seconds']:.3f} s = {concurrent['ratio']:.1f}x the {ASYNC_WAIT} s wait"
        f" (at most {concurrent['most_concurrent']:,} handlers waiting at once)"
    )
    print("\nTargets:")
    for row in results[:2]:
        met = "met" if row["durable_tps"] >= DURABLE_TARGET else "MISSED"
        print(f"  {row['case']} durable: {row['durable_tps']:,.0f} transitions/s (target >= {DURABLE_TARGET:,}): {met}")
    met = "met" if concurrent["ratio"] <= ASYNC_TARGET_RATIO else "MISSED"
    print(f"  1,000 concurrent async executions: {concurrent['ratio']:.1f}x (target <= {ASYNC_TARGET_RATIO:g}x): {met}")
    if arguments.json:
        Path(arguments.json).write_text(json.dumps({"durable": results, "async": concurrent}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
