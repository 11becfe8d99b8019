"""The crash test: durable executions killed with SIGKILL at random moments, then resumed.

The workflow has Lambda handlers (a Map over items, one at a time), a Parallel of a Lambda and a
real-clock Wait, and a ``.waitForTaskToken`` callback answered by this test through the store
(from another process than the one running the execution, and sometimes while none runs it).
Each execution is run by ``asl run --store``, killed at a random moment, resumed by ``asl
resume --store``, killed again, and so on until it ends. Then:

* its output is the output of the uninterrupted run;
* no state transition was recorded twice or lost: the events of each state, and the tasks
  scheduled, are those of the uninterrupted run, with event ids 1, 2, 3... ;
* the handlers ran at most once more per kill (one handler at most is in flight at any moment in
  this workflow; each call is counted in a file, fsynced before the handler returns);
* ``PRAGMA integrity_check`` is ``ok`` after every kill.

``ASL_CRASH_KILLS`` sets how many kills the run makes (50 by default; the longer run in
docs/durability.md uses 500); ``ASL_CRASH_SEED`` makes the moments reproducible.
"""

from __future__ import annotations

import collections
import contextlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from asl_engine import open_store
from asl_engine.store import TaskDoesNotExist, TaskTimedOut

KILLS = int(os.environ.get("ASL_CRASH_KILLS", "50"))
SEED = int(os.environ.get("ASL_CRASH_SEED", "20240601"))
LONGEST_DELAY = 0.5
"""A child is killed up to this long after it starts (the Wait alone lasts a second)."""

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the crash test forks its children")

DEFINITION = {
    "StartAt": "Prepare",
    "States": {
        "Prepare": {"Type": "Pass", "Parameters": {"order.$": "$.order", "items.$": "$.items"}, "Next": "PriceItems"},
        "PriceItems": {
            "Type": "Map",
            "ItemsPath": "$.items",
            "MaxConcurrency": 1,
            "ItemProcessor": {
                "StartAt": "Price",
                "States": {
                    "Price": {
                        "Type": "Task",
                        "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Price",
                        "Parameters": {"order.$": "$$.Execution.Input.order", "sku.$": "$.sku"},
                        "End": True,
                    }
                },
            },
            "ResultPath": "$.priced",
            "Next": "Fulfil",
        },
        "Fulfil": {
            "Type": "Parallel",
            "Branches": [
                {
                    "StartAt": "Reserve",
                    "States": {
                        "Reserve": {
                            "Type": "Task",
                            "Resource": "arn:aws:states:::lambda:invoke",
                            "Parameters": {"FunctionName": "Reserve", "Payload.$": "$"},
                            "OutputPath": "$.Payload",
                            "End": True,
                        }
                    },
                },
                {"StartAt": "Cool", "States": {"Cool": {"Type": "Wait", "Seconds": 1, "End": True}}},
            ],
            "ResultPath": "$.fulfilment",
            "Next": "Approve",
        },
        "Approve": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
            "Parameters": {
                "FunctionName": "RequestApproval",
                "Payload": {"token.$": "$$.Task.Token", "order.$": "$.order"},
            },
            "TimeoutSeconds": 120,
            "ResultPath": "$.approval",
            "Next": "Done",
        },
        "Done": {
            "Type": "Pass",
            "Parameters": {
                "order.$": "$.order",
                "priced.$": "$.priced",
                "reserved.$": "$.fulfilment[0]",
                "approval.$": "$.approval",
            },
            "End": True,
        },
    },
}

HANDLERS = """
import json
import os
import time

CALLS = os.path.join(os.path.dirname(__file__), "calls.log")
TOKENS = os.path.join(os.path.dirname(__file__), "tokens")


def _count(order, state):
    descriptor = os.open(CALLS, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        os.write(descriptor, f"{order}\\t{state}\\n".encode())
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def price(event, context):
    _count(event["order"], "Price")
    time.sleep(0.03)
    return {"sku": event["sku"], "price": 100 * len(event["sku"])}


def reserve(event, context):
    _count(event["order"], "Reserve")
    time.sleep(0.03)
    return {"reserved": len(event["priced"]), "order": event["order"]}


def request_approval(event, context):
    _count(event["order"], "RequestApproval")
    path = os.path.join(TOKENS, event["order"])
    with open(path + ".tmp", "w") as file:
        file.write(event["token"])
        file.flush()
        os.fsync(file.fileno())
    os.replace(path + ".tmp", path)
    return {"requested": True}
"""

RESOURCES = """
[lambda]
Price = "handlers:price"
Reserve = "handlers:reserve"
RequestApproval = "handlers:request_approval"
"""


class Zygote:
    """The helper that forks the ``asl`` children (see zygote.py)."""

    def __init__(self, cwd: Path) -> None:
        script = Path(__file__).with_name("zygote.py")
        environment = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
        self.process = subprocess.Popen(
            [sys.executable, str(script)],
            cwd=cwd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=environment,
        )
        self.log = cwd / "children.log"

    def start(self, argv: list[str]) -> int:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps({"argv": argv, "log": str(self.log)}) + "\n")
        self.process.stdin.flush()
        return int(json.loads(self.process.stdout.readline())["pid"])

    def ended(self) -> int:
        """Wait for the child that runs to end; its exit code (minus the signal that ended it)."""
        assert self.process.stdout is not None
        return int(json.loads(self.process.stdout.readline())["status"])

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


