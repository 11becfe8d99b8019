from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest

from asl_engine.conformance import runner
from asl_engine.conformance.case import BrokenCase
from asl_engine.conformance.engine import EngineUnavailable
from asl_engine.conformance.results import FAILED, PASSED, SKIPPED
from asl_engine.conformance.runner import run_case, run_cases, summarise_exception

from .fakes import Calls, FakeDiagnostic, FakeExecution, fake_engine, history, make_case

HISTORY = history(
    ("ExecutionStarted", None), ("PassStateEntered", "P"), ("PassStateExited", None), ("ExecutionSucceeded", None)
)


def test_a_reproduced_execution_passes_with_its_metrics() -> None:
    case = make_case(
        expected={
            "status": "SUCCEEDED",
            "output": {"a": 1},
            "states_entered": ["P"],
            "history_event_types": ["ExecutionStarted", "PassStateEntered", "PassStateExited", "ExecutionSucceeded"],
        }
    )
    engine = fake_engine(lambda d, i, m: FakeExecution(output=i, history=HISTORY))
    result = run_case(case, engine)
    assert result.outcome == PASSED and result.reason is None
    assert {name: metric.passed for name, metric in result.metrics.items()} == {
        "states_entered": True,
        "history_event_types": True,
    }
    assert result.seconds >= 0


def test_a_wrong_history_fails_the_case_even_with_the_right_outcome() -> None:
    case = make_case(expected={"status": "SUCCEEDED", "output": {"a": 1}, "states_entered": ["Q"]})
    result = run_case(case, fake_engine(lambda d, i, m: FakeExecution(output=i, history=HISTORY)))
    assert result.outcome == FAILED
    assert result.problems == ("states_entered: at #0: expected Q, got P (1 expected, 1 actual)",)
    metric = result.metrics["states_entered"]
    assert (metric.passed, metric.expected, metric.actual) == (False, ("Q",), ("P",))


def test_a_wrong_history_of_the_handlers_run_fails_it_too() -> None:
    types = ["ExecutionStarted", "PassStateEntered", "PassStateExited", "ExecutionSucceeded"]
    case = make_case(
        category="mocked", expected={"status": "SUCCEEDED", "output": {"a": 1}, "history_event_types": types[:1]}
    )
    result = runner.run_case_with_handlers(case, fake_engine(lambda d, i, m: FakeExecution(output=i, history=HISTORY)))
    assert (result.category, result.outcome) == ("handlers", FAILED)
    assert result.reason == "history_event_types: at #1: expected (end), got PassStateEntered (1 expected, 4 actual)"


def test_a_different_output_fails_with_a_one_line_reason() -> None:
    result = run_case(make_case(), fake_engine(lambda d, i, m: FakeExecution(output={"a": 2})))
    assert result.outcome == FAILED
    assert result.reason == "output differs at $.a: expected 1, got 2"


def test_mocked_cases_get_mocks_and_resolved_resources() -> None:
    calls = Calls()
    definition = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "activity_arn", "End": True}}}
    case = make_case(
        category="mocked",
        definition=definition,
        comparison={"placeholders": ["activity_arn"]},
        task_results=[
            {"event": "ActivityScheduled", "state": "T"},
            {"event": "ActivitySucceeded", "state": "T", "output": {"a": 1}},
        ],
    )
    result = run_case(case, fake_engine(lambda d, i, m: FakeExecution(output=m["T"][0]["Return"]), calls=calls))
    assert result.outcome == PASSED and result.category == "mocked"
    loaded, machine_type = calls.loads[0]
    assert loaded["States"]["T"]["Resource"].startswith("arn:aws:states:us-east-1:111111111111:activity:")
    assert machine_type == "STANDARD"
    assert calls.executions == [({"a": 1}, {"T": [{"Return": {"a": 1}}]})]


def test_self_contained_cases_get_no_mocks() -> None:
    calls = Calls()
    run_case(make_case(), fake_engine(calls=calls))
    assert calls.executions == [({"a": 1}, None)]


