"""Distributed Map throughput: in-process, ``processes:2`` and a 2-worker Dask cluster, in one run.

    python -m benchmarks.distributed_map                  # 1,000,000 rows (about 40 minutes on 2 cores)
    python -m benchmarks.distributed_map --rows 20000     # a quick run
    python -m benchmarks.distributed_map --json out.json  # every number, with the machine
    python -m benchmarks.distributed_map --out results    # results.json and results.md, updated as it goes

Two measurements, each in a fresh Python process (its peak RSS is the driver's: ``VmHWM``):

1. **Fixed cost of a child execution, in-process**: ``--trivial-rows`` CSV rows (50,000) read from
   the embedded S3, each a child execution of one Lambda Task whose handler returns at once, the
   results exported by a ResultWriter, under the virtual clock. Reported per item, in CPU time of
   the process (the machine may be busy; CPU time is what the engine spends). Target: 50 µs or less.
2. **Scale-out**: ``--rows`` CSV rows (1,000,000), each a child whose handler does about
   ``--work-ms`` (1 ms) of pure-Python work, through each executor of ``--executors``. Reported:
   items per second (wall clock: the point is using more cores), the speed-up over in-process and
   the driver's peak RSS. Targets: near 2x on two cores for the pool and the cluster (1.8x or more),
   driver RSS under 1 GB with the ResultWriter. Also reported, to explain a speed-up: the driver's
   CPU time per item, the worker processes' CPU time and their utilisation (worker CPU over wall
   time and workers), the CPU per item of each kind of process (driver, scheduler, nanny, worker,
   fork server) with the speed-up those CPU times imply on idle cores (in-process CPU per item over
   the run's CPU per item spread over the cores), and the load average before and after each run
   (other processes on the cores skew every wall-clock number). ``--loops`` fixes the work's loop
   count instead of calibrating it, so that runs made at different times compare. Then the **steady
   state**: the CPU per item of every thread of every process between the moments a fifth and nine
   tenths of the children had ended (``/proc``, Linux), so start-up and the tail drop out and each
   process's event loop is told from the thread running the children.
3. **This machine's ceiling** (``--ceiling-seconds``, 8 s): the work loop alone in one process,
   then in one process per core at once, nothing of the engine: on a VM the cores may slow each
   other (a shared physical core, a shared power budget), and no executor can then beat
   ``cores * alone / together``. Printed beside the speed-ups; the targets stay as they are.

The results are written after each measurement (``--json`` and ``--out``), so a long run that is
stopped or fails part-way leaves the numbers it has.

The data and handlers are a small project written to a temporary directory, as a user would have
it: ``asl.toml`` (``[lambda]`` and ``[s3] path``), ``bench_handlers.py`` and the CSV in the S3
directory; worker processes load the same ``asl.toml``. Children record no history unless
``--history`` (a million child histories are a million histories to keep). Every run's result
files are checked: one record per row, in order, all SUCCEEDED, and the work's answer of every
97th row.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.machine_info import describe

DEFAULT_EXECUTORS = ("in-process", "processes:2", "dask")
TRIVIAL_TARGET_US = 50.0
SPEEDUP_TARGET = 1.8
RSS_TARGET_MB = 1024.0
CHECK_EVERY = 97
"""Every row's id is checked, and the work's answer of every 97th row."""

HANDLERS = '''
"""Handlers of the Distributed Map benchmark (written by benchmarks/distributed_map.py)."""

LOOPS = {loops}


def trivial(event, context):
    return {{"id": event["id"]}}


def work(event, context):
    """About --work-ms of pure-Python work: the answer is checked."""
    total = 0
    seed = int(event["id"])
    for step in range(LOOPS):
        total = (total + (seed ^ step) * step) % 1_000_003
    return {{"id": event["id"], "value": total}}
'''

DEFINITION = {
    "StartAt": "Fanout",
    "States": {
        "Fanout": {
            "Type": "Map",
            "End": True,
            "ItemReader": {
                "Resource": "arn:aws:states:::s3:getObject",
                "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"},
                "Parameters": {"Bucket": "input-data", "Key": "rows.csv"},
            },
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                "StartAt": "Work",
                "States": {
                    "Work": {
                        "Type": "Task",
                        "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Work",
                        "End": True,
                    }
                },
            },
            "ResultWriter": {
                "Resource": "arn:aws:states:::s3:putObject",
                "Parameters": {"Bucket": "results", "Prefix": "out"},
            },
        }
    },
}


def expected_value(row: int, loops: int) -> int:
    total = 0
    for step in range(loops):
        total = (total + (row ^ step) * step) % 1_000_003
    return total


def calibrate(work_ms: float) -> int:
    """Loop count of ``work`` taking about ``work_ms`` here (best of a few tries)."""
    loops = 1000
    best = min(_timed(loops) for _ in range(5))
    return max(1, round(loops * (work_ms / 1000) / best))


def _timed(loops: int) -> float:
    start = time.perf_counter()
    expected_value(7, loops)
    return time.perf_counter() - start


CEILING_PROBE = """
import sys, time
loops, seconds = int(sys.argv[1]), float(sys.argv[2])
started, items, total = time.process_time(), 0, 0
while time.process_time() - started < seconds:
    seed = items
    for step in range(loops):
        total = (total + (seed ^ step) * step) % 1_000_003
    items += 1
