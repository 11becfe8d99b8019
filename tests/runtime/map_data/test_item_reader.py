"""ItemReader end to end: StateMachine.execute with the embedded S3 in Resources."""

from __future__ import annotations

import gzip
import json
from typing import Any

import pytest

from asl_engine import StateMachine, ValidationError
from asl_engine.services import Resources

from .support import PROCESSOR, details, distributed_map, event_types, reader

RECORDED_ITEMS = [{"verdict": "true"}, {"verdict": "false"}, {"verdict": "mostly-true"}]


@pytest.fixture
def resources() -> Resources:
    resources = Resources()
    resources.s3_object("bucket", "key", json.dumps(RECORDED_ITEMS))
    return resources


def test_json_items_and_the_recorded_history(resources: Resources) -> None:
    execution = distributed_map(ItemReader=reader("JSON")).execute({}, resources=resources)
    assert execution.status == "SUCCEEDED" and execution.output == RECORDED_ITEMS
    assert event_types(execution) == [
        "ExecutionStarted", "MapStateEntered", "MapStateStarted", "MapRunStarted", "MapRunSucceeded",
        "MapStateSucceeded", "MapStateExited", "ExecutionSucceeded",
    ]  # fmt: skip
    assert details(execution, "MapStateStarted") == [{"length": 0}]


def test_parameters_come_from_the_input_and_items_path_is_not_applied(resources: Resources) -> None:
    definition = reader("JSON")
    definition["Parameters"] = {"Bucket.$": "$.where.bucket", "Key.$": "$.where.key"}
    machine = distributed_map(ItemReader=definition, ItemsPath="$.no_such_path")
    execution = machine.execute({"where": {"bucket": "bucket", "key": "key"}}, resources=resources)
    assert execution.output == RECORDED_ITEMS


def test_jsonata_arguments_and_max_items_expression(resources: Resources) -> None:
    definition = {
        "Resource": "arn:aws:states:::s3:getObject",
        "ReaderConfig": {"InputType": "JSON", "MaxItems": "{% $states.input.n %}"},
        "Arguments": {"Bucket": "{% $states.input.bucket %}", "Key": "key"},
    }
    machine = distributed_map("JSONata", ItemReader=definition)
    assert machine.execute({"bucket": "bucket", "n": 2}, resources=resources).output == RECORDED_ITEMS[:2]
    failed = machine.execute({"bucket": "bucket", "n": 1.5}, resources=resources)
    assert failed.error == "States.QueryEvaluationError"


@pytest.mark.parametrize(("max_items", "count"), [(0, 3), (2, 2), (100_000_000, 3)])
def test_max_items(resources: Resources, max_items: int, count: int) -> None:
    machine = distributed_map(ItemReader=reader("JSON", MaxItems=max_items))
    assert machine.execute({}, resources=resources).output == RECORDED_ITEMS[:count]


@pytest.mark.parametrize(("value", "count"), [(2, 2), ("2", 2), (0, 3), (2.0, 2), (100_000_001, 3)])
def test_max_items_path_takes_integers_and_strings_of_digits(resources: Resources, value: Any, count: int) -> None:
    machine = distributed_map(ItemReader=reader("JSON", MaxItemsPath="$.MaxItems"))
    assert machine.execute({"MaxItems": value}, resources=resources).output == RECORDED_ITEMS[:count]


def test_max_items_path_errors_as_recorded(resources: Resources) -> None:
    machine = distributed_map(ItemReader=reader("JSON", MaxItemsPath="$.MaxItems"))
    not_integer = machine.execute({"MaxItems": 1.5}, resources=resources)
    assert not_integer.error == "States.Runtime"
    assert not_integer.cause == (
        "An error occurred while executing the state 'Map' (entered at the event id #2). "
        'The MaxItemsPath field refers to value "1.5" which is not a valid integer: $.MaxItems'
    )
    assert event_types(not_integer)[-2:] == ["MapStateEntered", "ExecutionFailed"]
    negative = machine.execute({"MaxItems": -1}, resources=resources)
    assert (negative.error, negative.cause) == ("States.ItemReaderFailed", "field MaxItems must be positive")
    assert event_types(negative)[2:] == [
        "MapStateStarted", "MapRunStarted", "MapRunFailed", "MapStateFailed", "ExecutionFailed",
    ]  # fmt: skip
    assert details(negative, "MapRunFailed") == [
        {"error": "States.ItemReaderFailed", "cause": "field MaxItems must be positive"}
    ]


