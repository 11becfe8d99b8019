#!/usr/bin/env python
"""The API server, measured through boto3: ``python benchmarks/server.py``.

* **Start-and-describe**: create a Standard state machine (a Pass state), then StartExecution and
  DescribeExecution 1,000 executions, one after the other, through one boto3 client, against
  ``asl serve`` and against moto in server mode (``moto_server``). Both servers run at the same
  time, each in a process of its own on a free loopback port, and are driven in alternating rounds
  (5 of 200 by default), so that the load of a shared machine weighs on both alike.
* The number the 20x target is checked against: **executions per server CPU second** (the servers'
  CPU time, user + system, from /proc), the server's own throughput and the only quantity a server
  can change. The client's view (executions per second, p50/p99 of each call) is printed beside it,
  with the client's own CPU per execution: a sequential boto3 client spends several milliseconds
  per call against any server, which caps the ratio it can see far below 20x (the ceiling is
  printed).
* **Where our CPU goes** (``--no-breakdown`` skips it): uvicorn with httptools and uvloop answering a
  constant (the HTTP stack's floor per request; granian's ASGI and RSGI interfaces beside it when
  granian is installed, the candidates that were measured against it), and the engine starting and running the same
  execution in process (``StateMachine.start_async`` with the server's options), so that the rest
  is the server's own work.
* **StartSyncExecution**: a 3-state Express machine, 1,000 calls through one client: requests per
  second, p50 and p99 latency and server CPU per request (moto's StartSyncExecution does not run
  the machine, so ours alone).

Setup: ``pip install -e '.[bench]'`` (moto[server], boto3 and the [server] extra). The exit status
is 1 when the target is missed or an answer is wrong (an execution that did not succeed), 0
otherwise; ``--json FILE`` keeps the numbers.
"""

from __future__ import annotations

import argparse
import asyncio
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
from dataclasses import dataclass, field
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
    """CPU time (user + system) a process and its children used so far, from /proc (Linux).

    It counts the threads that have ended (moto's server answers on a thread per connection), and
    its total is the scheduler's exact account, rounded to clock ticks (10 ms): a round of 200
    executions is measured to within a few percent.
    """
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


@dataclass
class Tally:
    """One server's start-and-describe numbers, summed over its rounds."""

    executions: int = 0
    seconds: float = 0.0
    server_cpu: float = 0.0
    client_cpu: float = 0.0
    succeeded: int = 0
    starts: list[float] = field(default_factory=list)
    describes: list[float] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {
            "executions": self.executions,
            "seconds": self.seconds,
            "per_second": self.executions / self.seconds,
            "server_cpu_seconds": self.server_cpu,
            "server_cpu_ms_per_execution": 1000 * self.server_cpu / self.executions,
            "per_server_cpu_second": self.executions / self.server_cpu if self.server_cpu > 0 else float("inf"),
            "client_cpu_ms_per_execution": 1000 * self.client_cpu / self.executions,
            "start_p50_ms": percentile(self.starts, 0.5),
            "start_p99_ms": percentile(self.starts, 0.99),
            "describe_p50_ms": percentile(self.describes, 0.5),
            "describe_p99_ms": percentile(self.describes, 0.99),
            "succeeded": self.succeeded,
        }


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if fraction == 0.5:
        return 1000 * statistics.median(ordered)
    return 1000 * ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


class Driven:
    """A server with a machine to start: one boto3 client, the machine's ARN, its tally."""

    def __init__(self, server: Server, *, check_output: bool) -> None:
        self.server = server
        self.check_output = check_output
        self.sfn = client(server.endpoint)
        self.arn = self.sfn.create_state_machine(name="bench", definition=json.dumps(PASS_MACHINE), roleArn=ROLE)[
            "stateMachineArn"
        ]
        warm = self.sfn.start_execution(stateMachineArn=self.arn)["executionArn"]
        self.sfn.describe_execution(executionArn=warm)
        self.tally = Tally()

    def round(self, first: int, count: int) -> None:
        """``count`` executions, each started then described (names ``e-<first>``...)."""
        sfn, tally = self.sfn, self.tally
        cpu_before, client_before = cpu_seconds(self.server.pid), time.process_time()
        began = time.perf_counter()
        for index in range(first, first + count):
            sent = time.perf_counter()
            execution = sfn.start_execution(stateMachineArn=self.arn, name=f"e-{index}", input='{"i": 1}')[
                "executionArn"
            ]
            started = time.perf_counter()
            described = sfn.describe_execution(executionArn=execution)
            tally.starts.append(started - sent)
            tally.describes.append(time.perf_counter() - started)
            output_ok = not self.check_output or json.loads(described.get("output", "null")) == {"ok": True}
            tally.succeeded += described["status"] == "SUCCEEDED" and output_ok
        tally.seconds += time.perf_counter() - began
        tally.client_cpu += time.process_time() - client_before
        tally.server_cpu += cpu_seconds(self.server.pid) - cpu_before
        tally.executions += count


