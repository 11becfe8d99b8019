"""Local Glue jobs behind glue:startJobRun and glue:startJobRun.sync."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import pytest

from asl_engine import RealClock, StateMachine
from asl_engine.errors import ConfigurationError
from asl_engine.services import Resources
from tests.services.support import START, clock, events, submitted_output, task_machine

SYNC = "arn:aws:states:::glue:startJobRun.sync"
REQUEST_RESPONSE = "arn:aws:states:::glue:startJobRun"


@pytest.fixture
def resources() -> Resources:
    resources = Resources()
    resources.received = []  # type: ignore[attr-defined]

    @resources.glue_job("etl", default_arguments={"--mode": "full", "--stage": "dev"})
    def etl(arguments: dict[str, str]) -> None:
        resources.received.append(arguments)  # type: ignore[attr-defined]
        if arguments.get("--fail"):
            raise ValueError(f"bad input {arguments['--fail']}")

    return resources


def run(resources: Resources, resource: str, parameters: dict[str, Any], **kwargs: Any) -> Any:
    machine = task_machine(resource, Parameters=parameters)
    return machine.execute({}, resources=resources, clock=kwargs.pop("clock", None) or clock(), seed=2, **kwargs)


def test_sync_returns_the_job_run(resources: Resources) -> None:
    execution = run(resources, SYNC, {"JobName": "etl", "Arguments": {"--stage": "prod"}})
    job_run = execution.output
    assert job_run["JobRunState"] == "SUCCEEDED"
    assert job_run["JobName"] == "etl"
    assert job_run["Arguments"] == {"--stage": "prod"}
    assert resources.received == [{"--mode": "full", "--stage": "prod"}]  # type: ignore[attr-defined]
    assert job_run["Id"].startswith("jr_") and len(job_run["Id"]) == 67
    millis = int(START.timestamp() * 1000)
    assert (job_run["StartedOn"], job_run["CompletedOn"], job_run["ExecutionTime"]) == (millis, millis, 0)
    assert list(job_run) == sorted(job_run)
    assert {"Attempt", "GlueVersion", "WorkerType", "NumberOfWorkers", "Timeout", "MaxCapacity"} <= set(job_run)
    assert "ErrorMessage" not in job_run


def test_sync_submits_the_start_response(resources: Resources) -> None:
    execution = run(resources, SYNC, {"JobName": "etl"})
    submitted = submitted_output(execution)
    assert (submitted["JobName"], submitted["JobRunId"]) == ("etl", execution.output["Id"])
    assert submitted["SdkHttpMetadata"]["HttpHeaders"]["Content-Length"] == str(
        len(json.dumps({"JobRunId": execution.output["Id"]}, separators=(",", ":")))
    )
    assert [e["type"] for e in execution.history][2:6] == [
        "TaskScheduled",
        "TaskStarted",
        "TaskSubmitted",
        "TaskSucceeded",
    ]


def test_failed_run_fails_the_task_with_the_job_run_as_cause(resources: Resources) -> None:
    execution = run(resources, SYNC, {"JobName": "etl", "Arguments": {"--fail": "row 7"}})
    assert execution.error == "States.TaskFailed"
    job_run = json.loads(execution.cause or "")
    assert job_run["JobRunState"] == "FAILED"
    assert job_run["ErrorMessage"] == "ValueError: bad input row 7"
    assert events(execution, "TaskFailed")[0]["resource"] == "startJobRun.sync"


def test_request_response_returns_the_run_id(resources: Resources) -> None:
    execution = run(resources, REQUEST_RESPONSE, {"JobName": "etl"})
    output = execution.output
    assert set(output) == {"JobName", "JobRunId", "SdkHttpMetadata", "SdkResponseMetadata"}
    (job_run,) = resources.glue.runs("etl")
    assert (output["JobRunId"], job_run.state) == (job_run.id, "SUCCEEDED")


def test_unknown_job(resources: Resources) -> None:
    execution = run(resources, SYNC, {"JobName": "nope"})
    assert execution.error == "Glue.EntityNotFoundException"
    assert (execution.cause or "").startswith(
        "Failed to start job run due to missing metadata (Service: AWSGlue; Status Code: 400; "
        "Error Code: EntityNotFoundException; Request ID: "
    )


def test_max_concurrent_runs() -> None:
    resources = Resources()
    release = threading.Event()
    resources.glue_job("slow", lambda arguments: release.wait(5), max_concurrent_runs=1)
    machine = StateMachine.from_json(
        {
            "StartAt": "Both",
            "States": {
                "Both": {
                    "Type": "Parallel",
                    "End": True,
                    "Branches": [
                        {
                            "StartAt": f"Run{i}",
                            "States": {
                                f"Run{i}": {
                                    "Type": "Task",
                                    "Resource": SYNC,
                                    "Parameters": {"JobName": "slow"},
                                    "End": True,
                                }
                            },
                        }
                        for i in (1, 2)
                    ],
                }
            },
        }
    )
    handle = machine.start({}, resources=resources, clock=clock())
    execution = None
    try:
        time.sleep(0.2)
    finally:
        release.set()
        execution = handle.wait(5)
    assert execution.error == "Glue.ConcurrentRunsExceededException"
    assert (execution.cause or "").startswith("Concurrent runs exceeded for slow (Service: AWSGlue; Status Code: 400;")
    assert [run.state for run in resources.glue.runs("slow")] == ["STOPPED"]  # its branch was aborted


def test_concurrency_frees_up_when_runs_finish(resources: Resources) -> None:
    for _ in range(3):
        assert run(resources, SYNC, {"JobName": "etl"}).status == "SUCCEEDED"
    assert [r.state for r in resources.glue.runs("etl")] == ["SUCCEEDED"] * 3


def test_real_clock_sync_waits_for_the_worker() -> None:
    resources = Resources()
    resources.glue_job("nap", lambda arguments: time.sleep(0.3))
    execution = run(resources, SYNC, {"JobName": "nap"}, clock=RealClock())
    assert execution.output["JobRunState"] == "SUCCEEDED"
    assert execution.output["CompletedOn"] - execution.output["StartedOn"] >= 250


def test_task_timeout_stops_a_long_run() -> None:
    resources = Resources()
    resources.glue_job("long", lambda arguments: time.sleep(3))
    machine = task_machine(SYNC, Parameters={"JobName": "long"}, TimeoutSeconds=1)
    execution = machine.execute({}, resources=resources, clock=RealClock())
    assert execution.error == "States.Timeout"
    assert [r.state for r in resources.glue.runs("long")] == ["STOPPED"]


@pytest.mark.parametrize(
    ("parameters", "error", "text"),
    [
        ({}, "States.Runtime", "[The field 'JobName' is required]"),
        ({"JobName": "etl", "Arguments": {"--n": 1}}, "States.Runtime", "'Arguments' has an invalid format"),
        ({"JobName": "etl", "WorkerType": "huge"}, "Glue.ValidationException", "Member must satisfy enum value set"),
        ({"JobName": "etl", "NumberOfWorkers": 0}, "States.Runtime", "'NumberOfWorkers' has an invalid format"),
    ],
)
def test_invalid_parameters(resources: Resources, parameters: dict[str, Any], error: str, text: str) -> None:
    execution = run(resources, SYNC, parameters)
    assert execution.error == error
    assert text in (execution.cause or "")


def test_run_settings_show_in_the_job_run(resources: Resources) -> None:
    job_run = run(resources, SYNC, {"JobName": "etl", "WorkerType": "G.2X", "NumberOfWorkers": 4, "Timeout": 60}).output
    assert (job_run["WorkerType"], job_run["NumberOfWorkers"], job_run["Timeout"]) == ("G.2X", 4, 60)
    assert job_run["MaxCapacity"] == 8


def test_invalid_job_registration() -> None:
    with pytest.raises(ConfigurationError, match="max_concurrent_runs must be a positive integer"):
        Resources().glue_job("j", lambda arguments: None, max_concurrent_runs=0)
    with pytest.raises(ConfigurationError, match="worker_type must be one of"):
        Resources().glue_job("j", lambda arguments: None, worker_type="G.3X")
