"""With the history off, an inline Map's direct iterations skip what only the history needs.

``InlineIterations.run_unrecorded`` makes no rows and no timestamps but the entered time, and makes
an output's text only when the bound of its size (``StateNode.plain_size``) could reach the large
payload threshold. Each machine here runs four ways: history off as compiled (that path), history
off with the path turned off (``run_directly``'s plain loop, which writes every text), history off
with every iteration a scheduler task (the general path), and history on. Status, output, error,
cause, the execution's last event id, its transitions and its Choice decisions must agree, around
the payload quota (just under and just over it, in characters of 1, 2 and 4 UTF-8 bytes), the
history's event limit and the checkpoints.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asl_engine import StateMachine, VirtualClock
from asl_engine.runtime.json_text import to_json_text
from asl_engine.runtime.limits import PAYLOAD_LIMIT_BYTES
from asl_engine.runtime.states.inline_map import InlineIterations
from asl_engine.runtime.states.map_ import MapState

START = datetime(2025, 1, 1, tzinfo=UTC)

Seen = tuple[str, Any, str | None, str | None, int, int, list[Any]]


def observed(machine: StateMachine, value: Any, *, history: bool) -> Seen:
    execution = machine.execute(value, clock=VirtualClock(START), name="e", history=history)
    run = execution._run
    decisions = list(execution.decisions)
    return (
        execution.status,
        execution.output,
        execution.error,
        execution.cause,
        run.history.last_id,  # type: ignore[union-attr]
        run.transitions,  # type: ignore[union-attr]
        decisions,
    )


def four_ways(
    definition: dict[str, Any], value: Any, machine_type: str = "STANDARD", *, tasks_count: bool = True
) -> Seen:
    """The four runs (see the module's docstring); they must agree. Returns what they saw.

    ``tasks_count=False``: the general path's event ids and transitions are not compared (at the
    event limit its other iterations, running as tasks, count on before the execution fails; the
    history has stopped there, on every path)."""
    machine = StateMachine.from_json(definition, machine_type=machine_type)
    unrecorded = observed(machine, value, history=False)
    InlineIterations.unrecorded_path = False
    try:
        plain_loop = observed(machine, value, history=False)
    finally:
        InlineIterations.unrecorded_path = True
    maps = [node for node in machine._compiled.all_states.values() if isinstance(node, MapState)]
    for node in maps:
        node.iterations_never_block = False
    try:
        tasks = observed(machine, value, history=False)
    finally:
        for node in maps:
            node.iterations_never_block = True
    recorded = observed(machine, value, history=True)
    assert unrecorded == plain_loop
    assert unrecorded == recorded
    assert unrecorded[:4] == tasks[:4]
    if tasks_count:
        assert unrecorded == tasks
    return unrecorded


def a_map(processor: dict[str, Any], concurrency: int = 0, prefix: int = 0) -> dict[str, Any]:
    """A Map of ``processor`` over the input, after ``prefix`` Pass states (each moves the event ids by 2)."""
    states: dict[str, Any] = {
        f"Before{index}": {"Type": "Pass", "Next": f"Before{index + 1}" if index + 1 < prefix else "M"}
        for index in range(prefix)
    }
    states["M"] = {"Type": "Map", "MaxConcurrency": concurrency, "ItemProcessor": processor, "End": True}
    return {"StartAt": "Before0" if prefix else "M", "States": states}


W3_LIKE = {
    "StartAt": "Wrap",
    "States": {
        "Wrap": {"Type": "Pass", "Parameters": {"n.$": "$"}, "Next": "Double"},
        "Double": {
            "Type": "Pass",
            "Parameters": {"n.$": "$.n", "double.$": "States.MathAdd($.n, $.n)"},
            "Next": "Unwrap",
        },
        "Unwrap": {"Type": "Pass", "OutputPath": "$.double", "End": True},
    },
}

CHOOSING = {
    "StartAt": "Check",
    "States": {
        "Check": {
            "Type": "Choice",
            "Choices": [{"Variable": "$", "NumericEquals": 7, "Next": "Broken"}],
            "Default": "Double",
        },
        "Broken": {"Type": "Fail", "Error": "Item.Broken", "Cause": "this item is broken"},
        "Double": {"Type": "Pass", "Parameters": {"n.$": "States.MathAdd($, $)"}, "End": True},
    },
}

CONTEXT_THEN_ASSIGN = {
    "StartAt": "When",
    "States": {
        "When": {  # a context path: no bound, the text is made
            "Type": "Pass",
            "Parameters": {"at.$": "$$.State.EnteredTime", "in.$": "$$.State.Name", "item.$": "$"},
            "Next": "Keep",
        },
        "Keep": {"Type": "Pass", "Assign": {"kept.$": "$.item"}, "End": True},  # not plain: run_states' own
    },
}


def growing(levels: int) -> dict[str, Any]:
    """Each state's output holds its input four times: the bound (x4 per state) outgrows the threshold
    long before the text does (measured, then carried on), and at 6 levels the text passes it too."""
    states: dict[str, Any] = {
        f"Grow{level}": {
            "Type": "Pass",
            "Parameters": {"a.$": "$", "b.$": "$", "c.$": "$", "d.$": "$"},
            "Next": f"Grow{level + 1}" if level + 1 < levels else "Shrink",
        }
        for level in range(levels)
    }
    states["Shrink"] = {"Type": "Pass", "OutputPath": "$.a", "End": True}
    return {"StartAt": "Grow0", "States": states}


@settings(max_examples=40, deadline=None, derandomize=True)
@given(
    st.lists(st.integers(min_value=-3, max_value=9), max_size=12),
    st.sampled_from([0, 1, 2, 3]),
    st.sampled_from([W3_LIKE, CHOOSING, CONTEXT_THEN_ASSIGN]),
)
def test_iterations_agree_with_the_other_paths(values: list[int], concurrency: int, processor: dict[str, Any]) -> None:
    four_ways(a_map(processor, concurrency), values)


@pytest.mark.parametrize("levels", [1, 4, 5, 6])
@pytest.mark.parametrize("item", [7, -(10**17), 10**18, 2**70, "text", {"k": [1, 2.5, None, True]}, "é" * 8])
def test_a_growing_payload_agrees_with_the_other_paths(levels: int, item: Any) -> None:
    seen = four_ways(a_map(growing(levels), 1), [item, item])
    assert seen[0] == "SUCCEEDED"


def fan_out(copies: int) -> dict[str, Any]:
    """One state whose output holds ``$.s`` ``copies`` times and ``$.pad`` once: from an input under
    the large payload threshold to an output over the quota in one step; then ``$.pad`` alone."""
    parameters: dict[str, Any] = {f"k{index:02d}.$": "$.s" for index in range(copies)}
    parameters["pad.$"] = "$.pad"
    return {
        "StartAt": "Fan",
        "States": {
            "Fan": {"Type": "Pass", "Parameters": parameters, "Next": "Shrink"},
            "Shrink": {"Type": "Pass", "OutputPath": "$.pad", "End": True},  # the Map's output stays small
        },
    }


def item_of_size(target: int, character: str, copies: int) -> dict[str, str]:
    """An item whose ``fan_out(copies)`` output is exactly ``target`` UTF-8 bytes."""
    width = len(character.encode())
    s = character * ((target - 400) // (copies * width))
    probe = {f"k{index:02d}": s for index in range(copies)} | {"pad": ""}
    size = len(to_json_text(probe).encode())
    return {"s": s, "pad": "y" * (target - size)}


@pytest.mark.parametrize("character", ["x", "é", "\U0001f600"])
@pytest.mark.parametrize("over", [-1, 0, 1])
@pytest.mark.parametrize("concurrency", [0, 1])
def test_the_quota_is_met_and_missed_as_on_the_other_paths(character: str, over: int, concurrency: int) -> None:
    copies = 20
    item = item_of_size(PAYLOAD_LIMIT_BYTES + over, character, copies)
    assert len(to_json_text(item)) < 16_384  # the iteration starts on the plain path
    output = {f"k{index:02d}": item["s"] for index in range(copies)} | {"pad": item["pad"]}
    assert len(to_json_text(output).encode()) == PAYLOAD_LIMIT_BYTES + over
    status, _, error, cause, *_ = four_ways(a_map(fan_out(copies), concurrency), [{"s": "", "pad": ""}, item, item])
    if over > 0:
        assert (status, error) == ("FAILED", "States.DataLimitExceeded")
        assert cause is not None and "'Fan'" in cause
    else:
        assert status == "SUCCEEDED"


@pytest.mark.parametrize("processor", [W3_LIKE, CHOOSING])
@pytest.mark.parametrize("prefix", [0, 1, 2, 3])
@pytest.mark.parametrize("concurrency", [0, 1])
def test_the_event_limit_falls_on_the_same_event(processor: dict[str, Any], prefix: int, concurrency: int) -> None:
    """A Standard execution fails at its 25,000th event: the ids counted without rows reach it at the
    same event (in a state, or in either half of a slot's handover, as the prefix moves them), past
    several checkpoints (every 1,024 transitions)."""
    status, _, error, _, last_id, *_ = four_ways(
        a_map(processor, concurrency, prefix), [1, 2, 3] * 1_500, tasks_count=False
    )
    assert (status, error) == ("FAILED", "States.Runtime")
    assert last_id > 25_000


@pytest.mark.parametrize("concurrency", [0, 1, 40])
def test_a_long_express_map_agrees_past_the_checkpoints(concurrency: int) -> None:
    seen = four_ways(a_map(W3_LIKE, concurrency), list(range(3_000)), machine_type="EXPRESS")
    assert seen[0] == "SUCCEEDED" and seen[5] > 9_000


def test_the_unrecorded_path_is_taken_only_with_nothing_recorded() -> None:
    machine = StateMachine.from_json(a_map(W3_LIKE))
    taken: list[bool] = []
    original = InlineIterations.run_unrecorded

    def spy(self: InlineIterations, remaining: int, last_event: int) -> tuple[int, int]:
        taken.append(True)
        return original(self, remaining, last_event)

    InlineIterations.run_unrecorded = spy  # type: ignore[method-assign]
    try:
        machine.execute([1, 2], history=False)
        assert taken
        taken.clear()
        machine.execute([1, 2], history=True)
        machine.execute([1, 2], history=False, listeners=[lambda event: None])
        assert not taken
    finally:
        InlineIterations.run_unrecorded = original  # type: ignore[method-assign]
