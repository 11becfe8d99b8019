"""The per-state fast paths of issue 20 must not show in any history.

Two of them stand beside a general path:

* a plain JSONPath Pass (no InputPath, Result, ResultPath, ResultSelector or Assign) and a plain
  JSONPath Choice (no InputPath, OutputPath or Assign anywhere) are compiled to one step
  (``PassState.plain``, ``ChoiceState.plain_rules``); with ``specialise`` turned off they run
  through the data flow's generic steps;
* the state loop and ``StateNode.exit`` append state events to the history's rows themselves
  (``History.state_rows``); a listener makes every event go through ``History.add_state``;
* the state loop enters, runs and exits those plain states itself (``StateNode.plain_output``,
  ``plain_choice``), writing a small Parameters object's text with ``object_text_writer``;
* iterations of a Map whose processor never assigns read the Map's variable scope directly
  (``MapState.iterations_share_variables``); on the general path each has one of its own.

Each machine runs three ways, from the same start, name and seed: as compiled, with the
specialisations off, and with a listener. Status, output, error, cause and the whole history must
be identical. (Map iterations run directly against the same iterations as tasks:
``test_map_direct_path.py``.)
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from asl_engine import StateMachine, VirtualClock
from asl_engine.runtime import interpreter
from asl_engine.runtime.loading import LOAD_CACHE
from asl_engine.runtime.scheduler import Scheduler
from asl_engine.runtime.states.choice import ChoiceState
from asl_engine.runtime.states.map_ import MapState
from asl_engine.runtime.states.pass_ import PassState
from tests import recorded
from tests.runtime.test_map_direct_path import beside_a_pass_chain, run_both

START = datetime(2025, 1, 1, tzinfo=UTC)


@contextmanager
def general_path() -> Iterator[None]:
    """Definitions loaded inside compile Pass and Choice without their plain step, and give every
    Map iteration a variable scope of its own."""
    saved = PassState.specialise, ChoiceState.specialise, MapState.share_variables
    PassState.specialise = ChoiceState.specialise = MapState.share_variables = False
    LOAD_CACHE.clear()
    try:
        yield
    finally:
        PassState.specialise, ChoiceState.specialise, MapState.share_variables = saved
        LOAD_CACHE.clear()


def views(text: str, value: Any, machine_type: str = "STANDARD", **options: Any) -> list[tuple[Any, ...]]:
    """(status, output, error, cause, history) as compiled, on the general path, and with a listener."""
    LOAD_CACHE.clear()
    machine = StateMachine.from_json(text, machine_type=machine_type)
    with general_path():
        general = StateMachine.from_json(text, machine_type=machine_type)
    heard: list[Any] = []
    runs = [
        machine.execute(value, name="e", seed=7, clock=VirtualClock(START), **options),
        general.execute(value, name="e", seed=7, clock=VirtualClock(START), **options),
        machine.execute(value, name="e", seed=7, clock=VirtualClock(START), listeners=[heard.append], **options),
    ]
    assert len(heard) == len(runs[2].history)  # the listener heard every event the history holds
    # With history off the plain states take the plain path too (their rows go nowhere): the same
    # ending, event ids in causes included, as compiled and on the general path.
    ending = (runs[0].status, runs[0].output, runs[0].error, runs[0].cause)
    for off in (machine, general):
        unrecorded = off.execute(value, name="e", seed=7, clock=VirtualClock(START), history=False, **options)
        assert (unrecorded.status, unrecorded.output, unrecorded.error, unrecorded.cause) == ending
        assert len(unrecorded.history) == 0
    return [(run.status, run.output, run.error, run.cause, run.history) for run in runs]


def test_the_fast_paths_are_taken() -> None:
    """Otherwise the comparisons below would compare the general path with itself."""
    machine = StateMachine.from_json(json.dumps(_loop(3)), machine_type="EXPRESS")
    states = machine._compiled.all_states
    assert isinstance(states["Increment"], PassState) and states["Increment"].plain
    assert isinstance(states["Check"], ChoiceState) and states["Check"].plain_rules is not None
    with general_path():
        general = StateMachine.from_json(json.dumps(_loop(3)), machine_type="EXPRESS")._compiled.all_states
    assert isinstance(general["Increment"], PassState) and not general["Increment"].plain
    assert isinstance(general["Check"], ChoiceState) and general["Check"].plain_rules is None


def test_the_direct_iteration_loop_runs_the_plain_states() -> None:
    """``InlineIterations.run_directly`` runs the states in ``CompiledScope.plain_steps`` itself; on the
    general path there are none, so the comparisons below set the loop against ``run_states``."""
    text = json.dumps(_plain_map("mixed", 0))
    compiled = StateMachine.from_json(text)._compiled.all_states["Each"]
    assert isinstance(compiled, MapState)
    assert sorted(compiled.processor.plain_steps) == ["Big", "Check", "First", "Placed", "Small"]
    with general_path():
        general = StateMachine.from_json(text)._compiled.all_states["Each"]
    assert isinstance(general, MapState) and general.processor.plain_steps == {}


SELF_CONTAINED = recorded.case_files("self_contained")


@pytest.mark.parametrize(
    "case_file", recorded.parameters("self_contained", SELF_CONTAINED), ids=lambda p: getattr(p, "stem", p)
)
def test_recorded_cases_give_the_same_history_every_way(case_file: Path | None) -> None:
    if case_file is None:
        recorded.require("self_contained")
        return  # pragma: no cover - require skips (or fails in CI)
    case = json.loads(case_file.read_text())
    definition = case["definition"]
    text = definition if isinstance(definition, str) else json.dumps(definition)
    try:
        StateMachine.from_json(text, machine_type=case.get("state_machine_type", "STANDARD"))
    except Exception:
        return  # cases of definitions AWS rejects: nothing runs
    start_mode = "sync" if case.get("start_mode") == "sync" else "async"
    compiled, general, listened = views(
        text, case.get("input"), case.get("state_machine_type", "STANDARD"), start_mode=start_mode
    )
    assert compiled == general
    assert compiled == listened


# -- generated machines: Pass and Choice with every field the plain paths look at ---------------------

_PATHS = st.sampled_from(["$", "$.n", "$.missing", "$.nested", "$.nested.k", "$.list[0]"])
_PASS = st.fixed_dictionaries(
    {"Type": st.just("Pass")},
    optional={
        "Parameters": st.one_of(
            st.fixed_dictionaries({"n.$": st.sampled_from(["States.MathAdd($.n, 1)", "$.n", "$.missing"])}),
            st.just({"fixed": True}),
            st.just([1, {"v.$": "$.n"}]),
            # W1's shape: constants between paths (their places kept), a two-field path
            st.just({"c": 1, "k.$": "$.nested.k", "n.$": "$.n", "z": [2]}),
        ),
        "InputPath": _PATHS,
        "OutputPath": st.one_of(_PATHS, st.just("$.n")),
        "ResultPath": st.one_of(st.none(), st.just("$.r"), st.just("$"), st.just("$.n"), st.just("$.nested.r")),
        "Result": st.just({"r": 1}),
        "Assign": st.just({"seen.$": "$"}),
    },
)
_RULE = st.fixed_dictionaries(
    {
        "Variable": st.sampled_from(["$.n", "$.missing", "$.nested.k"]),
        "NumericGreaterThanEquals": st.integers(0, 4),
    },
    optional={"Assign": st.just({"chosen": 1})},
)
_CHOICE = st.fixed_dictionaries(
    {"Type": st.just("Choice"), "Choices": st.lists(_RULE, min_size=1, max_size=3)},
    optional={
        "Default": st.just("Done"),
        "InputPath": st.just("$"),
        "OutputPath": st.just("$"),
        "Assign": st.just({"defaulted": True}),
    },
)


def _machine(first: dict[str, Any], choice: dict[str, Any]) -> dict[str, Any]:
    first = {**first, "Next": "Check"}
    choice = {**choice, "Choices": [{**rule, "Next": "Done"} for rule in choice["Choices"]]}
    return {
        "StartAt": "First",
        "States": {"First": first, "Check": choice, "Done": {"Type": "Pass", "End": True}},
    }


_INPUTS = st.sampled_from(
    [{"n": 1}, {"n": 3, "nested": {"k": 2}, "list": [4]}, {"nested": {"k": 9}}, {"n": 2, "nested": 3}, [1], 5]
)


@settings(max_examples=250, deadline=None, derandomize=True)
@given(_PASS, _CHOICE, _INPUTS)
@example(
    {"Type": "Pass", "Parameters": {"n.$": "$.missing"}},
    {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericGreaterThanEquals": 0}]},
    {"n": 1},
)
@example(
    {"Type": "Pass", "Parameters": {"c": 1, "k.$": "$.nested.k", "n.$": "$.n", "z": [2]}, "ResultPath": "$.n"},
    {"Type": "Choice", "Choices": [{"Variable": "$.n.k", "NumericGreaterThanEquals": 0}]},
    {"n": 3, "nested": {"k": 2}, "list": [4]},
)
@example(
    {"Type": "Pass", "Parameters": {"c": 1, "k.$": "$.nested.k", "n.$": "$.n", "z": [2]}, "ResultPath": "$.r"},
    {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericGreaterThanEquals": 0}]},
    {"n": 2, "nested": 3},
)
@example(
    {"Type": "Pass", "Result": {"r": 1}, "ResultPath": "$.r"},
    {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericGreaterThanEquals": 0}]},
    [1],
)
@example(
    {"Type": "Pass", "OutputPath": "$.missing"},
    {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericGreaterThanEquals": 9}]},
    {"n": 1},
)
def test_generated_pass_and_choice_give_the_same_history_every_way(
    first: dict[str, Any], choice: dict[str, Any], value: Any
) -> None:
    try:
        text = json.dumps(_machine(first, choice))
        StateMachine.from_json(text)
    except Exception:
        return  # a combination AWS rejects (Result with Parameters...)
    compiled, general, listened = views(text, value)
    assert compiled == general
    assert compiled == listened


def _loop(limit: int) -> dict[str, Any]:
    """W2's shape: a Pass and a Choice counting to ``limit``."""
    return {
        "StartAt": "Increment",
        "States": {
            "Increment": {"Type": "Pass", "Parameters": {"n.$": "States.MathAdd($.n, 1)"}, "Next": "Check"},
            "Check": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.n", "NumericGreaterThanEquals": limit, "Next": "Done"}],
                "Default": "Increment",
            },
            "Done": {"Type": "Succeed"},
        },
    }