def test_csv_first_row_given_headers_and_delimiters(resources: Resources) -> None:
    resources.s3_object("bucket", "key", "id|name\n1|a\n2|b\n")
    first_row = distributed_map(ItemReader=reader("CSV", CSVHeaderLocation="FIRST_ROW", CSVDelimiter="PIPE"))
    assert first_row.execute({}, resources=resources).output == [{"id": "1", "name": "a"}, {"id": "2", "name": "b"}]
    given = distributed_map(
        ItemReader=reader("CSV", CSVHeaderLocation="GIVEN", CSVHeaders=["x", "y"], CSVDelimiter="PIPE")
    )
    assert given.execute({}, resources=resources).output[0] == {"x": "id", "y": "name"}


def test_jsonl_and_items_pointer(resources: Resources) -> None:
    resources.s3_object("bucket", "lines", '{"n": 1}\n{"n": 2}\n')
    resources.s3_object("bucket", "nested", json.dumps({"data": {"items": [1, 2, 3]}}))
    jsonl = reader("JSONL")
    jsonl["Parameters"]["Key"] = "lines"
    assert distributed_map(ItemReader=jsonl).execute({}, resources=resources).output == [{"n": 1}, {"n": 2}]
    pointed = reader("JSON", ItemsPointer="/data/items")
    pointed["Parameters"]["Key"] = "nested"
    assert distributed_map(ItemReader=pointed).execute({}, resources=resources).output == [1, 2, 3]


def test_map_item_source_and_item_selector(resources: Resources) -> None:
    selector = {
        "value.$": "$$.Map.Item.Value.verdict",
        "index.$": "$$.Map.Item.Index",
        "source.$": "$$.Map.Item.Source",
    }
    execution = distributed_map(ItemReader=reader("JSON", MaxItems=1), ItemSelector=selector).execute(
        {}, resources=resources
    )
    assert execution.output == [{"value": "true", "index": 0, "source": "S3://bucket/key"}]
    from_input = distributed_map(ItemSelector={"source.$": "$$.Map.Item.Source"}).execute([1], resources=resources)
    assert from_input.output == [{"source": "STATE_DATA"}]


def test_list_objects_v2_items_and_load_and_flatten(resources: Resources) -> None:
    s3 = resources.s3
    s3.put_object("logs", "day/1.csv", "level,msg\nINFO,a\n", now=1_668_699_881.25)
    s3.put_object("logs", "day/2.csv", "level,msg\nERROR,b\nWARN,c\n", now=1_668_699_882)
    s3.put_object("logs", "other.csv", "level,msg\n", now=1_668_699_882)
    listing = {"Resource": "arn:aws:states:::s3:listObjectsV2", "Parameters": {"Bucket": "logs", "Prefix": "day/"}}
    selector = {"item.$": "$$.Map.Item.Value", "source.$": "$$.Map.Item.Source"}
    listed = distributed_map(ItemReader=listing, ItemSelector=selector).execute({}, resources=resources).output
    assert listed == [
        {
            "item": {
                "Etag": s3.get_object("logs", "day/1.csv").etag,
                "Key": "day/1.csv",
                "LastModified": 1668699881,
                "Size": 17,
                "StorageClass": "STANDARD",
            },
            "source": "S3://logs",
        },
        {
            "item": {
                "Etag": s3.get_object("logs", "day/2.csv").etag,
                "Key": "day/2.csv",
                "LastModified": 1668699882,
                "Size": 25,
                "StorageClass": "STANDARD",
            },
            "source": "S3://logs",
        },
    ]
    flatten = {**listing, "ReaderConfig": {"InputType": "CSV", "Transformation": "LOAD_AND_FLATTEN"}}
    flattened = distributed_map(ItemReader=flatten, ItemSelector=selector).execute({}, resources=resources).output
    assert flattened == [
        {"item": {"level": "INFO", "msg": "a"}, "source": "S3://logs/day/1.csv"},
        {"item": {"level": "ERROR", "msg": "b"}, "source": "S3://logs/day/2.csv"},
        {"item": {"level": "WARN", "msg": "c"}, "source": "S3://logs/day/2.csv"},
    ]