def sync_latency(server: Server, count: int) -> dict[str, Any]:
    sfn = client(server.endpoint)
    arn = sfn.create_state_machine(
        name="bench-express", definition=json.dumps(EXPRESS_MACHINE), roleArn=ROLE, type="EXPRESS"
    )["stateMachineArn"]
    sfn.start_sync_execution(stateMachineArn=arn, input='{"n": 0}')  # warm-up
    latencies = []
    correct = 0
    cpu_before = cpu_seconds(server.pid)
    began = time.perf_counter()
    for index in range(count):
        started = time.perf_counter()
        result = sfn.start_sync_execution(stateMachineArn=arn, input=json.dumps({"n": index}))
        latencies.append(time.perf_counter() - started)
        correct += result["status"] == "SUCCEEDED" and json.loads(result["output"]) == {"n": index + 1}
    elapsed = time.perf_counter() - began
    server_cpu = cpu_seconds(server.pid) - cpu_before
    return {
        "requests": count,
        "per_second": count / elapsed,
        "p50_ms": percentile(latencies, 0.5),
        "p99_ms": percentile(latencies, 0.99),
        "server_cpu_ms_per_request": 1000 * server_cpu / count,
        "correct": correct,
    }


CONSTANT_APP = """
import sys
BODY = b'{"stateMachines":[]}'
HEADERS = [(b"content-length", str(len(BODY)).encode()), (b"content-type", b"application/x-amz-json-1.0")]
async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    while (await receive()).get("more_body"):
        pass
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": BODY})
class RsgiApp:
    async def __rsgi__(self, scope, protocol):
        await protocol()
        protocol.response_bytes(200, [("content-type", "application/x-amz-json-1.0")], BODY)
stack, port = sys.argv[1], int(sys.argv[2])
if stack == "uvicorn":
    import uvicorn
    from asl_engine.server.process import uvicorn_options
    uvicorn.run(app, host="127.0.0.1", port=port, lifespan="off", **uvicorn_options())
else:
    import uvloop
    from granian.constants import Interfaces
    from granian.server.embed import Server
    interface, target = (Interfaces.RSGI, RsgiApp()) if stack == "granian-rsgi" else (Interfaces.ASGI, app)
    server = Server(target, address="127.0.0.1", port=port, interface=interface, log_level="warning", websockets=False)
    uvloop.run(server.serve())
"""
HTTP_STACKS = ("uvicorn", "granian-asgi", "granian-rsgi")
"""uvicorn (httptools, uvloop) as ``asl serve`` runs it, and granian (a Rust HTTP server) in this
process, on its ASGI and its own RSGI interface: the candidates for the server's HTTP stack."""