class Approver(threading.Thread):
    """The system the callback asks: answers each token it finds, through the store, from this process."""

    def __init__(self, store_path: Path, tokens: Path) -> None:
        super().__init__(daemon=True)
        self.store_path = store_path
        self.tokens = tokens
        self.answered: set[str] = set()
        self.stopping = threading.Event()

    def run(self) -> None:
        with open_store(self.store_path) as store:
            while not self.stopping.wait(0.02):
                for path in sorted(self.tokens.iterdir()):
                    if path.suffix == ".tmp":
                        continue  # a handler killed while it wrote the token: it runs again
                    token = path.read_text()
                    if token in self.answered:
                        continue
                    # Answered already (and applied), or not waiting any more: nothing to do.
                    with contextlib.suppress(TaskDoesNotExist, TaskTimedOut):
                        store.send_task_success(token, {"approvedBy": "crash-test", "order": path.name})
                    self.answered.add(token)


def transitions(history: list[dict[str, Any]]) -> collections.Counter[tuple[str, str | None]]:
    """How often each (event type, state) occurs: what no crash may change."""
    counts: collections.Counter[tuple[str, str | None]] = collections.Counter()
    for event in history:
        name = None
        for key, value in event.items():
            if key.endswith("EventDetails") and isinstance(value, dict):
                name = value.get("name")
        counts[(event["type"], name)] += 1
    return counts


def integrity(store_path: Path) -> str:
    with sqlite3.connect(store_path) as db:
        return str(db.execute("PRAGMA integrity_check").fetchone()[0])


def calls(workdir: Path) -> collections.Counter[str]:
    log = workdir / "calls.log"
    lines = log.read_text().splitlines() if log.exists() else []
    return collections.Counter(line.split("\t")[0] for line in lines)


def test_executions_killed_at_random_moments_resume_to_the_uninterrupted_result(tmp_path: Path) -> None:
    (tmp_path / "machine.json").write_text(json.dumps(DEFINITION))
    (tmp_path / "handlers.py").write_text(HANDLERS)
    (tmp_path / "asl.toml").write_text(RESOURCES)
    (tmp_path / "tokens").mkdir()
    store_path = tmp_path / "runs.db"
    rng = random.Random(SEED)
    zygote = Zygote(tmp_path)
    approver = Approver(store_path, tmp_path / "tokens")
    try:
        # The uninterrupted run: what every crashed execution must end with.
        reference_input = {"order": "reference", "items": [{"sku": "a"}, {"sku": "bb"}, {"sku": "ccc"}]}
        (tmp_path / "reference.json").write_text(json.dumps(reference_input))
        run_argv = ["run", "machine.json", "--input", "reference.json", "--store", str(store_path), "--no-progress"]
        zygote.start([*run_argv, "--name", "reference"])
        approver.start()
        assert zygote.ended() == 0, (tmp_path / "children.log").read_text()
        with open_store(store_path, create=False) as store:
            reference = store.execution("reference")
            reference_calls = calls(tmp_path)["reference"]
        assert reference.status == "SUCCEEDED"

        kills = 0
        number = 0
        while kills < KILLS:
            number += 1
            order = f"order-{number}"
            input_file = tmp_path / f"{order}.json"
            input_file.write_text(json.dumps({**reference_input, "order": order}))
            killed_here = 0
            for _attempt in range(1000):
                with open_store(store_path, create=False) as store:
                    started = bool(store.records()) and any(r.name == order for r in store.records())
                argv = (
                    ["resume", "--store", str(store_path)]
                    if started
                    else ["run", "machine.json", "--input", input_file.name, "--store", str(store_path),
                          "--no-progress", "--name", order]
                )  # fmt: skip
                pid = zygote.start(argv)
                time.sleep(rng.uniform(0, LONGEST_DELAY))
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
                status = zygote.ended()
                if status == -signal.SIGKILL:
                    kills += 1
                    killed_here += 1
                    assert integrity(store_path) == "ok", f"after kill {kills}"
                    continue
                assert status in (0, 1), (status, (tmp_path / "children.log").read_text()[-3000:])
                with open_store(store_path, create=False) as store:
                    if store.record(order).status == "SUCCEEDED":
                        break
            else:
                pytest.fail(f"{order} did not finish")

            with open_store(store_path, create=False) as store:
                execution = store.execution(order)
                history = store.history(order)
            assert execution.status == "SUCCEEDED"
            expected_output = json.loads(json.dumps(reference.output).replace('"reference"', f'"{order}"'))
            assert execution.output == expected_output, order
            assert [event["id"] for event in history] == list(range(1, len(history) + 1))
            assert transitions(history) == transitions(store_history(store_path, "reference")), order
            made = calls(tmp_path)[order]
            assert reference_calls <= made <= reference_calls + killed_here, (order, made, killed_here)
        assert integrity(store_path) == "ok"
    finally:
        approver.stopping.set()
        zygote.close()


def store_history(store_path: Path, name: str) -> list[dict[str, Any]]:
    with open_store(store_path, create=False) as store:
        return store.history(name)