def test_listing_follows_continuation_tokens(resources: Resources) -> None:
    for number in range(5):
        resources.s3_object("many", f"k{number}", "x")
    listing = {"Resource": "arn:aws:states:::s3:listObjectsV2", "Parameters": {"Bucket": "many", "MaxKeys": 2}}
    output = distributed_map(ItemReader=listing).execute({}, resources=resources).output
    assert [item["Key"] for item in output] == ["k0", "k1", "k2", "k3", "k4"]


def test_s3_inventory_and_athena_manifests(resources: Resources) -> None:
    resources.s3_object("inventory", "data/part-0.csv.gz", gzip.compress(b'"src","a.csv","10"\n"src","b.csv","20"\n'))
    resources.s3_object("inventory", "manifest.json", json.dumps({
        "destinationBucket": "arn:aws:s3:::inventory",
        "fileFormat": "CSV",
        "fileSchema": "Bucket, Key, Size",
        "files": [{"key": "data/part-0.csv.gz"}],
    }))  # fmt: skip
    inventory = {
        "Resource": "arn:aws:states:::s3:getObject",
        "ReaderConfig": {"InputType": "MANIFEST"},
        "Parameters": {"Bucket": "inventory", "Key": "manifest.json"},
    }
    assert distributed_map(ItemReader=inventory).execute({}, resources=resources).output == [
        {"Bucket": "src", "Key": "a.csv", "Size": "10"},
        {"Bucket": "src", "Key": "b.csv", "Size": "20"},
    ]
    resources.s3_object("athena", "out/1", '{"row": 1}\n')
    resources.s3_object("athena", "out/2", '{"row": 2}\n')
    resources.s3_object("athena", "out-manifest.csv", "s3://athena/out/1\ns3://athena/out/2\n")
    athena = {
        "Resource": "arn:aws:states:::s3:getObject",
        "ReaderConfig": {"ManifestType": "ATHENA_DATA", "InputType": "JSONL"},
        "Parameters": {"Bucket": "athena", "Key": "out-manifest.csv"},
    }
    assert distributed_map(ItemReader=athena).execute({}, resources=resources).output == [{"row": 1}, {"row": 2}]


def test_read_failures_are_item_reader_failed(resources: Resources) -> None:
    resources.s3_object("bucket", "object", '{"Hello": "world"}')
    not_array = reader("JSON")
    not_array["Parameters"]["Key"] = "object"
    failed = distributed_map(ItemReader=not_array).execute({}, resources=resources)
    assert (failed.error, failed.cause) == ("States.ItemReaderFailed", "Attempting to map over non-iterable node.")
    missing = reader("JSON")
    missing["Parameters"]["Key"] = "missing"
    failed = distributed_map(ItemReader=missing).execute({}, resources=resources)
    assert failed.error == "States.ItemReaderFailed"
    assert failed.cause is not None and failed.cause.startswith("The specified key does not exist. (Service: S3,")


