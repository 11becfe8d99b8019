"""The children's inputs, in order: from the state input, or read from S3 as the Map Run goes.

With an ItemReader the items are read in chunks when the Map Run needs more children to start
(each item through the ItemSelector, then the ItemBatcher), so the driver holds the items in flight
and one chunk, never the whole data set. ``total`` is known once the source is exhausted.
"""

from __future__ import annotations

from collections import deque
from collections.abc import AsyncIterator, Callable
from typing import Any

from asl_engine.runtime.map_data.batcher import Batching, BatchPlan
from asl_engine.runtime.map_data.reader import ReadItems

Selector = Callable[[int, Any, str], Any]
"""(item index, item, source) -> the child's input (the ItemSelector applied)."""


class ChildInputs:
    """A queue of (index, child input) with a possibly unfinished source behind it."""

    def __init__(
        self,
        known: list[Any] | None = None,
        *,
        chunks: AsyncIterator[ReadItems] | None = None,
        select: Selector | None = None,
        batching: BatchPlan | None = None,
    ) -> None:
        self._buffer: deque[Any] = deque()
        self._chunks = chunks
        self._select = select
        self._batching: Batching | None = None
        self._items_read = 0
        self.handed_out = 0
        """Inputs taken so far: the index of the next one."""
        if known is not None:
            self._buffer.extend(batching.batches(known) if batching is not None else known)
        elif batching is not None:
            self._batching = batching.start()

    @property
    def source_done(self) -> bool:
        return self._chunks is None

    @property
    def exhausted(self) -> bool:
        return self._chunks is None and not self._buffer

    @property
    def buffered(self) -> int:
        return len(self._buffer)

    @property
    def total(self) -> int | None:
        """Every child's input, once the source is read to its end."""
        return self.handed_out + len(self._buffer) if self._chunks is None else None

    def take(self, count: int) -> list[tuple[int, Any]]:
        buffer = self._buffer
        taken = []
        index = self.handed_out
        popleft = buffer.popleft
        for _ in range(min(count, len(buffer))):
            taken.append((index, popleft()))
            index += 1
        self.handed_out = index
        return taken

    async def fill(self) -> None:
        """Read the next chunk of items into the queue (or learn that there are no more)."""
        chunks = self._chunks
        if chunks is None:
            return
        select = self._select
        batching = self._batching
        while not self._buffer:
            chunk = await anext(chunks, None)
            if chunk is None:
                self._chunks = None
                if batching is not None:
                    last = batching.finish()
                    if last is not None:
                        self._buffer.append(last)
                return
            first = self._items_read
            self._items_read += len(chunk.items)
            if select is not None:
                values: list[Any] = [
                    select(first + offset, item, source)
                    for offset, (item, source) in enumerate(zip(chunk.items, chunk.sources, strict=True))
                ]
            else:
                values = chunk.items
            if batching is None:
                self._buffer.extend(values)
            else:
                for value in values:
                    batch = batching.add(value)
                    if batch is not None:
                        self._buffer.append(batch)

    async def drain(self) -> list[tuple[int, Any]]:
        """Every input not yet taken (a stopped Map Run lists them as PENDING)."""
        drained = self.take(len(self._buffer))
        while not self.source_done:
            await self.fill()
            drained.extend(self.take(len(self._buffer)))
        return drained
