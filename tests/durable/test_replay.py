"""Replay: an execution resumed from any prefix of its journal ends exactly as the uninterrupted run.

Every prefix of a journal is a point where the process could have died (a commit holds several
rows, so real crashes leave fewer prefixes than these). The resumed run must reproduce the recorded
events, go on live from there, and together with the prefix record the same journal, row for row:
nothing recorded twice, nothing lost.
"""

from __future__ import annotations

import zlib
from datetime import datetime
from typing import Any

import pytest

from asl_engine import StateMachine
from asl_engine.runtime.durable.journal import EventRow, ReplayDivergence, Row
from asl_engine.runtime.handlers import TaskRequest
from tests.durable.support import commit_points, run_durably, signature


def _rows_equal(left: list[Row], right: list[Row]) -> bool:
    if len(left) != len(right):
        return False
    for a, b in zip(left, right, strict=True):
        if isinstance(a, EventRow) and isinstance(b, EventRow):
            if (a.stream, a.event_id, a.previous_id, a.timestamp, a.type, a.name, a.payload_text(), a.details) != (
                b.stream, b.event_id, b.previous_id, b.timestamp, b.type, b.name, b.payload_text(), b.details,
            ):  # fmt: skip
                return False
        elif a != b:
            return False
    return True


class Sleepy:
    """Handlers that wait (an ``async def`` using the engine's clock), answering ``seconds`` after the
    state was entered (so a handler invoked again after a crash answers when the first one would have)."""

    mocks_task_states = False

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.calls = 0

    def handler_for(self, state_name: str, resource: Any) -> Any:
        async def handle(request: TaskRequest) -> Any:
            self.calls += 1
            environment = request.environment
            assert environment is not None
            entered = datetime.fromisoformat(request.context["State"]["EnteredTime"].replace("Z", "+00:00"))
            # A distinct time per invocation: two handlers invoked again at once after a crash may
            # answer in any order when they answer at the same moment (as they may in a live run).
            spread = zlib.crc32(request.idempotency_key.encode()) % 997 / 1000
            await environment.sleep(entered.timestamp() + self.seconds + spread - environment.now())
            return {"state": state_name, "n": request.parameters}

        return handle


SEQUENCE = {
    "StartAt": "Start",
    "States": {
        "Start": {
            "Type": "Pass",
            "Parameters": {"id.$": "States.UUID()", "r.$": "States.MathRandom(1, 1000)"},
            "Next": "Call",
        },
        "Call": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "f", "Payload.$": "$"},
            "Retry": [
                {"ErrorEquals": ["States.ALL"], "IntervalSeconds": 2, "MaxAttempts": 3, "JitterStrategy": "FULL"}
            ],
            "ResultPath": "$.call",
            "Next": "Nap",
        },
        "Nap": {"Type": "Wait", "Seconds": 30, "Next": "Which"},
        "Which": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.call.ok", "BooleanEquals": True, "Next": "Done"}],
            "Default": "Oops",
        },
        "Done": {"Type": "Succeed"},
        "Oops": {"Type": "Fail", "Error": "Oops"},
    },
}

FANOUT = {
    "StartAt": "Both",
    "States": {
        "Both": {
            "Type": "Parallel",
            "Branches": [
                {
                    "StartAt": "Slow",
                    "States": {
                        "Slow": {"Type": "Wait", "Seconds": 5, "Next": "Work"},
                        "Work": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sqs:sendMessage", "End": True},
                    },
                },
                {
                    "StartAt": "Items",
                    "States": {
                        "Items": {
                            "Type": "Map",
                            "ItemsPath": "$.items",
                            "MaxConcurrency": 2,
                            "ItemProcessor": {
                                "StartAt": "Pause",
                                "States": {
                                    "Pause": {"Type": "Wait", "SecondsPath": "$", "Next": "Each"},
                                    "Each": {
                                        "Type": "Task",
                                        "Resource": "arn:aws:states:::aws-sdk:sqs:sendMessage",
                                        "End": True,
                                    },
                                },
                            },
                            "End": True,
                        }
                    },
                },
            ],
            "End": True,
        }
    },
}


