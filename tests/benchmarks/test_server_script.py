"""benchmarks/server.py on tiny sizes: both servers start, every answer is checked, the JSON is written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("uvicorn")
pytest.importorskip("boto3")


def test_the_server_benchmark_runs_side_by_side(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from benchmarks import server

    if server.moto_command(0) is None:
        pytest.skip("moto_server is not installed")
    status = server.main(["--executions", "3", "--sync-requests", "3", "--json", str(tmp_path / "out.json")])
    document = json.loads((tmp_path / "out.json").read_text())
    assert document["ours"]["succeeded"] == 3 and document["sync"]["correct"] == 3
    assert document["moto"]["executions"] == 3 and document["target_ratio"] == 20.0
    assert document["ratio"] > 0
    printed = capsys.readouterr().out
    assert "target: at least 20x moto's throughput" in printed
    assert status == (0 if document["ratio"] >= 20 else 1)