def test_unreplayable_mocked_cases_are_skipped_without_running() -> None:
    calls = Calls()
    case = make_case(category="mocked", external_actions=["sfn_activity_consumer"])
    result = run_case(case, fake_engine(calls=calls))
    assert (result.outcome, result.category) == (SKIPPED, "mocked_not_replayable")
    assert result.reason == "needs an activity worker (sfn_activity_consumer)"
    assert calls.loads == []


def test_a_rejected_definition_is_a_failure_naming_the_diagnostic() -> None:
    engine = fake_engine(reject=[FakeDiagnostic("SCHEMA_VALIDATION_FAILED", "bad", "/States/P")])
    result = run_case(make_case(), engine)
    assert result.reason == (
        "the engine rejected a definition AWS accepted: SCHEMA_VALIDATION_FAILED at /States/P: bad"
    )


def test_an_engine_crash_is_a_failure_summarised_in_one_line_and_the_run_goes_on() -> None:
    def crash(definition: Any, input: Any, mocks: Any) -> FakeExecution:
        raise KeyError("missing")

    case = make_case(expected={"status": "SUCCEEDED", "output": {"a": 1}, "states_entered": ["P"]})
    results = run_cases([case, make_case(id="second")], engine=fake_engine(crash))
    assert [r.outcome for r in results] == [FAILED, FAILED]
    reason = results[0].reason or ""
    assert reason.startswith("engine raised KeyError: 'missing' (at test_runner.py:")
    assert "\n" not in reason
    assert results[0].metrics["states_entered"].detail == "no history (the case did not complete)"


def test_a_hanging_case_times_out_and_the_run_goes_on() -> None:
    release, returned = threading.Event(), threading.Event()

    def hang(definition: Any, input: Any, mocks: Any) -> FakeExecution:
        release.wait(60)
        returned.set()
        return FakeExecution(output=input)

    try:
        results = run_cases([make_case(), make_case(id="b")], engine=fake_engine(hang), timeout=0.2)
        assert not returned.is_set()  # both results came while the first case still hung
    finally:
        release.set()
    assert [r.reason for r in results] == ["timed out after 0.2 s of wall-clock time"] * 2


def test_the_timeout_also_works_outside_the_main_thread() -> None:
    def hang(definition: Any, input: Any, mocks: Any) -> FakeExecution:
        time.sleep(2)
        return FakeExecution(output=input)

    found: list[str | None] = []
    worker = threading.Thread(target=lambda: found.append(run_case(make_case(), fake_engine(hang), timeout=0.2).reason))
    worker.start()
    worker.join(5)
    assert found == ["timed out after 0.2 s of wall-clock time"]


def test_broken_cases_fail_as_malformed() -> None:
    result = run_case(BrokenCase(Path("/c/x.json"), "not JSON"), fake_engine())
    assert (result.category, result.outcome, result.reason) == ("malformed", FAILED, "malformed case file: not JSON")


def test_without_an_engine_cases_fail_with_the_import_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def unavailable() -> None:
        raise EngineUnavailable("the engine cannot be imported: ModuleNotFoundError: x")

    monkeypatch.setattr(runner, "load_engine", unavailable)
    skipped = make_case(id="s", category="mocked", unresolved=["«op1:short_uid»"])
    results = run_cases([make_case(), skipped])
    assert [(r.outcome, r.reason) for r in results] == [
        (FAILED, "the engine cannot be imported: ModuleNotFoundError: x"),
        (SKIPPED, "needs a value the recording hid (short_uid)"),
    ]


def test_progress_sees_each_result() -> None:
    seen: list[str] = []
    run_cases([make_case(id="a"), make_case(id="b")], engine=fake_engine(), progress=lambda r: seen.append(r.case_id))
    assert seen == ["a", "b"]


def test_summarise_exception_without_traceback() -> None:
    assert summarise_exception(ValueError("bad\nsecond line")) == "ValueError: bad"
    assert summarise_exception(RuntimeError()) == "RuntimeError"
