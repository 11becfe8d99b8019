"""The script end to end on tiny sizes: workers in fresh processes, outputs, options, peers."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import cli
from benchmarks.cases import by_id
from benchmarks.engines import moto_peer, node_peer

REPO_ROOT = Path(__file__).resolve().parents[2]
TINY = ["--scale", "0.002", "--runs", "1"]


def test_the_script_runs_cases_in_workers_and_writes_json_and_markdown(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    json_file, markdown_file = tmp_path / "results.json", tmp_path / "results.md"
    status = cli.main(
        [
            *TINY,
            "--only",
            "W2,L1k",
            "--engines",
            "ours,floor",
            "--history",
            "on",
            "--json",
            str(json_file),
            "--markdown",
            str(markdown_file),
        ]
    )
    assert status == 0
    printed = capsys.readouterr().out
    assert "median ms" in printed and "Targets (" in printed
    results = json.loads(json_file.read_text())
    measured = {(m["case"], m["engine"], m["history"]) for m in results["measurements"]}
    assert measured == {("L1k", "ours", "-"), ("L1k", "floor", "-"), ("W2", "ours", "on"), ("W2", "floor", "on")}
    assert all(m["problem"] is None and m["median_ms"] > 0 and m["rss_peak_mb"] > 0 for m in results["measurements"])
    assert results["cases"]["W2"]["transitions"] == by_id("W2").expected(0.002).transitions
    assert [t["subject"] for t in results["targets"]] == ["load + validate 1,000 states", "W2 vs floor (history on)"]
    markdown = markdown_file.read_text()
    assert markdown.startswith("Command: `python benchmarks/run.py --scale 0.002")
    assert re.search(r"\| W2 \| floor \| on \| 1(x\d+)? \| [\d.]+ \|", markdown)


def test_the_floor_is_skipped_beyond_w4_with_a_reason(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main([*TINY, "--only", "W5", "--engines", "ours,floor", "--history", "off"]) == 0
    assert "floor on W5, W5p: the floor covers W1-W4 only" in capsys.readouterr().out


def test_bad_options_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    for arguments in (["--only", "W9"], ["--engines", "ours,jvm"], ["--runs", "0"]):
        with pytest.raises(SystemExit) as raised:
            cli.main(arguments)
        assert raised.value.code == 2
    assert "unknown workload(s) W9" in capsys.readouterr().err


def test_a_worker_reports_a_crash_instead_of_dying() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks.worker"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
        input=json.dumps({"engine": "jvm", "case": "W1", "history": "on", "runs": 1}),
    )
    measurement = json.loads(completed.stdout.strip().splitlines()[-1])
    assert measurement["problem"].startswith("crashed: ValueError: unknown engine 'jvm'")
    assert measurement["median_ms"] is None


def test_profile_prints_the_top_functions(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--profile", "W2", "--scale", "0.002", "--profile-sort", "cumulative"]) == 0
    printed = capsys.readouterr().out
    assert "W2 (" in printed and "garbage collector:" in printed and "Ordered by: cumulative time" in printed


@pytest.mark.skipif(node_peer.unavailable() is not None, reason=str(node_peer.unavailable()))
def test_aws_local_stepfunctions_runs_a_case_and_is_checked() -> None:
    measurement = node_peer.measure(by_id("W5").load(), runs=1, budget_s=10, timeout_s=60)
    assert measurement.ok and measurement.version
    rejected = node_peer.measure(by_id("W6r").load(), runs=1, budget_s=10, timeout_s=60)
    assert rejected.problem is not None and "status SUCCEEDED, expected FAILED" in rejected.problem


@pytest.mark.skipif(moto_peer.unavailable() is not None, reason=str(moto_peer.unavailable()))
def test_moto_runs_a_case_in_a_worker() -> None:
    measurement = cli._run_worker("moto", "W2", "on", runs=1, budget_s=5, timeout_s=120, scale=0.002)
    assert measurement.ok, measurement.problem
