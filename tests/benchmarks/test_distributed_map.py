"""The Distributed Map benchmark's fixed-cost part on its own (``--rows 0``)."""

from __future__ import annotations

import json
import statistics
import threading
import time
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


def test_the_steady_state_is_the_cpu_between_a_fifth_and_nine_tenths_of_the_children() -> None:
    steady = distributed_map._SteadyState(1000)
    for seconds, ended, cpu in [(0.0, 0, 5.0), (1.0, 150, 6.0), (2.0, 250, 6.5), (3.0, 850, 7.7), (4.0, 950, 9.0)]:
        steady._samples.append((seconds, ended, {"driver/execution": cpu / 2, "worker/other": cpu}))
    result = steady.result()
    assert result["items"] == 600  # from the sample at 250 to the one at 850: start-up and tail left out
    assert result["seconds"] == 1.0
    assert round(result["cpu_us_per_item_by_thread"]["worker/other"]) == 2000  # 1.2 s over 600 children
    assert round(result["cpu_us_per_item_by_role"]["driver"]) == 1000
    assert distributed_map._SteadyState(1000).result() == {}


def test_other_processes_threads_are_the_busiest_and_the_rest() -> None:
    each = {"worker/main": 5.0, "worker/thread 7:8": 900.0, "worker/thread 7:9": 3.0, "worker/thread 10:11": 2.0}
    each |= {"worker/thread 10:12": 800.0, "driver/execution": 20.0}
    merged = distributed_map._busiest_and_rest(each)
    assert merged == {"worker/main": 5.0, "worker/busiest": 1700.0, "worker/rest": 5.0, "driver/execution": 20.0}


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads /proc")
def test_a_steady_state_sample_reads_each_thread_of_the_driver_but_the_samplers() -> None:
    started, finish = threading.Event(), threading.Event()

    def burn() -> None:
        deadline = time.thread_time() + 0.05
        while time.thread_time() < deadline:
            pass
        started.set()
        finish.wait()

    burner = threading.Thread(target=burn, name="burner")
    burner.start()
    try:
        started.wait()
        steady = distributed_map._SteadyState(10)
        steady.sample(3, {})
    finally:
        finish.set()
        burner.join()
    _, ended, totals = steady._samples[0]
    assert ended == 3
    assert totals["driver/burner"] >= 0.03  # clock ticks of 10 ms
    assert not any("MainThread" in key for key in totals)  # the thread that samples


def test_the_machines_ceiling_is_the_work_alone_over_the_work_side_by_side() -> None:
    ceiling = distributed_map.parallel_ceiling(200, 2, 0.4, rounds=2)
    assert len(ceiling["alone_us"]) == 2
    assert len(ceiling["together_us"]) == 4
    assert all(us > 0 for us in ceiling["alone_us"] + ceiling["together_us"])
    expected = 2 * statistics.median(ceiling["alone_us"]) / statistics.median(ceiling["together_us"])
    assert ceiling["ceiling"] == expected
    assert distributed_map._ceiling_lines(ceiling)[0].startswith("This machine's ceiling for 2 workers: ")


def test_median_speed_ups_are_per_executor_over_the_rounds() -> None:
    runs = {
        "in-process #1": {"executor": "in-process"},
        "dask #1": {"executor": "dask", "speedup": 1.6},
        "processes:2 #1": {"executor": "processes:2", "speedup": 1.9},
        "dask #2": {"executor": "dask", "speedup": 2.1},
        "processes:2 #2": {"executor": "processes:2", "speedup": 1.7},
        "dask #3": {"executor": "dask", "speedup": 1.8},
    }
    assert distributed_map.median_speedups(runs) == {"dask": 1.8, "processes:2": pytest.approx(1.8)}


def test_each_speed_up_is_judged_against_the_speed_up_target(capsys: pytest.CaptureFixture[str]) -> None:
    """The second executor's speed-up line names the speed-up target, not the previous line's RSS target."""
    runs = {
        "in-process": {"rss_peak_mb": 500.0},
        "processes:2": {"speedup": 2.0, "rss_peak_mb": 600.0},
        "dask": {"speedup": 1.5, "rss_peak_mb": 2000.0},
    }
    distributed_map._print_targets(runs)
    lines = capsys.readouterr().out.splitlines()
    speed_ups = [line for line in lines if "speed-up" in line]
    assert speed_ups == [
        f"  processes:2: speed-up 2.00x over in-process (target near 2x, >= {distributed_map.SPEEDUP_TARGET}x): met",
        f"  dask: speed-up 1.50x over in-process (target near 2x, >= {distributed_map.SPEEDUP_TARGET}x): MISSED",
    ]
    assert "  dask: driver peak RSS 2000 MB with a ResultWriter (target < 1024 MB): MISSED" in lines
