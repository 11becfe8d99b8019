from __future__ import annotations

import json
from pathlib import Path

import pytest

from asl_engine.conformance.floors import FloorCheck, FloorFileError, load_floors, parse_floors
from asl_engine.conformance.metrics import MetricResult, sequence_diff
from asl_engine.conformance.report import format_text, summarise, to_json
from asl_engine.conformance.results import FAILED, PASSED, SKIPPED, CaseResult


def result(
    case_id: str,
    category: str,
    outcome: str,
    features: tuple[str, ...] = (),
    reason: str | None = None,
    metrics: dict[str, MetricResult] | None = None,
) -> CaseResult:
    return CaseResult(
        case_id,
        Path(f"/c/{case_id}.json"),
        category,
        outcome,
        reason,
        (reason,) if reason else (),
        features,
        metrics or {},
        0.001,
    )


RESULTS = [
    result("a", "self_contained", PASSED, ("state.Pass", "JSONata"), metrics={"states_entered": MetricResult(True)}),
    result("b", "self_contained", PASSED, ("state.Pass",)),
    result(
        "c",
        "self_contained",
        FAILED,
        ("state.Map", "JSONata"),
        "output differs at $: expected 1, got 2",
        {"states_entered": MetricResult(False, "at #0", ("A", "B", "C"), ("A", "X", "C"))},
    ),
    result("d", "mocked", PASSED, ("Assign",)),
    result("e", "mocked_not_replayable", SKIPPED, ("ItemReader",), "needs S3 data put during setup (s3.put_object)"),
    result("f", "mocked_not_replayable", SKIPPED, (), "needs S3 data put during setup (s3.copy_object)"),
]


def test_rates_count_only_the_cases_run() -> None:
    summary = summarise(RESULTS, {"self_contained": 60.0})
    assert (summary.categories["self_contained"].passed, summary.categories["self_contained"].total) == (2, 3)
    assert summary.categories["validation"].total == 0
    assert summary.features["JSONata"].passed == 1 and summary.features["JSONata"].total == 2
    assert "ItemReader" not in summary.features
    assert summary.metrics["states_entered"].total == 2
    assert sum(summary.skipped.values()) == 2
    assert summary.floors_met


def test_a_rate_below_its_floor_fails_and_is_marked() -> None:
    summary = summarise(RESULTS, {"self_contained": 70.0})
    assert not summary.floors_met
    text = format_text(RESULTS, summary)
    assert "self_contained             2/3     66.7%  (floor 70.0%)  BELOW FLOOR" in text
    assert text.endswith("FAILED: below a floor")


def test_the_text_report_lists_failures_tags_metrics_and_skips() -> None:
    text = format_text(RESULTS, summarise(RESULTS, {}))
    assert "failures (1)\n  [self_contained] c: output differs at $: expected 1, got 2" in text
    assert "tag JSONata                1/2     50.0%" in text
    assert "tag Assign                 1/1    100.0%" in text
    assert "validation                 0/0       n/a  (floor 0.0%)" in text
    assert "     2  needs S3 data put during setup" in text
    assert "  states_entered           1/2     50.0%" in text
    assert "4 cases run, 2 skipped (0.00 s in cases)" in text
    assert text.endswith("floors met")
    timed = format_text(RESULTS, summarise(RESULTS, {}, seconds=1.5))
    assert "4 cases run, 2 skipped in 1.50 s (0.00 s in cases)" in timed


def test_verbose_prints_every_case_with_the_history_differences() -> None:
    text = format_text(RESULTS, summarise(RESULTS, {}), verbose=True)
    assert "PASS  [self_contained] a  (1.0 ms)" in text
    assert "SKIP  [mocked_not_replayable] e" in text
    assert (
        "        states_entered: at #0\n"
        "        states_entered (- recorded on AWS, + the engine's):\n"
        "            A\n          - B\n          + X\n            C\n"
    ) in text


