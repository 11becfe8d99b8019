"""aws-local-stepfunctions (npm), run by ``benchmarks/node/run_workload.mjs`` in its own Node process.

Timed inside Node: ``machine.run(input, {overrides}).result`` per execution, after one untimed
warm-up run of the same workload (V8 compiles hot code on the way, as CPython's caches warm up for
ours), in samples of k executions exactly as ``measure.time_runs`` does for the Python engines. The
machine is constructed (and validated) once, outside the timed region. It has no virtual clock:
Wait states and retry pauses are set to 0 ms through its ``waitTimeOverrides`` and
``retryIntervalOverrides``; W5's Task is answered by ``taskResourceLocalHandlers`` that replay the
same mocked responses as ours. It always queues its event log, so it is reported as history "on".
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

from benchmarks.cases import LoadedCase
from benchmarks.checks import Outcome, problem_with
from benchmarks.measure import MIN_SAMPLE_S, Measurement

NODE_DIR = Path(__file__).resolve().parent.parent / "node"
SCRIPT = NODE_DIR / "run_workload.mjs"
PACKAGE = NODE_DIR / "node_modules" / "aws-local-stepfunctions"
ENGINE = "alsf"


def unavailable() -> str | None:
    """Why aws-local-stepfunctions cannot be measured here, or None."""
    if shutil.which("node") is None:
        return "node is not on PATH"
    if not PACKAGE.is_dir():
        return "aws-local-stepfunctions is not installed: npm ci --prefix benchmarks/node"
    return None


def measure(loaded: LoadedCase, *, runs: int, budget_s: float, timeout_s: float) -> Measurement:
    spec = {
        "mode": "execute",
        "definition": loaded.definition,
        "input": loaded.input,
        "runs": runs,
        "budgetMs": budget_s * 1000,
        "warmup": True,
        "minSampleMs": MIN_SAMPLE_S * 1000,
        "expectedStatus": loaded.expected.status,
        "taskResponses": loaded.mocks,
        "waitStates": loaded.wait_states,
        "retryStates": loaded.retry_states,
    }
    measurement = Measurement(loaded.case.id, ENGINE, "on")
    result = _run_node(spec, timeout_s, measurement)
    if result is None:
        return measurement
    problem = _problem(result["warmup"], loaded)
    if problem is not None:
        measurement.problem = f"wrong answer: warm-up run: {problem}"
        return measurement
    measurement.executions_per_sample = result["executionsPerSample"]
    for sample in result["samples"]:
        problem = next(filter(None, (_problem(outcome, loaded) for outcome in sample["outcomes"])), None)
        if problem is not None:
            measurement.problem = f"wrong answer: {problem}"
            break
        measurement.times_ms.append(sample["ms"])
    return measurement


def _problem(run: dict[str, Any], loaded: LoadedCase) -> str | None:
    outcome = Outcome(run["status"], run.get("output"), run.get("error"), run.get("cause"))
    return problem_with(outcome, loaded.expected)


def measure_load(definition_text: str, *, runs: int, timeout_s: float) -> Measurement:
    """``new StateMachine(JSON.parse(text))``: it validates with asl-validator by default."""
    measurement = Measurement("L1k", ENGINE, "on")
    result = _run_node({"mode": "load", "definitionText": definition_text, "runs": runs}, timeout_s, measurement)
    if result is not None:
        measurement.cold_ms = result["cold"]["ms"]
        measurement.times_ms = [run["ms"] for run in result["runs"]]
    return measurement


def _run_node(spec: dict[str, Any], timeout_s: float, measurement: Measurement) -> dict[str, Any] | None:
    """Run the Node script; fill in versions and memory; on failure set the problem and return None."""
    try:
        completed = subprocess.run(
            ["node", "--expose-gc", str(SCRIPT)],
            input=json.dumps(spec),
            capture_output=True,
            text=True,
            timeout=timeout_s,
            cwd=NODE_DIR,
            check=False,
        )
    except subprocess.TimeoutExpired:
        measurement.problem = f"timed out after {timeout_s:g} s"
        measurement.timed_out_after_s = timeout_s
        return None
    if completed.returncode != 0 or not completed.stdout.strip():
        last = (completed.stderr.strip().splitlines() or ["no output"])[-1]
        measurement.problem = f"crashed (exit {completed.returncode}): {last[:200]}"
        return None
    result: dict[str, Any] = json.loads(completed.stdout.strip().splitlines()[-1])
    measurement.version = result.get("version")
    measurement.rss_base_mb = result["rssBaseKb"] / 1024
    measurement.rss_peak_mb = result["rssPeakKb"] / 1024
    return result
