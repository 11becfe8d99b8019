"""An execution run by plain calls must not show it (``ExecutionRun.run_directly``, issue 20).

``StateMachine.execute`` without ``clock=`` or ``TimeoutSeconds`` runs an execution alone on a clock
of its own. It runs its states by plain calls (``runtime/direct.py``: the state loop, the Task's and
the Wait's ``run_directly``, a mock's answers as data, retries and waits as clock jumps) and hands
over to the coroutine path at the first thing that would suspend. With
``StateMachine.runs_directly`` off the same execution is the ``main`` coroutine from the start
(driven by ``Scheduler.drive_alone``, the path this one stands beside). Each machine runs both ways
from the same clock start, name and seed: status, output, error, cause, decisions and whole
histories (every field of every event) must be identical, over the AWS-recorded self_contained and
mocked cases and over generated machines (Tasks answered by mocks and by functions, retries,
catchers, Waits, Parallel and Map hand-overs, awaitable answers, history and transition limits,
listeners, history off).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import asl_engine.machine
from asl_engine import StateMachine, VirtualClock
from asl_engine.conformance.case import load_case
from asl_engine.conformance.replay import build_mocks, resolve_resource_placeholders
from asl_engine.conformance.runner import setup_resources
from asl_engine.errors import StatesError, ValidationError
from asl_engine.runtime.clock import RealClock
from asl_engine.runtime.failures import HeartbeatTimeoutError
from asl_engine.runtime.run import ExecutionRun
from asl_engine.runtime.safety import CHECK_EVERY, SafetyLimits
from asl_engine.runtime.scheduler import Scheduler
from benchmarks.generate import w5_retry_wait
from tests import recorded

START = datetime(2025, 1, 1, tzinfo=UTC)


class _Paths:
    """Counts how often the coroutine path took over: ``drive_alone`` calls (the direct path hands
    it what is left)."""

    def __init__(self, patch: pytest.MonkeyPatch) -> None:
        self.driven = 0
        drive_alone = Scheduler.drive_alone

        def counting(scheduler: Scheduler, coro: Any, name: str = "task") -> Any:
            self.driven += 1
            return drive_alone(scheduler, coro, name)

        patch.setattr(Scheduler, "drive_alone", counting)


def run_both(machine: StateMachine, value: Any, **options: Any) -> tuple[Any, Any, bool]:
    """(direct view, coroutine view, whether the direct path ran the execution to its end itself)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(asl_engine.machine, "VirtualClock", lambda: VirtualClock(START))
        paths = _Paths(patch)
        direct = _view(machine, value, options)
        whole = paths.driven == 0
        patch.setattr(StateMachine, "runs_directly", False)
        general = _view(machine, value, options)
    return direct, general, whole


def _view(machine: StateMachine, value: Any, options: dict[str, Any]) -> tuple[Any, ...]:
    try:
        execution = machine.execute(value, name="e", seed=7, **options)
    except Exception as error:  # refused before it ran (bad mocks): refused both ways
        return ("raised", type(error).__name__, str(error))
    return (
        execution.status,
        execution.output,
        execution.error,
        execution.cause,
        execution.history,
        [tuple(decision) for decision in execution.decisions],
    )


SELF_CONTAINED = recorded.case_files("self_contained")
MOCKED = recorded.case_files("mocked")


@pytest.mark.parametrize(
    "case_file", recorded.parameters("self_contained", SELF_CONTAINED), ids=lambda p: getattr(p, "stem", p)
)
def test_recorded_cases_give_the_same_history_both_ways(case_file: Path | None) -> None:
    if case_file is None:
        recorded.require("self_contained")
        return  # pragma: no cover - require skips (or fails in CI)
    loaded = recorded.self_contained_run(case_file)
    if loaded is None:
        return
    machine, value, start_mode = loaded
    direct, general, _ = run_both(machine, value, start_mode=start_mode)
    assert direct == general
    heard: list[Any] = []
    listened, _, _ = run_both(machine, value, start_mode=start_mode, listeners=[heard.append])
    assert listened == direct


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
    direct, general, _ = run_both(machine, case.input, mocks=build_mocks(case.task_results), **options)
    assert direct == general


