"""``python benchmarks/run.py``: run the cases, print the table and which targets are met.

Every (case, engine, history) is measured in a fresh process: a Python worker
(``benchmarks/worker.py``) for ours, the floor and moto, a Node process for
aws-local-stepfunctions. Peers that are not installed are skipped with a one-line reason.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks import machine_info, profiling, targets
from benchmarks.cases import CASES, LOAD_CASE_ID, Case, select
from benchmarks.engines import moto_peer, node_peer
from benchmarks.measure import Measurement
from benchmarks.report import Report

REPO_ROOT = Path(__file__).resolve().parent.parent
ENGINES = ("ours", "floor", "alsf", "moto")
PEERS = ("alsf", "moto")
QUICK_RUNS = 2
QUICK_PEER_BUDGET_S = 5.0
QUICK_PEER_TIMEOUT_S = 60.0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python benchmarks/run.py",
        description="asl-engine's benchmark suite (issue 7): W1-W7 on our engine, the floor and the peers.",
    )
    parser.add_argument("--runs", type=int, default=5, help="timed runs per measurement, after one warm-up (5)")
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"smoke run: {QUICK_RUNS} runs, peers {QUICK_PEER_BUDGET_S:g} s budget, "
        f"{QUICK_PEER_TIMEOUT_S:g} s timeout",
    )
    parser.add_argument("--only", help="workloads or cases, comma-separated: W1,W3 or W3c1 or L1k (load)")
    parser.add_argument(
        "--engines", default=",".join(ENGINES), help=f"engines to run, comma-separated (default {','.join(ENGINES)})"
    )
    parser.add_argument("--history", default="on,off", help="our engine's and the floor's modes (on,off)")
    parser.add_argument(
        "--peer-budget",
        type=float,
        default=30.0,
        help="a peer stops adding runs once they took this many seconds (30; one run always)",
    )
    parser.add_argument(
        "--peer-timeout",
        type=float,
        default=300.0,
        help="a peer's measurement is abandoned after this many seconds (300)",
    )
    parser.add_argument("--timeout", type=float, default=1800.0, help="the same for ours and the floor (1800)")
    parser.add_argument(
        "--scale", type=float, default=1.0, help="workload size factor; 1 is the issue's size (tests use tiny ones)"
    )
    parser.add_argument("--json", type=Path, metavar="FILE", help="write every measurement as JSON")
    parser.add_argument("--markdown", type=Path, metavar="FILE", help="write the table as Markdown")
    parser.add_argument(
        "--profile", metavar="CASE", help="instead: print cProfile's top 25 of our engine on one case (e.g. W2)"
    )
    parser.add_argument("--profile-history", choices=("on", "off"), default="on")
    parser.add_argument("--profile-sort", choices=("tottime", "cumulative"), default="tottime")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    options = parser.parse_args(argv)
    try:
        if options.profile:
            return profiling.profile(
                options.profile, history=options.profile_history == "on", sort=options.profile_sort, scale=options.scale
            )
        cases = select(options.only)
        engines = _parse_list(options.engines, ENGINES, "engine")
        histories = _parse_list(options.history, ("on", "off"), "history mode")
    except ValueError as error:
        parser.error(str(error))
    if options.runs < 1:
        parser.error("--runs must be at least 1")
    if options.quick:
        options.runs = min(options.runs, QUICK_RUNS)
        options.peer_budget = min(options.peer_budget, QUICK_PEER_BUDGET_S)
        options.peer_timeout = min(options.peer_timeout, QUICK_PEER_TIMEOUT_S)
    command = " ".join(["python", "benchmarks/run.py", *(argv if argv is not None else sys.argv[1:])])
    report = run_suite(cases, engines, histories, options, command, include_load=_wants_load(options.only))
    print(report.text())
    if options.json:
        report.write_json(options.json)
    if options.markdown:
        options.markdown.write_text(report.markdown(), encoding="utf-8")
    wrong = [m for m in report.measurements if m.engine in ("ours", "floor") and m.problem]
    return 1 if wrong else 0


def run_suite(
    cases: Sequence[Case],
    engines: Sequence[str],
    histories: Sequence[str],
    options: Any,
    command: str,
    *,
    include_load: bool,
) -> Report:
    unavailable = {"moto": moto_peer.unavailable(), "alsf": node_peer.unavailable()}
    measurements: list[Measurement] = []
    skipped: dict[tuple[str, str], str] = {}
    if include_load:
        for engine in engines:
            if unavailable.get(engine):
                skipped[(LOAD_CASE_ID, engine)] = str(unavailable[engine])
                continue
            measurements.append(_progress(_measure_load(engine, options)))
    for case in cases:
        loaded = None
        for engine in engines:
            reason = unavailable.get(engine) or _cannot_run(engine, case)
            if reason:
                skipped[(case.id, engine)] = reason
                continue
            if engine == "alsf":
                loaded = loaded or case.load(options.scale)
                measurement = node_peer.measure(
                    loaded, runs=options.runs, budget_s=options.peer_budget, timeout_s=options.peer_timeout
                )
                measurements.append(_progress(measurement))
                continue
            for history in histories if engine in ("ours", "floor") else ("on",):
                budget = options.peer_budget if engine in PEERS else None
                timeout = options.peer_timeout if engine in PEERS else options.timeout
                measurements.append(
                    _progress(_run_worker(engine, case.id, history, options.runs, budget, timeout, options.scale))
                )
    names = _engine_names(measurements)
    transitions = {case.id: t for case in cases if (t := case.expected(options.scale).transitions)}
    return Report(
        command=command,
        machine=machine_info.describe(),
        cases=list(cases),
        measurements=measurements,
        targets=targets.evaluate(cases, engines, measurements, skipped, names),
        skipped=skipped,
        engine_names=names,
        transitions=transitions,
    )


def _cannot_run(engine: str, case: Case) -> str | None:
    if engine == "floor" and not case.floor:
        return "the floor covers W1-W4 only"
    if engine == "moto" and case.moto:
        return case.moto
    return None


def _measure_load(engine: str, options: Any) -> Measurement:
    if engine == "alsf":
        text = CASES[0].load(options.scale).definition_text
        measurement = node_peer.measure_load(text, runs=max(options.runs, 10), timeout_s=options.peer_timeout)
    else:
        timeout = options.peer_timeout if engine in PEERS else options.timeout
        measurement = _run_worker(engine, LOAD_CASE_ID, "-", options.runs, None, timeout, options.scale)
    measurement.history = "-"
    return measurement


def _run_worker(
    engine: str, case_id: str, history: str, runs: int, budget_s: float | None, timeout_s: float, scale: float
) -> Measurement:
    request = {
        "engine": engine,
        "case": case_id,
        "history": history,
        "runs": runs,
        "budget_s": budget_s,
        "scale": scale,
    }
    environment = dict(os.environ)
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), environment.get("PYTHONPATH")]))
    try:
        completed = subprocess.run(
            [sys.executable, "-m", "benchmarks.worker"],
            input=json.dumps(request),
            capture_output=True,
            text=True,
            timeout=timeout_s,
            cwd=REPO_ROOT,
            env=environment,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return Measurement(
            case_id, engine, history, problem=f"timed out after {timeout_s:g} s", timed_out_after_s=timeout_s
        )
    lines = completed.stdout.strip().splitlines()
    if completed.returncode != 0 or not lines:
        last = (completed.stderr.strip().splitlines() or ["no output"])[-1]
        return Measurement(case_id, engine, history, problem=f"worker failed (exit {completed.returncode}): {last}")
    return Measurement.from_json(json.loads(lines[-1]))


def _progress(measurement: Measurement) -> Measurement:
    median = measurement.median_ms
    result = f"{median:.2f} ms (median of {measurement.runs})" if median is not None else measurement.problem
    print(
        f"  {measurement.case:5} {measurement.engine:6} history {measurement.history:3}: {result}",
        file=sys.stderr,
        flush=True,
    )
    return measurement


def _engine_names(measurements: Sequence[Measurement]) -> dict[str, str]:
    versions = {m.engine: m.version for m in measurements if m.version}
    base = {"ours": "asl-engine", "floor": "floor", "alsf": "aws-local-stepfunctions", "moto": "moto"}
    return {engine: f"{name} {versions[engine]}" if engine in versions else name for engine, name in base.items()}


def _parse_list(text: str, allowed: Sequence[str], what: str) -> list[str]:
    chosen = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [part for part in chosen if part not in allowed]
    if unknown or not chosen:
        raise ValueError(f"unknown {what} {', '.join(unknown) or '(none)'}; choose from {', '.join(allowed)}")
    return [name for name in allowed if name in chosen]


def _wants_load(only: str | None) -> bool:
    if not only:
        return True
    wanted = {name.strip().upper() for name in only.split(",")}
    return bool(wanted & {LOAD_CASE_ID.upper(), "W1"})
