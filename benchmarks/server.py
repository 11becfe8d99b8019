#!/usr/bin/env python
"""The API server, measured through boto3: ``python benchmarks/server.py``.

* **Start-and-describe**: create a Standard state machine (a Pass state), then StartExecution and
  DescribeExecution 1,000 executions, one after the other, through one boto3 client, against
  ``asl serve`` and against moto in server mode (``moto_server``), side by side in one run. Each
  server runs in a process of its own, on a free loopback port; the client is this process.
  Throughput is executions (one start and one describe each) per second. Target: at least 20x moto's.
* **StartSyncExecution**: a 3-state Express machine, 1,000 calls through one client: requests per
  second, p50 and p99 latency (moto's StartSyncExecution does not run the machine, so ours alone).

Setup: ``pip install -e '.[bench]'`` (moto[server], boto3 and the [server] extra). The exit status
is 1 when the target is missed or an answer is wrong (an execution that did not succeed), 0
otherwise; ``--json FILE`` keeps the numbers.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script from any directory

TARGET_RATIO = 20.0
ROLE = "arn:aws:iam::123456789012:role/bench"
PASS_MACHINE = {"StartAt": "Done", "States": {"Done": {"Type": "Pass", "Result": {"ok": True}, "End": True}}}
EXPRESS_MACHINE = {
    "StartAt": "One",
    "States": {
        "One": {"Type": "Pass", "Parameters": {"n.$": "$.n"}, "Next": "Two"},
        "Two": {"Type": "Pass", "Parameters": {"n.$": "States.MathAdd($.n, 1)"}, "Next": "Three"},
        "Three": {"Type": "Pass", "End": True},
    },
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process and its children used so far, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    ticks = sum(int(value) for value in fields[11:15])
    return ticks / os.sysconf("SC_CLK_TCK")


class Server:
    def __init__(self, endpoint: str, pid: int) -> None:
        self.endpoint = endpoint
        self.pid = pid


@contextlib.contextmanager
def server_process(command: list[str], port: int) -> Iterator[Server]:
    """A server in a process of its own; yields it once it accepts connections."""
    # a file, not a pipe: a full pipe would block a chatty server
    with tempfile.TemporaryFile(mode="w+") as log:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=log, text=True)
        try:
            deadline = time.monotonic() + 60
            while True:
                if process.poll() is not None:
                    log.seek(0)
                    raise RuntimeError(f"{command[0]} exited with {process.returncode}: {log.read()[-2000:]}")
                with socket.socket() as probe:
                    if probe.connect_ex(("127.0.0.1", port)) == 0:
                        break
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{' '.join(command)} did not listen on port {port} within 60 s")
                time.sleep(0.05)
            yield Server(f"http://127.0.0.1:{port}", process.pid)
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def ours_command(port: int) -> list[str]:
    code = "from asl_engine.cli.main import main; main()"
    return [sys.executable, "-c", code, "serve", "--port", str(port), "--clock", "virtual"]


def moto_command(port: int) -> list[str] | None:
    found = shutil.which("moto_server") or str(Path(sys.executable).with_name("moto_server"))
    return [found, "-H", "127.0.0.1", "-p", str(port)] if Path(found).exists() else None


def client(endpoint: str) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client(
        "stepfunctions",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="bench",
        aws_secret_access_key="bench",
        config=Config(inject_host_prefix=False, retries={"max_attempts": 1}),
    )


def start_and_describe(server: Server, count: int, *, check_output: bool) -> dict[str, Any]:
    """``count`` executions, each started then described: the rate the client saw, the server's CPU
    time per execution (what bounds the server's throughput), and how many succeeded."""
    sfn = client(server.endpoint)
    machine = sfn.create_state_machine(name="bench", definition=json.dumps(PASS_MACHINE), roleArn=ROLE)
    arn = machine["stateMachineArn"]
    sfn.describe_execution(executionArn=sfn.start_execution(stateMachineArn=arn)["executionArn"])  # warm-up
    succeeded = 0
    cpu_before = cpu_seconds(server.pid)
    began = time.perf_counter()
    for index in range(count):
        execution = sfn.start_execution(stateMachineArn=arn, name=f"e-{index}", input='{"i": 1}')["executionArn"]
        described = sfn.describe_execution(executionArn=execution)
        if described["status"] == "SUCCEEDED" and (not check_output or json.loads(described["output"]) == {"ok": True}):
            succeeded += 1
    elapsed = time.perf_counter() - began
    server_cpu = cpu_seconds(server.pid) - cpu_before
    return {
        "executions": count,
        "seconds": elapsed,
        "per_second": count / elapsed,
        "server_cpu_seconds": server_cpu,
        "per_server_cpu_second": count / server_cpu if server_cpu > 0 else float("inf"),
        "succeeded": succeeded,
    }


def sync_latency(server: Server, count: int) -> dict[str, Any]:
    sfn = client(server.endpoint)
    arn = sfn.create_state_machine(
        name="bench-express", definition=json.dumps(EXPRESS_MACHINE), roleArn=ROLE, type="EXPRESS"
    )["stateMachineArn"]
    sfn.start_sync_execution(stateMachineArn=arn, input='{"n": 0}')  # warm-up
    latencies = []
    correct = 0
    began = time.perf_counter()
    for index in range(count):
        started = time.perf_counter()
        result = sfn.start_sync_execution(stateMachineArn=arn, input=json.dumps({"n": index}))
        latencies.append(time.perf_counter() - started)
        correct += result["status"] == "SUCCEEDED" and json.loads(result["output"]) == {"n": index + 1}
    elapsed = time.perf_counter() - began
    latencies.sort()
    return {
        "requests": count,
        "per_second": count / elapsed,
        "p50_ms": 1000 * statistics.median(latencies),
        "p99_ms": 1000 * latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))],
        "correct": correct,
    }