def test_a_loop_past_the_checkpoints_and_the_history_limit_fails_the_same_every_way() -> None:
    """13,000 rounds: the transition checkpoints on the way, then the 25,000-event limit of a
    Standard execution, raised from the rows the state loop appends to."""
    compiled, general, listened = views(json.dumps(_loop(13_000)), {"n": 0})
    assert compiled[0] == "FAILED" and "maximum number of history events" in str(compiled[3])
    assert compiled == general
    assert compiled == listened


def test_a_loop_inside_map_iterations_gives_the_same_history_every_way() -> None:
    """Pass and Choice steps in iterations run directly, past a checkpoint (1,024 transitions)."""
    definition = {
        "StartAt": "Each",
        "States": {
            "Each": {"Type": "Map", "MaxConcurrency": 2, "ItemProcessor": _loop(150), "End": True},
        },
    }
    compiled, general, listened = views(json.dumps(definition), [{"n": 0}, {"n": 100}, {"n": 140}], "EXPRESS")
    assert compiled[0] == "SUCCEEDED"
    assert compiled == general
    assert compiled == listened


def test_the_history_limit_on_a_state_exit_fails_the_same_every_way() -> None:
    """Inside a Map iteration the loop's Exited events fall on even ids, so the 25,000th event is a
    plain state's exit (written out in ``run_states``) rather than an entry."""
    definition = {
        "StartAt": "Each",
        "States": {"Each": {"Type": "Map", "ItemProcessor": _loop(13_000), "End": True}},
    }
    compiled, general, listened = views(json.dumps(definition), [{"n": 0}])
    assert compiled[0] == "FAILED" and "maximum number of history events" in str(compiled[3])
    last_state_event = [event for event in compiled[4] if "StateExited" in event["type"]][-1]
    assert last_state_event["id"] == 25_000
    assert compiled == general
    assert compiled == listened


