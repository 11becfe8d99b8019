"""Recorded cases whose setup put S3 objects: the runner replays them into the embedded S3."""

from __future__ import annotations

from typing import Any

from asl_engine.conformance.engine import load_engine
from asl_engine.conformance.runner import run_case, run_case_with_handlers, setup_resources

from .fakes import make_case

BODY = "Col1,Col2\nValue1,Value2\nValue3,Value4\n"
DEFINITION = {
    "StartAt": "MapState",
    "States": {
        "MapState": {
            "Type": "Map",
            "ItemReader": {
                "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"},
                "Resource": "arn:aws:states:::s3:getObject",
                "Parameters": {"Bucket.$": "$.Bucket", "Key.$": "$.Key"},
            },
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                "StartAt": "PassItem",
                "States": {"PassItem": {"Type": "Pass", "End": True}},
            },
            "End": True,
        }
    },
}
SETUP = [
    {"call": "fixture:s3_create_bucket", "args": [], "kwargs": {}},
    {"call": "aws_client.s3.put_object", "args": [], "kwargs": {"Bucket": "bucket-name", "Key": "f.csv", "Body": BODY}},
]


def reader_case(**overrides: Any) -> Any:
    fields: dict[str, Any] = {
        "category": "mocked",
        "definition": DEFINITION,
        "input": {"Bucket": "bucket-name", "Key": "f.csv"},
        "task_results": [],
        "setup_calls": SETUP,
        "comparison": {"placeholders": ["bucket-name"], "value_placeholders": []},
        "expected": {
            "status": "SUCCEEDED",
            "output": [{"Col1": "Value1", "Col2": "Value2"}, {"Col1": "Value3", "Col2": "Value4"}],
            "history_event_types": [
                "ExecutionStarted", "MapStateEntered", "MapStateStarted", "MapRunStarted", "MapRunSucceeded",
                "MapStateSucceeded", "MapStateExited", "ExecutionSucceeded",
            ],
        },
    }  # fmt: skip
    fields.update(overrides)
    return make_case(**fields)


def test_the_mocked_run_reads_the_replayed_object() -> None:
    result = run_case(reader_case(), load_engine())
    assert result.outcome == "passed", result.problems
    assert result.metrics["history_event_types"].passed


def test_the_handlers_run_reads_it_too() -> None:
    result = run_case_with_handlers(reader_case(), load_engine())
    assert result.outcome == "passed", result.problems


def test_a_wrong_expectation_still_fails() -> None:
    expected = {"status": "SUCCEEDED", "output": [{"Col1": "other"}], "history_event_types": ["ExecutionStarted"]}
    assert run_case(reader_case(expected=expected), load_engine()).outcome == "failed"


def test_the_fixture_bucket_takes_its_name_from_the_calls_or_the_placeholders() -> None:
    named = setup_resources(reader_case())
    assert named.s3.bucket_names() == ["bucket-name"]
    assert named.s3.get_object("bucket-name", "f.csv").body.decode() == BODY
    comparison = {"placeholders": ["111111111111", "bucket-name"], "value_placeholders": []}
    only_fixture = setup_resources(reader_case(setup_calls=SETUP[:1], comparison=comparison))
    assert only_fixture.s3.bucket_names() == ["bucket-name"]
    assert only_fixture.s3.list_objects_v2("bucket-name").objects == []
    assert setup_resources(reader_case(setup_calls=[{"call": "fixture:create_lambda_function"}])) is None
