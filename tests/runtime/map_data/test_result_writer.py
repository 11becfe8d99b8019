"""ResultWriter: formatting the children's results, and exporting them to the embedded S3."""

from __future__ import annotations

import json
from typing import Any

import pytest

from asl_engine import ValidationError
from asl_engine.services import Resources

from .support import details, distributed_map, event_types

FAILING_ODD = {
    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
    "StartAt": "Check",
    "States": {
        "Check": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.odd", "BooleanEquals": True, "Next": "Fail"}],
            "Default": "Done",
        },
        "Fail": {"Type": "Fail", "Error": "Odd", "Cause": "odd item"},
        "Done": {"Type": "Pass", "Result": [1, 2], "End": True},
    },
}
EXPORT = {"Resource": "arn:aws:states:::s3:putObject", "Parameters": {"Bucket": "results", "Prefix": "jobs"}}


def items(count: int) -> list[dict[str, Any]]:
    return [{"odd": index % 2 == 1} for index in range(count)]


@pytest.fixture
def resources() -> Resources:
    resources = Resources()
    resources.s3_bucket("results")
    return resources


def read_json(resources: Resources, key: str) -> Any:
    return json.loads(resources.s3.get_object("results", key).body)


@pytest.mark.parametrize(
    ("transformation", "expected"),
    [("COMPACT", [[1, 2], [1, 2]]), ("FLATTEN", [1, 2, 1, 2])],
)
def test_writer_config_alone_formats_the_result(transformation: str, expected: list[Any]) -> None:
    writer = {"WriterConfig": {"OutputType": "JSON", "Transformation": transformation}}
    execution = distributed_map(processor=FAILING_ODD, ResultWriter=writer).execute([{"odd": False}] * 2)
    assert execution.output == expected


def test_transformation_none_gives_execution_records() -> None:
    writer = {"WriterConfig": {"OutputType": "JSON", "Transformation": "NONE"}}
    execution = distributed_map(processor=FAILING_ODD, ResultWriter=writer).execute([{"odd": False}])
    (record,) = execution.output
    child = execution.child_executions[0]
    assert record == {
        "ExecutionArn": child.arn,
        "Input": '{"odd":false}',
        "InputDetails": {"Included": True},
        "Name": child.name,
        "Output": "[1,2]",
        "OutputDetails": {"Included": True},
        "RedriveCount": 0,
        "RedriveStatus": "NOT_REDRIVABLE",
        "RedriveStatusReason": "Execution is SUCCEEDED and cannot be redriven",
        "StartDate": record["StartDate"],
        "StateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:Machine/Map",
        "Status": "SUCCEEDED",
        "StopDate": record["StopDate"],
    }
    assert record["StartDate"].endswith("Z") and len(record["StartDate"]) == len("2025-02-04T01:49:50.099Z")


def test_export_writes_result_files_and_the_manifest(resources: Resources) -> None:
    machine = distributed_map(processor=FAILING_ODD, ResultWriter=EXPORT, ToleratedFailureCount=5)
    execution = machine.execute(items(3), resources=resources)
    assert execution.status == "SUCCEEDED", execution.cause
    map_run_arn = details(execution, "MapRunStarted")[0]["mapRunArn"]
    run_id = map_run_arn.rsplit(":", 1)[1]
    assert execution.output == {
        "MapRunArn": map_run_arn,
        "ResultWriterDetails": {"Bucket": "results", "Key": f"jobs/{run_id}/manifest.json"},
    }
    manifest = read_json(resources, f"jobs/{run_id}/manifest.json")
    succeeded_key, failed_key = f"jobs/{run_id}/SUCCEEDED_0.json", f"jobs/{run_id}/FAILED_0.json"
    assert manifest == {
        "DestinationBucket": "results",
        "MapRunArn": map_run_arn,
        "ResultFiles": {
            "FAILED": [{"Key": failed_key, "Size": resources.s3.get_object("results", failed_key).size}],
            "PENDING": [],
            "SUCCEEDED": [{"Key": succeeded_key, "Size": resources.s3.get_object("results", succeeded_key).size}],
        },
    }
    succeeded = read_json(resources, succeeded_key)
    assert [json.loads(record["Input"]) for record in succeeded] == [{"odd": False}, {"odd": False}]
    assert all(record["Status"] == "SUCCEEDED" and record["Output"] == "[1,2]" for record in succeeded)
    (failed,) = read_json(resources, failed_key)
    assert (failed["Status"], failed["Error"], failed["Cause"]) == ("FAILED", "Odd", "odd item")
    assert "Output" not in failed


@pytest.mark.parametrize(("prefix", "folder"), [("jobs/", "jobs/"), ("", "")])
def test_the_prefix_gets_one_slash(resources: Resources, prefix: str, folder: str) -> None:
    writer = {**EXPORT, "Parameters": {"Bucket": "results", "Prefix": prefix}}
    execution = distributed_map(ResultWriter=writer).execute([1], resources=resources)
    run_id = details(execution, "MapRunStarted")[0]["mapRunArn"].rsplit(":", 1)[1]
    assert execution.output["ResultWriterDetails"]["Key"] == f"{folder}{run_id}/manifest.json"