print((time.process_time() - started) / items * 1e6)
"""
"""The handlers' work loop, run for a while in a process of its own: its CPU µs per item."""


def parallel_ceiling(loops: int, workers: int, seconds: float, rounds: int = 4) -> dict[str, Any]:
    """What this machine allows ``workers`` processes of the work to gain over one: the work's CPU
    per item in one process alone and in ``workers`` processes at once (nothing of the engine),
    alternated ``rounds`` times for ``seconds`` in all, the medians compared.

    On a VM two vCPUs may share a physical core or a power budget: each process then runs slower
    when the others run, and no executor can beat ``workers * alone / together``. The host's own
    speed also drifts from one minute to the next, hence the alternation."""

    def probes(count: int) -> list[float]:
        command = [sys.executable, "-c", CEILING_PROBE, str(loops), str(seconds / rounds / 2)]
        started = [subprocess.Popen(command, stdout=subprocess.PIPE, text=True) for _ in range(count)]
        return [float(process.communicate()[0]) for process in started]

    alone: list[float] = []
    together: list[float] = []
    for _ in range(rounds):
        alone += probes(1)
        together += probes(workers)
    ceiling = workers * statistics.median(alone) / statistics.median(together)
    return {"alone_us": alone, "together_us": together, "ceiling": ceiling}


def make_project(directory: Path, rows: int, handler: str, loops: int) -> Path:
    """A project as a user would have it: asl.toml, the handlers, the CSV in a directory-backed S3."""
    (directory / "s3" / "input-data").mkdir(parents=True)
    (directory / "s3" / "results").mkdir()
    with (directory / "s3" / "input-data" / "rows.csv").open("w", encoding="utf-8") as csv:
        csv.write("id,name\n")
        for start in range(0, rows, 100_000):
            csv.write("".join(f"{i},row {i}\n" for i in range(start, min(rows, start + 100_000))))
    (directory / "bench_handlers.py").write_text(HANDLERS.format(loops=loops), encoding="utf-8")
    (directory / "asl.toml").write_text(
        f'[lambda]\nWork = "bench_handlers:{handler}"\n\n[s3]\npath = "s3"\n', encoding="utf-8"
    )
    (directory / "machine.json").write_text(json.dumps(DEFINITION), encoding="utf-8")
    return directory


# -- one run, in a fresh process ------------------------------------------------------------------------