def _map_after(prefix: int, concurrency: int) -> dict[str, Any]:
    """``prefix`` Pass states, then a Map of one Pass per item, ``concurrency`` at a time."""
    states: dict[str, Any] = {f"P{index}": {"Type": "Pass", "Next": f"P{index + 1}"} for index in range(prefix)}
    states[f"P{prefix}"] = {
        "Type": "Map",
        "MaxConcurrency": concurrency,
        "ItemProcessor": {"StartAt": "One", "States": {"One": {"Type": "Pass", "End": True}}},
        "End": True,
    }
    return {"StartAt": "P0", "States": states}


@pytest.mark.parametrize("event_type", ["MapIterationSucceeded", "MapIterationStarted"])
def test_the_history_limit_inside_an_iteration_handover_fails_the_same_every_way(event_type: str) -> None:
    """``History.add_iteration_handover`` records an ended iteration's MapIterationSucceeded and the
    next one's MapIterationStarted in one append; a listener makes them two ``add_iteration`` calls.
    The 25,000th event is each of the two in turn."""
    for prefix, concurrency in [(prefix, concurrency) for prefix in range(4) for concurrency in (1, 2, 3)]:
        text = json.dumps(_map_after(prefix, concurrency))
        compiled, general, listened = views(text, list(range(7_000)))
        last = compiled[4][-2]  # the 25,000th event, before ExecutionFailed
        if last["type"] == event_type:
            break
    else:
        raise AssertionError(f"no machine here puts {event_type} at event 25,000")
    assert last["id"] == 25_000 and compiled[0] == "FAILED"
    assert compiled == general
    assert compiled == listened


