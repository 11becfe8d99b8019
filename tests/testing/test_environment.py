"""The time-skipping environment: several executions on one virtual clock, deterministically."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from asl_engine import StateMachine
from asl_engine.definition.arns import ResourceRef
from asl_engine.runtime.handlers import TaskHandler, TaskRequest
from asl_engine.runtime.scheduler import Scheduler
from asl_engine.testing import AslEnvironment, EnvironmentStuck, TestClock
from asl_engine.testing.environment import DEFAULT_START
from asl_engine.testing.snapshots import normalised_history
from tests.testing.machines import FAN_OUT, order_machine

START = DEFAULT_START.timestamp()


def waiting(seconds: int) -> StateMachine:
    return StateMachine.from_json(
        {
            "StartAt": "W",
            "States": {"W": {"Type": "Wait", "Seconds": seconds, "Next": "P"}, "P": {"Type": "Pass", "End": True}},
        }
    )


def finished_at(execution: Any) -> float:
    return float(execution.events[-1].timestamp - START)


def test_result_skips_virtual_time_without_real_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_real_waiting(self: Scheduler) -> None:
        raise AssertionError("a virtual clock must never wait in real time")

    monkeypatch.setattr(Scheduler, "_wait_real", no_real_waiting)
    environment = AslEnvironment()
    execution = environment.execute(waiting(86_400))
    assert execution.status == "SUCCEEDED"
    assert finished_at(execution) == 86_400


def test_started_executions_wait_for_the_clock_until_the_test_moves_it() -> None:
    environment = AslEnvironment()
    slow, fast = environment.start(waiting(100)), environment.start(waiting(50))
    assert (slow.status, fast.status) == ("RUNNING", "RUNNING")
    assert environment.next_timer == datetime.fromtimestamp(START + 50, UTC)
    environment.advance(60)
    assert (slow.status, fast.status) == ("RUNNING", "SUCCEEDED")
    assert finished_at(fast.execution) == 50  # fired at its own due time, not at +60
    assert environment.run_to_next_timer() == 40
    assert slow.status == "SUCCEEDED" and finished_at(slow.execution) == 100
    assert environment.run_to_next_timer() is None


def test_the_test_clock_fixture_moves_the_environment() -> None:
    clock = TestClock(datetime(2030, 5, 1, tzinfo=UTC))
    environment = AslEnvironment(clock=clock)
    handle = environment.start(waiting(30))
    clock.advance(timedelta(seconds=29))
    assert handle.status == "RUNNING"
    assert clock.run_to_next_timer() == 1
    assert handle.status == "SUCCEEDED"
    clock.advance_to(datetime(2030, 5, 2, tzinfo=UTC))
    assert environment.now() == datetime(2030, 5, 2, tzinfo=UTC)
    with pytest.raises(ValueError, match="backwards"):
        environment.advance_to(datetime(2030, 5, 1, tzinfo=UTC))


def test_several_executions_interleave_the_same_way_every_time() -> None:
    def run_all() -> list[Any]:
        environment = AslEnvironment(seed="same")
        environment.mocks.returns("Work", "done")
        machine = StateMachine.from_json(FAN_OUT)
        handles = [
            environment.start(machine, {"items": [{"wait": w} for w in waits]})
            for waits in ([3, 1, 2, 1], [2, 2], [0, 5, 1])
        ]
        environment.wait_all()
        return [normalised_history(handle.execution) for handle in handles]

    first = run_all()
    assert all(run_all() == first for _ in range(3))
    each = [e for e in first[0]["events"] if e.get("stateExitedEventDetails", {}).get("name") == "Pause"]
    # MaxConcurrency 2: the items waiting 3 and 1 start together; item 2 starts when item 1 ends (+1s).
    assert [e["timestamp"] for e in each] == ["+1s", "+3s", "+3s", "+4s"]


def test_a_task_token_is_answered_from_the_test() -> None:
    machine = StateMachine.from_json(
        {
            "StartAt": "Approve",
            "States": {
                "Approve": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                    "Parameters": {"QueueUrl": "q", "MessageBody": {"token.$": "$$.Task.Token"}},
                    "TimeoutSeconds": 3600,
                    "End": True,
                }
            },
        }
    )
    environment = AslEnvironment()
    environment.resources.append(_Answer({"MessageId": "m-1"}))
    approved = environment.start(machine)
    approved.complete_task("Approve", {"approved": True})
    assert approved.result().output == {"approved": True}
    rejected = environment.start(machine)
    rejected.fail_task("Approve", "Rejected", "no")
    assert (rejected.result().error, rejected.result().cause) == ("Rejected", "no")
    # Nobody answers: waiting for the result skips to the task's timeout.
    forgotten = environment.start(machine)
    execution = forgotten.result()
    assert (execution.status, execution.error) == ("FAILED", "States.Timeout")
    assert finished_at(execution) == 3600


def test_waiting_on_a_token_that_nothing_answers_says_what_to_do() -> None:
    machine = StateMachine.from_json(
        {
            "StartAt": "Approve",
            "States": {
                "Approve": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                    "Parameters": {"QueueUrl": "q", "MessageBody": {"token.$": "$$.Task.Token"}},
                    "End": True,
                }
            },
        }
    )
    environment = AslEnvironment()
    environment.resources.append(_Answer({}))
    handle = environment.start(machine, name="stuck")
    with pytest.raises(EnvironmentStuck) as stuck:
        handle.result()
    message = str(stuck.value)
    assert "nothing can happen any more" in message
    assert "execution 'stuck' is RUNNING, in Approve" in message
    assert "complete_task(state, output)" in message


def test_with_time_skipping_disabled_only_advance_moves_time() -> None:
    environment = AslEnvironment()
    handle = environment.start(waiting(10))
    with environment.auto_time_skipping_disabled():
        with pytest.raises(EnvironmentStuck, match="time skipping is disabled"):
            handle.result()
        environment.advance(10)
        assert handle.result().status == "SUCCEEDED"


def test_a_handler_on_a_worker_thread_is_awaited_before_time_moves() -> None:
    machine = StateMachine.from_json(
        {
            "StartAt": "Slow",
            "States": {
                "Slow": {
                    "Type": "Task",
                    "Resource": "arn:aws:lambda:us-east-1:123456789012:function:slow",
                    "TimeoutSeconds": 5,
                    "End": True,
                }
            },
        }
    )
    threads: list[str] = []

    def slow_call(value: Any) -> Any:
        threads.append(threading.current_thread().name)
        time.sleep(0.05)
        return {"got": value}

    class Threaded:
        def handler_for(self, state_name: str, resource: ResourceRef) -> TaskHandler | None:
            async def handle(request: TaskRequest) -> Any:
                assert request.environment is not None
                return await request.environment.run_in_thread(slow_call, request.parameters)

            return handle

    environment = AslEnvironment()
    environment.resources.append(Threaded())
    execution = environment.execute(machine, {"n": 1})
    assert execution.output == {"got": {"n": 1}}
    assert threads == ["asl-task-worker"]
    assert finished_at(execution) == 0  # the 5 s timeout did not fire while the thread worked


def test_stop_and_unmocked_tasks() -> None:
    environment = AslEnvironment()
    handle = environment.start(waiting(60))
    stopped = handle.stop("Operator", "enough")
    assert (stopped.status, stopped.error, stopped.cause) == ("ABORTED", "Operator", "enough")
    execution = environment.execute(order_machine(), {"kind": "plain", "total": 1})
    assert execution.error == "States.Runtime"
    assert "asl_mocks.returns('Charge'" in (execution.cause or "")
    assert [r.state_name for r in environment.unanswered.requests] == ["Charge"]


class _Answer:
    """Answers every Task with a fixed value (and leaves task tokens to the test)."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def handler_for(self, state_name: str, resource: ResourceRef) -> TaskHandler | None:
        return lambda request: self.value