def run_once(project: Path, executor: str, history: bool, rows: int = 0) -> dict[str, Any]:
    """Run the machine once in this process; what a fresh process reports to the benchmark."""
    from asl_engine import StateMachine
    from asl_engine.runtime.clock import VirtualClock
    from asl_engine.services import load_resources

    machine = StateMachine.from_file(project / "machine.json", name="Benchmark")
    resources = load_resources(project / "asl.toml")
    base = _rss_mb()
    load_before = _load_average()
    others = _OtherProcesses()
    wall, cpu, sampling = time.perf_counter(), time.process_time(), time.thread_time()
    steady = _SteadyState(rows)
    try:
        handle = machine.start({}, resources=resources, executor=executor, history=history, clock=VirtualClock())
        while not handle.done():  # this thread only samples: the execution runs on the handle's
            progress = handle.map_run_progress("Fanout")
            steady.sample(progress.ended if progress is not None else 0, others.pids())
            time.sleep(STEADY_SAMPLE_SECONDS)
        execution = handle.wait()
    finally:
        workers_cpu, by_role = others.stop()
    sampler_cpu = others.own_cpu + time.thread_time() - sampling
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu - sampler_cpu
    return {
        "status": execution.status,
        "error": execution.error,
        "cause": execution.cause,
        "manifest": execution.output["ResultWriterDetails"]["Key"] if execution.status == "SUCCEEDED" else None,
        "wall_s": wall,
        "cpu_s": cpu,
        "rss_base_mb": base,
        "rss_peak_mb": _rss_peak_mb(),
        "workers_cpu_s": workers_cpu,
        "cpu_s_by_role": by_role,
        "sampler_cpu_s": sampler_cpu,
        "steady": steady.result(),
        "load_before": load_before,
        "load_after": _load_average(),
    }


class _OtherProcesses:
    """CPU time of this process's descendants while the run lasts, by role: the pool's workers and its
    fork server, or the local Dask cluster's scheduler, nannies and workers. Sampled every 0.2 s with
    psutil (a process that ends between two samples loses at most 0.2 s); 0 without psutil."""

    def __init__(self) -> None:
        import threading

        self._seen: dict[int, float] = {}
        self._roles: dict[int, str] = {}
        self.own_cpu = 0.0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample_until_done, name=SAMPLER_THREAD, daemon=True)
        self._thread.start()

    def _sample_until_done(self) -> None:
        try:
            self._sample()
        finally:
            self.own_cpu = time.thread_time()  # the sampler's own CPU: not the driver's work

    def _sample(self) -> None:
        try:
            import psutil
        except ImportError:  # pragma: no cover - psutil comes with the [dask] extra
            return
        me = psutil.Process()
        known: dict[int, Any] = {}
        rounds = 0
        while True:
            if rounds % 5 == 0:  # listing the descendants reads every process of the machine: once a second
                for process in me.children(recursive=True):
                    if process.pid not in known:
                        try:
                            self._roles[process.pid] = _role(process, me.pid, self._roles)
                        except psutil.Error:
                            continue
                        known[process.pid] = process
            rounds += 1
            for pid, process in list(known.items()):
                try:
                    times = process.cpu_times()
                except psutil.Error:
                    del known[pid]
                    continue
                self._seen[pid] = max(self._seen.get(pid, 0.0), times.user + times.system)
            if self._done.wait(0.2):
                return

    def pids(self) -> dict[int, str]:
        """The descendants found so far, with their roles."""
        return dict(self._roles)

    def stop(self) -> tuple[float, dict[str, float]]:
        """The descendants' CPU seconds in all, and by role."""
        self._done.set()
        self._thread.join()
        by_role: dict[str, float] = {}
        for pid, seconds in self._seen.items():
            role = self._roles.get(pid, "other")
            by_role[role] = by_role.get(role, 0.0) + seconds
        return sum(self._seen.values()), by_role


SAMPLER_THREAD = "benchmark-sampler"
STEADY_SAMPLE_SECONDS = 0.5
STEADY_WINDOW = (0.2, 0.9)
"""The steady state: from the sample where a fifth of the children have ended to the last one before
nine tenths have (start-up, the first batches and the last ones left out)."""