# -- runs of plain states outside Map iterations (``run_plain_states``) --------------------------------


def _parallel(length: int, failing: bool = False, growing: bool = False) -> dict[str, Any]:
    """W4's shape: branches of ``length`` Pass states counting with States.MathAdd (one with a
    missing path at its middle state, one whose payload doubles past the payload meter's threshold
    and then past the quota), behind a Choice and a Pass placing a result (W1's shape)."""
    branches = []
    for branch in range(3):
        states: dict[str, Any] = {}
        for step in range(length):
            parameters: dict[str, Any] = {"branch": branch, "step": step, "count.$": "States.MathAdd($.count, 1)"}
            if failing and branch == 1 and step == length // 2:
                parameters = {"count.$": "$.missing"}
            if growing and branch == 2:
                parameters = (
                    {"count.$": "$.count", "a.$": "$.a", "b.$": "$.a"}
                    if step == 0
                    else {"count.$": "$.count", "a.$": "$", "b.$": "$"}
                )
            states[f"B{branch}S{step}"] = {"Type": "Pass", "Parameters": parameters}
            states[f"B{branch}S{step}"].update(
                {"Next": f"B{branch}S{step + 1}"} if step + 1 < length else {"End": True}
            )
        branches.append({"StartAt": f"B{branch}S0", "States": states})
    return {
        "StartAt": "Placed",
        "States": {
            "Placed": {"Type": "Pass", "Parameters": {"c.$": "$.count"}, "ResultPath": "$.seen", "Next": "Check"},
            "Check": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.count", "NumericGreaterThanEquals": 0, "Next": "FanOut"}],
            },
            "FanOut": {"Type": "Parallel", "Branches": branches, "End": True},
        },
    }


@pytest.mark.parametrize(
    ("length", "failing", "growing"), [(3, False, False), (700, False, False), (40, True, False), (30, False, True)]
)
def test_parallel_branches_of_plain_states_give_the_same_history_every_way(
    length: int, failing: bool, growing: bool
) -> None:
    """Branches run as scheduler tasks, their plain states in ``run_plain_states``: past checkpoints
    (2,100 transitions), a failure in one branch stopping the others, a payload growing past the
    payload meter's threshold (``run_states`` takes over) and then past the quota."""
    compiled, general, listened = views(json.dumps(_parallel(length, failing, growing)), {"count": 0, "a": "x" * 600})
    assert compiled[0] == ("FAILED" if failing or growing else "SUCCEEDED")
    assert compiled == general
    assert compiled == listened


