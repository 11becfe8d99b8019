"""A Map Run reads its items as it starts children, and keeps its finished children small."""

from __future__ import annotations

import asyncio
import gc
import sys
from collections.abc import AsyncIterator
from typing import Any

from asl_engine import StateMachine
from asl_engine.runtime.map_data.batcher import BatchPlan
from asl_engine.runtime.map_data.reader import ReadItems
from asl_engine.runtime.map_run.inputs import ChildInputs
from asl_engine.runtime.map_run.packing import ChildRandom, child_name, child_seed
from asl_engine.services import Resources


class Source:
    """Chunks of items, counting how many were asked for."""

    def __init__(self, chunks: int, size: int) -> None:
        self.chunks, self.size, self.pulled = chunks, size, 0

    async def stream(self) -> AsyncIterator[ReadItems]:
        for number in range(self.chunks):
            self.pulled += 1
            items = list(range(number * self.size, (number + 1) * self.size))
            yield ReadItems(items, ["S3://b/k"] * len(items))


def drive(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


def test_items_are_read_a_chunk_at_a_time_as_children_need_them() -> None:
    source = Source(chunks=5, size=10)
    inputs = ChildInputs(chunks=source.stream(), select=lambda index, item, where: {"n": item, "at": index})

    async def scenario() -> None:
        await inputs.fill()
        assert source.pulled == 1 and inputs.total is None
        assert inputs.take(3) == [(0, {"n": 0, "at": 0}), (1, {"n": 1, "at": 1}), (2, {"n": 2, "at": 2})]
        assert source.pulled == 1
        rest = await inputs.drain()
        assert [index for index, _ in rest] == list(range(3, 50))
        assert source.pulled == 5 and inputs.total == 50 and inputs.exhausted

    drive(scenario())


def test_batches_are_made_as_items_come() -> None:
    source = Source(chunks=3, size=4)
    inputs = ChildInputs(chunks=source.stream(), batching=BatchPlan(max_items=5, max_bytes=262_144, batch_input=None))

    async def scenario() -> None:
        await inputs.fill()
        assert source.pulled == 2  # the first chunk (4 items) did not fill a batch of 5
        assert inputs.take(10) == [(0, {"Items": [0, 1, 2, 3, 4]})]
        rest = await inputs.drain()
        assert rest == [(1, {"Items": [5, 6, 7, 8, 9]}), (2, {"Items": [10, 11]})]
        assert inputs.total == 3

    drive(scenario())


def test_children_names_and_random_sources_depend_on_the_seed_and_index_only() -> None:
    seeds = [child_seed(7, index) for index in range(1000)]
    assert len(set(seeds)) == 1000
    names = [child_name(seed) for seed in seeds]
    assert len(set(names)) == 1000 and all(len(name) == 36 and name[14] == "4" for name in names)
    assert [ChildRandom(seed).getrandbits(64) for seed in seeds[:5]] == [
        ChildRandom(seed).getrandbits(64) for seed in seeds[:5]
    ]
    assert ChildRandom(1).random() != ChildRandom(2).random()
    assert 0 <= ChildRandom(3).random() < 1


def test_finished_children_are_rows_the_garbage_collector_does_not_track() -> None:
    resources = Resources()
    resources.s3_object("input-data", "rows.csv", "id\n" + "".join(f"{i}\n" for i in range(300)))
    machine = StateMachine.from_json(
        {
            "StartAt": "Map",
            "States": {
                "Map": {
                    "Type": "Map",
                    "End": True,
                    "ItemReader": {
                        "Resource": "arn:aws:states:::s3:getObject",
                        "ReaderConfig": {"InputType": "CSV"},
                        "Parameters": {"Bucket": "input-data", "Key": "rows.csv"},
                    },
                    "ItemProcessor": {
                        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                        "StartAt": "P",
                        "States": {"P": {"Type": "Pass", "Result": {"ok": True}, "End": True}},
                    },
                }
            },
        }
    )
    execution = machine.execute({}, resources=resources)
    assert execution.status == "SUCCEEDED"
    children = execution.child_executions
    assert [child.input for child in children] == [{"id": str(i)} for i in range(300)]
    assert children[5].history[-1]["type"] == "ExecutionSucceeded" and children[5].output == {"ok": True}
    gc.collect()
    rows = children[0]._run.row  # type: ignore[union-attr]
    assert not gc.is_tracked(rows)
    assert sys.getsizeof(rows) < 200