class _SteadyState:
    """CPU per item of every thread of the driver and its descendants in the run's steady state.

    Read from ``/proc/PID/task/TID/stat`` (Linux; empty elsewhere) every ``STEADY_SAMPLE_SECONDS``
    with the children ended so far, then differenced over ``STEADY_WINDOW``: start-up (five processes
    importing Dask, the fork server, the probe) and the tail drop out, and each process's event-loop
    thread is told from the thread running the children. A thread is named by its role and, in the
    driver, its Python thread's name (the execution, Dask's client loop...); in other processes
    ``main`` is the process's first thread (a Dask worker's event loop), ``busiest`` the busiest of
    the others (a Dask worker's task thread) and ``rest`` the rest.
    """

    def __init__(self, rows: int) -> None:
        self._rows = rows
        self._samples: list[tuple[float, int, dict[str, float]]] = []
        self._tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100

    def sample(self, ended: int, pids: dict[int, str]) -> None:
        import threading

        me = os.getpid()
        names = {thread.native_id: thread.name for thread in threading.enumerate()}
        main = threading.main_thread().native_id
        totals: dict[str, float] = {}
        for pid, role in [(me, "driver"), *pids.items()]:
            for tid, seconds in self._threads(pid):
                if pid == me:
                    if tid == main or names.get(tid) == SAMPLER_THREAD:
                        continue  # the samplers
                    label = _thread_label(names.get(tid, "other"))
                else:
                    label = "main" if tid == pid else f"{_THREAD}{pid}:{tid}"
                key = f"{role}/{label}"
                totals[key] = totals.get(key, 0.0) + seconds
        self._samples.append((time.perf_counter(), ended, totals))

    def _threads(self, pid: int) -> list[tuple[int, float]]:
        found = []
        try:
            tids = os.listdir(f"/proc/{pid}/task")
        except OSError:
            return []
        for tid in tids:
            try:
                fields = Path(f"/proc/{pid}/task/{tid}/stat").read_text().rpartition(")")[2].split()
            except OSError:
                continue
            found.append((int(tid), (int(fields[11]) + int(fields[12])) / self._tick))
        return found

    def result(self) -> dict[str, Any]:
        """Items, seconds and CPU µs per item by role and by thread over the window (empty if too short)."""
        if not self._samples:
            return {}
        last = self._samples[-1][1]
        total = self._rows or last
        low, high = (fraction * total for fraction in STEADY_WINDOW)
        start = next((sample for sample in self._samples if sample[1] >= low), None)
        end = next((sample for sample in reversed(self._samples) if sample[1] <= high), None)
        if start is None or end is None or end[1] <= start[1]:
            return {}
        items = end[1] - start[1]
        each = {key: (seconds - start[2].get(key, 0.0)) / items * 1e6 for key, seconds in sorted(end[2].items())}
        by_thread = _busiest_and_rest(each)
        by_role: dict[str, float] = {}
        for key, value in by_thread.items():
            role = key.partition("/")[0]
            by_role[role] = by_role.get(role, 0.0) + value
        return {
            "items": items,
            "seconds": end[0] - start[0],
            "items_per_s": items / (end[0] - start[0]),
            "cpu_us_per_item_by_role": by_role,
            "cpu_us_per_item_by_thread": by_thread,
        }


_THREAD = "thread "


def _busiest_and_rest(each: dict[str, float]) -> dict[str, float]:
    """Other processes' threads besides ``main`` as ``busiest`` (each process's busiest one: a Dask
    worker's task thread) and ``rest``, summed by role."""
    busiest: dict[str, tuple[float, str]] = {}
    for key, value in each.items():
        role, _, label = key.partition("/")
        if label.startswith(_THREAD):
            process = f"{role}/{label.removeprefix(_THREAD).partition(':')[0]}"
            if value > busiest.get(process, (-1.0, ""))[0]:
                busiest[process] = (value, key)
    top = {key for _, key in busiest.values()}
    merged: dict[str, float] = {}
    for key, value in each.items():
        role, _, label = key.partition("/")
        if label.startswith(_THREAD):
            key = f"{role}/{'busiest' if key in top else 'rest'}"
        merged[key] = merged.get(key, 0.0) + value
    return merged


def _thread_label(name: str) -> str:
    """A driver thread's Python name without its numbers (``asl-execution-<name>``: ``execution``)."""
    if name.startswith("asl-execution-"):
        return "execution"
    return "".join(character for character in name if not character.isdigit()).strip(" -_()") or "other"


