"""Lambda handlers the executor tests run in worker processes (importable there by name).

Each child's input carries ``dir``, a directory of the test's: the handler leaves its process id
there (so a test sees where children ran) and uses marker files to crash a worker on purpose.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any


def _note_pid(event: dict[str, Any]) -> None:
    pids = Path(event["dir"]) / "pids"
    pids.mkdir(exist_ok=True)
    (pids / str(os.getpid())).touch()


def double(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Deterministic output; fails for ids listed in ``fail`` (as a Lambda function error)."""
    _note_pid(event)
    number = int(event["id"])
    if str(number) in event.get("fail", []):
        raise ValueError(f"item {number} is bad")
    return {"id": number, "double": number * 2}


def kill_worker_once(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Like ``double``, but the first attempt at item ``kill`` kills its own worker process (SIGKILL)."""
    if event["id"] == event.get("kill"):
        marker = Path(event["dir"]) / "killed"
        if not marker.exists():
            marker.touch()
            os.kill(os.getpid(), signal.SIGKILL)
    return double(event, context)


def kill_worker_always(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Every attempt at item ``kill`` kills its worker process: a batch the executor must give up on."""
    if event["id"] == event.get("kill"):
        os.kill(os.getpid(), signal.SIGKILL)
    return double(event, context)
