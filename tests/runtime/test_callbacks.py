"""`.waitForTaskToken` tasks answered from another thread through an ExecutionHandle."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from asl_engine import VirtualClock
from asl_engine.definition.arns import ResourceRef
from asl_engine.runtime.callbacks import TaskDoesNotExist
from asl_engine.runtime.handlers import TaskRequest
from tests.conftest import machine

START = datetime(2024, 1, 1, tzinfo=UTC)


class Queue:
    """A stand-in SQS: remembers the messages (and their tokens) it was sent."""

    def __init__(self) -> None:
        self.messages: list[Any] = []

    def handler_for(self, state_name: str, resource: ResourceRef) -> Any:
        return self.send if resource.service == "sqs" else None

    def send(self, request: TaskRequest) -> dict[str, Any]:
        self.messages.append(request.parameters)
        return {"MessageId": f"m{len(self.messages)}"}


def callback_machine(**task: Any) -> Any:
    return machine(
        {
            "Ask": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "Parameters": {"QueueUrl": "q", "MessageBody": {"token.$": "$$.Task.Token"}},
                "End": True,
                **task,
            },
        }
    )


def test_success_answered_from_another_thread() -> None:
    queue = Queue()
    handle = callback_machine().start({}, resources=queue, clock=VirtualClock(START))
    token = handle.wait_for_task_token("Ask")
    assert handle.task_tokens() == {token: "Ask"}
    handle.send_task_success(token, {"approved": True})
    ex = handle.wait(5)
    assert ex.output == {"approved": True}
    assert queue.messages == [{"QueueUrl": "q", "MessageBody": {"token": token}}]
    assert [e["type"] for e in ex.history][2:6] == ["TaskScheduled", "TaskStarted", "TaskSubmitted", "TaskSucceeded"]
    assert ex.history[4]["taskSubmittedEventDetails"]["output"] == '{"MessageId":"m1"}'


def test_failure_answer_is_retried_and_caught_like_any_task_error() -> None:
    sm = machine(
        {
            "Ask": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "Parameters": {"MessageBody.$": "$$.Task.Token"},
                "Next": "Ok",
                "Catch": [{"ErrorEquals": ["Rejected"], "Next": "No"}],
            },
            "Ok": {"Type": "Succeed"},
            "No": {"Type": "Pass", "End": True},
        }
    )
    handle = sm.start({}, resources=Queue())
    handle.send_task_failure(handle.wait_for_task_token(), "Rejected", "nope")
    assert handle.wait(5).output == {"Error": "Rejected", "Cause": "nope"}


def test_heartbeat_timeout_with_manual_virtual_time() -> None:
    clock = VirtualClock(START)
    handle = callback_machine(HeartbeatSeconds=10, TimeoutSeconds=100).start({}, resources=Queue(), clock=clock)
    token = handle.wait_for_task_token()
    clock.advance(5)
    handle.send_task_heartbeat(token)
    clock.advance(8)
    assert not handle.done()
    clock.advance(5)
    ex = handle.wait(5)
    assert (ex.status, ex.error) == ("FAILED", "States.Timeout")
    assert ex.history[-2]["type"] == "TaskTimedOut"
    assert (ex.history[-1]["timestamp"] - START).total_seconds() == 15


def test_unknown_tokens_and_stop() -> None:
    handle = callback_machine().start({}, resources=Queue())
    with pytest.raises(TaskDoesNotExist):
        handle.send_task_success("not-a-token", {})
    handle.wait_for_task_token()
    handle.stop("Operator.Stop", "no longer needed")
    ex = handle.wait(5)
    assert (ex.status, ex.error, ex.cause) == ("ABORTED", "Operator.Stop", "no longer needed")
    assert ex.history[-1]["type"] == "ExecutionAborted"


def test_mocks_answer_callback_tasks_directly_after_recording_the_submission() -> None:
    # evidence: callback/test_callback::test_sns_publish_wait_for_task_token (TaskSubmitted, TaskSucceeded)
    ex = callback_machine().execute({}, mocks={"Ask": [{"Return": {"approved": False}}]})
    assert ex.output == {"approved": False}
    submitted, succeeded = ex.history[4], ex.history[5]
    assert (submitted["type"], succeeded["type"]) == ("TaskSubmitted", "TaskSucceeded")
    # the mock gives the task's outcome, not the queue's answer to the message: no output
    assert submitted["taskSubmittedEventDetails"] == {"resourceType": "sqs", "resource": "sendMessage.waitForTaskToken"}
    assert (submitted["previousEventId"], succeeded["previousEventId"]) == (4, 5)


def test_heartbeat_timeout_is_caught_with_an_empty_cause() -> None:
    clock = VirtualClock(START)
    sm = machine(
        {
            "Ask": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "Parameters": {"MessageBody.$": "$$.Task.Token"},
                "HeartbeatSeconds": 5,
                "Next": "Ok",
                "Catch": [{"ErrorEquals": ["States.HeartbeatTimeout"], "Next": "Late"}],
            },
            "Ok": {"Type": "Succeed"},
            "Late": {"Type": "Pass", "End": True},
        }
    )
    handle = sm.start({}, resources=Queue(), clock=clock)
    handle.wait_for_task_token()
    clock.advance(6)
    assert handle.wait(5).output == {"Error": "States.Timeout", "Cause": ""}