def http_floors(count: int, rounds: int = 4) -> dict[str, float]:
    """Server CPU (ms) per boto3 call of each HTTP stack answering a constant (all the server
    process's threads counted), in alternating rounds: what any app on that stack pays per request
    before doing anything. granian is measured when it is installed (``pip install granian``)."""
    import importlib.util

    stacks = [stack for stack in HTTP_STACKS if stack == "uvicorn" or importlib.util.find_spec("granian")]
    with contextlib.ExitStack() as servers:
        clients = {}
        for stack in stacks:
            port = free_port()
            server = servers.enter_context(server_process([sys.executable, "-c", CONSTANT_APP, stack, str(port)], port))
            sfn = client(server.endpoint)
            sfn.list_state_machines()
            clients[stack] = (server, sfn)
        spent = dict.fromkeys(stacks, 0.0)
        for _ in range(rounds):
            for stack, (server, sfn) in clients.items():
                cpu_before = cpu_seconds(server.pid)
                for _ in range(count // rounds):
                    sfn.list_state_machines()
                spent[stack] += cpu_seconds(server.pid) - cpu_before
    return {stack: 1000 * seconds / (count // rounds * rounds) for stack, seconds in spent.items()}


def engine_start_cost(count: int) -> float:
    """CPU (ms) per execution of the engine alone starting and running the benchmark's execution in
    an event loop, with the options ``asl serve --clock virtual`` passes (no HTTP, no API)."""
    from asl_engine import StateMachine, VirtualClock
    from asl_engine.services import Resources

    machine = StateMachine.from_json(json.dumps(PASS_MACHINE), name="bench")
    resources = Resources()

    async def run() -> float:
        handles = []
        began = time.process_time()
        for index in range(count):
            handle = await machine.start_async(
                {"i": 1}, name=f"e-{index}", clock=VirtualClock(), mocks=None, resources=resources,
                region="us-east-1", account="123456789012", role_arn=ROLE,
            )  # fmt: skip
            handles.append(handle)
            await asyncio.sleep(0)
        for handle in handles:
            await handle.result()
        return 1000 * (time.process_time() - began) / count

    try:
        import uvloop

        uvloop.install()
    except ImportError:  # pragma: no cover - uvloop is part of the [server] extra on Linux
        pass
    return asyncio.run(run())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--executions", type=int, default=1000, help="executions started and described (1000)")
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds the executions are split in (5)")
    parser.add_argument("--sync-requests", type=int, default=1000, help="StartSyncExecution calls (1000)")
    parser.add_argument("--no-breakdown", action="store_true", help="skip the HTTP floor and engine measurements")
    parser.add_argument("--json", type=Path, help="write the numbers to this file")
    arguments = parser.parse_args(argv)
    os.environ.setdefault("MOTO_ALLOW_NONEXISTENT_REGION", "true")
    rounds = max(1, min(arguments.rounds, arguments.executions))
    per_round = [arguments.executions // rounds + (index < arguments.executions % rounds) for index in range(rounds)]

    with contextlib.ExitStack() as stack:
        port = free_port()
        ours_server = stack.enter_context(server_process(ours_command(port), port))
        drivers = {"asl serve": Driven(ours_server, check_output=True)}
        command = moto_command(port := free_port())
        if command is not None:
            drivers["moto"] = Driven(stack.enter_context(server_process(command, port)), check_output=False)
        first = 0
        for count in per_round:
            for driver in drivers.values():
                driver.round(first, count)
            first += count
        sync = sync_latency(drivers["asl serve"].server, arguments.sync_requests)
    results = {name: driver.tally.summary() for name, driver in drivers.items()}
    breakdown = None
    if not arguments.no_breakdown:
        floors = http_floors(2000)
        breakdown = {
            "http_floor_ms_per_request": floors["uvicorn"],
            "http_floors_ms_per_request": floors,
            "engine_ms_per_execution": engine_start_cost(5000),
        }
    return report(arguments, results, sync, breakdown, per_round)


def report(
    arguments: argparse.Namespace,
    results: dict[str, dict[str, Any]],
    sync: dict[str, Any],
    breakdown: dict[str, Any] | None,
    per_round: list[int],
) -> int:
    ours, moto = results["asl serve"], results.get("moto")
    print(
        f"start-and-describe {ours['executions']} executions through boto3, one sequential client, "
        f"{len(per_round)} alternating rounds of {per_round[0]} (load average {os.getloadavg()[0]:.1f})"
    )
    print("server CPU per execution (StartExecution + DescribeExecution; user + system, from /proc):")
    for name, result in results.items():
        print(
            f"  {name:<10}: {result['server_cpu_ms_per_execution']:6.2f} ms "
            f"({result['per_server_cpu_second']:6.0f} executions per server CPU second)"
        )
    if moto is None:
        print("  moto      : skipped (moto_server is not installed: pip install -e '.[bench]')")
    ratio = moto and ours["per_server_cpu_second"] / moto["per_server_cpu_second"]
    if ratio is not None:
        print(f"  ratio     : {ratio:.1f}x  <- the target is checked against this ratio")
    print("as the client saw it (its own cost included):")
    for name, result in results.items():
        print(
            f"  {name:<10}: {result['per_second']:6.1f} executions/s; StartExecution p50 {result['start_p50_ms']:.2f} "
            f"ms, p99 {result['start_p99_ms']:.2f} ms; DescribeExecution p50 {result['describe_p50_ms']:.2f} ms, "
            f"p99 {result['describe_p99_ms']:.2f} ms; client CPU {result['client_cpu_ms_per_execution']:.2f} ms "
            "per execution"
        )
    client_ratio = ceiling = None
    if moto is not None:
        client_ratio = ours["per_second"] / moto["per_second"]
        client_ms = min(result["client_cpu_ms_per_execution"] for result in results.values())
        ceiling = (1000 / client_ms) / moto["per_second"]
        print(f"  ratio     : {client_ratio:.1f}x")
        print(
            f"  why the target is not checked here: the boto3 client itself spends at least {client_ms:.2f} ms of CPU "
            "per execution (two calls: signing, serializing, urllib3, parsing) whatever the server, so one "
            f"sequential client sees at most {1000 / client_ms:.0f} executions/s even from a server that costs "
            f"nothing: {ceiling:.1f}x moto's {moto['per_second']:.1f}/s, short of 20x whatever the server does."
        )
    if breakdown is not None:
        floor, engine = breakdown["http_floor_ms_per_request"], breakdown["engine_ms_per_execution"]
        rest = ours["server_cpu_ms_per_execution"] - 2 * floor - engine
        print("where our server CPU per execution goes (the parts measured on their own):")
        print(f"  HTTP stack (uvicorn + httptools + uvloop answering a constant): {floor:.2f} ms x 2 requests")
        others = {stack: ms for stack, ms in breakdown["http_floors_ms_per_request"].items() if stack != "uvicorn"}
        if others:
            shown = ", ".join(f"{stack} {ms:.2f} ms" for stack, ms in others.items())
            print(f"    the other stacks answering the same constant, per request: {shown}")
        else:
            print("    (granian, the other candidate stack, is not installed: pip install granian to compare it)")
        print(f"  the engine starting and running the execution (start_async, in process): {engine:.2f} ms")
        print(
            f"  the rest: {rest:.2f} ms (the API's own work, and the same code run with caches cold: the client's "
            "calls interleave with the server's, where the parts above were measured in tight loops)"
        )
        if moto is not None:
            best = moto["server_cpu_ms_per_execution"] / (2 * floor + engine)
            print(f"  with nothing but the HTTP stack and the engine, the ratio would be {best:.1f}x")
    print(f"StartSyncExecution, 3-state Express machine, {sync['requests']} requests through boto3:")
    print(
        f"  {sync['per_second']:.1f} requests/s, p50 {sync['p50_ms']:.2f} ms, p99 {sync['p99_ms']:.2f} ms, "
        f"server CPU {sync['server_cpu_ms_per_request']:.2f} ms per request"
    )

    status = 0
    if ours["succeeded"] != ours["executions"] or sync["correct"] != sync["requests"]:
        print(f"WRONG ANSWERS: {ours['succeeded']}/{ours['executions']} executions, {sync['correct']}/"
              f"{sync['requests']} sync results")  # fmt: skip
        status = 1
    if ratio is not None:
        met = ratio >= TARGET_RATIO
        print(
            f"target: at least {TARGET_RATIO:.0f}x moto's throughput, as executions per server CPU second -> "
            f"{ratio:.1f}x: {'met' if met else 'MISSED'}"
        )
        status = status or (0 if met else 1)
    if arguments.json is not None:
        document = {
            "ours": ours, "moto": moto, "ratio": ratio, "client_ratio": client_ratio, "client_ceiling": ceiling,
            "target_ratio": TARGET_RATIO, "sync": sync, "breakdown": breakdown, "load_average": os.getloadavg(),
        }  # fmt: skip
        arguments.json.write_text(json.dumps(document, indent=2) + "\n")
    return status


if __name__ == "__main__":
    sys.exit(main())