def test_plain_states_after_a_retried_task_show_no_retry_count() -> None:
    """A Task's Retry sets the frame's retry count and a plain Pass after it must not show one
    (``run_plain_states`` clears it once for the whole run of plain states)."""
    definition = {
        "StartAt": "Call",
        "States": {
            "Call": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": "f"},
                "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1}],
                "Next": "Seen",
            },
            "Seen": {"Type": "Pass", "Parameters": {"context.$": "$$.State", "n": 1}, "Next": "Again"},
            "Again": {"Type": "Pass", "Parameters": {"context.$": "$$.State", "before.$": "$.context"}, "End": True},
        },
    }
    mocks = {"Call": [{"Throw": {"Error": "Boom", "Cause": "once"}}, {"Return": {"ok": True}}]}
    compiled, general, listened = views(json.dumps(definition), {}, mocks=mocks)
    assert compiled[0] == "SUCCEEDED" and "RetryCount" not in compiled[1]["context"]
    assert compiled == general
    assert compiled == listened


def test_the_plain_state_loop_reads_the_clock_as_now_would() -> None:
    """``run_plain_states`` reads a ``VirtualClock``'s ``_now`` itself; a subclass's ``now`` is called."""
    machine = StateMachine.from_json(json.dumps(_loop(50)))
    read = machine.execute({"n": 0}, name="e", seed=7, clock=VirtualClock(START))
    _CalledClock.calls = 0
    called = machine.execute({"n": 0}, name="e", seed=7, clock=_CalledClock(START))
    assert _CalledClock.calls >= 2 * 101  # two per state
    assert (read.status, read.output, read.history) == (called.status, called.output, called.history)


# -- iterations run directly (``run_plain_states``, a reused frame), against the general path ---------

_PLAIN_PROCESSORS: dict[str, dict[str, Any]] = {
    "w3": {
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
    },
    "context": {  # the context object reads the frame's state name and entry time
        "StartAt": "Seen",
        "States": {
            "Seen": {
                "Type": "Pass",
                "Parameters": {"state.$": "$$.State.Name", "at.$": "$$.State.EnteredTime", "v.$": "$"},
                "Next": "Again",
            },
            "Again": {"Type": "Pass", "Parameters": {"state.$": "$$.State.Name", "v.$": "$.v"}, "End": True},
        },
    },
    "mixed": {  # plain, then not plain (Assign, ResultPath), then plain again, a Choice and a Succeed
        "StartAt": "First",
        "States": {
            "First": {"Type": "Pass", "Parameters": {"v.$": "$"}, "Next": "Assigning"},
            "Assigning": {"Type": "Pass", "Assign": {"seen.$": "$.v"}, "Next": "Placed"},
            "Placed": {"Type": "Pass", "Result": {"r": 1}, "ResultPath": "$.r", "Next": "Check"},
            "Check": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.v", "NumericGreaterThanEquals": 5, "Next": "Big"}],
                "Default": "Small",
            },
            "Big": {"Type": "Pass", "Parameters": {"big.$": "$seen"}, "Next": "Done"},
            "Small": {"Type": "Pass", "OutputPath": "$.v", "Next": "Done"},
            "Done": {"Type": "Succeed"},
        },
    },
    "failing": {  # a missing path on odd items: States.Runtime inside the iteration
        "StartAt": "Check",
        "States": {
            "Check": {
                "Type": "Choice",
                "Choices": [{"Variable": "$", "NumericGreaterThanEquals": 7, "Next": "Missing"}],
                "Default": "Fine",
            },
            "Missing": {"Type": "Pass", "Parameters": {"x.$": "$.missing"}, "End": True},
            "Fine": {"Type": "Pass", "Parameters": {"n.$": "States.MathAdd($, 1)"}, "End": True},
        },
    },
    "interleaved": {  # items 0-4 end in the direct loop, 5-8 in ``run_states`` (Assign), 9 fails in the loop
        "StartAt": "Route",
        "States": {
            "Route": {
                "Type": "Choice",
                "Choices": [
                    {"Variable": "$", "NumericEquals": 9, "Next": "Missing"},
                    {"Variable": "$", "NumericGreaterThanEquals": 5, "Next": "Assigning"},
                ],
                "Default": "Plain",
            },
            "Plain": {"Type": "Pass", "Parameters": {"n.$": "$"}, "End": True},
            "Assigning": {"Type": "Pass", "Assign": {"seen.$": "$"}, "End": True},
            "Missing": {"Type": "Pass", "Parameters": {"x.$": "$.missing"}, "End": True},
        },
    },
    "large": {  # the item's text grows past the payload meter's threshold, then past the quota
        "StartAt": "Twice",
        "States": {
            "Twice": {"Type": "Pass", "Parameters": {"a.$": "$", "b.$": "$"}, "Next": "Again"},
            "Again": {"Type": "Pass", "Parameters": {"a.$": "$", "b.$": "$"}, "Next": "Small"},
            "Small": {"Type": "Pass", "OutputPath": "$.a.a", "End": True},
        },
    },
}