def _replays(machine: StateMachine, input: Any, **options: Any) -> None:
    live, sink = run_durably(machine, input, **options)
    expected = signature(live)
    full = sink.rows
    for cut in range(len(full) + 1):
        resumed, rest = run_durably(machine, input, journal=full[:cut], **options)
        assert signature(resumed) == expected, f"resumed after {cut} rows"
        assert resumed.output == live.output
        assert _rows_equal(full[:cut] + rest.rows, full), f"journal after resuming at row {cut}"


def test_a_sequence_with_retries_jitter_random_values_and_a_wait_replays_from_every_prefix() -> None:
    mocks = {"Call": [{"Throw": {"Error": "Flaky", "Cause": "try again"}}, {"Return": {"ok": True}}]}
    _replays(StateMachine.from_json(SEQUENCE, name="sequence"), {"k": 1}, mocks=mocks)


def test_parallel_branches_and_map_iterations_with_waiting_handlers_replay_from_every_prefix() -> None:
    machine = StateMachine.from_json(FANOUT, name="fanout")
    _replays(machine, {"items": [3, 1, 2, 0]}, resources=Sleepy(2))


def test_a_failed_execution_replays_to_the_same_failure() -> None:
    mocks = {"Call": [{"Return": {"ok": False}}]}
    live, _ = run_durably(StateMachine.from_json(SEQUENCE, name="sequence"), {}, mocks=mocks)
    assert (live.status, live.error) == ("FAILED", "Oops")
    _replays(StateMachine.from_json(SEQUENCE, name="sequence"), {}, mocks=mocks)


def test_a_handler_is_not_called_again_for_a_result_the_journal_holds() -> None:
    machine = StateMachine.from_json(FANOUT, name="fanout")
    first = Sleepy(2)
    live, sink = run_durably(machine, {"items": [1, 2]}, resources=first)
    again = Sleepy(2)
    resumed, _ = run_durably(machine, {"items": [1, 2]}, resources=again, journal=sink.rows)
    assert first.calls == 3
    assert again.calls == 0
    assert resumed.output == live.output


def test_a_task_started_but_unanswered_when_the_process_died_is_invoked_again() -> None:
    machine = StateMachine.from_json(FANOUT, name="fanout")
    first = Sleepy(2)
    _, sink = run_durably(machine, {"items": [1]}, resources=first)
    rows = sink.rows
    # Cut right after the first TaskStarted: that invocation had no result yet.
    cut = next(i for i, row in enumerate(rows) if isinstance(row, EventRow) and row.type == "TaskStarted") + 1
    again = Sleepy(2)
    resumed, _ = run_durably(machine, {"items": [1]}, resources=again, journal=rows[:cut])
    assert resumed.status == "SUCCEEDED"
    assert again.calls == 2  # the unanswered one again, and the one not yet started


def test_a_changed_definition_is_a_divergence_naming_the_event() -> None:
    mocks = {"Call": [{"Return": {"ok": True}}]}
    _, sink = run_durably(StateMachine.from_json(SEQUENCE, name="sequence"), {}, mocks=mocks)
    changed = {**SEQUENCE, "States": {**SEQUENCE["States"], "Nap": {"Type": "Wait", "Seconds": 31, "Next": "Which"}}}
    with pytest.raises(ReplayDivergence, match=r"WaitStateExited.*'Nap'"):
        run_durably(StateMachine.from_json(changed, name="sequence"), {}, mocks=mocks, journal=sink.rows)


