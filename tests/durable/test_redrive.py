"""Redrive on top of replay: the unfinished state visits run again, everything else is kept."""

from __future__ import annotations

import json
from typing import Any

from asl_engine import StateMachine
from asl_engine.errors import StatesError
from asl_engine.runtime.durable.journal import EventRow
from asl_engine.runtime.handlers import TaskRequest
from tests.durable.support import run_durably, signature


class Switchable:
    """Handlers that fail (with ``Broken``) for the listed inputs until ``fixed`` is set."""

    mocks_task_states = False

    def __init__(self, failing: set[str]) -> None:
        self.failing = failing
        self.fixed = False
        self.calls: list[tuple[str, Any]] = []

    def handler_for(self, state_name: str, resource: Any) -> Any:
        def handle(request: TaskRequest) -> Any:
            self.calls.append((state_name, request.parameters))
            parameters = request.parameters
            label = parameters["label"] if isinstance(parameters, dict) and "label" in parameters else state_name
            if label in self.failing and not self.fixed:
                raise StatesError("Broken", f"{label} is broken")
            return {"done": label, "redriveCount": request.context["Execution"].get("RedriveCount")}

        return handle


def task(next_state: str | None = None, parameters: Any = None, **extra: Any) -> dict[str, Any]:
    state: dict[str, Any] = {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sqs:sendMessage", **extra}
    if parameters is not None:
        state["Parameters"] = {"label": parameters} if isinstance(parameters, str) else parameters
    state.update({"Next": next_state} if next_state else {"End": True})
    return state


def types(execution: Any) -> list[str]:
    return [event["type"] for event in execution.history]


def redrive(machine: StateMachine, input: Any, rows: list[Any], handlers: Switchable) -> Any:
    return run_durably(machine, input, resources=handlers, journal=rows, pending_redrive=True)


def resumes_from_every_prefix(
    machine: StateMachine, input: Any, handlers: Switchable, before: list[Any], after: list[Any], expected: Any
) -> None:
    """A redriven execution resumes like any other, from any prefix of its journal (until its
    ExecutionRedriven event is kept, the store still says a redrive is pending)."""
    full = before + after
    for cut in range(len(before), len(full) + 1):
        pending = not any(
            isinstance(row, EventRow) and row.type == "ExecutionRedriven" for row in full[len(before) : cut]
        )
        resumed, _ = run_durably(machine, input, resources=handlers, journal=full[:cut], pending_redrive=pending)
        assert signature(resumed) == signature(expected), cut


def test_a_failed_task_runs_again_from_its_entry_with_fresh_retries_and_the_rest_is_kept() -> None:
    machine = StateMachine.from_json(
        {
            "StartAt": "First",
            "States": {
                "First": task("Second"),
                "Second": task(Retry=[{"ErrorEquals": ["Broken"], "MaxAttempts": 1, "IntervalSeconds": 1}]),
            },
        },
        name="pair",
    )
    handlers = Switchable({"Second"})
    failed, sink = run_durably(machine, {}, resources=handlers)
    assert (failed.status, failed.error) == ("FAILED", "Broken")
    assert [call[0] for call in handlers.calls] == ["First", "Second", "Second"]

    handlers.fixed = True
    handlers.calls.clear()
    redriven, rest = redrive(machine, {}, sink.rows, handlers)
    assert redriven.status == "SUCCEEDED"
    assert redriven.output == {"done": "Second", "redriveCount": 1}
    assert [call[0] for call in handlers.calls] == ["Second"]  # First's result was kept
    history = redriven.history
    assert history[: len(failed.history)] == failed.history  # the old attempt stays, as recorded
    redriven_event = history[len(failed.history)]
    assert redriven_event["type"] == "ExecutionRedriven"
    assert redriven_event["executionRedrivenEventDetails"] == {"redriveCount": 1}
    entered = next(e["id"] for e in failed.history if e["type"] == "TaskStateEntered" and _name(e) == "Second")
    rescheduled = history[len(failed.history) + 1]
    assert (rescheduled["type"], rescheduled["previousEventId"]) == ("TaskScheduled", entered)
    assert types(redriven)[len(failed.history) + 1 :] == [
        "TaskScheduled",
        "TaskStarted",
        "TaskSucceeded",
        "TaskStateExited",
        "ExecutionSucceeded",
    ]
    resumes_from_every_prefix(machine, {}, handlers, sink.rows, rest.rows, redriven)


def test_a_parallel_runs_again_only_its_failed_and_aborted_branches() -> None:
    machine = StateMachine.from_json(
        {
            "StartAt": "All",
            "States": {
                "All": {
                    "Type": "Parallel",
                    "Branches": [
                        {"StartAt": "Good", "States": {"Good": task(parameters="good")}},
                        {
                            "StartAt": "Late",
                            "States": {
                                "Late": {"Type": "Wait", "Seconds": 50, "Next": "AfterLate"},
                                "AfterLate": task(parameters="late"),
                            },
                        },
                        {
                            "StartAt": "Pause",
                            "States": {
                                "Pause": {"Type": "Wait", "Seconds": 5, "Next": "Bad"},
                                "Bad": task(parameters="bad"),
                            },
                        },
                    ],
                    "End": True,
                }
            },
        },
        name="branches",
    )
    handlers = Switchable({"bad"})
    failed, sink = run_durably(machine, {}, resources=handlers)
    assert failed.status == "FAILED"
    assert "WaitStateAborted" in types(failed)
    assert sorted(call[1]["label"] for call in handlers.calls) == ["bad", "good"]

    handlers.fixed = True
    handlers.calls.clear()
    redriven, rest = redrive(machine, {}, sink.rows, handlers)
    assert redriven.status == "SUCCEEDED"
    assert sorted(call[1]["label"] for call in handlers.calls) == ["bad", "late"]  # "good" is not run again
    assert redriven.output == [
        {"done": "good", "redriveCount": 0},
        {"done": "late", "redriveCount": 1},
        {"done": "bad", "redriveCount": 1},
    ]
    resumes_from_every_prefix(machine, {}, handlers, sink.rows, rest.rows, redriven)


def test_a_map_runs_again_only_its_failed_and_unfinished_iterations() -> None:
    machine = StateMachine.from_json(
        {
            "StartAt": "Each",
            "States": {
                "Each": {
                    "Type": "Map",
                    "MaxConcurrency": 2,
                    "ItemProcessor": {"StartAt": "Do", "States": {"Do": task(parameters={"item.$": "$"})}},
                    "End": True,
                }
            },
        },
        name="items",
    )

    class ByItem(Switchable):
        def handler_for(self, state_name: str, resource: Any) -> Any:
            def handle(request: TaskRequest) -> Any:
                item = request.parameters["item"]
                self.calls.append((state_name, item))
                if item in self.failing and not self.fixed:
                    raise StatesError("Broken", f"item {item}")
                return item * 10

            return handle

    handlers = ByItem({"c"})
    failed, sink = run_durably(machine, ["a", "b", "c", "d", "e"], resources=handlers)
    assert failed.status == "FAILED"
    ran_before = [call[1] for call in handlers.calls]
    handlers.fixed = True
    handlers.calls.clear()
    redriven, rest = redrive(machine, ["a", "b", "c", "d", "e"], sink.rows, handlers)
    assert redriven.output == ["aaaaaaaaaa", "bbbbbbbbbb", "cccccccccc", "dddddddddd", "eeeeeeeeee"]
    ran_again = [call[1] for call in handlers.calls]
    assert "c" in ran_again
    assert not set(ran_again) & (set(ran_before) - {"c"})  # succeeded iterations are not run again
    assert sorted(ran_before + ran_again) == ["a", "b", "c", "c", "d", "e"]
    resumes_from_every_prefix(machine, ["a", "b", "c", "d", "e"], handlers, sink.rows, rest.rows, redriven)


def test_a_second_redrive_after_a_second_failure() -> None:
    machine = StateMachine.from_json({"StartAt": "Only", "States": {"Only": task()}}, name="only")
    handlers = Switchable({"Only"})
    _, first = run_durably(machine, {}, resources=handlers)
    again, second = redrive(machine, {}, first.rows, handlers)
    assert again.status == "FAILED"
    handlers.fixed = True
    final, third = redrive(machine, {}, first.rows + second.rows, handlers)
    resumes_from_every_prefix(machine, {}, handlers, first.rows + second.rows, third.rows, final)
    assert final.output == {"done": "Only", "redriveCount": 2}
    assert types(final).count("ExecutionRedriven") == 2
    assert types(final).count("ExecutionFailed") == 2
    assert [json.loads(row.details)["redriveCount"] for row in first.rows + second.rows + third.rows
            if isinstance(row, EventRow) and row.type == "ExecutionRedriven"] == [1, 2]  # fmt: skip


def test_a_deterministic_failure_fails_again() -> None:
    machine = StateMachine.from_json(
        {"StartAt": "Ok", "States": {"Ok": task("Stop"), "Stop": {"Type": "Fail", "Error": "Final"}}}, name="fails"
    )
    handlers = Switchable(set())
    _, sink = run_durably(machine, {}, resources=handlers)
    again, _ = redrive(machine, {}, sink.rows, handlers)
    assert (again.status, again.error) == ("FAILED", "Final")
    assert types(again)[-3:] == ["ExecutionFailed", "ExecutionRedriven", "ExecutionFailed"]
    assert len(handlers.calls) == 1


def test_a_caught_failure_is_not_run_again() -> None:
    machine = StateMachine.from_json(
        {
            "StartAt": "Guarded",
            "States": {
                "Guarded": {
                    "Type": "Parallel",
                    "Branches": [{"StartAt": "Risky", "States": {"Risky": task(parameters="risky")}}],
                    "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Later"}],
                    "Next": "Later",
                },
                "Later": task(parameters="later"),
            },
        },
        name="caught",
    )
    handlers = Switchable({"risky", "later"})
    _, sink = run_durably(machine, {}, resources=handlers)
    handlers.fixed = True
    handlers.calls.clear()
    redriven, _ = redrive(machine, {}, sink.rows, handlers)
    assert redriven.status == "SUCCEEDED"
    assert [call[1]["label"] for call in handlers.calls] == ["later"]


def _name(event: dict[str, Any]) -> str | None:
    for key, value in event.items():
        if key.endswith("EventDetails") and isinstance(value, dict):
            return value.get("name")
    return None