def test_w5_runs_directly_to_its_end() -> None:
    """Otherwise the comparisons would compare the coroutine path with itself."""
    w5 = w5_retry_wait()
    direct, general, whole = run_both(StateMachine.from_json(w5.definition), w5.input, mocks=w5.mocks)
    assert direct == general
    assert direct[:2] == ("SUCCEEDED", {"ok": True})
    assert whole


# -- a mocked Task's retries, folded into one loop (``TaskState._run_in_rows``) --------------------------

_RETRIERS: dict[str, list[dict[str, Any]]] = {
    "backoff": [{"ErrorEquals": ["E"], "IntervalSeconds": 1, "BackoffRate": 2, "MaxAttempts": 3}],
    "task-failed": [{"ErrorEquals": ["States.TaskFailed"], "IntervalSeconds": 2, "MaxAttempts": 2}],
    "all-capped": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 3, "MaxDelaySeconds": 4, "MaxAttempts": 4}],
    "jitter": [{"ErrorEquals": ["E"], "IntervalSeconds": 5, "JitterStrategy": "FULL", "MaxAttempts": 3}],
    "two": [
        {"ErrorEquals": ["F"], "IntervalSeconds": 1, "MaxAttempts": 1},
        {"ErrorEquals": ["E", "F"], "IntervalSeconds": 1, "BackoffRate": 1.5, "MaxAttempts": 2},
    ],
    "many": [{"ErrorEquals": ["E", "F"], "IntervalSeconds": 1, "BackoffRate": 1.2, "MaxAttempts": 11}],
}
_ENDINGS: dict[str, list[dict[str, Any]]] = {
    "result": [{"Return": {"ok": True}}],
    "runtime": [{"Throw": {"Error": "States.Runtime", "Cause": "broken"}}],
    "no-cause": [{"Throw": {"Error": "E"}}, {"Return": [1]}],
    "exhausted": [],
    "too-large": [{"Return": {"blob": "x" * 300_000}}],
    "medium": [{"Return": {"blob": "y" * 20_000}}],  # beyond ``LARGE_TEXT_CHARS``, within the quota
}


@pytest.mark.parametrize("ending", sorted(_ENDINGS))
@pytest.mark.parametrize("retriers", sorted(_RETRIERS))
@pytest.mark.parametrize("parameters", ["none", "retry-count", "input-path", "result-path"])
@pytest.mark.parametrize(
    "resource", ["arn:aws:lambda:us-east-1:123456789012:function:f", "arn:aws:states:::lambda:invoke"]
)
def test_a_retried_mocked_task_gives_the_same_history_both_ways(
    resource: str, parameters: str, retriers: str, ending: str
) -> None:
    """W5's shape with each Retrier and answer a retry decision reads: failures E and F (then the
    ending), caught by a Catcher when the Retriers give up; the Task's rows, decisions, retry counts
    and clock jumps must be the coroutine path's."""
    call: dict[str, Any] = {
        "Type": "Task",
        "Resource": resource,
        "Retry": _RETRIERS[retriers],
        "Catch": [{"ErrorEquals": ["F"], "ResultPath": "$.caught", "Next": "Pause"}],
        "Next": "Pause",
    }
    if parameters == "retry-count":
        call["Parameters"] = {"n.$": "$$.State.RetryCount", "at.$": "$$.State.EnteredTime"}
    elif parameters == "input-path":
        call["InputPath"] = "$.items"
    elif parameters == "result-path":  # the result is not the output (``flow.finish``)
        call["ResultPath"] = "$.result"
    definition = {
        "StartAt": "Call",
        "States": {
            "Call": call,
            "Pause": {"Type": "Wait", "Seconds": 7, "Next": "Done"},
            "Done": {"Type": "Pass", "End": True},
        },
    }
    failures = [{"Throw": {"Error": error, "Cause": f"attempt {n}"}} for n, error in enumerate("EEFEEEEEEEE")]
    mocks = {"Call": failures[: 3 if retriers != "many" else 11] + _ENDINGS[ending]}
    machine = StateMachine.from_json(definition)
    direct, general, whole = run_both(machine, {"items": [1, 2]}, mocks=mocks)
    assert direct == general
    assert whole
    # History off, nobody listening: the loop's rows go to a list nobody keeps, the ids are counted.
    quiet, quiet_general, whole = run_both(machine, {"items": [1, 2]}, mocks=mocks, history=False)
    assert quiet == quiet_general
    assert quiet[0] == direct[0] and quiet[2:4] == direct[2:4]
    assert whole