def test_a_nested_execution_runs_inside_its_task_and_is_not_started_again_on_replay() -> None:
    from asl_engine.services import Resources

    child = StateMachine.from_json(
        {
            "StartAt": "Nap",
            "States": {
                "Nap": {"Type": "Wait", "Seconds": 10, "Next": "Done"},
                "Done": {"Type": "Pass", "Result": {"child": True}, "End": True},
            },
        },
        name="child",
    )

    def account() -> Resources:  # each process has its own: started executions live in it
        resources = Resources()
        resources.state_machine(child)
        return resources

    parent = StateMachine.from_json(
        {
            "StartAt": "Run",
            "States": {
                "Run": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::states:startExecution.sync:2",
                    "Parameters": {"StateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:child"},
                    "OutputPath": "$.Output",
                    "End": True,
                }
            },
        },
        name="parent",
    )
    live, sink = run_durably(parent, {}, resources=account())
    assert live.output == {"child": True}
    assert [event["type"] for event in live.history].count("TaskSubmitted") == 1
    for cut in commit_points(sink):  # a handler's TaskSubmitted and the mark after it are committed together
        resumed, _ = run_durably(parent, {}, resources=account(), journal=sink.rows[:cut])
        assert resumed.output == {"child": True}, cut
        assert [event["type"] for event in resumed.history].count("TaskSubmitted") == 1, cut


ACTIVITY = {
    "StartAt": "Approve",
    "States": {
        "Approve": {
            "Type": "Task",
            "Resource": "arn:aws:states:us-east-1:123456789012:activity:approve",
            "HeartbeatSeconds": 60,
            "Next": "Done",
        },
        "Done": {"Type": "Pass", "End": True},
    },
}


def test_an_activity_taken_by_a_worker_replays_its_activity_started_from_every_prefix() -> None:
    """``ActivityStarted`` comes from the worker taking the task (an input recorded with its turn);
    the worker's answer, kept by the store when it is sent, is taken up on resume."""
    from asl_engine.services import Resources

    def resources_with_worker(calls: list[Any]) -> Resources:
        resources = Resources()
        resources.activity("approve", lambda task_input: calls.append(task_input) or {"approved": True})
        return resources

    machine = StateMachine.from_json(ACTIVITY, name="activity")
    calls: list[Any] = []
    live, sink = run_durably(machine, {"order": 7}, resources=resources_with_worker(calls))
    assert live.status == "SUCCEEDED" and calls == [{"order": 7}]
    assert [event["type"] for event in live.history][2:4] == ["ActivityScheduled", "ActivityStarted"]
    expected = signature(live)
    full = sink.rows
    for cut in range(len(full) + 1):
        again: list[Any] = []
        resumed, rest = run_durably(
            machine, {"order": 7}, resources=resources_with_worker(again), journal=full[:cut], pending=sink.inputs
        )
        assert signature(resumed) == expected, f"resumed after {cut} rows"
        # The worker answers from its thread, so turns may group inputs differently; the events not.
        events = [row for row in full[:cut] + rest.rows if isinstance(row, EventRow)]
        assert _rows_equal(events, [row for row in full if isinstance(row, EventRow)]), f"events after row {cut}"
        assert len(again) <= 1


LOOP = {
    "StartAt": "Init",
    "States": {
        "Init": {"Type": "Pass", "Result": 0, "ResultPath": "$.n", "Next": "More"},
        "More": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.n", "NumericLessThan": 1500, "Next": "Step"}],
            "Default": "Done",
        },
        "Step": {"Type": "Pass", "Parameters": {"n.$": "States.MathAdd($.n, 1)"}, "Next": "More"},
        "Done": {"Type": "Succeed"},
    },
}


def test_a_long_loop_pauses_at_its_checkpoints_with_a_turn_and_replays_through_them() -> None:
    """Every 1,024 transitions the interpreter steps aside (so a stop or a timeout lands in a loop that
    never waits): a durable execution records a turn there, and a replay pauses at the same points."""
    machine = StateMachine.from_json(LOOP, name="loop")
    live, sink = run_durably(machine, {})
    assert live.output == {"n": 1500}
    full = sink.rows
    turns = [index for index, row in enumerate(full) if not isinstance(row, EventRow)]
    assert len(turns) >= 2  # one per checkpoint
    cuts = sorted({0, len(full)} | {cut for index in turns for cut in (index, index + 1)} | {len(full) // 3})
    for cut in cuts:
        resumed, rest = run_durably(machine, {}, journal=full[:cut])
        assert resumed.output == live.output and len(resumed.history) == len(live.history)
        assert _rows_equal(full[:cut] + rest.rows, full), f"journal after resuming at row {cut}"
