"""A mock's answer taken as data must record what calling the mock records (issue 20).

``TaskState`` asks a handler that declares ``AnswersAtOnce`` (``services.mocks.MockedTask``) for its
answer by the invocation's number, without a ``TaskRequest`` and without the mock raising its
``Throw`` through the call; with ``TaskState.answers_directly`` off it calls the mock like any
handler. Each machine here runs both ways: status, output, error, cause and whole histories must be
identical, over the AWS-recorded mocked cases (their mocks built from the recorded task results, as
the conformance runner builds them) and over generated machines (every resource kind and pattern,
Retry, Catch, ResultSelector, too-large results, exhausted mocks, a mocked ``States.Runtime``).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import asl_engine.machine
from asl_engine import StateMachine, VirtualClock
from asl_engine.conformance.case import load_case
from asl_engine.conformance.replay import build_mocks, resolve_resource_placeholders
from asl_engine.conformance.runner import setup_resources
from asl_engine.errors import ConfigurationError
from asl_engine.runtime.states.task import TaskState
from asl_engine.services.mocks import MockedTask, Mocks
from tests import recorded

START = datetime(2025, 1, 1, tzinfo=UTC)


def run_both(machine: StateMachine, value: Any, **options: Any) -> tuple[Any, Any]:
    """(answers taken as data, the mock called), each as (status, output, error, cause, history)."""
    with pytest.MonkeyPatch.context() as patch:
        # Each execution's own clock, started at the same time (the lone path of ``execute``).
        patch.setattr(asl_engine.machine, "VirtualClock", lambda: VirtualClock(START))
        direct = _view(machine, value, options)
        patch.setattr(TaskState, "answers_directly", False)
        called = _view(machine, value, options)
    return direct, called


def _view(machine: StateMachine, value: Any, options: dict[str, Any]) -> tuple[Any, ...]:
    try:
        execution = machine.execute(value, name="e", seed=3, **options)
    except Exception as error:  # a case the engine refuses (mocks naming no state): refused both ways
        return ("raised", type(error).__name__, str(error))
    return (execution.status, execution.output, execution.error, execution.cause, execution.history)


MOCKED = recorded.case_files("mocked")


@pytest.mark.parametrize("case_file", recorded.parameters("mocked", MOCKED), ids=lambda p: getattr(p, "stem", p))
def test_recorded_mocked_cases_give_the_same_history_both_ways(case_file: Path | None) -> None:
    if case_file is None:
        recorded.require("mocked")
        return  # pragma: no cover - require skips (or fails in CI)
    case = load_case(case_file)
    try:
        machine = StateMachine.from_json(resolve_resource_placeholders(case), machine_type=case.machine_type)
    except Exception:
        return
    options: dict[str, Any] = {"start_mode": "sync"} if case.start_mode == "sync" else {}
    resources = setup_resources(case)
    if resources is not None:
        options["resources"] = resources
    direct, called = run_both(machine, case.input, mocks=build_mocks(case.task_results), **options)
    assert direct == called


_RESOURCES = [
    "arn:aws:lambda:us-east-1:123456789012:function:work",
    "arn:aws:states:::lambda:invoke",
    "arn:aws:states:::lambda:invoke.waitForTaskToken",
    "arn:aws:states:::glue:startJobRun.sync",
    "arn:aws:states:::dynamodb:getItem",
    "arn:aws:states:us-east-1:123456789012:activity:chores",
]
_ANSWERS = st.one_of(
    st.builds(lambda n: {"Return": {"n": n}}, st.integers(0, 9)),
    st.just({"Return": "x" * 300_000}),  # too large a result: DataLimitExceeded, from the Task
    st.sampled_from(["Boom", "Other", "States.Timeout", "States.Runtime", "States.TaskFailed"]).map(
        lambda error: {"Throw": {"Error": error, "Cause": f"{error} happened"}}
    ),
    st.just({"Throw": {}}),  # neither error nor cause (a SendTaskFailure without fields)
)


@st.composite
def tasks(draw: st.DrawFn) -> tuple[dict[str, Any], list[Any]]:
    spec: dict[str, Any] = {"Type": "Task", "Resource": draw(st.sampled_from(_RESOURCES)), "Next": "Done"}
    if spec["Resource"].endswith("waitForTaskToken"):
        spec["Parameters"] = {"token.$": "$$.Task.Token"}
    if draw(st.booleans()):
        spec["Retry"] = [
            {"ErrorEquals": draw(st.sampled_from([["Boom"], ["States.ALL"], ["States.TaskFailed"]])), "MaxAttempts": 2}
        ]
    if draw(st.booleans()):
        spec["Catch"] = [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.caught", "Next": "Done"}]
    if draw(st.booleans()):
        spec["ResultSelector"] = {"answer.$": "$"}
    if draw(st.booleans()):
        spec["TimeoutSeconds"] = draw(st.integers(1, 30))
    answers = draw(st.lists(_ANSWERS, min_size=0, max_size=4))
    return spec, answers


@settings(max_examples=150, deadline=None, derandomize=True)
@given(tasks(), st.sampled_from(["STANDARD", "EXPRESS"]))
def test_mocked_tasks_give_the_same_history_both_ways(task: tuple[dict[str, Any], list[Any]], kind: str) -> None:
    spec, answers = task
    if kind == "EXPRESS" and spec["Resource"].endswith((".sync", ".waitForTaskToken", ":chores")):
        kind = "STANDARD"  # Express machines cannot wait for a job, a token or an activity
    definition = {"StartAt": "Call", "States": {"Call": spec, "Done": {"Type": "Pass", "End": True}}}
    machine = StateMachine.from_json(json.dumps(definition), machine_type=kind)
    direct, called = run_both(machine, {"in": 1}, mocks={"Call": answers})
    assert direct == called


def test_the_mock_declares_its_answers() -> None:
    """The fast path is taken for ``Mocks`` (else this file would compare the general path with itself)."""
    handler = Mocks({"A": [{"Return": 1}, {"Throw": {"Error": "E", "Cause": "c"}}]}).handler_for("A", None)  # type: ignore[arg-type]
    assert isinstance(handler, MockedTask)
    first, second = handler.answer_for(0), handler.answer_for(1)
    assert (first.value, first.error) == (1, None)
    assert second.error is not None and (second.error.error, second.error.cause) == ("E", "c")
    calls = []
    original = MockedTask.__call__

    def counting(self: MockedTask, request: Any) -> Any:
        calls.append(request.invocation)
        return original(self, request)

    machine = StateMachine.from_json(
        json.dumps({"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": _RESOURCES[0], "End": True}}})
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(MockedTask, "__call__", counting)
        assert machine.execute({}, mocks={"A": [{"Return": 1}]}).output == 1
        assert calls == []
        patch.setattr(TaskState, "answers_directly", False)
        assert machine.execute({}, mocks={"A": [{"Return": 1}]}).output == 1
        assert calls == [0]


# -- the parse of a mocks dict is reused while the dict is unchanged (StateMachine._mocks) --------------------


def _answers(machine: StateMachine, mocks: Any) -> Any:
    execution = machine.execute({}, mocks=mocks)
    return execution.status, execution.output, execution.error


def test_a_mocks_dict_changed_between_executions_is_parsed_again() -> None:
    machine = StateMachine.from_json(
        json.dumps({"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": _RESOURCES[0], "End": True}}})
    )
    value = {"n": 1}
    mocks: dict[str, Any] = {"A": [{"Return": value}]}
    assert _answers(machine, mocks) == ("SUCCEEDED", {"n": 1}, None)
    first = machine._mocks(mocks)
    assert machine._mocks(mocks) is first  # the same dict, unchanged: the same parse
    value["n"] = 2  # the returned value is referred to, never copied: a change shows either way
    assert _answers(machine, mocks) == ("SUCCEEDED", {"n": 2}, None)
    mocks["A"][0] = {"Return": {"n": 2}}  # an equal value, but another object
    assert machine._mocks(mocks) is not first
    mocks["A"][0]["Return"] = True  # True == 1, yet a different answer
    assert _answers(machine, mocks) == ("SUCCEEDED", True, None)
    mocks["A"][0] = {"Throw": {"Error": "E", "Cause": "c"}}
    assert _answers(machine, mocks) == ("FAILED", None, "E")
    mocks["A"][0]["Throw"]["Error"] = "F"  # a change inside the Throw
    assert _answers(machine, mocks) == ("FAILED", None, "F")
    mocks["A"].insert(0, {"Return": 0})
    assert _answers(machine, mocks) == ("SUCCEEDED", 0, None)
    mocks["B"] = [{"Return": 0}]  # a state the definition lacks is refused, memo or not
    with pytest.raises(ConfigurationError, match="'B'"):
        machine.execute({}, mocks=mocks)
    del mocks["B"]
    assert _answers(machine, dict(mocks)) == ("SUCCEEDED", 0, None)  # another dict of the same shape


def test_mocks_of_unusual_shapes_are_parsed_every_time() -> None:
    machine = StateMachine.from_json(
        json.dumps({"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": _RESOURCES[0], "End": True}}})
    )
    by_number = {"A": {"0": {"Return": 1}}}
    assert _answers(machine, by_number) == ("SUCCEEDED", 1, None)
    assert machine._mocks(by_number) is not machine._mocks(by_number)
    by_number["A"]["0"] = {"Return": 2}
    assert _answers(machine, by_number) == ("SUCCEEDED", 2, None)