def test_item_reader_failures_can_be_caught_and_retried(resources: Resources) -> None:
    missing = reader("JSON")
    missing["Parameters"]["Key"] = "missing"
    machine = StateMachine.from_json({
        "StartAt": "Map",
        "States": {
            "Map": {
                "Type": "Map", "ItemProcessor": PROCESSOR, "ItemReader": missing,
                "Retry": [{"ErrorEquals": ["States.ItemReaderFailed"], "MaxAttempts": 1, "IntervalSeconds": 1}],
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}],
                "End": True,
            },
            "Caught": {"Type": "Pass", "End": True},
        },
    })  # fmt: skip
    execution = machine.execute({}, resources=resources)
    assert execution.status == "SUCCEEDED" and execution.output["Error"] == "States.ItemReaderFailed"
    assert event_types(execution).count("MapRunStarted") == 2


def test_without_resources_the_failure_says_how_to_provide_the_data() -> None:
    execution = distributed_map(ItemReader=reader("JSON")).execute({})
    assert execution.error == "States.Runtime"
    assert execution.cause is not None
    assert "Nothing answers the ItemReader of the Map state 'Map' (arn:aws:states:::s3:getObject)" in execution.cause
    assert "resources.s3_object(bucket, key, body)" in execution.cause
    assert event_types(execution)[-2:] == ["MapStateEntered", "ExecutionFailed"]


def test_mocks_do_not_answer_item_readers(resources: Resources) -> None:
    machine = distributed_map(ItemReader=reader("JSON"))
    execution = machine.execute({}, mocks={"Map": [{"Return": [9]}]}, resources=resources)
    assert execution.output == RECORDED_ITEMS


def test_a_registered_handler_can_stand_in_for_the_object() -> None:
    resources = Resources()
    requests = []

    def read(request: Any) -> str:
        requests.append(request.parameters)
        return "a\n1\n2\n"

    resources.handler("arn:aws:states:::s3:getObject", read)
    execution = distributed_map(ItemReader=reader("CSV")).execute({}, resources=resources)
    assert execution.output == [{"a": "1"}, {"a": "2"}] and requests == [{"Bucket": "bucket", "Key": "key"}]


def test_parquet_is_not_supported_and_says_so(resources: Resources) -> None:
    execution = distributed_map(ItemReader=reader("PARQUET")).execute({}, resources=resources)
    assert execution.error == "States.Runtime"
    assert execution.cause is not None and "does not read PARQUET" in execution.cause


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"ItemReader": reader("CSV", CSVHeaderLocation="GIVEN")}, "CSVHeaderLocation GIVEN needs the headers"),
        ({"ItemReader": {**reader("JSON"), "Resource": "arn:aws:states:::s3:putObject"}}, "An ItemReader reads with"),
        ({"ItemReader": reader(None)}, "needs 'ReaderConfig' with an 'InputType'"),
        ({"ItemReader": reader("JSON", Transformation="LOAD_AND_FLATTEN")}, "listObjectsV2 readers only"),
    ],
)
def test_definition_errors(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        distributed_map(**fields)


def test_inline_maps_cannot_have_an_item_reader() -> None:
    inline = {**PROCESSOR, "ProcessorConfig": {"Mode": "INLINE"}}
    with pytest.raises(ValidationError, match="'ItemReader' is a field of Distributed Maps only"):
        distributed_map(processor=inline, ItemReader=reader("JSON"))


def test_jsonata_item_selector_sees_the_source_and_items_is_not_applied(resources: Resources) -> None:
    definition = {
        "Resource": "arn:aws:states:::s3:getObject",
        "ReaderConfig": {"InputType": "JSON", "MaxItems": 2},
        "Arguments": {"Bucket": "bucket", "Key": "key"},
    }
    machine = distributed_map(
        "JSONata",
        ItemReader=definition,
        Items="{% $states.input.ignored %}",
        ItemSelector={
            "source": "{% $states.context.Map.Item.Source %}",
            "index": "{% $states.context.Map.Item.Index %}",
        },
    )
    assert machine.execute({"ignored": [9]}, resources=resources).output == [
        {"source": "S3://bucket/key", "index": 0},
        {"source": "S3://bucket/key", "index": 1},
    ]
