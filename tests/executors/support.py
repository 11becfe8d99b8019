"""A Distributed Map over a CSV in the embedded S3, run the same way through any executor."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from asl_engine import Execution, StateMachine
from asl_engine.runtime.clock import VirtualClock
from asl_engine.services import Resources

from . import worker_handlers

START = datetime(2025, 2, 4, 1, 49, 50, tzinfo=UTC)
HANDLERS = {
    "double": worker_handlers.double,
    "kill_worker_once": worker_handlers.kill_worker_once,
    "kill_worker_always": worker_handlers.kill_worker_always,
}


def machine(
    *, batcher: dict[str, Any] | None = None, processor: dict[str, Any] | None = None, **fields: Any
) -> StateMachine:
    """The Map reads ``rows.csv`` (column ``id``), gives each child ``{id, dir, fail, kill}``, exports."""
    state: dict[str, Any] = {
        "Type": "Map",
        "End": True,
        "ItemReader": {
            "Resource": "arn:aws:states:::s3:getObject",
            "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"},
            "Parameters": {"Bucket": "input-data", "Key": "rows.csv"},
        },
        "ItemSelector": {"id.$": "$$.Map.Item.Value.id", "dir.$": "$.dir", "fail.$": "$.fail", "kill.$": "$.kill"},
        "ItemProcessor": processor
        or {
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "Work",
            "States": {
                "Work": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Work", "End": True}
            },
        },
        "ResultWriter": {
            "Resource": "arn:aws:states:::s3:putObject",
            "Parameters": {"Bucket": "results", "Prefix": "out"},
        },
        **fields,
    }
    if batcher is not None:
        state["ItemBatcher"] = batcher
    return StateMachine.from_json({"StartAt": "Map", "States": {"Map": state}}, name="Fanout")


def resources(rows: int, handler: str = "double") -> Resources:
    """In-memory S3 with ``rows`` CSV rows; ``Work`` is ``worker_handlers.<handler>`` (sent by reference)."""
    built = Resources()
    built.s3_object("input-data", "rows.csv", "id,name\n" + "".join(f"{i},row {i}\n" for i in range(rows)))
    built.s3_bucket("results")
    built.lambda_function("Work", HANDLERS[handler])
    return built


def run(
    state_machine: StateMachine,
    built: Resources,
    directory: Path,
    *,
    executor: Any = None,
    fail: tuple[int, ...] = (),
    kill: int | None = None,
    **options: Any,
) -> Execution:
    directory.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(directory / "pids", ignore_errors=True)
    execution_input = {
        "dir": str(directory),
        "fail": [str(i) for i in fail],
        "kill": "none" if kill is None else str(kill),
    }
    return state_machine.execute(
        execution_input, resources=built, executor=executor, seed=42, clock=VirtualClock(START), **options
    )


def result_files(built: Resources) -> dict[str, bytes]:
    """Every object the ResultWriter wrote, by key."""
    s3 = built.s3
    keys = [obj.key for obj in s3.list_objects_v2("results").objects]
    return {key: s3.get_object("results", key).body for key in keys}


def pids(directory: Path) -> set[int]:
    return {int(path.name) for path in (directory / "pids").iterdir()}


def outputs(built: Resources, execution: Execution) -> list[Any]:
    manifest = json.loads(built.s3.get_object("results", execution.output["ResultWriterDetails"]["Key"]).body)
    files = manifest["ResultFiles"]["SUCCEEDED"]
    records = [record for file in files for record in json.loads(built.s3.get_object("results", file["Key"]).body)]
    return [json.loads(record["Output"]) for record in records]


def same_run(
    expected: Execution, actual: Execution, expected_files: dict[str, bytes], actual_files: dict[str, bytes]
) -> None:
    """Two runs of one Map are indistinguishable: parent history, children and their histories, files."""
    assert actual.status == expected.status, (actual.error, actual.cause)
    assert actual.history == expected.history
    assert actual.output == expected.output
    assert actual_files == expected_files
    expected_children, actual_children = expected.child_executions, actual.child_executions
    assert [child.name for child in actual_children] == [child.name for child in expected_children]
    assert [child.status for child in actual_children] == [child.status for child in expected_children]
    for mine, theirs in zip(actual_children, expected_children, strict=True):
        assert mine.history == theirs.history
        assert mine.output == theirs.output
        assert (mine.error, mine.cause) == (theirs.error, theirs.cause)


def waiting_batched_machine(**fields: Any) -> StateMachine:
    """Batches of three items; each child waits 5 s (virtual), then ``Work`` fails the items listed."""
    processor = {
        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
        "StartAt": "Pause",
        "States": {
            "Pause": {"Type": "Wait", "Seconds": 5, "Next": "Work"},
            "Work": {
                "Type": "Task",
                "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Work",
                "Parameters": {"id.$": "$.Items[0].id", "dir.$": "$.Items[0].dir", "fail.$": "$.Items[0].fail"},
                "End": True,
            },
        },
    }
    return machine(processor=processor, batcher={"MaxItemsPerBatch": 3, "BatchInput": {"run": "batched"}}, **fields)


def tolerance_and_concurrency(directory: Path, executor: Any) -> None:
    """Tolerated failures, batches and MaxConcurrency through ``executor`` give the in-process run;
    then more failures than tolerated fail both runs alike."""
    tolerant = waiting_batched_machine(ToleratedFailureCount=10, MaxConcurrency=4)
    local = resources(40)
    expected = run(tolerant, local, directory, fail=(0, 9, 21))
    remote = resources(40)
    actual = run(tolerant, remote, directory, executor=executor, fail=(0, 9, 21))
    assert expected.status == "SUCCEEDED"
    same_run(expected, actual, result_files(local), result_files(remote))
    failed = [child for child in actual.child_executions if child.status == "FAILED"]
    assert [child.error for child in failed] == ["ValueError"] * 3
    # MaxConcurrency 4 with 5 s waits, across every worker: the children started in waves, as in-process.
    starts = sorted({child.start_date for child in actual.child_executions})
    assert [(start - starts[0]).total_seconds() for start in starts] == [0, 5, 10, 15]

    strict = waiting_batched_machine(ToleratedFailureCount=1, MaxConcurrency=4)
    local, remote = resources(40), resources(40)
    expected = run(strict, local, directory, fail=(0, 3, 21))
    actual = run(strict, remote, directory, executor=executor, fail=(0, 3, 21))
    assert (expected.status, expected.error) == ("FAILED", "States.ExceedToleratedFailureThreshold")
    assert (actual.status, actual.error, actual.cause) == (expected.status, expected.error, expected.cause)
    assert [event["type"] for event in actual.history] == [event["type"] for event in expected.history]
    # Which of the children that ended at the same moment as the second failure were taken before it
    # depends on the order their reports arrive from the workers (on AWS too): every batch is still
    # accounted for once, the failed ones are those with failing items, and nothing runs past the end.
    expected_counts, actual_counts = records_by_status(result_files(local)), records_by_status(result_files(remote))
    assert expected_counts == {"FAILED": 4, "PENDING": 10, "SUCCEEDED": 0}  # 2 failed, 2 aborted (in FAILED)
    assert sum(actual_counts.values()) == 14  # 40 items, 3 a batch: each batch once
    assert actual_counts["PENDING"] == 10  # only the first four started (MaxConcurrency), batch 7 never
    assert actual_counts["FAILED"] + actual_counts["SUCCEEDED"] == 4
    ended = [(child.status, child.input["Items"][0]["id"]) for child in actual.child_executions]
    assert ended[:2] == [("FAILED", "0"), ("FAILED", "3")]
    assert {status for status, _ in ended[2:]} <= {"ABORTED", "SUCCEEDED"} and len(ended) == 4


def records_by_status(files: dict[str, bytes]) -> dict[str, int]:
    """The records of each status in a Map Run's result files (its manifest lists them)."""
    manifest = json.loads(next(body for key, body in files.items() if key.endswith("manifest.json")))
    return {
        status: sum(len(json.loads(files[entry["Key"]])) for entry in entries)
        for status, entries in manifest["ResultFiles"].items()
    }
