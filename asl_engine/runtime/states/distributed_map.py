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
from asl_engine.runtime.map_data import STATE_DATA
from asl_engine.runtime.map_run.driver import MapRunDriver, ToleranceExceeded
from asl_engine.runtime.map_run.inputs import ChildInputs, Selector
from asl_engine.runtime.map_run.results import MapResults
from asl_engine.runtime.scheduler import Cancelled
from asl_engine.runtime.states.retrying import StateFailure

if TYPE_CHECKING:
    from asl_engine.runtime.frame import Frame
    from asl_engine.runtime.states.map_ import MapState


async def run_distributed(node: MapState, frame: Frame, raw_input: Any, selected: Any) -> Any:
    data = node.data
    reading = (data.reader, data.reader.prepare(frame, raw_input, selected)) if data.reader is not None else None
    items = node.items(frame, raw_input, selected) if reading is None else []
    max_concurrency = node.max_concurrency(frame, raw_input, selected) or 0
    batching = data.batcher.prepare(frame, raw_input, selected) if data.batcher is not None else None
    writing = data.writer.prepare(frame, raw_input, selected) if data.writer is not None else None
    frame.record("MapStateStarted", {"length": len(items)})
    tolerated_count, tolerated_percentage = node.tolerance(frame, raw_input, selected)
    known = [node.iteration_input(frame, raw_input, selected, i, item, STATE_DATA) for i, item in enumerate(items)]
    map_run = frame.run.start_map_run(frame, node)
    map_run.count_read(len(items))
    map_run.max_concurrency = max_concurrency
    map_run.tolerated_count, map_run.tolerated_percentage = tolerated_count, tolerated_percentage
    frame.record("MapRunStarted", {"mapRunArn": map_run.arn})
    results = MapResults(map_run, data.writer, writing)
    try:
        if reading is not None:
            reader, request = reading
            select: Selector | None = None
            if node.item_selector is not None:

                def select(index: int, item: Any, source: str) -> Any:
                    return node.iteration_input(frame, raw_input, selected, index, item, source)

            chunks = reader.stream(frame, request, map_run.count_read)
            inputs = ChildInputs(chunks=chunks, select=select, batching=batching)
        else:
            inputs = ChildInputs(known, batching=batching)
        driver = MapRunDriver(
            frame,
            node,
            map_run,
            results,
            max_concurrency=max_concurrency,
            tolerated_count=tolerated_count,
            tolerated_percentage=tolerated_percentage,
        )
        try:
            await driver.run(inputs)
        except ToleranceExceeded:
            if results.exporting:
                await results.result(frame)
            raise
        result = await results.result(frame)
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
    finally:
        results.close()
    map_run.finish("SUCCEEDED")
    frame.record("MapRunSucceeded")
    frame.record_aside("MapStateSucceeded")
    return result
