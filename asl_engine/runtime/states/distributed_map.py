"""A Distributed Map's attempt: a Map Run whose items run as child executions.

The order of events and failures follows AWS's recorded histories:

1. Before ``MapStateStarted``: the items from the state input (``ItemsPath``/``Items``), or the
   ItemReader's parameters and ``MaxItemsPath``; ``MaxConcurrency``; the ItemBatcher's limits; the
   ResultWriter's destination. Failures here are ``States.Runtime``.
2. ``MapStateStarted`` (its ``length`` is 0 when an ItemReader supplies the items), the tolerated
   failure fields, ``ItemSelector`` over state-input items, ``MapRunStarted``.
3. The read (``States.ItemReaderFailed``), ``ItemSelector`` over read items, batching, the child
   executions, the export (``States.ResultWriterFailed``). A failure here is ``MapRunFailed``
   with its error and cause, then ``MapStateFailed`` (unless a Retrier takes it).

With an ItemReader the Map's ``ItemsPath`` (``Items``) is not applied: AWS iterates the reader's
items whatever it says (recorded with a path that matches nothing). Each item's
``$$.Map.Item.Source`` is ``STATE_DATA`` or the S3 URI it was read from.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from asl_engine.errors import StatesError
from asl_engine.runtime.children import BranchAbort, ChildFailure, ChildGroup
from asl_engine.runtime.map_data import STATE_DATA, ChildOutcome, ItemReader, ReadRequest
from asl_engine.runtime.map_data.reader import ReadCounter
from asl_engine.runtime.map_data.writer import FAILED, PENDING, SUCCEEDED
from asl_engine.runtime.scheduler import Cancelled
from asl_engine.runtime.states.retrying import StateFailure

if TYPE_CHECKING:
    from asl_engine.runtime.frame import Frame
    from asl_engine.runtime.run import MapRun
    from asl_engine.runtime.states.map_ import MapState

DISTRIBUTED_CONCURRENCY_CAP = 10_000
RUNNING = "RUNNING"
ABORTED = "ABORTED"


class ToleranceExceeded(StatesError):
    """More children failed than tolerated: the Map Run fails (after exporting what it has)."""

    def __init__(self) -> None:
        super().__init__("States.ExceedToleratedFailureThreshold", "The specified tolerance threshold was exceeded")


async def run_distributed(node: MapState, frame: Frame, raw_input: Any, selected: Any) -> Any:
    data = node.data
    reading = (data.reader, data.reader.prepare(frame, raw_input, selected)) if data.reader is not None else None
    items = node.items(frame, raw_input, selected) if reading is None else []
    max_concurrency = node.max_concurrency(frame, raw_input, selected) or 0
    batching = data.batcher.prepare(frame, raw_input, selected) if data.batcher is not None else None
    writing = data.writer.prepare(frame, raw_input, selected) if data.writer is not None else None
    frame.record("MapStateStarted", {"length": len(items)})
    tolerated_count, tolerated_percentage = node.tolerance(frame, raw_input, selected)
    inputs = [node.iteration_input(frame, raw_input, selected, i, item, STATE_DATA) for i, item in enumerate(items)]
    map_run = frame.run.start_map_run(frame, node)
    map_run.count_read(len(items))
    map_run.max_concurrency = max_concurrency
    map_run.tolerated_count, map_run.tolerated_percentage = tolerated_count, tolerated_percentage
    frame.record("MapRunStarted", {"mapRunArn": map_run.arn})
    try:
        if reading is not None:
            inputs = await _read_inputs(node, frame, raw_input, selected, *reading, map_run.count_read)
        if batching is not None:
            inputs = list(batching.batches(inputs))
        map_run.total = len(inputs)
        outcomes = [ChildOutcome(index, value, PENDING) for index, value in enumerate(inputs)]
        try:
            await _run_children(node, frame, map_run, outcomes, max_concurrency, tolerated_count, tolerated_percentage)
        except ToleranceExceeded:
            if writing is not None and data.writer is not None:
                await data.writer.export(frame, writing, map_run, outcomes)
            raise
        if data.writer is None:
            result: Any = [
                outcome.output if outcome.status == SUCCEEDED else _error_output(map_run, outcome)
                for outcome in outcomes
            ]
        elif writing is not None:
            result = await data.writer.export(frame, writing, map_run, outcomes)
        else:
            result = data.writer.entries(outcomes)
    except StatesError as error:
        details = {key: value for key, value in (("error", error.error), ("cause", error.cause)) if value is not None}
        map_run.finish("FAILED")
        frame.record("MapRunFailed", details)
        raise StateFailure(error, frame.last_event_id) from None
    except Cancelled as cancelled:
        map_run.finish("ABORTED")
        frame.record("MapRunAborted")
        frame.run.record_aborted(frame, node.aborted_type, cancelled)
        raise
    map_run.finish("SUCCEEDED")
    frame.record("MapRunSucceeded")
    frame.record_aside("MapStateSucceeded")
    return result


async def _read_inputs(
    node: MapState,
    frame: Frame,
    raw_input: Any,
    selected: Any,
    reader: ItemReader,
    request: ReadRequest,
    counted: ReadCounter,
) -> list[Any]:
    """The children's inputs from the items an ItemReader reads (each through the ItemSelector)."""
    read = await reader.read(frame, request, counted)
    return [
        node.iteration_input(frame, raw_input, selected, index, item, source)
        for index, (item, source) in enumerate(zip(read.items, read.sources, strict=True))
    ]


