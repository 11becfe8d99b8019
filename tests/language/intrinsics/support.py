"""Helpers shared by the intrinsic tests."""

from __future__ import annotations

import random
from typing import Any

import pytest

from asl_engine.language.errors import EvaluationError
from asl_engine.language.intrinsics import compile_intrinsic
from asl_engine.language.scope import SimpleScope

CONTEXT = {
    "Execution": {"Id": "arn:aws:states:us-east-1:111111111111:execution:sm:exec-1", "Name": "exec-1"},
    "StateMachine": {"Id": "arn:aws:states:us-east-1:111111111111:stateMachine:sm", "Name": "sm"},
}


def scope(variables: dict[str, Any] | None = None, seed: int = 0) -> SimpleScope:
    return SimpleScope(context=CONTEXT, variables=variables or {}, rng=random.Random(seed))


def run(text: str, document: Any = None, variables: dict[str, Any] | None = None) -> Any:
    return compile_intrinsic(text).evaluate({} if document is None else document, scope(variables))


def run_with_input(text: str, execution_input: Any) -> Any:
    """Evaluate with ``$$.Execution.Input`` set, as in cases that read the execution input."""
    return compile_intrinsic(text).evaluate({}, SimpleScope(context={"Execution": {"Input": execution_input}}))


def failure(text: str, document: Any = None) -> str:
    """The cause AWS would give (after its state prefix) for an intrinsic failing at run time."""
    with pytest.raises(EvaluationError) as caught:
        run(text, document)
    assert caught.value.error == "States.Runtime"
    return caught.value.message


def invalid(text: str) -> str:
    """AWS's cause for a call with arguments a function refuses."""
    name = text.split("(", 1)[0]
    return f"There was an error while evaluating the intrinsic function: {text}. Invalid arguments in {name}"