_PLAIN_ITEMS: dict[str, Any] = {
    "w3": list(range(60)),
    "context": list(range(5)),
    "mixed": list(range(9)),
    "failing": list(range(9)),
    # ended in the direct loop and by ``run_one`` in turn, in every order, then a failure among them
    "interleaved": [0, 5, 1, 6, 7, 2, 3, 8, 4, 0, 9, 1, 5, 2, 6],
    "large": ["x" * 5_000, "y" * 9_000, "z", "w" * 70_000],
}


def _plain_map(processor: str, concurrency: int, **fields: Any) -> dict[str, Any]:
    return {
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "MaxConcurrency": concurrency,
                "ItemProcessor": _PLAIN_PROCESSORS[processor],
                "End": True,
                **fields,
            }
        },
    }


_MAP_FIELDS: dict[str, dict[str, Any]] = {
    "bare": {},
    "caught": {"Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Caught"}]},
    "tolerated": {"ToleratedFailureCount": 100},
    "selected": {"ItemSelector": {"index.$": "$$.Map.Item.Index", "value.$": "$$.Map.Item.Value"}},
}


@pytest.mark.parametrize("fields", sorted(_MAP_FIELDS))
@pytest.mark.parametrize("concurrency", [0, 1, 2])
@pytest.mark.parametrize("processor", sorted(_PLAIN_PROCESSORS))
def test_iterations_run_directly_give_the_same_history_every_way(processor: str, concurrency: int, fields: str) -> None:
    """Each processor as compiled (plain states in ``run_plain_states``), on the general path and with
    a listener, and as scheduler tasks: a reused frame, bail-outs to ``run_states`` mid-iteration
    (a state that is not plain, a large payload), failures caught, tolerated or failing the Map."""
    definition = _plain_map(processor, concurrency, **_MAP_FIELDS[fields])
    if fields == "caught":
        definition["States"]["Each"]["Next"] = definition["States"]["Each"].pop("End") and "Caught"
        definition["States"]["Caught"] = {"Type": "Pass", "End": True}
    items = _PLAIN_ITEMS[processor]
    if fields == "selected" and processor in ("large", "failing", "mixed", "interleaved"):
        return  # their states read the item itself
    text = json.dumps(definition)
    compiled, general, listened = views(text, items, "EXPRESS")
    assert compiled == general
    assert compiled == listened
    direct, tasks = run_both(definition, items)
    assert direct == tasks
    if processor == "large":
        assert compiled[2] == "States.DataLimitExceeded" or fields == "caught"


@pytest.mark.parametrize("length", [0, 3, 20])
@pytest.mark.parametrize("concurrency", [0, 1, 2])
def test_iterations_ended_two_ways_beside_a_branch_give_the_same_history(concurrency: int, length: int) -> None:
    """Iterations ended in the direct loop (handed over from its own list) and by ``run_one`` (from
    ``ended``), with a sibling branch becoming ready between them: those ended in the loop go back to
    ``ended``, ahead of the others, when the rest become tasks."""
    for fields in ("bare", "tolerated"):
        definition = _plain_map("interleaved", concurrency, **_MAP_FIELDS[fields])
        direct, tasks = run_both(beside_a_pass_chain(definition["States"]["Each"], length), _PLAIN_ITEMS["interleaved"])
        assert direct == tasks


