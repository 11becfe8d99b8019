"""The scripts behind issue 20's targets: what they generate and run is right (no timing asserted)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from benchmarks import execution_cost, import_time, pytest_overhead
from benchmarks.cases import LoadedCase, by_id
from benchmarks.processes import compiled_environment


def test_the_generated_suites_pass_under_the_plugin(tmp_path: Path) -> None:
    executing, empty = pytest_overhead.write_suite(tmp_path, 3)
    assert executing.read_text().count("def test_order_") == 3
    assert empty.read_text().count("pass") == 3
    for suite in (executing, empty):
        assert pytest_overhead.run_pytest(suite) > 0  # raises SystemExit with pytest's output on a failure


def test_a_failing_suite_stops_the_measurement(tmp_path: Path) -> None:
    broken = tmp_path / "test_broken.py"
    broken.write_text("def test_fails():\n    assert False\n")
    with pytest.raises(SystemExit, match=r"pytest failed on test_broken\.py"):
        pytest_overhead.run_pytest(broken)


def test_processes_run_with_bytecode_caches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    monkeypatch.setenv("ASL_SOMETHING", "kept")
    environment = compiled_environment()
    assert "PYTHONDONTWRITEBYTECODE" not in environment
    assert environment["ASL_SOMETHING"] == "kept"


def test_the_import_benchmark_times_the_target_command() -> None:
    assert import_time.COMMANDS[import_time.TARGET] == "import asl_engine"
    assert import_time.process_ms("pass") > 0


def test_the_execution_cost_is_measured_on_a_checked_w5() -> None:
    reading = execution_cost.measure("W5", rounds=2, executions=3)
    assert reading.case == "W5" and (reading.rounds, reading.executions) == (2, 3)
    assert 0 < reading.best_us <= reading.median_us


def test_a_wrong_answer_stops_the_execution_cost(monkeypatch: pytest.MonkeyPatch) -> None:
    case = by_id("W5")

    class OneFailureLess:
        """W5 with its first failure taken away: 65 virtual seconds instead of 67."""

        def load(self, scale: float) -> LoadedCase:
            loaded = case.load(scale)
            assert loaded.mocks is not None
            return dataclasses.replace(loaded, mocks={"Call": loaded.mocks["Call"][1:]})

    monkeypatch.setattr(execution_cost, "by_id", lambda case_id: OneFailureLess())
    with pytest.raises(SystemExit, match=r"W5: wrong answer: .*"):
        execution_cost.measure("W5", rounds=1, executions=1)


def test_the_execution_cost_refuses_empty_rounds(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        execution_cost.main(["--rounds", "0"])
    assert stopped.value.code == 2
    assert "--rounds and --executions must be at least 1" in capsys.readouterr().err
