"""The Distributed Map benchmark's fixed-cost part on its own (``--rows 0``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import distributed_map


def test_rows_zero_measures_the_fixed_cost_alone(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stem = tmp_path / "results"
    status = distributed_map.main(["--rows", "0", "--trivial-rows", "30", "--out", str(stem)])
    assert status == 0
    printed = capsys.readouterr().out
    assert "fixed cost, in-process, trivial Lambda handler, 30 rows" in printed
    assert "scale-out" not in printed
    report = json.loads(stem.with_suffix(".json").read_text(encoding="utf-8"))
    assert report["trivial"]["rows"] == 30
    assert report["trivial"]["status"] == "SUCCEEDED"
    assert report["runs"] == {}
    assert "loops" not in report
