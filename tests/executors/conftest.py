"""A real Dask cluster on loopback for the executor tests: ``dask scheduler`` and two ``dask worker``s.

Started once for the module that asks for it (subprocesses on free ports), stopped by the fixture's
finaliser. The workers import the tests' handlers by name, so the checkout is on their path.
Without Dask installed the tests that need it skip, except on CI (``CI=true``), which installs the
``[dask]`` extra: there a missing Dask is a failure.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

CHECKOUT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 60.0
STOP_TIMEOUT = 5.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _need_dask() -> None:
    if importlib.util.find_spec("distributed") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Dask is not installed: CI installs the [dask] extra (pip install -e '.[test,dask]')")
        pytest.skip("Dask is not installed (pip install -e '.[dask]')")


class DaskCluster:
    def __init__(self, address: str, processes: list[subprocess.Popen[bytes]]) -> None:
        self.address = address
        self.processes = processes

    @property
    def spec(self) -> str:
        return "dask://" + self.address.removeprefix("tcp://")

    def worker_pids(self) -> set[int]:
        from distributed import Client

        with Client(self.address, timeout=30) as client:
            return set(client.run(os.getpid).values())


@pytest.fixture(scope="module")
def dask_cluster() -> Iterator[DaskCluster]:
    _need_dask()
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    environment = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(CHECKOUT), os.environ.get("PYTHONPATH", "")]),
        # A batch whose worker dies twice is given up (KilledWorker): quick for the test that kills always.
        "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "1",
        # A worker holds only the task it runs (by default up to 1.1 per thread, rounded up: two), so a
        # worker's death counts against the batch that killed it alone, never a batch queued behind it
        # (which Dask would also give up after two deaths, and the Map Run would name).
        "DASK_DISTRIBUTED__SCHEDULER__WORKER_SATURATION": "1.0",
    }
    common = ["--no-dashboard"]
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "dask", "scheduler", "--host", "127.0.0.1", "--port", str(port), *common],
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    ]
    try:
        for _ in range(2):
            processes.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "dask",
                        "worker",
                        address,
                        "--nworkers",
                        "1",
                        "--nthreads",
                        "1",
                        "--host",
                        "127.0.0.1",
                        *common,
                    ],
                    env=environment,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    start_new_session=True,  # its own process group: the nanny and its worker stop together
                )
            )
        _wait_for_workers(address, 2)
        yield DaskCluster(address, processes)
    finally:
        for process in reversed(processes):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def _wait_for_workers(address: str, count: int) -> None:
    from distributed import Client

    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            with Client(address, timeout=10) as client:
                client.wait_for_workers(count, timeout=max(1.0, deadline - time.monotonic()))
                return
        except (OSError, TimeoutError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