# -- Waits: a plain fixed delay (``WaitState.plain_seconds``) and every other kind ---------------------

_WAITS: dict[str, dict[str, Any]] = {
    "plain": {"Seconds": 60},
    "zero": {"Seconds": 0},
    "output-path": {"Seconds": 5, "OutputPath": "$.items"},
    "input-path": {"Seconds": 5, "InputPath": "$.items"},
    "assign": {"Seconds": 5, "Assign": {"seen.$": "$.items"}},
    "seconds-path": {"SecondsPath": "$.delay"},
    "timestamp": {"Timestamp": "2025-01-01T00:10:00Z"},
    "far": {"Seconds": 99_999_999},
    "past": {"Timestamp": "2016-03-14T01:59:00Z"},
    "jsonata": {"QueryLanguage": "JSONata", "Seconds": 5},
    "jsonata-expression": {"QueryLanguage": "JSONata", "Seconds": "{% $states.input.delay %}", "Output": "{% 1 %}"},
}


@pytest.mark.parametrize("wait", sorted(_WAITS))
@pytest.mark.parametrize("history", [True, False])
def test_every_kind_of_wait_gives_the_same_history_both_ways(wait: str, history: bool) -> None:
    """A plain fixed delay skips ``_due`` and ``flow.finish``; each Wait must record, time and output
    what the coroutine path does."""
    definition = {
        "StartAt": "Pause",
        "States": {"Pause": {"Type": "Wait", **_WAITS[wait], "Next": "Done"}, "Done": {"Type": "Pass", "End": True}},
    }
    machine = StateMachine.from_json(definition)
    direct, general, whole = run_both(machine, {"items": [1, 2], "delay": 3}, history=history)
    assert direct == general
    assert whole
    assert direct[0] == "SUCCEEDED"


# -- generated machines --------------------------------------------------------------------------------

_WAIT = st.builds(lambda seconds: {"Type": "Wait", "Seconds": seconds}, st.integers(0, 90))
_PASS = st.builds(lambda value: {"Type": "Pass", "Result": value, "ResultPath": "$.last"}, st.integers(0, 9))
_CHOICE = st.builds(
    lambda limit: {
        "Type": "Choice",
        "Choices": [{"Variable": "$.last", "NumericGreaterThan": limit, "Next": "{next}"}],
        "Default": "{next}",
    },
    st.integers(0, 9),
)


@st.composite
def _task(draw: st.DrawFn) -> dict[str, Any]:
    task: dict[str, Any] = {
        "Type": "Task",
        "Resource": draw(
            st.sampled_from(
                [
                    "arn:aws:lambda:us-east-1:123456789012:function:work",
                    "arn:aws:states:::lambda:invoke",
                    "arn:aws:states:::lambda:invoke.waitForTaskToken",
                    "arn:aws:states:::glue:startJobRun.sync",
                ]
            )
        ),
        "ResultPath": draw(st.sampled_from(["$.task", "$", None])),
    }
    if draw(st.booleans()):
        task["Parameters"] = {"n.$": "$$.State.RetryCount", "fixed": 1}
    if draw(st.booleans()):
        task["ResultSelector"] = {"picked.$": "$.missing"} if draw(st.booleans()) else {"all.$": "$"}
    if draw(st.booleans()):
        task["TimeoutSeconds"] = draw(st.integers(1, 100))
    retry = [
        {
            "ErrorEquals": [
                draw(st.sampled_from(["Boom", "States.ALL", "Other", "States.Runtime", "States.TaskFailed"]))
            ],
            "IntervalSeconds": draw(st.integers(0, 3)),
            "BackoffRate": draw(st.sampled_from([1, 2, 1.5])),
            # Beyond the delays a Retrier tabulates (``Retrier._delays``), now and then.
            "MaxAttempts": draw(st.sampled_from([0, 1, 2, 3, 3, 10])),
            **draw(st.sampled_from([{}, {}, {"MaxDelaySeconds": 3}, {"JitterStrategy": "FULL"}])),
        }
        for _ in range(draw(st.integers(0, 2)))
    ]
    if retry:
        task["Retry"] = retry
    if draw(st.booleans()):
        task["Catch"] = [
            {
                "ErrorEquals": [draw(st.sampled_from(["Boom", "States.ALL", "Other"]))],
                "ResultPath": "$.caught",
                "Next": "{next}",
            }
        ]
    return task


