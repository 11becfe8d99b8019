from __future__ import annotations

import json
from pathlib import Path

import pytest

from asl_engine.conformance.case import (
    BrokenCase,
    CaseDirectoryError,
    CaseFormatError,
    load_case,
    load_cases,
    parse_case,
)

from .fakes import case_data, write_case


def test_a_case_file_loads_with_its_comparison_settings(tmp_path: Path) -> None:
    path = write_case(
        tmp_path / "mocked",
        id="m1",
        category="mocked",
        comparison={"placeholders": ["bucket-name"], "value_placeholders": ["v"]},
        task_results=[{"event": "TaskSucceeded", "state": "T", "output": 1}],
        definition_raw=None,
    )
    case = load_case(path)
    assert (case.id, case.category, case.machine_type) == ("m1", "mocked", "STANDARD")
    assert case.placeholders == {"bucket-name"} and case.value_placeholders == {"v"}
    assert case.task_results[0]["state"] == "T"
    assert case.definition_raw is None


def test_the_category_defaults_to_the_directory_name(tmp_path: Path) -> None:
    data = case_data(expected={"validate_result": "OK", "diagnostics": []})
    del data["category"]
    assert parse_case(data, tmp_path / "validation" / "x.json").category == "validation"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"category": "other"}, "/category must be one of"),
        ({"state_machine_type": "FAST"}, "/state_machine_type"),
        ({"expected": {"output": 1}}, "/expected/status is required"),
        ({"features": "state.Pass"}, "/features must be a list of strings"),
        ({"task_results": [1]}, "/task_results must be a list of objects"),
    ],
)
def test_malformed_cases_say_what_is_wrong(change: dict[str, object], message: str) -> None:
    with pytest.raises(CaseFormatError, match=message):
        parse_case(case_data(**change), Path("/cases/x.json"))


def test_a_validation_case_needs_an_expected_result() -> None:
    with pytest.raises(CaseFormatError, match="validate_result or error_code"):
        parse_case(case_data(category="validation", expected={}), Path("/cases/x.json"))


def test_unreadable_files_become_broken_cases_not_errors(tmp_path: Path) -> None:
    write_case(tmp_path, id="good")
    (tmp_path / "bad.json").write_text("{not json", encoding="utf-8")
    loaded = load_cases([tmp_path])
    assert [type(item).__name__ for item in loaded] == ["BrokenCase", "Case"]
    broken = loaded[0]
    assert isinstance(broken, BrokenCase) and "not JSON (line 1" in broken.reason


def test_filters_match_ids_and_file_names_case_insensitively(tmp_path: Path) -> None:
    write_case(tmp_path, id="map_reader_one")
    write_case(tmp_path, id="choice_two")
    (tmp_path / "renamed.json").write_text(json.dumps(case_data(id="MAP_hidden_in_id")), encoding="utf-8")
    ids = [item.id for item in load_cases([tmp_path], ["map"])]
    assert ids == ["map_reader_one", "MAP_hidden_in_id"]
    assert load_cases([tmp_path], ["nothing"]) == []


def test_a_directory_given_twice_loads_each_file_once(tmp_path: Path) -> None:
    write_case(tmp_path / "self_contained", id="once")
    assert len(load_cases([tmp_path, tmp_path / "self_contained"])) == 1


def test_a_missing_directory_is_an_error_not_zero_cases(tmp_path: Path) -> None:
    with pytest.raises(CaseDirectoryError, match=r"the directory of cases .*nowhere does not exist"):
        load_cases([tmp_path / "nowhere"])


def test_a_directory_without_case_files_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "empty" / "self_contained").mkdir(parents=True)
    (tmp_path / "empty" / "README.md").write_text("not a case", encoding="utf-8")
    with pytest.raises(CaseDirectoryError, match=r"empty holds no case file \(\*\.json\)"):
        load_cases([tmp_path / "empty"])
    write_case(tmp_path / "full", id="one")
    with pytest.raises(CaseDirectoryError, match="empty holds no case file"):  # beside a good one too
        load_cases([tmp_path / "full", tmp_path / "empty"])


def test_a_file_instead_of_a_directory_is_an_error(tmp_path: Path) -> None:
    path = write_case(tmp_path, id="one")
    with pytest.raises(CaseDirectoryError, match="is not a directory"):
        load_cases([path])
