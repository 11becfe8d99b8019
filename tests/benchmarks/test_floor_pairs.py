"""The paired comparison with the floor: order, ratios, answers checked (``benchmarks.floor_pairs``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import floor_pairs
from benchmarks.checks import Outcome
from benchmarks.generate import Expected

EXPECTED = Expected("SUCCEEDED", output={"done": True})


def _runner(name: str, calls: list[str], times: list[float], output: object = None) -> floor_pairs.RunOnce:
    answer = {"done": True} if output is None else output

    def run_once() -> tuple[float, Outcome]:
        calls.append(name)
        return times.pop(0), Outcome("SUCCEEDED", answer)

    return run_once


def test_pairs_alternate_which_engine_goes_first_and_each_ratio_is_its_own_pairs() -> None:
    calls: list[str] = []
    # warm-up, then three pairs: ours 2, 3, 9 ms against the floor's 1, 2, 3 ms
    ours = _runner("ours", calls, [0.5, 0.002, 0.003, 0.009])
    floor = _runner("floor", calls, [0.5, 0.001, 0.002, 0.003])
    result = floor_pairs.measure_pairs(ours, floor, EXPECTED, pairs=3, case="W1", history="on")
    assert calls == ["ours", "floor", "ours", "floor", "floor", "ours", "ours", "floor"]
    assert result.ours_wall_ms == pytest.approx([2.0, 3.0, 9.0])
    assert result.floor_wall_ms == pytest.approx([1.0, 2.0, 3.0])
    assert result.wall_ratios == pytest.approx([2.0, 1.5, 3.0])
    assert result.ratio == pytest.approx(2.0)  # the median of the pairs' ratios (the medians' ratio is 1.5)
    assert result.verdict().endswith(": met")


def test_a_pair_over_the_goal_is_missed() -> None:
    calls: list[str] = []
    ours = _runner("ours", calls, [0.5, 0.0021])
    floor = _runner("floor", calls, [0.5, 0.001])
    result = floor_pairs.measure_pairs(ours, floor, EXPECTED, pairs=1, case="W3c1", history="off")
    assert result.verdict() == (
        "  W3c1 vs floor (history off): 2.10x the floor, median of paired ratios "
        "(target <= 2x the floor's time): MISSED"
    )


def test_a_wrong_answer_gives_no_ratio() -> None:
    calls: list[str] = []
    ours = _runner("ours", calls, [0.5, 0.001], output={"done": False})
    floor = _runner("floor", calls, [0.5, 0.001])
    with pytest.raises(floor_pairs.WrongAnswer, match="ours: wrong output"):
        floor_pairs.measure_pairs(ours, floor, EXPECTED, pairs=1, case="W1", history="on")


def test_the_script_runs_both_engines_on_a_small_case(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "pairs.json"
    status = floor_pairs.main(["--only", "W2", "--scale", "0.01", "--pairs", "2", "--json", str(out)])
    assert status == 0
    printed = capsys.readouterr().out
    assert "W2    history on : ours" in printed
    assert "  W2 vs floor (history on): " in printed
    [document] = json.loads(out.read_text(encoding="utf-8"))
    assert document["case"] == "W2"
    assert len(document["ours_wall_ms"]) == len(document["floor_wall_ms"]) == 2
    assert document["ratio"] > 0


def test_an_unknown_case_is_named() -> None:
    with pytest.raises(SystemExit, match="no floor case named W5"):
        floor_pairs.main(["--only", "W5"])