_PARALLEL = st.just(
    {
        "Type": "Parallel",
        "ResultPath": "$.branches",
        "Branches": [{"StartAt": "A{i}", "States": {"A{i}": {"Type": "Wait", "Seconds": 2, "End": True}}}],
    }
)
_MAP = st.builds(
    lambda seconds: {
        "Type": "Map",
        "ItemsPath": "$.items",
        "ResultPath": "$.mapped",
        "ItemProcessor": {"StartAt": "W{i}", "States": {"W{i}": {"Type": "Wait", "Seconds": seconds, "End": True}}},
    },
    st.integers(0, 3),
)


@st.composite
def machines(draw: st.DrawFn) -> dict[str, Any]:
    kinds = draw(st.lists(st.one_of(_WAIT, _PASS, _task(), _task(), _PARALLEL, _MAP, _CHOICE), min_size=1, max_size=6))
    states: dict[str, Any] = {}
    for index, spec in enumerate(kinds):
        name, following = f"S{index}", f"S{index + 1}" if index + 1 < len(kinds) else "Done"
        spec = json.loads(json.dumps(spec).replace("{next}", following).replace("{i}", str(index)))
        if spec["Type"] != "Choice":
            spec["Next"] = following
        states[name] = spec
    states["Done"] = {"Type": "Succeed"} if draw(st.booleans()) else {"Type": "Fail", "Error": "Done", "Cause": "end"}
    return {"StartAt": "S0", "States": states}


@st.composite
def answers(draw: st.DrawFn) -> list[dict[str, Any]]:
    """A mock's responses: failures, then (mostly) a result; too few responses exhaust the mock."""
    errors = st.sampled_from(["Boom", "Other", "States.Runtime", "States.TaskFailed"])
    count = draw(st.sampled_from([0, 1, 2, 3, 4, 11]))
    failures = [{"Throw": {"Error": draw(errors), "Cause": f"attempt {n}"}} for n in range(count)]
    ending = draw(st.sampled_from(["return", "big", "none"]))
    if ending == "return":
        failures.append({"Return": {"ok": True}})
    elif ending == "big":
        failures.append({"Return": {"blob": "x" * 300_000}})
    return failures


@settings(max_examples=150, deadline=None, derandomize=True)
@given(machines(), answers(), st.sampled_from(["STANDARD", "EXPRESS"]), st.sampled_from(["mocks", "function", "async"]))
def test_generated_machines_give_the_same_history_both_ways(
    definition: dict[str, Any], responses: list[dict[str, Any]], machine_type: str, answered_by: str
) -> None:
    try:
        machine = StateMachine.from_json(definition, machine_type=machine_type)
    except ValidationError:  # an Express machine refuses .waitForTaskToken and .sync
        assume(False)
    tasks = [name for name, spec in definition["States"].items() if spec["Type"] == "Task"]
    options: dict[str, Any] = {}
    if answered_by == "mocks":
        options["mocks"] = {name: responses for name in tasks}
    else:
        options["resources"] = [_Answering(responses, awaitable=answered_by == "async")]
    direct, general, whole = run_both(machine, {"items": [1, 2], "last": 5}, **options)
    assert direct == general
    heard: list[Any] = []
    listened, _, _ = run_both(machine, {"items": [1, 2], "last": 5}, listeners=[heard.append], **options)
    assert listened == direct
    quiet, quiet_general, _ = run_both(machine, {"items": [1, 2], "last": 5}, history=False, **options)
    assert quiet == quiet_general
    kinds = {spec["Type"] for spec in definition["States"].values()}
    tokens = any(str(spec.get("Resource", "")).endswith("waitForTaskToken") for spec in definition["States"].values())
    if not kinds & {"Parallel", "Map"} and answered_by != "async" and not tokens:
        assert whole  # a task token's attempt is a coroutine (``TaskState._answer``): it hands over


