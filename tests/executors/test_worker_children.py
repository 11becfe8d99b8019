"""A child on a worker runs alone on a clock of its own (``run_child_alone`` with
``Scheduler.run_alone``); its report must not show it.

Each child here runs both ways from the same start: the lone path (the worker's), and the general
one (``run_alone`` refused, so the scheduler registers with the clock and waits on it, as before).
Status, times, input and output text, error, cause, decisions and the whole history must be
identical. The recorded self-contained cases give the machines, and generated ones add waits,
retries, Parallel, inline Map and timeouts.
"""

from __future__ import annotations

import json
import pickle
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings

from asl_engine.runtime.clock import VirtualClock
from asl_engine.runtime.compiler import compile_machine
from asl_engine.runtime.history import History
from asl_engine.runtime.map_run.child import run_child_alone
from asl_engine.runtime.map_run.executor import ChildReport, ChildWork
from asl_engine.runtime.map_run.packing import unpack_history
from asl_engine.runtime.run import Identity
from asl_engine.runtime.scheduler import Scheduler
from asl_engine.services.mocks import Mocks
from tests import recorded
from tests.runtime.test_lone_execution import machines

START = 1_735_689_600.0  # 2025-01-01T00:00:00Z


def run_both(definition: dict[str, Any], value: Any, mocks: dict[str, Any], machine_type: str = "STANDARD") -> None:
    machine = compile_machine(definition, machine_type=machine_type)
    work = ChildWork(3, value, "child-3", 12345, START)
    identity = Identity("Parent/Map:run", "child-3")
    views = []
    for alone in (True, False):
        with pytest.MonkeyPatch.context() as patch:
            if not alone:
                patch.setattr(Scheduler, "run_alone", lambda scheduler, future: False)
            report = run_child_alone(
                machine, machine.top, identity, work, [Mocks(mocks)], virtual_clock=True, record_history=True
            )
        views.append(_view(report))
    assert views[0] == views[1]


def _view(report: ChildReport) -> tuple[Any, ...]:
    packed = report.history
    history = [event.to_dict() for event in History.restored(unpack_history(packed)).events] if packed else None
    return (
        report.status, report.error, report.cause, report.start_time, report.stop_time, report.input_text,
        report.output_text, report.events, report.decisions, report.unanswered, history,
    )  # fmt: skip


SELF_CONTAINED = recorded.case_files("self_contained")


@pytest.mark.parametrize(
    "case_file", recorded.parameters("self_contained", SELF_CONTAINED), ids=lambda p: getattr(p, "stem", p)
)
def test_recorded_cases_as_children_give_the_same_report_both_ways(case_file: Path | None) -> None:
    if case_file is None:
        recorded.require("self_contained")
        return  # pragma: no cover - require skips (or fails in CI)
    case = json.loads(case_file.read_text())
    try:
        compile_machine(case["definition"])
    except Exception:
        return
    run_both(case["definition"], case.get("input"), {}, case.get("state_machine_type", "STANDARD"))


@settings(max_examples=60, deadline=None, derandomize=True)
@given(machines())
def test_generated_children_give_the_same_report_both_ways(generated: tuple[dict[str, Any], int]) -> None:
    definition, failures = generated
    throws = [{"Throw": {"Error": "Boom", "Cause": f"attempt {n}"}} for n in range(failures)]
    tasks = [name for name, spec in definition["States"].items() if spec["Type"] == "Task"]
    run_both(definition, {"items": [1, 2, 3], "last": 5}, {name: [*throws, {"Return": {"ok": True}}] for name in tasks})


def test_a_child_that_waits_ends_when_its_own_clock_says() -> None:
    """The lone path jumps the child's clock to each timer, as the general one lets it advance."""
    definition = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 90, "End": True}}}
    machine = compile_machine(definition)
    work = ChildWork(0, {}, "c", 1, START)
    report = run_child_alone(
        machine, machine.top, Identity("M", "c"), work, [], virtual_clock=True, record_history=False
    )
    assert (report.status, report.stop_time - report.start_time) == ("SUCCEEDED", 90.0)


def test_a_lone_child_never_registers_with_its_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    subscriptions: list[int] = []
    subscribe = VirtualClock._subscribe

    def counting(clock: VirtualClock, key: int, condition: Any) -> None:
        subscriptions.append(key)
        subscribe(clock, key, condition)

    monkeypatch.setattr(VirtualClock, "_subscribe", counting)
    definition = {
        "StartAt": "T",
        "States": {
            "T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f", "Next": "W"},
            "W": {"Type": "Wait", "Seconds": 5, "End": True},
        },
    }
    machine = compile_machine(definition)
    report = run_child_alone(
        machine, machine.top, Identity("M", "c"), ChildWork(0, {}, "c", 1, START), [Mocks({"T": [{"Return": 1}]})],
        virtual_clock=True, record_history=False,
    )  # fmt: skip
    assert (report.status, report.output_text, subscriptions) == ("SUCCEEDED", "1", [])


def test_an_inline_map_in_a_child_keeps_its_history_through_pickling() -> None:
    """Iteration rows hold a marker compared by identity: it must survive the trip from a worker."""
    definition = {
        "StartAt": "M",
        "States": {
            "M": {
                "Type": "Map",
                "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
                "End": True,
            }
        },
    }
    machine = compile_machine(definition)
    report = run_child_alone(
        machine, machine.top, Identity("M", "c"), ChildWork(0, [1, 2], "c", 1, START), [],
        virtual_clock=True, record_history=True,
    )  # fmt: skip
    assert report.history is not None
    events = History.restored(unpack_history(pickle.loads(pickle.dumps(report.history)))).events
    iterations = [event.to_dict() for event in events if event.type.startswith("MapIteration")]
    assert [(e["type"], e["mapIterationStartedEventDetails"]) for e in iterations[:1]] == [
        ("MapIterationStarted", {"index": 0, "name": "M"})
    ]
    assert len(iterations) == 4