@pytest.mark.parametrize("after", [1, 2, 3, 6, 9])
@pytest.mark.parametrize("concurrency", [0, 2])
def test_iterations_ended_in_the_loop_are_handed_over_when_the_rest_become_tasks(
    concurrency: int, after: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The scheduler says once (twice in a row) that something else is ready, after ``after``
    iterations: the rest become tasks, and those the direct loop ended itself go back to ``ended``
    ahead of those ``run_one`` put there. As compiled and on the general path (every iteration by
    ``run_one``), with the same answers from the scheduler, the histories are the same."""
    text = json.dumps(_plain_map("interleaved", concurrency, **_MAP_FIELDS["tolerated"]))
    machine = StateMachine.from_json(text, machine_type="EXPRESS")
    with general_path():
        general = StateMachine.from_json(text, machine_type="EXPRESS")
    ready = Scheduler.nothing_else_ready
    calls = [0]

    def busy_once(scheduler: Scheduler) -> bool:
        calls[0] += 1
        return calls[0] not in (after + 1, after + 2) and ready(scheduler)

    monkeypatch.setattr(Scheduler, "nothing_else_ready", busy_once)
    runs = []
    for each in (machine, general):
        calls[0] = 0
        run = each.execute(_PLAIN_ITEMS["interleaved"], name="e", seed=7, clock=VirtualClock(START))
        assert calls[0] >= after + 2  # the signal was given
        runs.append((run.status, run.output, run.error, run.cause, run.history))
    assert runs[0] == runs[1]


def test_a_jsonata_map_gives_the_same_history_every_way() -> None:
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "MaxConcurrency": 1,
                "ItemProcessor": {
                    "StartAt": "Double",
                    "States": {
                        "Double": {"Type": "Pass", "Output": "{% {'n': $states.input * 2} %}", "Next": "Unwrap"},
                        "Unwrap": {"Type": "Pass", "Output": "{% $states.input.n %}", "End": True},
                    },
                },
                "End": True,
            }
        },
    }
    compiled, general, listened = views(json.dumps(definition), list(range(12)), "EXPRESS")
    assert compiled[0] == "SUCCEEDED" and compiled[1] == [2 * n for n in range(12)]
    assert compiled == general
    assert compiled == listened


class _CalledClock(VirtualClock):
    """A virtual clock whose ``now`` the direct iteration loop must call (it reads ``_now`` itself
    only from a ``VirtualClock`` proper); counts the calls."""

    calls = 0

    def now(self) -> float:
        _CalledClock.calls += 1
        return super().now()


def test_the_direct_iteration_loop_reads_the_clock_as_now_would() -> None:
    machine = StateMachine.from_json(json.dumps(_plain_map("w3", 2)))
    items = _PLAIN_ITEMS["w3"]
    read = machine.execute(items, name="e", seed=7, clock=VirtualClock(START))
    _CalledClock.calls = 0
    called = machine.execute(items, name="e", seed=7, clock=_CalledClock(START))
    assert _CalledClock.calls > 6 * len(items)  # two per state, two per handover
    assert (read.status, read.output, read.history) == (called.status, called.output, called.history)


# -- the scope's last state, a plain Pass (``run_last_pass``), against the general path ---------------

_LAST_PASSES: dict[str, dict[str, Any]] = {
    "bare": {},
    "parameters": {"Parameters": {"n.$": "$.n", "c": [1]}},
    "missing-path": {"Parameters": {"n.$": "$.missing"}},
    "output-path": {"OutputPath": "$.n"},
    "missing-output-path": {"OutputPath": "$.missing"},
    "placed": {"Result": {"r": 1}, "ResultPath": "$.r"},
    "context": {"Parameters": {"state.$": "$$.State.Name", "at.$": "$$.State.EnteredTime"}},
    "medium": {"Result": {"blob": "y" * 20_000}},  # beyond ``LARGE_TEXT_CHARS``, within the quota
    "too-large": {"Result": {"blob": "x" * 300_000}},  # beyond the quota: States.DataLimitExceeded
    "assign": {"Assign": {"seen.$": "$.n"}},  # not plain: ``run``
    "jsonata": {"QueryLanguage": "JSONata", "Output": "{% $states.input.n %}"},
}
_BEFORE_LAST: dict[str, dict[str, Any] | None] = {
    "nothing": None,
    "wait": {"Type": "Wait", "Seconds": 3},
    "pass": {"Type": "Pass", "Parameters": {"n.$": "$.n", "k": 2}},
    "choice": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericEquals": -1, "Next": "Last"}]},
}


def _ending_with(last: str, before: str) -> str:
    states: dict[str, Any] = {"Last": {"Type": "Pass", **_LAST_PASSES[last], "End": True}}
    first = _BEFORE_LAST[before]
    if first is not None:
        states["First"] = {**first, "Default": "Last"} if first["Type"] == "Choice" else {**first, "Next": "Last"}
    return json.dumps({"StartAt": "Last" if first is None else "First", "States": states})


def test_the_last_pass_is_run_by_its_short_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """Otherwise the comparisons below would compare the general path with itself. After a plain state
    the plain loop (``run_plain_states``) goes on to it."""
    taken: list[str] = []
    short = interpreter.run_last_pass

    def counting(step_of: Any, frame: Any, value: Any, name: str, text: str, rows: list[Any]) -> Any:
        taken.append(name)
        return short(step_of, frame, value, name, text, rows)

    monkeypatch.setattr(interpreter, "run_last_pass", counting)
    for before in _BEFORE_LAST:
        execution = StateMachine.from_json(_ending_with("parameters", before)).execute({"n": 1})
        assert execution.status == "SUCCEEDED"
        assert taken.count("Last") == (before in ("nothing", "wait"))
        taken.clear()


@pytest.mark.parametrize("before", sorted(_BEFORE_LAST))
@pytest.mark.parametrize("last", sorted(_LAST_PASSES))
def test_the_last_pass_gives_the_same_history_every_way(last: str, before: str) -> None:
    """Its rows, output, the failures of its step (a path not found, the payload quota) and the frame it
    leaves (the execution's output and last event) must be ``run``'s, history on, off and listened to."""
    text = _ending_with(last, before)
    compiled, general, listened = views(text, {"n": 4})
    assert compiled == general
    assert compiled == listened
    assert _transitions(text, history=True) == _transitions(text, history=False)


def _transitions(text: str, *, history: bool) -> tuple[int, int]:
    """The transitions an execution counted, as compiled and on the general path."""
    counted = []
    for specialised in (True, False):
        if specialised:
            machine = StateMachine.from_json(text)
        else:
            with general_path():
                machine = StateMachine.from_json(text)
        run = machine.execute({"n": 4}, name="e", clock=VirtualClock(START), history=history)._run
        counted.append(run.transitions)  # type: ignore[union-attr]
    assert counted[0] == counted[1]
    return counted[0], counted[1]


@pytest.mark.parametrize("limit", [2, 3, 4, 5, 6, 7])  # 6: ExecutionSucceeded, never refused
@pytest.mark.parametrize("before", ["wait", "pass"])
def test_the_history_limit_at_the_last_pass_fails_the_same_every_way(
    before: str, limit: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The event limit on each event around the last state (the caller checks that both its events fit)."""
    monkeypatch.setattr("asl_engine.runtime.run.HISTORY_EVENT_LIMIT", limit)
    compiled, general, listened = views(_ending_with("parameters", before), {"n": 4})
    assert compiled == general
    assert compiled == listened


class _TickingClock(VirtualClock):
    """A virtual clock a millisecond later at every read: a read left out or added shows in the times."""

    def now(self) -> float:
        self._now += 0.001
        return self._now


@pytest.mark.parametrize("before", sorted(_BEFORE_LAST))
def test_the_last_pass_reads_the_clock_as_now_would(before: str) -> None:
    """``run_last_pass`` reads a ``VirtualClock``'s ``_now`` itself; a subclass's ``now`` is called,
    once for each event, as ``run`` and ``exit`` call it."""
    text = _ending_with("context", before)
    machine = StateMachine.from_json(text)
    with general_path():
        general = StateMachine.from_json(text)
    runs = [each.execute({"n": 4}, name="e", seed=7, clock=_TickingClock(START)) for each in (machine, general)]
    assert runs[0].status == "SUCCEEDED"
    assert (runs[0].output, runs[0].history) == (runs[1].output, runs[1].history)
