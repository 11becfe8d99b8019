"""The scripts behind issue 20's targets: what they generate and run is right (no timing asserted)."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import import_time, pytest_overhead
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