def _role(process: Any, driver: int, roles: dict[int, str]) -> str:
    """What a descendant of the driver is: scheduler, nanny, worker, forkserver or other."""
    command = " ".join(process.cmdline())
    parent = process.ppid()
    if "Scheduler" in command and "spec" in command:
        return "scheduler"
    if "Nanny" in command and "spec" in command:
        return "nanny"
    if roles.get(parent) in ("nanny", "forkserver"):
        return "worker"
    if parent == driver and "forkserver" in command:
        return "forkserver"
    return "other"


def _load_average() -> list[float]:
    try:
        return [round(value, 2) for value in os.getloadavg()]
    except OSError:  # pragma: no cover - not on this platform
        return []


def _rss_mb() -> float:
    return _status_kb("VmRSS") / 1024


def _rss_peak_mb() -> float:
    return _status_kb("VmHWM") / 1024


def _status_kb(field: str) -> float:
    try:
        for line in Path("/proc/self/status").read_text(encoding="utf-8").splitlines():
            if line.startswith(field + ":"):
                return float(line.split()[1])
    except OSError:
        pass
    import resource

    return float(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def measure(project: Path, executor: str, history: bool, rows: int = 0) -> dict[str, Any]:
    """``run_once`` in a fresh process (the driver's memory is its own)."""
    command = [sys.executable, "-m", "benchmarks.distributed_map", "--run-once", str(project), "--executor", executor]
    command += ["--rows", str(rows)]
    if history:
        command.append("--history")
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"{executor} failed (exit {done.returncode}):\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(lines[-1])
    if result["status"] != "SUCCEEDED":
        raise RuntimeError(f"{executor}: the execution {result['status']}: {result['error']}: {result['cause']}")
    return result


def check_results(project: Path, manifest_key: str, rows: int, loops: int | None) -> None:
    """One SUCCEEDED record per row, in order, with the handler's answer (read file by file)."""
    results = project / "s3" / "results"
    manifest = json.loads((results / manifest_key).read_text(encoding="utf-8"))
    files = manifest["ResultFiles"]
    if files["FAILED"] or files["PENDING"]:
        raise RuntimeError(f"children did not all succeed: {files}")
    seen = 0
    for entry in files["SUCCEEDED"]:
        for record in json.loads((results / entry["Key"]).read_text(encoding="utf-8")):
            output = json.loads(record["Output"])
            checked = loops is not None and seen % CHECK_EVERY == 0  # the work costs ~1 ms a row here too
            if output["id"] != str(seen) or (checked and output["value"] != expected_value(seen, loops)):
                raise RuntimeError(f"record {seen} is wrong: {record}")
            seen += 1
    if seen != rows:
        raise RuntimeError(f"{seen} records for {rows} rows")


# -- the benchmark ------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows for the scale-out runs (1,000,000; 0: none)")
    parser.add_argument("--trivial-rows", type=int, default=50_000, help="rows for the fixed-cost run (50,000)")
    parser.add_argument("--work-ms", type=float, default=1.0, help="pure-Python work per item (1.0 ms)")
    parser.add_argument(
        "--loops", type=int, help="loop count of the work instead of calibrating it (to compare runs side by side)"
    )
    parser.add_argument("--executors", default=",".join(DEFAULT_EXECUTORS), help="comma-separated executors")
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="run the executors this many times in turn; the speed-up target is checked on the medians",
    )
    parser.add_argument(
        "--ceiling-seconds",
        type=float,
        default=8.0,
        help="seconds of the work alone, then in two processes at once, to measure this machine's ceiling (0: not)",
    )
    parser.add_argument("--history", action="store_true", help="children record their histories")
    parser.add_argument("--json", metavar="FILE", help="write every number to FILE (after each measurement)")
    parser.add_argument(
        "--out",
        metavar="STEM",
        default="distributed_map_results",
        help="STEM.json and STEM.md, rewritten after each measurement (default: distributed_map_results)",
    )
    parser.add_argument("--run-once", metavar="PROJECT", help=argparse.SUPPRESS)
    parser.add_argument("--executor", default="in-process", help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.run_once:
        print(json.dumps(run_once(Path(options.run_once), options.executor, options.history, options.rows)), flush=True)
        return 0

    report: dict[str, Any] = {"machine": describe(), "rows": options.rows, "history": options.history, "runs": {}}
    print("machine: " + "; ".join(f"{key} {value}" for key, value in report["machine"].items()))
    outputs = [Path(options.out + ".json"), Path(options.out + ".md")]
    if options.json:
        outputs.append(Path(options.json))
    save = lambda: _save(report, outputs)  # noqa: E731 - after each measurement
    work = Path(tempfile.mkdtemp(prefix="asl-distributed-map-"))
    try:
        if options.trivial_rows:
            project = make_project(work / "trivial", options.trivial_rows, "trivial", 0)
            trivial = measure(project, "in-process", options.history, options.trivial_rows)
            check_results(project, trivial["manifest"], options.trivial_rows, None)
            per_item = trivial["cpu_s"] / options.trivial_rows * 1e6
            report["trivial"] = {**trivial, "rows": options.trivial_rows, "cpu_us_per_item": per_item}
            print(
                f"\nfixed cost, in-process, trivial Lambda handler, {options.trivial_rows:,} rows: "
                f"{per_item:.1f} µs/item CPU ({trivial['wall_s'] / options.trivial_rows * 1e6:.1f} µs wall), "
                f"driver peak RSS {trivial['rss_peak_mb']:.0f} MB, load average {_load(trivial)}"
            )
            print(
                f"  target <= {TRIVIAL_TARGET_US:.0f} µs/item: {'met' if per_item <= TRIVIAL_TARGET_US else 'MISSED'}"
            )
            shutil.rmtree(project)
            save()
        if options.rows <= 0:  # the fixed cost alone (``--rows 0``): no scale-out run, no speed-up
            return 0
        loops = options.loops or calibrate(options.work_ms)
        report["loops"] = loops
        print(f"\nscale-out: {options.rows:,} rows, ~{options.work_ms} ms of pure-Python work each ({loops} loops)")
        if options.ceiling_seconds > 0:
            workers = os.cpu_count() or 1
            ceiling = report["ceiling"] = parallel_ceiling(loops, workers, options.ceiling_seconds)
            print(f"  {_ceiling_text(ceiling, workers)}", flush=True)
            save()
        runs: dict[str, dict[str, Any]] = report["runs"]
        executors = [name for name in options.executors.split(",") if name]
        for round_number in range(1, options.rounds + 1):
            _scale_out_round(report, work, options, loops, executors, round_number, save)
        medians = report["median_speedups"] = median_speedups(runs) if options.rounds > 1 else {}
        _print_targets(runs, report.get("ceiling"), medians)
        save()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def _scale_out_round(
    report: dict[str, Any],
    work: Path,
    options: argparse.Namespace,
    loops: int,
    executors: list[str],
    round_number: int,
    save: Callable[[], None],
) -> None:
    """Each executor once, in order; a speed-up is over this round's in-process run."""
    runs: dict[str, dict[str, Any]] = report["runs"]
    baseline: dict[str, Any] | None = None
    for executor in executors:
        key = executor if options.rounds == 1 else f"{executor} #{round_number}"
        project = make_project(work / executor.replace(":", "-"), options.rows, "work", loops)
        result = measure(project, executor, options.history, options.rows)
        check_results(project, result["manifest"], options.rows, loops)
        _derive(result, options.rows, executor, baseline)
        result["executor"] = executor
        if executor == "in-process":
            baseline = result
        runs[key] = result
        shutil.rmtree(project)
        print(
            f"  {key:<12} {result['wall_s']:8.1f} s  {result['items_per_s']:8.0f} items/s  "
            + (f"{result['speedup']:.2f}x  " if "speedup" in result else "")
            + f"driver {result['driver_cpu_us_per_item']:6.0f} µs CPU/item  "
            + (
                f"workers {result['workers_cpu_s']:7.1f} s CPU ({result['worker_utilisation']:.0%} busy)  "
                if result["workers"]
                else ""
            )
            + f"driver peak RSS {result['rss_peak_mb']:6.0f} MB  load average {_load(result)}",
            flush=True,
        )
        print(f"               {_roles_line(result)}", flush=True)
        if result.get("steady"):
            print(f"               {_steady_line(result)}", flush=True)
        save()


def median_speedups(runs: dict[str, dict[str, Any]]) -> dict[str, float]:
    """Each executor's median speed-up over the rounds (each over its own round's in-process run)."""
    by_executor: dict[str, list[float]] = {}
    for result in runs.values():
        if "speedup" in result:
            by_executor.setdefault(result["executor"], []).append(result["speedup"])
    return {executor: statistics.median(speedups) for executor, speedups in by_executor.items()}


def _workers(executor: str) -> int:
    if executor.startswith("processes"):
        return int(executor.partition(":")[2] or os.cpu_count() or 1)
    if executor == "dask":
        return os.cpu_count() or 1
    return 0


def _derive(result: dict[str, Any], rows: int, executor: str, baseline: dict[str, Any] | None) -> None:
    """Items per second, the speed-up, the driver's CPU per item and the workers' utilisation."""
    result["items_per_s"] = rows / result["wall_s"]
    result["driver_cpu_us_per_item"] = result["cpu_s"] / rows * 1e6
    workers = result["workers"] = _workers(executor)
    if workers:
        result["worker_utilisation"] = result["workers_cpu_s"] / (result["wall_s"] * workers)
    if baseline is not None and executor != "in-process":
        result["speedup"] = result["items_per_s"] / baseline["items_per_s"]
    by_role = {"driver": result["cpu_s"], **result.get("cpu_s_by_role", {})}
    result["cpu_us_per_item_by_role"] = {role: seconds / rows * 1e6 for role, seconds in by_role.items()}
    if baseline is not None and workers:
        # On idle cores, bound by CPU: every process's CPU per item spread over the cores, and no
        # worker faster than its own CPU per item allows.
        total = sum(result["cpu_us_per_item_by_role"].values())
        per_worker = result["cpu_us_per_item_by_role"].get("worker", 0.0) / workers
        cores = os.cpu_count() or 1
        result["cpu_implied_speedup"] = baseline["driver_cpu_us_per_item"] / max(total / cores, per_worker)


def _roles_line(result: dict[str, Any]) -> str:
    """CPU µs per item by process role, and the speed-up those CPU times imply on idle cores."""
    roles = result.get("cpu_us_per_item_by_role", {})
    text = ", ".join(f"{role} {value:,.0f}" for role, value in roles.items())
    implied = result.get("cpu_implied_speedup")
    return f"CPU µs/item: {text}" + (f"; implied on idle cores {implied:.2f}x" if implied is not None else "")


def _steady_line(result: dict[str, Any]) -> str:
    """The steady state's rate and CPU per item by role, each role's threads in brackets."""
    steady = result["steady"]
    threads = steady["cpu_us_per_item_by_thread"]
    parts = []
    for role, value in steady["cpu_us_per_item_by_role"].items():
        inside = [f"{key.partition('/')[2]} {us:,.0f}" for key, us in threads.items() if key.startswith(role + "/")]
        parts.append(f"{role} {value:,.0f} ({', '.join(inside)})")
    return f"steady state ({steady['items']:,} items, {steady['items_per_s']:,.0f}/s): CPU µs/item: " + "; ".join(parts)


def _load(result: dict[str, Any]) -> str:
    before, after = result.get("load_before") or ["?"], result.get("load_after") or ["?"]
    return f"{before[0]} -> {after[0]}"


def _save(report: dict[str, Any], outputs: list[Path]) -> None:
    """Every number so far, as JSON and as a markdown table (rewritten after each measurement)."""
    for path in outputs:
        text = _markdown(report) if path.suffix == ".md" else json.dumps(report, indent=2)
        path.write_text(text, encoding="utf-8")


def _markdown(report: dict[str, Any]) -> str:
    machine = "; ".join(f"{key} {value}" for key, value in report["machine"].items())
    lines = ["# Distributed Map benchmark", "", f"machine: {machine}"]
    trivial = report.get("trivial")
    if trivial:
        lines += [
            "",
            f"Fixed cost, in-process, trivial handler, {trivial['rows']:,} rows: "
            f"{trivial['cpu_us_per_item']:.1f} µs of CPU per item (target {TRIVIAL_TARGET_US:.0f}), "
            f"driver peak RSS {trivial['rss_peak_mb']:.0f} MB, load average {_load(trivial)}",
        ]
    runs = report.get("runs") or {}
    if runs:
        lines += [
            "",
            f"Scale-out, {report['rows']:,} rows, ~1 ms of pure-Python work each ({report.get('loops')} loops):",
            "",
            *_ceiling_lines(report.get("ceiling")),
            "| executor | wall s | items/s | speed-up | driver CPU µs/item | workers CPU s | worker utilisation "
            "| driver peak RSS MB | load average |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
        ]
        for executor, result in runs.items():
            speedup = f"{result['speedup']:.2f}x" if "speedup" in result else "1.00x"
            workers = f"{result['workers_cpu_s']:.1f}" if result["workers"] else ""
            busy = f"{result['worker_utilisation']:.0%}" if result["workers"] else ""
            lines.append(
                f"| {executor} | {result['wall_s']:.1f} | {result['items_per_s']:,.0f} | {speedup} "
                f"| {result['driver_cpu_us_per_item']:,.0f} | {workers} | {busy} | {result['rss_peak_mb']:.0f} "
                f"| {_load(result)} |"
            )
        lines += ["", "CPU per item by process, and the speed-up it implies on idle cores:", ""]
        lines += [f"- {executor}: {_roles_line(result)}" for executor, result in runs.items()]
        lines += [f"- {executor}: {_steady_line(result)}" for executor, result in runs.items() if result.get("steady")]
        medians = report.get("median_speedups")
        if medians:
            text = ", ".join(f"{executor} {speedup:.2f}x" for executor, speedup in medians.items())
            lines += ["", f"Median speed-ups over the rounds (each over its own round's in-process run): {text}."]
    return "\n".join(lines) + "\n"


def _ceiling_lines(ceiling: dict[str, Any] | None) -> list[str]:
    if not ceiling:
        return []
    workers = len(ceiling["together_us"]) // len(ceiling["alone_us"])
    return [_ceiling_text(ceiling, workers).capitalize() + ".", ""]


def _ceiling_text(ceiling: dict[str, Any], workers: int) -> str:
    alone = ", ".join(f"{us:,.0f}" for us in ceiling["alone_us"])
    together = ", ".join(f"{us:,.0f}" for us in ceiling["together_us"])
    return (
        f"this machine's ceiling for {workers} workers: {ceiling['ceiling']:.2f}x (the work's CPU µs per item "
        f"alone {alone}; in {workers} processes at once {together}; medians compared)"
    )


def _print_targets(
    runs: dict[str, dict[str, Any]], ceiling: dict[str, Any] | None = None, medians: dict[str, float] | None = None
) -> None:
    print("\ntargets:")
    target = f"target near 2x, >= {SPEEDUP_TARGET}x" + (
        f"; this machine's ceiling {ceiling['ceiling']:.2f}x" if ceiling else ""
    )
    for executor, speedup in (medians or {}).items():
        verdict = "met" if speedup >= SPEEDUP_TARGET else "MISSED"
        print(f"  {executor}: median speed-up {speedup:.2f}x over in-process ({target}): {verdict}")
    for executor, result in runs.items():
        if "speedup" in result and not medians:
            speedup = result["speedup"]
            verdict = "met" if speedup >= SPEEDUP_TARGET else "MISSED"
            print(f"  {executor}: speed-up {speedup:.2f}x over in-process ({target}): {verdict}")
        rss = result["rss_peak_mb"]
        verdict = "met" if rss < RSS_TARGET_MB else "MISSED"
        rss_target = f"target < {RSS_TARGET_MB:.0f} MB"
        print(f"  {executor}: driver peak RSS {rss:.0f} MB with a ResultWriter ({rss_target}): {verdict}")


if __name__ == "__main__":
    sys.exit(main())