class _Answering:
    """Answers every task from ``responses`` in turn (per state), as a function or as an awaitable."""

    def __init__(self, responses: list[dict[str, Any]], *, awaitable: bool) -> None:
        self.responses = responses
        self.awaitable = awaitable

    def handler_for(self, state_name: str, resource: Any) -> Any:
        return self._answer

    def _answer(self, request: Any) -> Any:
        from asl_engine.errors import StatesError

        if request.task_token is not None:
            request.environment.callbacks.send_task_success(request.task_token, {"token": True})
            return {"sent": True}
        if request.invocation >= len(self.responses):
            raise StatesError("States.TaskFailed", "no more answers")
        response = self.responses[request.invocation]
        if "Throw" in response:
            raise StatesError(response["Throw"]["Error"], response["Throw"]["Cause"])
        value = response["Return"]
        if not self.awaitable:
            return value

        async def later() -> Any:
            return value

        return later()


# -- limits ----------------------------------------------------------------------------------------------


def _retrying(attempts: int) -> dict[str, Any]:
    return {
        "StartAt": "Call",
        "States": {
            "Call": {
                "Type": "Task",
                "Resource": "arn:aws:lambda:us-east-1:123456789012:function:flaky",
                "Retry": [{"ErrorEquals": ["E"], "IntervalSeconds": 1, "MaxAttempts": attempts}],
                "Next": "Pause",
            },
            "Pause": {"Type": "Wait", "Seconds": 5, "Next": "Done"},
            "Done": {"Type": "Pass", "End": True},
        },
    }


class _Answer:
    def __init__(self, value: Any = None, error: StatesError | None = None) -> None:
        self.value = value
        self.error = error


class _AnswerSource:
    """A handler source that answers Task states as a mock does (``mocks_task_states``, ``AnswersAtOnce``)
    from a list of answers, of which the first ``given`` are also its ``responses``."""

    mocks_task_states = True

    def __init__(self, answers: list[_Answer], given: int | None) -> None:
        self.answers = answers
        self.responses = answers if given is None else answers[:given]

    def handler_for(self, state_name: str, resource: Any) -> Any:
        return self

    def answer_for(self, invocation: int) -> _Answer:
        if invocation >= len(self.answers):
            raise StatesError("States.Runtime", f"no answer {invocation}")
        return self.answers[invocation]

    def __call__(self, request: Any) -> Any:  # pragma: no cover - the engine asks ``answer_for``
        raise AssertionError("an answering source is asked for its answers as data")


_SUBCLASS_ENDINGS: dict[str, list[_Answer]] = {
    "caught": [_Answer(error=HeartbeatTimeoutError())],
    "succeeds": [_Answer({"ok": 1})],
}


@pytest.mark.parametrize("ending", sorted(_SUBCLASS_ENDINGS))
@pytest.mark.parametrize("given", [None, 0, 1, 2])
def test_an_answer_failing_with_a_subclass_is_retried_and_caught_by_its_name_both_ways(
    given: int | None, ending: str
) -> None:
    """A handler's answer as data may fail with a subclass of ``StatesError`` (a heartbeat timeout);
    ``_answered`` raises it as a plain ``StatesError`` of its name, which no ``States.HeartbeatTimeout``
    Retrier takes and whose Catcher shows a null cause (an engine's own timeout shows an empty one).
    The folded loop and the general calls must decide alike. ``given``: how many of the answers are
    ``responses`` (the folded loop reads those; past them, the general calls ask ``answer_for``)."""
    machine = StateMachine.from_json(
        {
            "StartAt": "Call",
            "States": {
                "Call": {
                    "Type": "Task",
                    "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f",
                    "Retry": [
                        {"ErrorEquals": ["States.HeartbeatTimeout"], "IntervalSeconds": 1, "MaxAttempts": 3},
                        {"ErrorEquals": ["States.Timeout"], "IntervalSeconds": 2, "MaxAttempts": 2},
                    ],
                    "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Done"}],
                    "Next": "Done",
                },
                "Done": {"Type": "Pass", "End": True},
            },
        }
    )
    answers = [_Answer(error=HeartbeatTimeoutError()), _Answer(error=StatesError("States.Timeout", None))]
    direct, general, whole = run_both(
        machine, {}, resources=[_AnswerSource(answers + _SUBCLASS_ENDINGS[ending], given)]
    )
    assert direct == general
    assert whole
    assert direct[0] == "SUCCEEDED"
    if ending == "caught":
        assert direct[1] == {"Error": "States.Timeout", "Cause": None}
        assert [tuple(decision)[::2] for decision in direct[5]] == [("retry", 1), ("retry", 1), ("catch", 0)]


