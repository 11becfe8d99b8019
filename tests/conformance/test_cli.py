from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from asl_engine.cli.conformance import conformance_command
from asl_engine.conformance import runner

from .fakes import FakeExecution, fake_engine, write_case


@pytest.fixture
def cases(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Two self-contained cases; the fake engine reproduces 'good' and not 'bad'."""
    directory = tmp_path / "cases"
    write_case(directory / "self_contained", id="good", expected={"status": "SUCCEEDED", "output": {"a": 1}})
    write_case(directory / "self_contained", id="bad", expected={"status": "SUCCEEDED", "output": {"a": 2}})

    def run(definition: Any, value: Any, mocks: Any) -> FakeExecution:
        return FakeExecution(output={"a": 1})

    monkeypatch.setattr(runner, "load_engine", lambda: fake_engine(run))
    return directory


def floors(tmp_path: Path, **values: float) -> str:
    path = tmp_path / "floor.json"
    path.write_text(json.dumps(values), encoding="utf-8")
    return str(path)


def test_exit_zero_when_rates_meet_their_floors(cases: Path, tmp_path: Path) -> None:
    outcome = CliRunner().invoke(conformance_command, [str(cases), "--floor", floors(tmp_path, self_contained=50.0)])
    assert outcome.exit_code == 0, outcome.output
    assert "self_contained             1/2     50.0%  (floor 50.0%)" in outcome.output
    assert "[self_contained] bad: output differs at $.a: expected 2, got 1" in outcome.output


def test_exit_one_below_a_floor(cases: Path, tmp_path: Path) -> None:
    outcome = CliRunner().invoke(conformance_command, [str(cases), "--floor", floors(tmp_path, self_contained=50.1)])
    assert outcome.exit_code == 1
    assert "BELOW FLOOR" in outcome.output


def test_cases_from_several_directories_filter_and_json(cases: Path, tmp_path: Path) -> None:
    extra = tmp_path / "extra"
    write_case(extra, id="good_extra", input={"a": 1})
    report = tmp_path / "report.json"
    outcome = CliRunner().invoke(
        conformance_command,
        [
            str(cases),
            "--cases",
            str(extra),
            "--filter",
            "GOOD",
            "--json",
            str(report),
            "-v",
            "--floor",
            floors(tmp_path, self_contained=100.0),
        ],
    )
    assert outcome.exit_code == 0, outcome.output
    data = json.loads(report.read_text(encoding="utf-8"))
    assert [case["id"] for case in data["cases"]] == ["good", "good_extra"]
    assert "PASS  [self_contained] good_extra" in outcome.output


@pytest.mark.parametrize(
    "arguments",
    [
        ["--filter", "nothing-matches"],
        ["--timeout", "0"],
        ["--floor", "/no/such/floor.json"],
        ["/no/such/directory"],
        ["--json", "/no/such/directory/report.json"],
    ],
)
def test_bad_usage_exits_two(cases: Path, arguments: list[str]) -> None:
    outcome = CliRunner().invoke(conformance_command, [str(cases), *arguments])
    assert outcome.exit_code == 2, outcome.output


def test_an_empty_directory_exits_two_with_a_clear_message(cases: Path, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    outcome = CliRunner().invoke(conformance_command, [str(cases), "--cases", str(tmp_path / "empty")])
    assert outcome.exit_code == 2
    assert f"the directory of cases {tmp_path / 'empty'} holds no case file (*.json)" in outcome.output
    assert "floors met" not in outcome.output


def test_a_malformed_floor_file_is_bad_usage(cases: Path, tmp_path: Path) -> None:
    path = tmp_path / "floor.json"
    path.write_text('{"selfcontained": 1}', encoding="utf-8")
    outcome = CliRunner().invoke(conformance_command, [str(cases), "--floor", str(path)])
    assert outcome.exit_code == 2
    assert "/selfcontained: unknown category" in outcome.output


def test_the_asl_command_group_offers_conformance() -> None:
    from asl_engine.cli.main import cli

    outcome = CliRunner().invoke(cli, ["conformance", "--help"])
    assert outcome.exit_code == 0
    assert "Exit status: 0 when every category" in outcome.output
