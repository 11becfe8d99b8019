"""Distributed Map children calling Lambda: the copied event and result (``json_copy``) against the
JSON round trips they replace. Nothing may show which one ran.

Each machine runs twice, in-process with histories: as it is, and with ``plain_copy`` refusing
every value (so every event goes through ``json.dumps``/``json.loads`` and every result is
marshalled to text and parsed back). Parent and child histories, outputs, errors and result files
must be identical, byte for byte.
"""

from __future__ import annotations

import decimal
from datetime import UTC, datetime
from typing import Any

import pytest

from asl_engine import Execution
from asl_engine.services.lambda_ import invoke, runtime
from asl_engine.services.lambda_.json_copy import NotPlain
from tests.runtime.map_run.test_direct_children import MACHINES
from tests.runtime.map_run.test_direct_children import run as run_machine

START = datetime(2025, 1, 1, tzinfo=UTC)


def work(event: Any, context: Any) -> Any:
    """Results of every kind a handler returns: plain, and what only marshalling can settle."""
    n = event.get("n")
    event["touched"] = True  # the handler's copy is its own
    shapes: list[Any] = [
        {"n": n, "twice": 2 * (n or 0), "event": event},
        [n, 1.5, -0.0, None, True, "é😀", {"deep": [[{"x": n}]]}],
        "text",
        (n, "tuple"),
        {"n": n, "price": decimal.Decimal("1.25")},
        {1: "integer key", "n": n},
        b'{"raw": "bytes"}',
        {"n": n, "nan": float("nan")},
        {"n": n, "big": 10**700},
        event,
    ]
    if n == 3:
        raise ValueError("three is bad")
    return shapes[(n or 0) % len(shapes)]


def run(definition: dict[str, Any], items: list[Any]) -> tuple[Execution, dict[str, bytes]]:
    return run_machine(definition, items, handler=work, name="Copies", seed=5)


def _refuse(value: Any, *, finite: bool) -> tuple[Any, int]:
    raise NotPlain


ITEMS = [{"n": n, "name": f"row {n}", "tags": ["a", n], "ratio": n / 7, "unicode": "ünï"} for n in range(22)]


@pytest.mark.parametrize("name", sorted(MACHINES))
def test_copies_and_round_trips_give_the_same_run(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    fast, fast_files = run(MACHINES[name], ITEMS)
    monkeypatch.setattr(invoke, "plain_copy", _refuse)
    monkeypatch.setattr(runtime, "plain_copy", _refuse)
    general, general_files = run(MACHINES[name], ITEMS)
    assert (fast.status, fast.error, fast.cause, fast.output) == (
        general.status,
        general.error,
        general.cause,
        general.output,
    )
    assert fast.history == general.history
    assert fast_files == general_files
    assert [child.history for child in fast.child_executions] == [child.history for child in general.child_executions]
    assert [(child.status, child.output) for child in fast.child_executions] == [
        (child.status, child.output) for child in general.child_executions
    ]
    if name == "lambda children":
        assert len(fast.child_executions) == len(ITEMS)  # every result shape was returned by some child
