"""The measuring plumbing: answer checks, the timing loop, targets and the table (no timings asserted)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from benchmarks.cases import CASES, by_id
from benchmarks.checks import Outcome, problem_with
from benchmarks.generate import Expected
from benchmarks.measure import Measurement, peak_rss_mb, time_runs
from benchmarks.report import Report
from benchmarks.targets import MET, MISSED, NOT_COMPARABLE, NOT_MEASURED, evaluate

RIGHT = Expected("SUCCEEDED", {"n": 1}, transitions=3, virtual_seconds=67)


def test_problem_with_accepts_the_expected_outcome_only() -> None:
    assert problem_with(Outcome("SUCCEEDED", {"n": 1}), RIGHT) is None
    assert problem_with(Outcome("SUCCEEDED", {"n": 1}, transitions=3, virtual_seconds=67.0), RIGHT) is None
    assert "wrong output" in str(problem_with(Outcome("SUCCEEDED", {"n": 2}), RIGHT))
    assert "wrong output" in str(problem_with(Outcome("SUCCEEDED", {"n": True}), Expected("SUCCEEDED", {"n": 1})))
    assert "status FAILED" in str(problem_with(Outcome("FAILED", None, "E", "c"), RIGHT))
    assert "4 states entered" in str(problem_with(Outcome("SUCCEEDED", {"n": 1}, transitions=4), RIGHT))
    assert "virtual time" in str(problem_with(Outcome("SUCCEEDED", {"n": 1}, virtual_seconds=0), RIGHT))
    rejected = Expected("FAILED", error="States.DataLimitExceeded")
    assert problem_with(Outcome("FAILED", None, "States.DataLimitExceeded", "too big"), rejected) is None
    assert "error 'States.Runtime'" in str(problem_with(Outcome("FAILED", None, "States.Runtime", "x"), rejected))


def _runner(outcomes: list[Outcome], seconds: float = 0.001) -> Iterator[tuple[float, Outcome]]:
    for outcome in outcomes:
        yield seconds, outcome


def test_time_runs_warms_up_then_times_n_samples() -> None:
    runs = _runner([Outcome("SUCCEEDED", {"n": 1})] * 4, seconds=0.05)
    timing = time_runs(lambda: next(runs), RIGHT, runs=3)
    assert timing.problem is None and timing.times_ms == [50.0, 50.0, 50.0] and timing.executions_per_sample == 1


def test_fast_workloads_are_executed_several_times_per_sample() -> None:
    runs = _runner([Outcome("SUCCEEDED", {"n": 1})] * 100, seconds=0.004)
    timing = time_runs(lambda: next(runs), RIGHT, runs=3, min_sample_s=0.02)
    assert timing.executions_per_sample == 5  # 20 ms / 4 ms
    assert timing.times_ms == pytest.approx([4.0, 4.0, 4.0])
    assert len(list(runs)) == 100 - 1 - 15  # the warm-up, then 3 samples of 5, each execution checked


def test_a_wrong_answer_is_a_failed_run_never_a_timing() -> None:
    runs = _runner([Outcome("SUCCEEDED", {"n": 1})] * 2 + [Outcome("SUCCEEDED", {"n": 9})], seconds=0.05)
    timing = time_runs(lambda: next(runs), RIGHT, runs=5)
    assert timing.problem is not None and "wrong output" in timing.problem
    wrong_warm_up = _runner([Outcome("FAILED")])
    timing = time_runs(lambda: next(wrong_warm_up), RIGHT, runs=5)
    assert timing.times_ms == [] and timing.problem is not None and timing.problem.startswith("warm-up")
    measurement = Measurement("W1", "ours", "on", times_ms=[1.0, 2.0], problem="wrong answer: x")
    assert measurement.median_ms is None and not measurement.ok


def test_a_peer_stops_at_its_budget_after_at_least_one_run() -> None:
    runs = _runner([Outcome("SUCCEEDED", {"n": 1})] * 5, seconds=2.0)
    warmed: list[bool] = []
    timing = time_runs(lambda: next(runs), RIGHT, runs=5, budget_s=1.0, warm_up=lambda: warmed.append(True))
    assert timing.problem is None and timing.times_ms == [2000.0] and warmed == [True]


def test_peak_rss_is_this_process() -> None:
    assert 1 < peak_rss_mb() < 4096


def test_measurements_round_trip_through_json() -> None:
    measurement = Measurement("W2", "moto", "on", times_ms=[3.0, 1.0, 2.0], rss_peak_mb=10.0, version="5")
    copy = Measurement.from_json(measurement.to_json())
    assert copy == measurement and copy.median_ms == 2.0


def _m(case: str, engine: str, history: str, median: float | None, **extra: object) -> Measurement:
    times = [median] if median is not None else []
    return Measurement(case, engine, history, times_ms=times, **extra)  # type: ignore[arg-type]


def test_the_memory_target_reports_bytes_per_history_event() -> None:
    cases = [by_id("W7")]
    fits = _m("W7", "ours", "on", 400.0, rss_base_mb=35.0, rss_peak_mb=73.0, events=400_006)
    (result,) = evaluate(cases, ["ours"], [fits], {}, {})
    assert (result.subject, result.status) == ("W7 peak RSS (history on)", MET)
    assert "73.0 MiB, 100 bytes per history event over the base" in result.detail
    too_big = _m("W7", "ours", "on", 400.0, rss_base_mb=35.0, rss_peak_mb=179.0, events=400_006)
    assert evaluate(cases, ["ours"], [too_big], {}, {})[0].status == MISSED
    crashed = _m("W7", "ours", "on", None, problem="crashed: RuntimeError")
    assert evaluate(cases, ["ours"], [crashed], {}, {})[0].status == NOT_MEASURED


def test_targets_met_missed_lower_bound_and_not_comparable() -> None:
    cases = [by_id("W1"), by_id("W6r")]
    measurements = [
        _m("L1k", "ours", "-", 20.0),
        _m("W1", "ours", "on", 10.0),
        _m("W1", "ours", "off", 8.0),
        _m("W1", "floor", "on", 2.0),
        _m("W1", "floor", "off", 4.0),
        _m("W1", "alsf", "on", 40.0),
        _m("W1", "moto", "on", None, problem="timed out after 300 s", timed_out_after_s=300.0),
        _m("W6r", "ours", "on", 30.0),
        _m("W6r", "alsf", "on", None, problem="wrong answer: status SUCCEEDED, expected FAILED"),
    ]
    skipped = {("W6r", "moto"): "not installed"}
    results = {r.subject: r for r in evaluate(cases, ["ours", "floor", "alsf", "moto"], measurements, skipped, {})}
    assert results["load + validate 1,000 states"].status == MET
    assert results["W1 vs alsf"].status == MISSED and "short by 1.25x" in results["W1 vs alsf"].detail
    assert results["W1 vs moto"].status == MET and "at least 30,000x" in results["W1 vs moto"].detail
    assert results["W1 vs floor (history on)"].status == MISSED
    assert "over by 2.50x" in results["W1 vs floor (history on)"].detail  # 5x, where the goal is 2x
    assert results["W1 vs floor (history off)"].status == MET
    assert results["W6r vs alsf"].status == NOT_COMPARABLE
    assert results["W6r vs moto"].status == NOT_MEASURED
    only_ours = evaluate(cases, ["ours"], measurements, skipped, {})
    assert [r.subject for r in only_ours] == ["load + validate 1,000 states"]


def test_the_table_shows_ratios_rates_and_footnotes_failures() -> None:
    measurements = [
        _m("W2", "ours", "on", 50.0, rss_peak_mb=60.0, rss_base_mb=48.0),
        _m("W2", "alsf", "on", 500.0),
        _m("W2", "moto", "on", None, problem="wrong answer: status FAILED"),
    ]
    report = Report(
        command="python benchmarks/run.py",
        machine={"nproc": "2"},
        cases=[CASES[1]],
        measurements=measurements,
        targets=[],
        skipped={("W2", "floor"): "not selected"},
        engine_names={"ours": "asl-engine", "alsf": "alsf", "moto": "moto"},
        transitions={"W2": 20_001},
    )
    rows, notes = report.rows()
    assert rows[0][:6] == ["W2", "asl-engine", "on", "1", "50.0", "400,020"]
    report.measurements[0].executions_per_sample = 3
    assert report.rows()[0][0][3] == "1x3"
    assert rows[0][6:] == ["60.0", "48.0", "1.00x"]
    assert rows[1][-1] == "10.0x"
    assert rows[2][4] == "failed [1]" and notes == ["W2 moto: wrong answer: status FAILED"]
    text = report.text()
    assert "[1] W2 moto: wrong answer" in text and "floor on W2: not selected" in text
    markdown = report.markdown()
    assert "| W2 | asl-engine | on | 1x3 | 50.0 |" in markdown and "Command: `python benchmarks/run.py`" in markdown
    assert report.to_json()["measurements"][0]["median_ms"] == 50.0


def test_definition_loading_is_reported_as_ratios_with_their_targets(capsys: pytest.CaptureFixture[str]) -> None:
    from benchmarks import definition_load

    assert definition_load.main(["--states", "5", "--runs", "1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("5 Pass states, ") and lines[0].endswith("best of 1")
    assert re.fullmatch(r"json\.loads: \d+\.\d{3} ms", lines[1])
    for line, (name, goal) in zip(lines[2:], [("load_definition", 3), ("load \\+ validate_document", 50)], strict=True):
        assert re.fullmatch(rf"{name}: [\d.]+ ms = [\d.]+x json\.loads \(target <= {goal}x\): (met|MISSED .*)", line)
