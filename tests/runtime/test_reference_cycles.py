"""A finished execution is freed as soon as nobody holds it, failed tasks and retries included.

A failure is an exception, and an exception's traceback refers to the frames it went through: a
frame that keeps the exception in a local makes a reference cycle, which holds the whole execution
(its run, history, scheduler, frames) until the cyclic garbage collector runs. W5 (a Task failing
three times) made about 60 such objects per execution, and collecting them took a tenth of its time
(issue 20). Each execution here runs with the collector off; collecting afterwards must find nothing.
"""

from __future__ import annotations

import gc
import json
from typing import Any

import pytest

from asl_engine import StateMachine, StatesError
from asl_engine.services import Resources
from benchmarks.generate import w5_retry_wait

_LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:work"
_RETRY = {"Retry": [{"ErrorEquals": ["E"], "MaxAttempts": 2, "IntervalSeconds": 1}]}
_CATCH = {"Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.caught", "Next": "Done"}]}
_FAIL = {"Throw": {"Error": "E", "Cause": "c"}}


def _machine(**task: Any) -> StateMachine:
    states = {"T": {"Type": "Task", "Resource": _LAMBDA, "Next": "Done", **task}, "Done": {"Type": "Pass", "End": True}}
    return StateMachine.from_json(json.dumps({"StartAt": "T", "States": states}))


def _failing(request: Any) -> Any:
    raise StatesError("E", "c")


def _crashing(request: Any) -> Any:
    raise ValueError("a bug in the handler")


def _resources(function: Any) -> Resources:
    resources = Resources()
    resources.lambda_function("work", function)
    return resources


W5 = w5_retry_wait()
CASES: dict[str, tuple[StateMachine, dict[str, Any], str]] = {
    "W5: three mocked failures, retried": (StateMachine.from_json(W5.definition), {"mocks": W5.mocks}, "SUCCEEDED"),
    "a mocked failure, uncaught": (_machine(), {"mocks": {"T": [_FAIL]}}, "FAILED"),
    "a mocked failure, caught": (_machine(**_CATCH), {"mocks": {"T": [_FAIL]}}, "SUCCEEDED"),
    "a mock without answers left": (_machine(), {"mocks": {"T": []}}, "FAILED"),
    "a function failing, retried, uncaught": (_machine(**_RETRY), {"resources": _resources(_failing)}, "FAILED"),
    "a function's failure, caught": (_machine(**_CATCH), {"resources": _resources(_failing)}, "SUCCEEDED"),
    "a crashing function, caught": (_machine(**_CATCH), {"resources": _resources(_crashing)}, "SUCCEEDED"),
}


@pytest.mark.parametrize("case", CASES)
def test_an_execution_leaves_no_reference_cycle(case: str) -> None:
    machine, options, status = CASES[case]
    assert machine.execute({}, **options).status == status
    gc.collect()
    gc.disable()
    try:
        for _ in range(5):
            machine.execute({}, **options)
        unreachable = gc.collect()
    finally:
        gc.enable()
    assert unreachable == 0