@pytest.mark.parametrize("limit", range(2, 24))
def test_the_history_limit_anywhere_in_a_retried_task(limit: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """The event limit on every event of W5's shape: the same failure, at the same event, both ways."""
    monkeypatch.setattr("asl_engine.runtime.run.HISTORY_EVENT_LIMIT", limit)
    machine = StateMachine.from_json(_retrying(5))
    mocks = {"Call": [{"Throw": {"Error": "E", "Cause": "c"}}] * 5 + [{"Return": {"ok": 1}}]}
    direct, general, _ = run_both(machine, {}, mocks=mocks)
    assert direct == general
    heard: list[Any] = []
    listened, _, _ = run_both(machine, {}, mocks=mocks, listeners=[heard.append])
    assert listened == direct
    quiet, quiet_general, _ = run_both(machine, {}, mocks=mocks, history=False)
    assert quiet == quiet_general
    assert quiet[0] == direct[0] and quiet[2:4] == direct[2:4]  # the same failure, at the same event


@pytest.mark.parametrize("limit", [1, 2, 3, 4, 5, 6, 7, CHECK_EVERY - 1, CHECK_EVERY, CHECK_EVERY + 1])
def test_the_transition_limit_in_retries_and_loops(limit: int) -> None:
    """Retries count as transitions; a long loop passes checkpoints: the limit lands alike both ways."""
    machine = StateMachine.from_json(_retrying(8))
    mocks = {"Call": [{"Throw": {"Error": "E", "Cause": "c"}}] * 8 + [{"Return": {"ok": 1}}]}
    limits = SafetyLimits(max_transitions=limit)
    direct, general, _ = run_both(machine, {}, mocks=mocks, limits=limits)
    assert direct == general
    loop = {
        "StartAt": "Count",
        "States": {
            "Count": {"Type": "Pass", "Parameters": {"n.$": "States.MathAdd($.n, 1)"}, "Next": "Nap"},
            "Nap": {"Type": "Wait", "Seconds": 1, "Next": "More?"},
            "More?": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.n", "NumericLessThan": 2 * CHECK_EVERY, "Next": "Count"}],
                "Default": "Done",
            },
            "Done": {"Type": "Succeed"},
        },
    }
    direct, general, whole = run_both(StateMachine.from_json(loop), {"n": 0}, limits=limits)
    assert direct == general
    assert whole


def _answering(function: Any) -> Any:
    """A handler source answering every Task with ``function``."""

    class Source:
        def handler_for(self, state_name: str, resource: Any) -> Any:
            return function

    return Source()


def test_a_handler_that_starts_work_beside_the_execution_hands_over() -> None:
    """A function that spawns work on the execution's scheduler: the next retry's interval can no
    longer be a jump of the clock, so the direct path hands over there (``Scheduler.jump_alone``)."""
    machine = StateMachine.from_json(_retrying(3))
    beside: list[Any] = []

    def flaky(request: Any) -> Any:
        from asl_engine.errors import StatesError

        if request.invocation == 0:
            run: ExecutionRun = request.environment._run

            async def nap() -> None:
                await run.scheduler.sleep_until(run.clock.now() + 0.5)
                beside.append(run.clock.now())

            run.scheduler.spawn(nap(), "beside")
            raise StatesError("E", "first")
        return {"ok": request.invocation}

    direct, general, whole = run_both(machine, {}, resources=[_answering(flaky)])
    assert direct == general
    assert direct[:2] == ("SUCCEEDED", {"ok": 1})
    assert not whole
    assert len(beside) == 2  # the work beside ran, both ways


