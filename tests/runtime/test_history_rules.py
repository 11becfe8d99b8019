"""The rules behind AWS's history events (docs/engine.md, "How states end in the history"), each
reproduced from the recorded case named in its comment and tested beyond it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from asl_engine import StateMachine, VirtualClock
from asl_engine.errors import StatesError
from asl_engine.runtime.handlers import TaskRequest
from asl_engine.services import Resources
from tests.conftest import machine

START = datetime(2024, 1, 1, tzinfo=UTC)
LAMBDA_INVOKE = "arn:aws:states:::lambda:invoke"
SQS_CALLBACK = "arn:aws:states:::sqs:sendMessage.waitForTaskToken"
START_SYNC = "arn:aws:states:::states:startExecution.sync"
CHILD_ARN = "arn:aws:states:us-east-1:123456789012:stateMachine:Child"


def chain(ex: Any) -> list[tuple[int, int, str]]:
    return [(e["id"], e["previousEventId"], e["type"]) for e in ex.history]


def types(ex: Any) -> list[str]:
    return [e["type"] for e in ex.history]


def fail(error: str = "Boom") -> dict[str, Any]:
    return {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": error}}}


def task_branch(name: str = "Work", resource: str = LAMBDA_INVOKE, **fields: Any) -> dict[str, Any]:
    return {"StartAt": name, "States": {name: {"Type": "Task", "Resource": resource, "End": True, **fields}}}


def wait_branch(seconds: int = 10, name: str = "W") -> dict[str, Any]:
    return {"StartAt": name, "States": {name: {"Type": "Wait", "Seconds": seconds, "End": True}}}


# -- Map: MapStateFailed ---------------------------------------------------------------------------


def test_a_map_whose_iterations_time_out_records_aws_events_and_links() -> None:
    # evidence: timeouts/test_timeouts::test_service_lambda_map_timeout (every id and previousEventId
    # from 24 on): the iteration that failed first is MapIterationFailed; the others, whose tasks had
    # timed out too but whose failure the Map had not taken, are aborted; each iteration's Task state
    # records TaskStateAborted, the failed one's last; all link to the first TaskTimedOut.
    resources = Resources()

    async def slow(request: TaskRequest) -> Any:
        assert request.environment is not None
        await request.environment.sleep(100)
        return {}

    resources.handler(LAMBDA_INVOKE, slow)
    sm = machine(
        {
            "MapWait": {
                "Type": "Map",
                "ItemsPath": "$.Inputs",
                "End": True,
                "Iterator": task_branch("LambdaInvoke", TimeoutSeconds=5, Parameters={"Payload.$": "$"}),
            }
        }
    )
    ex = sm.execute({"Inputs": [1, 2, 3, 4]}, resources=resources, clock=VirtualClock(START))
    assert (ex.status, ex.error) == ("FAILED", "States.Timeout")
    assert chain(ex)[19:] == [
        (20, 10, "TaskTimedOut"),
        (21, 13, "TaskTimedOut"),
        (22, 16, "TaskTimedOut"),
        (23, 19, "TaskTimedOut"),
        (24, 20, "MapIterationFailed"),
        (25, 20, "TaskStateAborted"),
        (26, 20, "MapIterationAborted"),
        (27, 20, "TaskStateAborted"),
        (28, 20, "MapIterationAborted"),
        (29, 20, "TaskStateAborted"),
        (30, 20, "MapIterationAborted"),
        (31, 20, "TaskStateAborted"),
        (32, 20, "MapStateFailed"),
        (33, 32, "ExecutionFailed"),
    ]
    aborted = [e["mapIterationAbortedEventDetails"]["index"] for e in ex.history if e["type"] == "MapIterationAborted"]
    assert aborted == [1, 2, 3]


def test_a_failing_fail_state_has_no_abort_event() -> None:
    # evidence: scenarios/test_base_scenarios::test_map_state_catch_empty_fail
    ex = machine({"M": {"Type": "Map", "End": True, "ItemProcessor": fail()}}).execute([1])
    assert chain(ex)[3:] == [
        (4, 3, "MapIterationStarted"),
        (5, 4, "FailStateEntered"),
        (6, 5, "MapIterationFailed"),
        (7, 5, "MapStateFailed"),
        (8, 7, "ExecutionFailed"),
    ]


@pytest.mark.parametrize("items", ["{% true %}", "{% 'text' %}", "{% {'a': 1} %}"])
def test_items_that_fail_to_evaluate_fail_the_map_state(items: str) -> None:
    # evidence: scenarios/test_base_scenarios::test_map_state_items_eval_jsonata_fail[boolean...]
    sm = machine({"M": {"Type": "Map", "Items": items, "ItemProcessor": fail(), "End": True}}, QueryLanguage="JSONata")
    ex = sm.execute({})
    assert ex.error == "States.QueryEvaluationError"
    assert chain(ex) == [
        (1, 0, "ExecutionStarted"),
        (2, 0, "MapStateEntered"),
        (3, 0, "EvaluationFailed"),
        (4, 3, "MapStateFailed"),
        (5, 4, "ExecutionFailed"),
    ]


def test_an_item_selector_that_fails_to_evaluate_fails_the_map_state_and_can_be_caught() -> None:
    sm = machine(
        {
            "M": {
                "Type": "Map",
                "Items": [1],
                "ItemSelector": "{% $undefinedVariable %}",
                "ItemProcessor": fail(),
                "Catch": [{"ErrorEquals": ["States.QueryEvaluationError"], "Next": "Done"}],
                "End": True,
            },
            "Done": {"Type": "Pass", "End": True},
        },
        QueryLanguage="JSONata",
    )
    ex = sm.execute({})
    assert ex.status == "SUCCEEDED"
    assert types(ex)[1:6] == [
        "MapStateEntered",
        "MapStateStarted",
        "EvaluationFailed",
        "MapStateFailed",
        "MapStateExited",
    ]


@pytest.mark.parametrize(
    ("fields", "value"),
    [
        ({"MaxConcurrencyPath": "$.limit"}, {"items": [1], "limit": "NoNumber"}),
        ({"ItemsPath": "$.items"}, {"items": "not an array"}),
        ({"ToleratedFailureCountPath": "$.limit"}, {"items": [1], "limit": -1}),
    ],
)
def test_the_engines_own_checks_fail_the_execution_without_a_state_failure(fields: Any, value: Any) -> None:
    # evidence: test_max_concurrency_path[NoNumber], test_map_state_tolerated_failure_count_path[-1]
    sm = machine({"M": {"Type": "Map", "ItemsPath": "$.items", **fields, "ItemProcessor": fail(), "End": True}})
    ex = sm.execute(value)
    assert ex.error == "States.Runtime"
    assert "MapStateFailed" not in types(ex) and "EvaluationFailed" not in types(ex)


def test_a_retried_map_records_map_state_failed_only_for_its_last_attempt() -> None:
    # evidence: scenarios/test_base_scenarios::test_map_state_retry (3 attempts, one MapStateFailed)
    sm = machine(
        {
            "M": {
                "Type": "Map",
                "ItemProcessor": fail(),
                "Retry": [{"ErrorEquals": ["Boom"], "MaxAttempts": 2, "IntervalSeconds": 1}],
                "End": True,
            }
        }
    )
    ex = sm.execute([1], clock=VirtualClock(START))
    assert types(ex).count("MapStateStarted") == 3
    assert types(ex).count("MapStateFailed") == 1
    assert types(ex)[-2:] == ["MapStateFailed", "ExecutionFailed"]
    # each retry starts from the event that ended the attempt before it
    assert [(i, p) for i, p, t in chain(ex) if t == "MapStateStarted"] == [(3, 2), (7, 5), (11, 9)]


def test_a_map_retried_then_caught() -> None:
    # evidence: scenarios/test_base_scenarios::test_map_state_catch_legacy (Failed, then Exited)
    sm = machine(
        {
            "M": {
                "Type": "Map",
                "ItemProcessor": fail(),
                "Retry": [{"ErrorEquals": ["Boom"], "MaxAttempts": 1}],
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Done"}],
                "Next": "Done",
            },
            "Done": {"Type": "Pass", "End": True},
        }
    )
    ex = sm.execute([1], clock=VirtualClock(START))
    assert ex.status == "SUCCEEDED"
    assert chain(ex)[5:12] == [
        (6, 5, "MapIterationFailed"),
        (7, 5, "MapStateStarted"),
        (8, 7, "MapIterationStarted"),
        (9, 8, "FailStateEntered"),
        (10, 9, "MapIterationFailed"),
        (11, 9, "MapStateFailed"),
        (12, 11, "MapStateExited"),
    ]


def test_a_map_failing_inside_a_parallel_is_aborted_with_its_siblings() -> None:
    # The Map is the state its branch failed in: after MapStateFailed the Parallel aborts it like
    # any other state that never exited (the rule recorded for a Task in
    # callback/test_callback::test_sqs_failure_in_wait_for_task_tok_no_error_field[SQS_PARALLEL...]).
    sm = machine(
        {
            "P": {
                "Type": "Parallel",
                "End": True,
                "Branches": [
                    {"StartAt": "M", "States": {"M": {"Type": "Map", "ItemProcessor": fail(), "End": True}}},
                    wait_branch(),
                ],
            }
        }
    )
    ex = sm.execute([1], clock=VirtualClock(START))
    assert ex.error == "Boom"
    assert chain(ex)[7:] == [
        (8, 6, "FailStateEntered"),
        (9, 8, "MapIterationFailed"),
        (10, 8, "MapStateFailed"),
        (11, 10, "WaitStateAborted"),
        (12, 10, "MapStateAborted"),
        (13, 10, "ParallelStateFailed"),
        (14, 13, "ExecutionFailed"),
    ]


DISTRIBUTED = {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}}


@pytest.mark.parametrize("mode", ["INLINE", "DISTRIBUTED"])
def test_a_distributed_map_fails_through_its_map_run_an_inline_one_through_an_iteration(mode: str) -> None:
    # evidence: test_map_item_reader_csv_headers_decl_duplicate_headers (MapRunFailed, MapStateFailed)
    processor = {**fail(), "ProcessorConfig": {**DISTRIBUTED["ProcessorConfig"], "Mode": mode}}
    sm = machine(
        {"M": {"Type": "Map", "ItemProcessor": processor, "Retry": [{"ErrorEquals": ["States.ALL"]}], "End": True}}
    )
    ex = sm.execute([1], clock=VirtualClock(START))
    assert types(ex).count("MapStateStarted") == 4 and types(ex).count("MapStateFailed") == 1
    if mode == "DISTRIBUTED":
        assert ex.error == "States.ExceedToleratedFailureThreshold"
        assert types(ex).count("MapRunFailed") == 4 and "MapIterationFailed" not in types(ex)
        assert chain(ex)[-3:] == [(14, 13, "MapRunFailed"), (15, 14, "MapStateFailed"), (16, 15, "ExecutionFailed")]
    else:
        assert ex.error == "Boom"
        assert types(ex).count("MapIterationFailed") == 4 and "MapRunFailed" not in types(ex)
        assert chain(ex)[-3:] == [
            (18, 17, "MapIterationFailed"),
            (19, 17, "MapStateFailed"),
            (20, 19, "ExecutionFailed"),
        ]


# -- Parallel: every way it ends -------------------------------------------------------------------


def parallel(*branches: dict[str, Any], **fields: Any) -> StateMachine:
    return machine(
        {
            "P": {"Type": "Parallel", "Branches": list(branches), "Next": "Done", **fields},
            "Done": {"Type": "Pass", "End": True},
        }
    )


def test_a_parallel_that_succeeds() -> None:
    # evidence: test_parallel_state[PARALLEL_STATE]: ids 19 (Exited) and 20 link like this; event 18
    # (ParallelStateSucceeded) is missing from the recording only because the snapshot tool dropped it
    ex = parallel(wait_branch(1, "W1"), wait_branch(2, "W2")).execute({}, clock=VirtualClock(START))
    assert chain(ex)[2:] == [
        (3, 2, "ParallelStateStarted"),
        (4, 3, "WaitStateEntered"),
        (5, 3, "WaitStateEntered"),
        (6, 4, "WaitStateExited"),
        (7, 5, "WaitStateExited"),
        (8, 7, "ParallelStateSucceeded"),
        (9, 7, "ParallelStateExited"),
        (10, 9, "PassStateEntered"),
        (11, 10, "PassStateExited"),
        (12, 11, "ExecutionSucceeded"),
    ]


def test_a_parallel_whose_task_fails_aborts_the_task_and_its_siblings() -> None:
    # evidence: test_sqs_failure_in_wait_for_task_tok_no_error_field[SQS_PARALLEL_WAIT_FOR_TASK_TOKEN]
    # (TaskFailed, TaskStateAborted, ParallelStateFailed) and, for the siblings, the Map rule above
    ex = parallel(task_branch(), wait_branch()).execute(
        {}, mocks={"Work": [{"Throw": {"Error": "Broken"}}]}, clock=VirtualClock(START)
    )
    assert ex.error == "Broken"
    assert chain(ex)[3:] == [
        (4, 3, "TaskStateEntered"),
        (5, 4, "TaskScheduled"),
        (6, 5, "TaskStarted"),
        (7, 6, "TaskFailed"),
        (8, 3, "WaitStateEntered"),
        (9, 7, "WaitStateAborted"),
        (10, 7, "TaskStateAborted"),
        (11, 7, "ParallelStateFailed"),
        (12, 11, "ExecutionFailed"),
    ]


def test_a_parallel_caught() -> None:
    ex = parallel(task_branch(), Catch=[{"ErrorEquals": ["States.ALL"], "Next": "Done"}]).execute(
        {}, mocks={"Work": [{"Throw": {"Error": "Broken"}}]}
    )
    assert ex.status == "SUCCEEDED"
    assert types(ex)[6:10] == ["TaskFailed", "TaskStateAborted", "ParallelStateFailed", "ParallelStateExited"]


def test_a_parallel_retried_records_its_failure_only_when_it_is_final() -> None:
    # evidence: test_parallel_catch_error[PARALLEL_CATCH_ERROR_OUTPUT_WITH_RETRY]: the first attempt's
    # branch events were never sorted by the snapshot tool, so no Parallel end event followed them
    sm = parallel(task_branch(), Retry=[{"ErrorEquals": ["Broken"], "MaxAttempts": 2}])
    ok = sm.execute({}, mocks={"Work": [{"Throw": {"Error": "Broken"}}, {"Return": 1}]}, clock=VirtualClock(START))
    assert ok.output == [1]
    assert types(ok)[2:14] == [
        "ParallelStateStarted",
        "TaskStateEntered",
        "TaskScheduled",
        "TaskStarted",
        "TaskFailed",
        "TaskStateAborted",
        "ParallelStateStarted",
        "TaskStateEntered",
        "TaskScheduled",
        "TaskStarted",
        "TaskSucceeded",
        "TaskStateExited",
    ]
    assert "ParallelStateFailed" not in types(ok)
    broken = sm.execute({}, mocks={"Work": [{"Throw": {"Error": "Broken"}}] * 3}, clock=VirtualClock(START))
    assert types(broken).count("ParallelStateStarted") == 3 and types(broken).count("ParallelStateFailed") == 1


def test_a_parallel_aborted_by_a_failing_sibling_and_a_stopped_execution() -> None:
    inner = {"StartAt": "Inner", "States": {"Inner": {"Type": "Parallel", "Branches": [wait_branch()], "End": True}}}
    ex = parallel(inner, fail("Late"), Catch=[{"ErrorEquals": ["Late"], "Next": "Done"}]).execute({})
    assert ex.status == "SUCCEEDED"
    assert types(ex)[5:12] == [
        "FailStateEntered",
        "WaitStateEntered",
        "WaitStateAborted",
        "ParallelStateAborted",
        "ParallelStateFailed",
        "ParallelStateExited",
        "PassStateEntered",
    ]
    clock = VirtualClock(START)
    handle = parallel(inner).start({}, clock=clock)
    handle.stop("Halt", "stopped")
    stopped = handle.wait(5)
    assert stopped.status == "ABORTED"
    assert types(stopped)[-1] == "ExecutionAborted" and not any(t.endswith("StateAborted") for t in types(stopped))


def test_a_parallel_of_a_timed_out_execution_records_no_aborts() -> None:
    sm = StateMachine.from_json(
        {
            "StartAt": "P",
            "TimeoutSeconds": 5,
            "States": {"P": {"Type": "Parallel", "Branches": [wait_branch()], "End": True}},
        }
    )
    ex = sm.execute({}, clock=VirtualClock(START))
    assert ex.status == "TIMED_OUT"
    assert types(ex)[-2:] == ["WaitStateEntered", "ExecutionTimedOut"]


def test_a_parallel_whose_arguments_fail_to_evaluate_fails_like_a_map() -> None:
    sm = machine(
        {"P": {"Type": "Parallel", "Arguments": "{% $nothing %}", "Branches": [wait_branch()], "End": True}},
        QueryLanguage="JSONata",
    )
    ex = sm.execute({})
    assert ex.error == "States.QueryEvaluationError"
    assert chain(ex)[1:] == [
        (2, 0, "ParallelStateEntered"),
        (3, 0, "EvaluationFailed"),
        (4, 3, "ParallelStateFailed"),
        (5, 4, "ExecutionFailed"),
    ]


# -- Tasks that wait: TaskSubmitted ----------------------------------------------------------------


def sync_resources() -> Resources:
    resources = Resources()
    resources.state_machine(
        StateMachine.from_json(
            {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 30, "End": True}}}, name="Child"
        )
    )
    return resources


def sync_machine(**fields: Any) -> StateMachine:
    return machine(
        {
            "Run": {
                "Type": "Task",
                "Resource": START_SYNC,
                "Parameters": {"StateMachineArn": CHILD_ARN},
                "Next": "Done",
                **fields,
            },
            "Done": {"Type": "Pass", "End": True},
        }
    )


def test_a_sync_task_records_the_submission_then_its_outcome() -> None:
    # evidence: callback/test_callback::test_start_execution_sync2
    ex = sync_machine().execute({}, resources=sync_resources(), clock=VirtualClock(START))
    assert chain(ex)[1:7] == [
        (2, 0, "TaskStateEntered"),
        (3, 2, "TaskScheduled"),
        (4, 3, "TaskStarted"),
        (5, 4, "TaskSubmitted"),
        (6, 5, "TaskSucceeded"),
        (7, 6, "TaskStateExited"),
    ]


def test_a_sync_task_that_times_out_was_submitted_first() -> None:
    # evidence: timeouts/test_heartbeats::test_heartbeat_timeout (TaskSubmitted, TaskTimedOut)
    ex = sync_machine(TimeoutSeconds=10).execute({}, resources=sync_resources(), clock=VirtualClock(START))
    assert (ex.status, ex.error) == ("FAILED", "States.Timeout")
    assert types(ex)[2:6] == ["TaskScheduled", "TaskStarted", "TaskSubmitted", "TaskTimedOut"]


def test_a_sync_task_retried_and_caught_is_submitted_on_every_attempt() -> None:
    resources = Resources()
    resources.state_machine(
        StateMachine.from_json({"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "No"}}}, name="Child")
    )
    sm = sync_machine(
        Retry=[{"ErrorEquals": ["States.TaskFailed"], "MaxAttempts": 1}],
        Catch=[{"ErrorEquals": ["States.ALL"], "Next": "Done"}],
    )
    ex = sm.execute({}, resources=resources, clock=VirtualClock(START))
    assert ex.status == "SUCCEEDED"
    assert types(ex)[2:11] == [
        "TaskScheduled",
        "TaskStarted",
        "TaskSubmitted",
        "TaskFailed",
        "TaskScheduled",
        "TaskStarted",
        "TaskSubmitted",
        "TaskFailed",
        "TaskStateExited",
    ]


@pytest.mark.parametrize(
    "resource", [START_SYNC, START_SYNC + ":2", "arn:aws:states:::glue:startJobRun.sync", SQS_CALLBACK]
)
def test_mocked_tasks_that_wait_record_the_submission(resource: str) -> None:
    # evidence: test_start_execution_sync, test_start_execution_sync_delegate_failure,
    # test_sqs_failure_in_wait_for_task_tok_no_error_field[SQS_WAIT_FOR_TASK_TOKEN_CATCH]
    sm = machine({"T": {"Type": "Task", "Resource": resource, "Parameters": {}, "End": True}})
    ok = sm.execute({}, mocks={"T": [{"Return": {"done": True}}]})
    assert types(ok)[2:6] == ["TaskScheduled", "TaskStarted", "TaskSubmitted", "TaskSucceeded"]
    failed = sm.execute({}, mocks={"T": [{"Throw": {"Error": "Job.Failed", "Cause": "no"}}]})
    assert types(failed)[2:6] == ["TaskScheduled", "TaskStarted", "TaskSubmitted", "TaskFailed"]


def test_request_response_tasks_and_exhausted_mocks_record_no_submission() -> None:
    sm = machine({"T": {"Type": "Task", "Resource": LAMBDA_INVOKE, "End": True}})
    assert "TaskSubmitted" not in types(sm.execute({}, mocks={"T": [{"Return": 1}]}))
    callback = machine({"T": {"Type": "Task", "Resource": SQS_CALLBACK, "Parameters": {}, "End": True}})
    exhausted = callback.execute({}, mocks={"T": []})
    assert exhausted.error == "States.Runtime" and "TaskSubmitted" not in types(exhausted)


def test_a_callback_task_records_the_services_answer_then_the_callbacks_outcome() -> None:
    # evidence: callback/test_callback::test_sqs_failure_in_wait_for_task_token
    resources = Resources()
    resources.handler(SQS_CALLBACK, lambda request: {"MessageId": "m-1"})
    sm = machine(
        {
            "Ask": {
                "Type": "Task",
                "Resource": SQS_CALLBACK,
                "Parameters": {"MessageBody": {"Token.$": "$$.Task.Token"}},
                "Catch": [{"ErrorEquals": ["Failure error"], "Next": "Done"}],
                "Next": "Done",
            },
            "Done": {"Type": "Pass", "End": True},
        }
    )
    handle = sm.start({}, resources=resources, clock=VirtualClock(START))
    handle.send_task_failure(handle.wait_for_task_token(), "Failure error", "Failure cause")
    ex = handle.wait(5)
    assert ex.status == "SUCCEEDED"
    assert types(ex)[2:7] == ["TaskScheduled", "TaskStarted", "TaskSubmitted", "TaskFailed", "TaskStateExited"]
    assert ex.history[4]["taskSubmittedEventDetails"]["output"] == '{"MessageId":"m-1"}'


def test_a_handler_failing_the_call_itself_records_no_submission() -> None:
    resources = Resources()

    def refuse(request: TaskRequest) -> Any:
        raise StatesError("SQS.QueueDoesNotExistException", "no such queue")

    resources.handler(SQS_CALLBACK, refuse)
    sm = machine({"T": {"Type": "Task", "Resource": SQS_CALLBACK, "Parameters": {}, "End": True}})
    ex = sm.execute({}, resources=resources)
    assert types(ex)[2:5] == ["TaskScheduled", "TaskStarted", "TaskFailed"]


def test_a_callback_task_whose_heartbeat_times_out_was_submitted_first() -> None:
    # evidence: timeouts/test_heartbeats::test_heartbeat_timeout (TaskSubmitted, TaskTimedOut)
    resources = Resources()
    resources.handler(SQS_CALLBACK, lambda request: {"MessageId": "m-1"})
    sm = machine(
        {
            "Ask": {
                "Type": "Task",
                "Resource": SQS_CALLBACK,
                "Parameters": {"MessageBody.$": "$$.Task.Token"},
                "HeartbeatSeconds": 5,
                "Retry": [{"ErrorEquals": ["States.HeartbeatTimeout"], "MaxAttempts": 1}],
                "End": True,
            }
        }
    )
    clock = VirtualClock(START)
    handle = sm.start({}, resources=resources, clock=clock)
    handle.wait_for_task_token()
    clock.advance(6)  # the heartbeat times out; the retry sends a new token
    handle.wait_for_task_token()
    clock.advance(6)
    ex = handle.wait(5)
    assert (ex.status, ex.error) == ("FAILED", "States.Timeout")
    assert types(ex)[2:10] == [
        "TaskScheduled",
        "TaskStarted",
        "TaskSubmitted",
        "TaskTimedOut",
        "TaskScheduled",
        "TaskStarted",
        "TaskSubmitted",
        "TaskTimedOut",
    ]