def _error_output(map_run: MapRun, outcome: ChildOutcome) -> dict[str, Any]:
    """A tolerated failure among the results (no ResultWriter): the child's error and cause."""
    child = map_run.child_by_index.get(outcome.index)
    return {"Error": child.error if child else None, "Cause": child.cause if child else None}


async def _run_children(
    node: MapState,
    frame: Frame,
    map_run: MapRun,
    outcomes: list[ChildOutcome],
    max_concurrency: int,
    tolerated_count: int | None,
    tolerated_percentage: float | None,
) -> None:
    """Run every child, at most ``max_concurrency`` at once, recording how each ended in ``outcomes``."""
    run = frame.run
    limit = DISTRIBUTED_CONCURRENCY_CAP if max_concurrency == 0 else min(max_concurrency, DISTRIBUTED_CONCURRENCY_CAP)
    group = ChildGroup(run.scheduler)
    total = len(outcomes)
    failed = 0
    next_index = 0

    def start() -> None:
        nonlocal next_index
        outcome = outcomes[next_index]
        next_index += 1
        outcome.status = RUNNING
        group.spawn(
            outcome.index,
            map_run.run_child(node.processor, outcome.index, outcome.input),
            f"{node.name}#{outcome.index}",
        )

    while next_index < total and next_index < limit:
        start()
    try:
        for _ in range(total):
            index, task = await group.next_finished()
            outcome = outcomes[index]
            outcome.run = map_run.child_by_index.get(index)
            failure = task.done_future.exception()
            if failure is not None:
                if not isinstance(failure, ChildFailure):
                    raise failure
                failed += 1
                outcome.status = FAILED
                if _exceeds_tolerance(failed, total, tolerated_count, tolerated_percentage):
                    await group.abort_all(BranchAbort(frame.last_event_id))
                    _mark_aborted(map_run, outcomes)
                    raise ToleranceExceeded()
            else:
                outcome.status = SUCCEEDED
                outcome.output = task.done_future.result()
            if next_index < total:
                start()
    except Cancelled as cancelled:
        await group.abort_all(cancelled.reason)
        raise


def _mark_aborted(map_run: MapRun, outcomes: list[ChildOutcome]) -> None:
    for outcome in outcomes:
        if outcome.status == RUNNING:
            outcome.status = ABORTED
            outcome.run = map_run.child_by_index.get(outcome.index)


def _exceeds_tolerance(failed: int, total: int, count: int | None, percentage: float | None) -> bool:
    if count is None and percentage is None:
        return failed > 0
    over_count = count is not None and failed > count
    over_percentage = percentage is not None and total > 0 and failed * 100 / total > percentage
    if count is not None and percentage is not None:
        return over_count or over_percentage
    return over_count if count is not None else over_percentage
