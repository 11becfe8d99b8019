"""The helper that decides what a missing set of recorded cases means: skip locally, fail in CI."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import recorded


@pytest.fixture
def no_cases(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(recorded, "CASES_DIR", tmp_path / "cases")
    return tmp_path / "cases"


def test_missing_cases_skip_with_a_reason_that_says_how_to_get_them(
    no_cases: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception) as skipped:
        recorded.require("mocked")
    assert str(no_cases / "mocked") in str(skipped.value)
    assert "ASL_CONFORMANCE_CASES" in str(skipped.value)


@pytest.mark.parametrize("value", ["true", "1", "TRUE"])
def test_missing_cases_fail_in_ci(no_cases: Path, monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("CI", value)
    with pytest.raises(pytest.fail.Exception, match="CI=true and the AWS-recorded conformance cases"):
        recorded.require()


def test_an_empty_directory_counts_as_missing(no_cases: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    (no_cases / "mocked").mkdir(parents=True)
    assert not recorded.available("mocked")
    with pytest.raises(pytest.fail.Exception):
        recorded.require("mocked")
    (no_cases / "mocked" / "one.json").write_text("{}", encoding="utf-8")
    assert recorded.require("mocked") == no_cases / "mocked"
    assert recorded.case_files("mocked") == [no_cases / "mocked" / "one.json"]
    with pytest.raises(pytest.fail.Exception, match=r"the recorded case .*two\.json"):
        recorded.require_file("mocked", "two.json")


def test_parameters_keep_a_stand_in_when_nothing_was_found() -> None:
    assert recorded.parameters("mocked", [1, 2]) == [1, 2]
    [stand_in] = recorded.parameters("mocked", [])
    assert stand_in.values == (None,) and stand_in.id == "recorded-mocked-missing"
