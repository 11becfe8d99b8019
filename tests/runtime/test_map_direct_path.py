"""Iterations that never suspend run without scheduler tasks; the history must not show it.

Each machine runs twice: as compiled (Maps whose iterations never block take the direct path) and
with every Map forced onto scheduler tasks. Histories, outputs and errors must be identical, also
where the direct path has to hand over to tasks (a sibling branch, an outer Map's iterations).
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from asl_engine import StateMachine, VirtualClock
from asl_engine.runtime.states.map_ import MapState

START = datetime(2025, 1, 1, tzinfo=UTC)


def processor(fail_on: int | None) -> dict[str, Any]:
    """Doubles each item; fails (an uncaught Fail) on the item ``fail_on``."""
    states: dict[str, Any] = {
        "Check": {
            "Type": "Choice",
            "Choices": [{"Variable": "$", "NumericEquals": -1 if fail_on is None else fail_on, "Next": "Broken"}],
            "Default": "Double",
        },
        "Broken": {"Type": "Fail", "Error": "Item.Broken", "Cause": "this item is broken"},
        "Double": {"Type": "Pass", "Parameters": {"n.$": "States.MathAdd($, $)"}, "End": True},
    }
    return {"StartAt": "Check", "States": states}


def map_state(concurrency: int, fail_on: int | None, items_path: str = "$") -> dict[str, Any]:
    return {
        "Type": "Map",
        "ItemsPath": items_path,
        "MaxConcurrency": concurrency,
        "ItemProcessor": processor(fail_on),
        "End": True,
    }


class TickingClock(VirtualClock):
    """A clock that moves a millisecond each time it is read: not a ``VirtualClock`` by type, so the
    direct loop calls ``now`` where it would read a virtual clock's time, and a history shows every
    read (two timestamps where one was read twice, as on a real clock)."""

    def now(self) -> float:
        self._now += 0.001
        return self._now


def run_both(
    definition: dict[str, Any], value: Any, clock: type[VirtualClock] = VirtualClock
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    machine = StateMachine.from_json(definition)
    direct = machine.execute(value, clock=clock(START), name="e")
    maps = [node for node in machine._compiled.all_states.values() if isinstance(node, MapState)]
    saved = [node.iterations_never_block for node in maps]
    try:
        for node in maps:
            node.iterations_never_block = False
        tasks = machine.execute(value, clock=clock(START), name="e")
    finally:
        for node, flag in zip(maps, saved, strict=True):
            node.iterations_never_block = flag
    assert (direct.status, direct.output, direct.error, direct.cause) == (
        tasks.status,
        tasks.output,
        tasks.error,
        tasks.cause,
    )
    return direct.history, tasks.history


items = st.lists(st.integers(min_value=0, max_value=9), max_size=9)
concurrency = st.sampled_from([0, 1, 2, 3])


@settings(max_examples=60, deadline=None, derandomize=True)
@given(items, concurrency, st.one_of(st.none(), st.integers(min_value=0, max_value=9)))
@example([0, 1, 2], 2, 1)  # item 2 starts before item 1's failure is seen, and still runs to its end
@example([5, 6, 7, 8, 9], 3, 6)
@example([1, 1, 1, 2], 3, 1)  # items 1 and 2 fail too, after item 0's failure, before the Map saw theirs
def test_a_lone_map_records_the_same_history(values: list[int], limit: int, fail_on: int | None) -> None:
    direct, tasks = run_both({"StartAt": "M", "States": {"M": map_state(limit, fail_on)}}, values)
    assert direct == tasks


@settings(max_examples=20, deadline=None, derandomize=True)
@given(items, concurrency, st.one_of(st.none(), st.integers(min_value=0, max_value=9)))
@example([0, 1, 2, 3], 1, None)  # each iteration's slot handed over as it ends (``run_directly``'s inner loop)
def test_a_lone_map_reads_the_clock_as_the_tasks_do(values: list[int], limit: int, fail_on: int | None) -> None:
    """Under a clock that is not virtual, every timestamp is its own read: the direct loop reads the
    clock where the general path does, as often."""
    direct, tasks = run_both({"StartAt": "M", "States": {"M": map_state(limit, fail_on)}}, values, TickingClock)
    assert direct == tasks


def test_iterations_that_failed_unseen_are_aborted_on_both_paths() -> None:
    direct, tasks = run_both({"StartAt": "M", "States": {"M": map_state(3, 1)}}, [1, 1, 1, 2])
    assert direct == tasks
    ends = [
        (event["type"], event.get("mapIterationFailedEventDetails", event.get("mapIterationAbortedEventDetails")))
        for event in direct
        if event["type"] in ("MapIterationFailed", "MapIterationAborted", "MapStateFailed")
    ]
    assert ends == [
        ("MapIterationFailed", {"index": 0, "name": "M"}),
        ("MapIterationAborted", {"index": 1, "name": "M"}),
        ("MapIterationAborted", {"index": 2, "name": "M"}),
        ("MapStateFailed", None),
    ]


def beside_a_pass_chain(map_definition: dict[str, Any], length: int) -> dict[str, Any]:
    """A machine running the Map ``M`` in one Parallel branch and ``length + 1`` Pass states in the other."""
    chain: dict[str, Any] = {f"P{index}": {"Type": "Pass", "Next": f"P{index + 1}"} for index in range(length)}
    chain[f"P{length}"] = {"Type": "Pass", "End": True}
    branches = [{"StartAt": "M", "States": {"M": map_definition}}, {"StartAt": "P0", "States": chain}]
    return {"StartAt": "Both", "States": {"Both": {"Type": "Parallel", "Branches": branches, "End": True}}}


@settings(max_examples=40, deadline=None, derandomize=True)
@given(items, concurrency, st.one_of(st.none(), st.integers(min_value=0, max_value=9)))
@example([0, 1, 2, 3], 2, 1)
def test_a_map_beside_a_parallel_branch_records_the_same_history(
    values: list[int], limit: int, fail_on: int | None
) -> None:
    direct, tasks = run_both(beside_a_pass_chain(map_state(limit, fail_on), 4), values)
    assert direct == tasks


@settings(max_examples=30, deadline=None, derandomize=True)
@given(st.lists(items, max_size=4), concurrency, concurrency, st.one_of(st.none(), st.integers(0, 9)))
def test_maps_inside_a_map_record_the_same_history(
    rows: list[list[int]], outer: int, inner: int, fail_on: int | None
) -> None:
    definition = {
        "StartAt": "Rows",
        "States": {
            "Rows": {
                "Type": "Map",
                "MaxConcurrency": outer,
                "ItemProcessor": {"StartAt": "Cells", "States": {"Cells": map_state(inner, fail_on)}},
                "End": True,
            }
        },
    }
    direct, tasks = run_both(definition, rows)
    assert direct == tasks


def test_the_direct_path_is_taken_only_when_no_iteration_can_suspend() -> None:
    quick = StateMachine.from_json({"StartAt": "M", "States": {"M": map_state(0, None)}})
    waiting = StateMachine.from_json(
        {
            "StartAt": "M",
            "States": {
                "M": {
                    "Type": "Map",
                    "ItemProcessor": {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 1, "End": True}}},
                    "End": True,
                }
            },
        }
    )
    assert quick._compiled.all_states["M"].iterations_never_block is True  # type: ignore[attr-defined]
    assert waiting._compiled.all_states["M"].iterations_never_block is False  # type: ignore[attr-defined]


def test_work_posted_from_another_thread_lands_between_iterations() -> None:
    """A stop arriving while iterations run directly aborts the Map at the next iteration, not at its end."""
    machine = StateMachine.from_json({"StartAt": "M", "States": {"M": map_state(0, None)}})
    started = threading.Event()
    holder: dict[str, Any] = {}

    def stop_after_the_fifth(event: Any) -> None:
        holder["exits"] = holder.get("exits", 0) + (event.type == "PassStateExited")
        if holder["exits"] == 5 and "stopped" not in holder:  # inside the fifth iteration
            started.wait(5)
            holder["stopped"] = True
            holder["handle"].stop("Halt", "posted while the Map ran")  # posted to the scheduler from outside

    handle = machine.start(list(range(200)), clock=VirtualClock(START), listeners=[stop_after_the_fifth])
    holder["handle"] = handle
    started.set()
    execution = handle.wait(10)
    assert execution.status == "ABORTED"
    # 40 iterations start together and, as on the task path, the ones already started run to their
    # end; the stop lands then, instead of after the next window of 40 (or the whole Map).
    ran = sum(1 for event in execution.events if event.type == "PassStateExited")
    assert ran < 50, ran


LONG = [index % 9 for index in range(700)]  # 700 iterations of 2 states: past the checkpoint at 1,024 transitions
LONG_FAILING = [*LONG[:650], 9, *LONG[651:]]


@settings(max_examples=12, deadline=None, derandomize=True)
@given(st.sampled_from([0, 1, 3, 40]), st.sampled_from([None, 9]), st.booleans())
def test_an_iteration_that_pauses_at_a_checkpoint_records_the_same_history(
    limit: int, fail_on: int | None, beside_a_branch: bool
) -> None:
    """Every 1,024 transitions the execution pauses (``ExecutionRun.checkpoint``), also inside an
    iteration run directly: it goes on as the paused task it would have been, and the history is the
    task path's (this once stopped W7, a Map of 100,000 items, with an engine error)."""
    definition: dict[str, Any] = {"StartAt": "M", "States": {"M": map_state(limit, fail_on)}}
    if beside_a_branch:
        definition = beside_a_pass_chain(map_state(limit, fail_on), 40)
    direct, tasks = run_both(definition, LONG_FAILING if fail_on is not None else LONG)
    assert direct == tasks
    assert len(direct) > 2_000
    assert direct[-1]["type"] == ("ExecutionFailed" if fail_on is not None else "ExecutionSucceeded")