def test_a_history_check_below_its_floor_fails_the_run() -> None:
    summary = summarise(RESULTS, {"states_entered": 100.0})
    assert not summary.floors_met
    text = format_text(RESULTS, summary)
    assert "history checks (a case whose history differs fails)" in text
    assert "  states_entered           1/2     50.0%  (floor 100.0%)  BELOW FLOOR" in text
    assert text.endswith("FAILED: below a floor")
    report = to_json(RESULTS, summary)
    assert report["metrics"]["states_entered"] == {"passed": 1, "total": 2, "rate": 50.0, "floor": 100.0, "met": False}
    assert report["floors_met"] is False


def test_sequence_diff_shows_changes_with_context() -> None:
    expected = ["S", "a", "b", "c", "d", "e", "f", "g", "h", "E"]
    actual = ["S", "a", "b", "c", "d", "e", "f", "g", "x", "h", "E"]
    assert sequence_diff(expected, actual, context=1) == ["  g", "+ x", "  h"]
    assert sequence_diff(["S", "T", "U", "V", "W"], ["S", "U", "V", "W", "Z"], context=1) == [
        "  S",
        "- T",
        "  U",
        "...",
        "  W",
        "+ Z",
    ]
    assert sequence_diff(["A"], ["A"]) == []


def test_malformed_case_files_fail_the_run() -> None:
    broken = [*RESULTS, result("x", "malformed", FAILED, reason="malformed case file: not JSON")]
    summary = summarise(broken, {})
    assert summary.malformed == 1 and not summary.floors_met


def test_the_json_report_is_machine_readable() -> None:
    report = to_json(RESULTS, summarise(RESULTS, {"mocked": 50.0}, seconds=1.23456))
    json.dumps(report)
    assert report["categories"]["self_contained"] == {"passed": 2, "total": 3, "rate": 66.67, "floor": 0.0, "met": True}
    assert report["categories"]["mocked"]["floor"] == 50.0
    assert report["skipped"]["total"] == 2
    assert report["highlighted_tags"]["Assign"] == {"passed": 1, "total": 1, "rate": 100.0}
    assert report["cases"][2]["metrics"] == {"states_entered": {"passed": False, "detail": "at #0"}}
    assert report["metrics"]["history_event_types"] == {
        "passed": 0,
        "total": 0,
        "rate": None,
        "floor": 0.0,
        "met": True,
    }
    assert report["floors_met"] is True and report["seconds"] == 1.235


def test_floors_compare_the_rate_as_printed() -> None:
    assert FloorCheck("mocked", 65.06, 65.1).met
    assert not FloorCheck("mocked", 65.04, 65.1).met
    assert FloorCheck("mocked", None, 99.0).met


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "expected an object"),
        ({"mocked_typo": 1}, "/mocked_typo: unknown category; use one of self_contained, .*, history_event_types"),
        ({"history_event_types": 101}, "/history_event_types: expected a percentage"),
        ({"mocked": 101}, "/mocked: expected a percentage from 0 to 100"),
        ({"mocked": True}, "expected a percentage"),
    ],
)
def test_bad_floor_files_say_what_is_wrong(data: object, message: str) -> None:
    with pytest.raises(FloorFileError, match=message):
        parse_floors(data)


def test_floor_files_load(tmp_path: Path) -> None:
    path = tmp_path / "floor.json"
    path.write_text('{"self_contained": 60, "validation": 12.5}', encoding="utf-8")
    assert load_floors(path) == {"self_contained": 60.0, "validation": 12.5}
    path.write_text("{", encoding="utf-8")
    with pytest.raises(FloorFileError, match="not JSON"):
        load_floors(path)
    with pytest.raises(FloorFileError, match="cannot read"):
        load_floors(tmp_path / "missing.json")


def test_the_repository_floor_file_is_valid_and_covers_every_category() -> None:
    floors = load_floors(Path(__file__).resolve().parents[2] / "conformance" / "floor.json")
    assert set(floors) == {
        "self_contained",
        "mocked",
        "handlers",
        "validation",
        "states_entered",
        "history_event_types",
    }
    assert floors["history_event_types"] == floors["states_entered"] == 100.0
