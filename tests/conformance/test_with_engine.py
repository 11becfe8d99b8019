"""The runner against the real engine: the project's own cases, and the adapter's fit."""

from __future__ import annotations

from pathlib import Path

import pytest

from asl_engine.conformance.case import Case, load_cases
from asl_engine.conformance.engine import load_engine
from asl_engine.conformance.paths import PROJECT_CASES_DIR
from asl_engine.conformance.runner import run_case, run_cases
from tests import recorded

from .fakes import make_case

PROJECT_CASES = [case for case in load_cases([PROJECT_CASES_DIR]) if isinstance(case, Case)]


def test_the_project_has_its_own_cases() -> None:
    assert len(PROJECT_CASES) >= 3
    assert {case.category for case in PROJECT_CASES} == {"self_contained"}


@pytest.mark.parametrize("case", PROJECT_CASES, ids=[case.id for case in PROJECT_CASES])
def test_the_engine_reproduces_the_project_cases(case: Case) -> None:
    result = run_case(case, load_engine())
    assert result.problems == ()
    assert {name: metric.detail for name, metric in result.metrics.items() if not metric.passed} == {}


def test_a_wrong_expectation_fails_against_the_real_engine() -> None:
    case = make_case(expected={"status": "SUCCEEDED", "output": {"a": 2}, "states_entered": ["Other"]})
    result = run_case(case, load_engine())
    assert result.reason == "output differs at $.a: expected 2, got 1"
    assert result.metrics["states_entered"].detail == "at #0: expected Other, got P (1 expected, 1 actual)"


def test_a_definition_the_engine_rejects_is_reported_with_its_diagnostic() -> None:
    case = make_case(definition={"StartAt": "Missing", "States": {"P": {"Type": "Pass", "End": True}}})
    reason = run_case(case, load_engine()).reason or ""
    assert reason.startswith("the engine rejected a definition AWS accepted: ")


def test_every_shared_case_loads_and_runs_to_a_result() -> None:
    cases = load_cases([recorded.require()])
    results = run_cases(cases, timeout=10)
    once = [r for r in results if r.category != "handlers"]  # mocked cases also run a second time, through handlers
    assert len(once) == len(cases) > 700
    assert not [r.reason for r in results if r.category == "malformed"]
    assert {r.category for r in results} == {
        "self_contained",
        "mocked",
        "mocked_not_replayable",
        "handlers",
        "validation",
    }
    replayed = {r.case_id for r in results if r.category == "handlers"}
    assert replayed <= {r.case_id for r in once if r.category in ("mocked", "mocked_not_replayable")}


def test_paths_point_into_the_repository() -> None:
    assert (PROJECT_CASES_DIR.parent / "floor.json").is_file()
    assert Path(__file__).resolve().is_relative_to(PROJECT_CASES_DIR.parents[1])
