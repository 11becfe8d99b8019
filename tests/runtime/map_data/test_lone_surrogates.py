"""A handler's string with a lone surrogate ends up in a ResultWriter's file as its JSON escape.

Python strings may hold a lone surrogate (``"\\ud800"``; ``json.loads`` makes one from an escape)
that UTF-8 cannot encode: the result file must still be written, as valid JSON whose value is the
handler's, not end the Map Run with a traceback.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from asl_engine import StateMachine
from asl_engine.runtime.clock import VirtualClock
from asl_engine.services import Resources
from tests.runtime.map_run.test_direct_children import MACHINES


def lone(event: Any, context: Any) -> Any:
    return {"n": event["n"], "text": "a\ud800b" if event["n"] % 2 else "plain é"}


@pytest.mark.parametrize("transformation", ["NONE", "COMPACT", "FLATTEN"])
def test_lone_surrogates_are_written_as_json_escapes(transformation: str) -> None:
    definition = json.loads(json.dumps(MACHINES["lambda children"]))
    writer = definition["States"]["M"]["ResultWriter"]
    writer["WriterConfig"] = {"Transformation": transformation, "OutputType": "JSON"}
    resources = Resources()
    resources.s3_bucket("out")
    resources.lambda_function("Work", lone)
    execution = StateMachine.from_json(definition).execute(
        [{"n": n} for n in range(4)],
        resources=resources,
        clock=VirtualClock(datetime(2025, 1, 1, tzinfo=UTC)),
    )
    assert execution.status == "SUCCEEDED", execution.cause
    s3 = resources.s3
    bodies = [s3.get_object("out", obj.key).body for obj in s3.list_objects_v2("out").objects]
    results = [json.loads(body.decode("utf-8")) for body in bodies if not body.startswith(b"{")]
    texts = json.dumps(results, ensure_ascii=False)
    assert "a\ud800b" in texts and "plain é" in texts  # the values survived, surrogate and all