def test_a_caller_clock_or_a_timeout_keeps_the_coroutine_path() -> None:
    """The direct path is only for an execution alone on a virtual clock of its own with no timeout to
    arm: on a caller's clock (virtual or real) or with a timeout the execution is a scheduler task."""
    w5 = w5_retry_wait()
    machine = StateMachine.from_json(w5.definition)
    quick = StateMachine.from_json(
        {
            "StartAt": "Call",
            "States": {
                "Call": {**w5.definition["States"]["Call"], "Next": "Done"},
                "Done": {"Type": "Pass", "End": True},
            },
        }
    )
    no_waits = {"Call": [{"Return": {"ok": True}}]}
    with pytest.MonkeyPatch.context() as patch:
        paths = _Paths(patch)
        runs_directly = _direct_runs(patch)
        machine.execute(w5.input, mocks=w5.mocks, clock=VirtualClock(START))
        timed = StateMachine.from_json({**w5.definition, "TimeoutSeconds": 100})
        execution = timed.execute(w5.input, mocks=w5.mocks)
        real = quick.execute({}, mocks=no_waits, clock=RealClock())
    assert execution.status == "SUCCEEDED" and real.status == "SUCCEEDED"
    assert paths.driven == 0  # none went through drive_alone: all were scheduler tasks
    assert runs_directly == []


def _direct_runs(patch: pytest.MonkeyPatch) -> list[ExecutionRun]:
    """The runs ``ExecutionRun.run_directly`` is called for, from now on."""
    runs: list[ExecutionRun] = []
    run_directly = ExecutionRun.run_directly

    def recording(run: ExecutionRun) -> Any:
        runs.append(run)
        return run_directly(run)

    patch.setattr(ExecutionRun, "run_directly", recording)
    return runs


# -- the scheduler, made only when something needs it (``ExecutionRun.run_directly``) ---------------------


def test_w5_runs_to_its_end_without_a_scheduler() -> None:
    """Alone on a clock of its own, W5's retries and its Wait are jumps of the clock: nothing reads the
    run's scheduler, so none is made."""
    w5 = w5_retry_wait()
    with pytest.MonkeyPatch.context() as patch:
        made: list[Scheduler] = []
        init = Scheduler.__init__

        def counting(scheduler: Scheduler, *args: Any, **kwargs: Any) -> None:
            made.append(scheduler)
            init(scheduler, *args, **kwargs)

        patch.setattr(Scheduler, "__init__", counting)
        execution = StateMachine.from_json(w5.definition).execute(w5.input, mocks=w5.mocks)
    assert execution.status == "SUCCEEDED"
    assert made == []
    assert execution.events[-1].timestamp - execution.events[0].timestamp == pytest.approx(67)  # 1 + 2 + 4 s, 60


def test_a_scheduler_made_while_running_alone_drives_alone_until_the_run_ends() -> None:
    """A handler that reads the run's scheduler (and starts nothing on it) makes it in the middle of the
    direct path: the retries after it are still jumps of the clock (the execution runs directly to its
    end, with the coroutine path's history), and once the run ends the scheduler no longer drives alone."""
    machine = StateMachine.from_json(_retrying(3))
    schedulers: list[Scheduler] = []

    def flaky(request: Any) -> Any:
        from asl_engine.errors import StatesError

        if request.invocation == 1:
            run: ExecutionRun = request.environment._run
            schedulers.append(run.scheduler)
        if request.invocation < 3:
            raise StatesError("E", "again")
        return {"ok": request.invocation}

    direct, general, whole = run_both(machine, {}, resources=[_answering(flaky)])
    assert direct == general
    assert direct[:2] == ("SUCCEEDED", {"ok": 3})
    assert whole  # the jumps after the scheduler was made did not hand over
    assert len(schedulers) == 2  # read on the second attempt, both ways
    assert not any(scheduler._driving_alone for scheduler in schedulers)