def test_jsonl_output_and_compact_transformation(resources: Resources) -> None:
    writer = {**EXPORT, "WriterConfig": {"OutputType": "JSONL", "Transformation": "COMPACT"}}
    execution = distributed_map(ResultWriter=writer).execute([{"a": 1}, {"a": 2}], resources=resources)
    manifest = read_json(resources, execution.output["ResultWriterDetails"]["Key"])
    (entry,) = manifest["ResultFiles"]["SUCCEEDED"]
    assert entry["Key"].endswith("/SUCCEEDED_0.jsonl")
    assert resources.s3.get_object("results", entry["Key"]).body == b'{"a":1}\n{"a":2}\n'


def test_jsonata_arguments(resources: Resources) -> None:
    writer = {
        "Resource": "arn:aws:states:::s3:putObject",
        "Arguments": {"Bucket": "{% $states.input.bucket %}", "Prefix": "p"},
    }
    execution = distributed_map("JSONata", Items="{% $states.input.items %}", ResultWriter=writer).execute(
        {"bucket": "results", "items": [1]}, resources=resources
    )
    assert execution.output["ResultWriterDetails"]["Bucket"] == "results"


def test_a_missing_bucket_fails_the_map_run(resources: Resources) -> None:
    writer = {**EXPORT, "Parameters": {"Bucket": "nowhere", "Prefix": "p"}}
    execution = distributed_map(ResultWriter=writer).execute([1], resources=resources)
    assert execution.error == "States.ResultWriterFailed"
    assert execution.cause is not None and execution.cause.startswith("The specified bucket does not exist (Service")
    assert event_types(execution)[-4:] == ["MapRunStarted", "MapRunFailed", "MapStateFailed", "ExecutionFailed"]


def test_exceeding_the_tolerance_still_exports_then_fails(resources: Resources) -> None:
    machine = distributed_map(processor=FAILING_ODD, ResultWriter=EXPORT, MaxConcurrency=1)
    execution = machine.execute(items(4), resources=resources)
    assert execution.error == "States.ExceedToleratedFailureThreshold"
    run_id = details(execution, "MapRunStarted")[0]["mapRunArn"].rsplit(":", 1)[1]
    manifest = read_json(resources, f"jobs/{run_id}/manifest.json")
    assert [len(manifest["ResultFiles"][status]) for status in ("SUCCEEDED", "FAILED", "PENDING")] == [1, 1, 1]
    pending = read_json(resources, manifest["ResultFiles"]["PENDING"][0]["Key"])
    assert pending == [
        {"Input": '{"odd":false}', "InputDetails": {"Included": True}, "Status": "PENDING"},
        {"Input": '{"odd":true}', "InputDetails": {"Included": True}, "Status": "PENDING"},
    ]


def test_without_resources_an_export_says_how_to_provide_the_bucket() -> None:
    execution = distributed_map(ResultWriter=EXPORT).execute([1])
    assert execution.error == "States.Runtime"
    assert execution.cause is not None and "resources.s3_bucket('results')" in execution.cause


@pytest.mark.parametrize(
    ("writer", "message"),
    [
        ({"Resource": "arn:aws:states:::s3:getObject", "Parameters": {}}, "writes with arn:aws:states:::s3:putObject"),
        ({"Resource": "arn:aws:states:::s3:putObject"}, "needs 'Parameters' with the Bucket and Prefix"),
        ({"Parameters": {"Bucket": "b", "Prefix": "p"}}, "need 'Resource'"),
    ],
)
def test_definition_errors(writer: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        distributed_map(ResultWriter=writer)


def test_results_go_to_further_files_as_each_fills(resources: Resources, monkeypatch: pytest.MonkeyPatch) -> None:
    from asl_engine.runtime.map_data import writer

    monkeypatch.setattr(writer, "RESULT_FILE_BYTES", 2_000)  # AWS's is 5 GB; this engine's 64 MiB
    machine = distributed_map(processor=FAILING_ODD, ResultWriter=EXPORT, ToleratedFailureCount=100)
    execution = machine.execute(items(40), resources=resources)
    assert execution.status == "SUCCEEDED", execution.cause
    manifest = read_json(resources, execution.output["ResultWriterDetails"]["Key"])
    succeeded = manifest["ResultFiles"]["SUCCEEDED"]
    failed = manifest["ResultFiles"]["FAILED"]
    assert len(succeeded) > 1 and len(failed) > 1
    assert [entry["Key"].rsplit("/", 1)[1] for entry in succeeded] == [
        f"SUCCEEDED_{number}.json" for number in range(len(succeeded))
    ]
    records = [record for entry in succeeded for record in read_json(resources, entry["Key"])]
    assert [json.loads(record["Input"]) for record in records] == items(40)[0::2]
    failures = [record for entry in failed for record in read_json(resources, entry["Key"])]
    assert [json.loads(record["Input"]) for record in failures] == items(40)[1::2]
    for entry in [*succeeded, *failed]:
        body = resources.s3.get_object("results", entry["Key"]).body
        assert entry["Size"] == len(body)
        assert len(body) < 2_000 + 1_000  # a file closes once it passes the limit
