"""Capabilities a handler or a handler source may declare: checking a request before the task is
scheduled (``ChecksRequest``), and keeping a directory of task tokens (``TaskTokenDirectory``)."""

from __future__ import annotations

from typing import Any

from asl_engine.definition.arns import ResourceRef
from asl_engine.errors import StatesError
from asl_engine.runtime.callbacks import CallbackRegistry, TaskTokenDirectory
from asl_engine.runtime.handlers import ChecksRequest, TaskRequest
from tests.conftest import machine


class Checked:
    def __init__(self) -> None:
        self.called = 0

    def check_request(self, request: TaskRequest) -> None:
        if request.parameters.get("bad"):
            raise StatesError("States.Runtime", "refused before scheduling")

    def __call__(self, request: TaskRequest) -> Any:
        self.called += 1
        return {"ok": True}


class Source:
    def __init__(self, handler: Any) -> None:
        self.handler = handler
        self.opened: list[str] = []
        self.closed: list[str] = []

    def handler_for(self, state_name: str, resource: ResourceRef) -> Any:
        return self.handler

    def task_token_opened(self, token: str, registry: CallbackRegistry) -> None:
        self.opened.append(token)
        registry.send_task_success(token, {"answered": "by the directory"})

    def task_token_closed(self, token: str) -> None:
        self.closed.append(token)


def task(resource: str, **fields: Any) -> Any:
    return machine({"T": {"Type": "Task", "Resource": resource, "End": True, **fields}})


def test_a_refused_request_records_no_task_event() -> None:
    handler = Checked()
    assert isinstance(handler, ChecksRequest)
    execution = task("arn:aws:states:::ecs:runTask", Parameters={"bad": True}).execute({}, resources=Source(handler))
    assert (execution.error, execution.cause) == ("States.Runtime", "refused before scheduling")
    assert [event["type"] for event in execution.history] == ["ExecutionStarted", "TaskStateEntered", "ExecutionFailed"]
    assert handler.called == 0
    ok = task("arn:aws:states:::ecs:runTask", Parameters={"bad": False}).execute({}, resources=Source(handler))
    assert ok.output == {"ok": True} and handler.called == 1


def test_every_token_is_announced_to_the_directories_among_the_sources() -> None:
    source = Source(lambda request: {"sent": True})
    assert isinstance(source, TaskTokenDirectory)
    execution = task(
        "arn:aws:states:::sqs:sendMessage.waitForTaskToken", Parameters={"MessageBody.$": "$$.Task.Token"}
    ).execute({}, resources=source)
    assert execution.output == {"answered": "by the directory"}
    assert len(source.opened) == 1 and source.closed == source.opened


class Keeping:
    """Keeps each request and reads its lazily made parts only after the execution moved on."""

    def __init__(self) -> None:
        self.requests: list[TaskRequest] = []
        self.keys_when_checked: list[str] = []

    def check_request(self, request: TaskRequest) -> None:
        self.keys_when_checked.append(request.idempotency_key)

    def __call__(self, request: TaskRequest) -> Any:
        self.requests.append(request)
        if len(self.requests) < 3:
            raise StatesError("Boom", "again")
        return {"ok": True}


def test_a_kept_request_shows_the_task_as_it_was_invoked() -> None:
    """``context`` and ``idempotency_key`` are made when first read (``RequestOrigin``), yet read after
    two retries and the execution's end they show each invocation as it was."""
    handler = Keeping()
    execution = task(
        "arn:aws:states:::ecs:runTask", Retry=[{"ErrorEquals": ["Boom"], "IntervalSeconds": 2, "BackoffRate": 1}]
    ).execute({"in": 1}, resources=Source(handler), name="kept")
    assert execution.status == "SUCCEEDED"
    assert handler.keys_when_checked == ["", "", ""]  # the task is not scheduled yet when it is checked
    scheduled = [event["id"] for event in execution.history if event["type"] == "TaskScheduled"]
    arn = execution.arn
    assert [request.idempotency_key for request in handler.requests] == [f"{arn}/T/{n}" for n in scheduled]
    contexts = [request.context for request in handler.requests]
    assert [context["State"]["RetryCount"] for context in contexts] == [0, 1, 2]
    assert len({context["State"]["EnteredTime"] for context in contexts}) == 1  # one visit, three attempts
    assert all(context["Execution"]["Name"] == "kept" and context["State"]["Name"] == "T" for context in contexts)
    assert all(request.environment is not None and request.parameters == {"in": 1} for request in handler.requests)
