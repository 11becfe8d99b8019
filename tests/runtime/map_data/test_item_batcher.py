"""ItemBatcher: batches by count and size, BatchInput, limits from paths and expressions."""

from __future__ import annotations

import json
from typing import Any

import pytest

from asl_engine import ValidationError
from asl_engine.runtime.map_data import BatchPlan
from asl_engine.services import Resources

from .support import details, distributed_map, reader

ITEMS = [{"verdict": "true"}, {"verdict": "false"}, {"verdict": "mostly-true"}, {"verdict": "false"}]


def size(value: Any) -> int:
    return len(json.dumps(value, separators=(",", ":")).encode())


def test_batches_by_count_keep_item_order() -> None:
    plan = BatchPlan(max_items=2, max_bytes=262_144, batch_input=None)
    assert list(plan.batches(list(range(5)))) == [{"Items": [0, 1]}, {"Items": [2, 3]}, {"Items": [4]}]
    assert list(plan.batches([])) == []


def test_batches_by_size_count_the_whole_child_input() -> None:
    items = ["aaaa", "bbbb", "cccc"]
    two = size({"BatchInput": {"k": 1}, "Items": items[:2]})
    plan = BatchPlan(max_items=None, max_bytes=two, batch_input={"k": 1})
    batches = list(plan.batches(items))
    assert batches == [{"BatchInput": {"k": 1}, "Items": ["aaaa", "bbbb"]}, {"BatchInput": {"k": 1}, "Items": ["cccc"]}]
    assert all(size(batch) <= two for batch in batches)
    tighter = BatchPlan(max_items=None, max_bytes=two - 1, batch_input={"k": 1})
    assert [len(batch["Items"]) for batch in list(tighter.batches(items))] == [1, 1, 1]


def test_an_item_too_big_for_the_limit_gets_a_batch_of_its_own() -> None:
    plan = BatchPlan(max_items=None, max_bytes=20, batch_input=None)
    assert list(plan.batches(["x" * 50, "y"])) == [{"Items": ["x" * 50]}, {"Items": ["y"]}]


@pytest.fixture
def resources() -> Resources:
    resources = Resources()
    resources.s3_object("bucket", "key", json.dumps(ITEMS))
    return resources


def test_the_recorded_batch_case_with_limits_from_variables(resources: Resources) -> None:
    # assign/test_assign_reference_variables, MAP_STATE_REFERENCE_IN_MAX_PER_BATCH_PATH (recorded on AWS):
    # the variables hold strings, which AWS accepted.
    from asl_engine import StateMachine

    machine = StateMachine.from_json({
        "StartAt": "Start",
        "States": {
            "Start": {"Type": "Pass", "Assign": {"perBatch": "2", "bytes": "15000"}, "Next": "Map"},
            "Map": {
                "Type": "Map",
                "ItemReader": reader("JSON", MaxItems=4),
                "ItemBatcher": {"MaxItemsPerBatchPath": "$perBatch", "MaxInputBytesPerBatchPath": "$bytes"},
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                    "StartAt": "P",
                    "States": {"P": {"Type": "Pass", "End": True}},
                },
                "End": True,
            },
        },
    })  # fmt: skip
    execution = machine.execute({}, resources=resources)
    assert execution.output == [{"Items": ITEMS[:2]}, {"Items": ITEMS[2:]}]


def test_batch_input_and_item_selector_in_jsonpath(resources: Resources) -> None:
    machine = distributed_map(
        ItemReader=reader("JSON"),
        ItemSelector={"v.$": "$$.Map.Item.Value.verdict"},
        ItemBatcher={"MaxItemsPerBatch": 3, "BatchInput": {"fact.$": "$.check", "fixed": 1}},
    )
    assert machine.execute({"check": "Dec"}, resources=resources).output == [
        {"BatchInput": {"fact": "Dec", "fixed": 1}, "Items": [{"v": "true"}, {"v": "false"}, {"v": "mostly-true"}]},
        {"BatchInput": {"fact": "Dec", "fixed": 1}, "Items": [{"v": "false"}]},
    ]


def test_jsonata_limits_and_batch_input() -> None:
    machine = distributed_map(
        "JSONata",
        Items="{% $states.input.items %}",
        ItemBatcher={"MaxItemsPerBatch": "{% $states.input.n %}", "BatchInput": "{% {'n': $states.input.n} %}"},
    )
    output = machine.execute({"n": 2, "items": [1, 2, 3]}).output
    assert output == [{"BatchInput": {"n": 2}, "Items": [1, 2]}, {"BatchInput": {"n": 2}, "Items": [3]}]


@pytest.mark.parametrize(
    ("value", "cause"),
    [
        ("x", 'The MaxItemsPerBatchPath field refers to value "x" which is not a valid integer: $.n'),
        (0, "field MaxItemsPerBatch must be positive"),
        (-3, "field MaxItemsPerBatch must be positive"),
    ],
)
def test_bad_limits_fail_before_the_map_starts(value: Any, cause: str) -> None:
    machine = distributed_map(ItemsPath="$.items", ItemBatcher={"MaxItemsPerBatchPath": "$.n"})
    execution = machine.execute({"n": value, "items": [1]})
    assert execution.error == "States.Runtime" and execution.cause is not None and execution.cause.endswith(cause)
    assert details(execution, "MapStateStarted") == []


def test_batches_are_the_children_and_count_as_map_length() -> None:
    execution = distributed_map(ItemBatcher={"MaxItemsPerBatch": 2}).execute([1, 2, 3])
    assert execution.output == [{"Items": [1, 2]}, {"Items": [3]}]
    assert details(execution, "MapStateStarted") == [{"length": 3}]
    assert len(execution.child_executions) == 2


def test_an_item_batcher_needs_a_limit() -> None:
    with pytest.raises(ValidationError, match="ItemBatcher needs at least one"):
        distributed_map(ItemBatcher={"BatchInput": {}})