def test_a_clock_asked_to_advance_stops_the_jumps_without_a_scheduler() -> None:
    """Without a scheduler only the clock can refuse a jump: asked to advance by a driver elsewhere (its
    target ahead of its time) it does, and the execution hands over as a task, with the same history."""
    machine = StateMachine.from_json(_retrying(3))

    def flaky(request: Any) -> Any:
        from asl_engine.errors import StatesError

        if request.invocation == 0:
            clock: Any = request.environment._run.clock
            clock._target = clock.now() + 0.5  # what ``advance_to`` sets while another thread drives the clock
            raise StatesError("E", "first")
        return {"ok": request.invocation}

    direct, general, whole = run_both(machine, {}, resources=[_answering(flaky)])
    assert direct == general
    assert direct[:2] == ("SUCCEEDED", {"ok": 1})
    assert not whole


# -- the execution's own events, written as rows by ``run_directly`` -------------------------------------


_TWO_PASSES = {
    "StartAt": "A",
    "States": {"A": {"Type": "Pass", "Result": {"n": 1}, "Next": "B"}, "B": {"Type": "Pass", "End": True}},
}


@pytest.mark.parametrize("limit", range(1, 9))
@pytest.mark.parametrize("mode", ["recorded", "listened", "off"])
def test_the_execution_events_at_every_event_limit(limit: int, mode: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """``run_directly`` appends ExecutionStarted and ExecutionSucceeded to the history's rows itself when
    nobody listens (``History.add`` otherwise): at every event limit (the first event, the last, beyond)
    the same history, or the same refusal, as the coroutine path."""
    monkeypatch.setattr("asl_engine.runtime.run.HISTORY_EVENT_LIMIT", limit)
    machine = StateMachine.from_json(_TWO_PASSES)
    heard: list[Any] = []
    options: dict[str, Any] = {"listeners": [heard.append]} if mode == "listened" else {}
    if mode == "off":
        options["history"] = False
    direct, general, _ = run_both(machine, {"in": True}, **options)
    assert direct == general
    if limit >= 6 and mode != "off":  # ExecutionSucceeded, the sixth event, is never refused
        assert direct[0] == "SUCCEEDED" and len(direct[4]) == 6
        assert direct[4][0]["executionStartedEventDetails"]["input"] == '{"in":true}'
        assert direct[4][-1]["executionSucceededEventDetails"]["output"] == '{"n":1}'
        assert direct[4][-1]["previousEventId"] == 5


def test_a_too_large_input_fails_the_same_way_both_ways() -> None:
    """``run_directly`` checks the input's size itself (``_first_input`` written out)."""
    machine = StateMachine.from_json(_TWO_PASSES)
    direct, general, _ = run_both(machine, {"big": "x" * 300_000})
    assert direct == general
    assert direct[0] == "FAILED" and direct[2] == "States.DataLimitExceeded"


def test_the_role_of_each_execution_is_its_own() -> None:
    """The default role ARN of the last machine is kept by the identity of its name, account and
    partition (``_last_role``): executions of other machines, accounts or given roles alternating
    each show their own, in ExecutionStarted and in ``$$.Execution.RoleArn``."""
    reading = {
        "StartAt": "P",
        "States": {"P": {"Type": "Pass", "Parameters": {"role.$": "$$.Execution.RoleArn"}, "End": True}},
    }
    first = StateMachine.from_json(reading, name="First")
    second = StateMachine.from_json(reading, name="Second")
    runs = [
        (first, {}, "arn:aws:iam::123456789012:role/StepFunctions-First-role"),
        (second, {}, "arn:aws:iam::123456789012:role/StepFunctions-Second-role"),
        (first, {"account": "111122223333"}, "arn:aws:iam::111122223333:role/StepFunctions-First-role"),
        (first, {}, "arn:aws:iam::123456789012:role/StepFunctions-First-role"),
        (first, {"role_arn": "arn:aws:iam::1:role/given"}, "arn:aws:iam::1:role/given"),
        (first, {"account": "".join(["1234", "56789012"])}, "arn:aws:iam::123456789012:role/StepFunctions-First-role"),
        (second, {}, "arn:aws:iam::123456789012:role/StepFunctions-Second-role"),
    ]
    for machine, options, role in runs:
        for runs_directly in (True, False):
            with pytest.MonkeyPatch.context() as patch:
                patch.setattr(StateMachine, "runs_directly", runs_directly)
                execution = machine.execute({}, **options)
            assert execution.events[0].details == {"input": {}, "roleArn": role}
            assert execution.output == {"role": role}
