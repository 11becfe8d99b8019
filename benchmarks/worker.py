"""One measurement in a fresh Python process, so that its peak RSS is its own.

``run.py`` starts ``python -m benchmarks.worker`` once per (case, engine, history), writes the
request as JSON on its stdin and reads one JSON ``Measurement`` from the last line of its stdout:

    {"engine": "ours" | "floor" | "moto", "case": "W1" | "L1k", "history": "on" | "off",
     "runs": 5, "budget_s": null, "scale": 1.0}
"""

from __future__ import annotations

import json
import sys
import traceback
from typing import Any

from benchmarks.cases import CASES, LOAD_CASE_ID, by_id
from benchmarks.engines import LoadTimer, Runner
from benchmarks.measure import Measurement, peak_rss_mb, time_loads, time_runs

LOAD_RUNS_MINIMUM = 10


def measure(request: dict[str, Any]) -> Measurement:
    engine, case_id, history = request["engine"], request["case"], request["history"]
    measurement = Measurement(case_id, engine, history)
    measurement.version = _version(engine)
    if case_id == LOAD_CASE_ID:
        definition_text = CASES[0].load(request.get("scale", 1.0)).definition_text
        timer = _load_timer(engine)
        measurement.rss_base_mb = peak_rss_mb()
        cold, times = time_loads(lambda: timer(definition_text), max(request["runs"], LOAD_RUNS_MINIMUM))
        measurement.cold_ms, measurement.times_ms = cold, times
        measurement.rss_peak_mb = peak_rss_mb()
        return measurement
    loaded = by_id(case_id).load(request.get("scale", 1.0))
    runner = _runner(engine, loaded, history == "on")
    measurement.rss_base_mb = peak_rss_mb()
    warm_up = getattr(runner, "warm_up", None)
    timing = time_runs(
        runner.run_once, loaded.expected, runs=request["runs"], budget_s=request.get("budget_s"), warm_up=warm_up
    )
    measurement.rss_peak_mb = peak_rss_mb()
    if timing.problem is not None:
        measurement.problem = f"wrong answer: {timing.problem}"
    measurement.times_ms = timing.times_ms
    measurement.events = timing.events
    measurement.executions_per_sample = timing.executions_per_sample
    return measurement


def _runner(engine: str, loaded: Any, history: bool) -> Runner:
    if engine == "ours":
        from benchmarks.engines.ours import OursRunner

        return OursRunner(loaded, history)
    if engine == "floor":
        from benchmarks.engines.floor_runner import FloorRunner

        return FloorRunner(loaded, history)
    if engine == "moto":
        from benchmarks.engines.moto_peer import MotoRunner

        return MotoRunner(loaded, history)
    raise ValueError(f"unknown engine {engine!r}")


def _load_timer(engine: str) -> LoadTimer:
    if engine == "ours":
        from benchmarks.engines import ours

        return ours.time_load
    if engine == "floor":
        from benchmarks.engines import floor_runner

        return floor_runner.time_load
    if engine == "moto":
        from benchmarks.engines import moto_peer

        return moto_peer.time_load
    raise ValueError(f"unknown engine {engine!r}")


def _version(engine: str) -> str | None:
    if engine == "ours":
        import asl_engine

        return asl_engine.__version__
    if engine == "moto":
        from benchmarks.engines import moto_peer

        return moto_peer.version()
    return None


def main() -> int:
    request = json.loads(sys.stdin.read())
    try:
        measurement = measure(request)
    except Exception as error:  # a crash of the engine under test is a result to report, not a traceback
        traceback.print_exc(file=sys.stderr)
        measurement = Measurement(
            request["case"],
            request["engine"],
            request["history"],
            problem=f"crashed: {type(error).__name__}: {error}"[:300],
        )
    print(json.dumps(measurement.to_json()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