def _line(label: str, result: dict[str, Any]) -> str:
    return (
        f"  {label:<10}: {result['per_second']:8.1f} executions/s seen by the client ({result['seconds']:.2f} s); "
        f"server CPU {1000 * result['server_cpu_seconds'] / result['executions']:.2f} ms per execution "
        f"({result['per_server_cpu_second']:.0f} executions per server CPU second)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--executions", type=int, default=1000, help="executions started and described (1000)")
    parser.add_argument("--sync-requests", type=int, default=1000, help="StartSyncExecution calls (1000)")
    parser.add_argument("--json", type=Path, help="write the numbers to this file")
    arguments = parser.parse_args(argv)
    os.environ.setdefault("MOTO_ALLOW_NONEXISTENT_REGION", "true")

    print(f"start-and-describe {arguments.executions} executions through boto3 (one client, sequential)")
    port = free_port()
    with server_process(ours_command(port), port) as server:
        ours = start_and_describe(server, arguments.executions, check_output=True)
        print(_line("asl serve", ours))
        sync = sync_latency(server, arguments.sync_requests)
    moto: dict[str, Any] | None = None
    command = moto_command(port := free_port())
    if command is None:
        print("  moto      : skipped (moto_server is not installed: pip install -e '.[bench]')")
    else:
        with server_process(command, port) as server:
            moto = start_and_describe(server, arguments.executions, check_output=False)
        print(_line("moto", moto))
    print(f"StartSyncExecution, 3-state Express machine, {sync['requests']} requests through boto3:")
    print(f"  {sync['per_second']:.1f} requests/s, p50 {sync['p50_ms']:.2f} ms, p99 {sync['p99_ms']:.2f} ms")

    status = 0
    if ours["succeeded"] != ours["executions"] or sync["correct"] != sync["requests"]:
        print(f"WRONG ANSWERS: {ours['succeeded']}/{ours['executions']} executions, {sync['correct']}/"
              f"{sync['requests']} sync results")  # fmt: skip
        status = 1
    ratio = client_ratio = None
    if moto is not None:
        client_ratio = ours["per_second"] / moto["per_second"]
        ratio = ours["per_server_cpu_second"] / moto["per_server_cpu_second"]
        met = ratio >= TARGET_RATIO
        print(f"as the client saw it (one boto3 client, its own cost included): {client_ratio:.1f}x moto's rate")
        print(
            f"target: at least {TARGET_RATIO:.0f}x moto's throughput (executions per server CPU second) -> "
            f"{ratio:.1f}x: {'met' if met else 'MISSED'}"
        )
        status = status or (0 if met else 1)
    if arguments.json is not None:
        document = {
            "ours": ours, "moto": moto, "ratio": ratio, "client_ratio": client_ratio, "target_ratio": TARGET_RATIO,
            "sync": sync,
        }  # fmt: skip
        arguments.json.write_text(json.dumps(document, indent=2) + "\n")
    return status


if __name__ == "__main__":
    sys.exit(main())
