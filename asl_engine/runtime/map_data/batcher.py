"""``ItemBatcher``: groups of items, each group one child execution's input.

A child gets ``{"BatchInput": ..., "Items": [...]}`` (``BatchInput`` only when given). Batches
fill in item order up to ``MaxItemsPerBatch`` items and ``MaxInputBytesPerBatch`` bytes (256 KiB
when not given), the bytes being the UTF-8 size of the child's input as compact JSON. An item
too big for the byte limit on its own still gets a batch of its own (AWS's behaviour here is not
recorded). The limits may come from ``*Path`` fields (JSONPath, a number or a string of digits,
as recorded) or expressions (JSONata) and must be positive integers: anything else fails the
execution with ``States.Runtime`` before ``MapStateStarted``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from asl_engine.runtime import failures
from asl_engine.runtime.map_data.fields import FieldSource, count_source, value_source
from asl_engine.runtime.states.base import CompileError

if TYPE_CHECKING:
    from asl_engine.runtime.frame import Frame

MAX_BATCH_BYTES = 262_144

_encode = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def _size(value: Any) -> int:
    return len(_encode(value).encode("utf-8"))


@dataclass(frozen=True, slots=True)
class BatchPlan:
    """The batching of one Map Run, its limits evaluated."""

    max_items: int | None
    max_bytes: int
    batch_input: Any

    def batches(self, items: Iterable[Any]) -> Iterator[dict[str, Any]]:
        """The children's inputs, one batch at a time, as the items come."""
        batching = self.start()
        for item in items:
            batch = batching.add(item)
            if batch is not None:
                yield batch
        last = batching.finish()
        if last is not None:
            yield last

    def start(self) -> Batching:
        return Batching(self)


class Batching:
    """Batches being filled one item at a time (a Map Run batches items as it reads them)."""

    __slots__ = ("_base", "_current", "_head", "_max_bytes", "_max_items", "_size")

    def __init__(self, plan: BatchPlan) -> None:
        self._head: dict[str, Any] = {} if plan.batch_input is None else {"BatchInput": plan.batch_input}
        # Bytes of the input around the items: '{"BatchInput":...,"Items":[' and ']}'.
        self._base = _size({**self._head, "Items": []})
        self._max_items = plan.max_items
        self._max_bytes = plan.max_bytes
        self._current: list[Any] = []
        self._size = self._base

    def add(self, item: Any) -> dict[str, Any] | None:
        """Add ``item``; returns the batch it closed (it did not fit there), if any."""
        current = self._current
        item_size = _size(item) + (1 if current else 0)
        full = self._max_items is not None and len(current) >= self._max_items
        closed = None
        if current and (full or self._size + item_size > self._max_bytes):
            closed = {**self._head, "Items": current}
            current = self._current = []
            self._size = self._base
            item_size -= 1
        current.append(item)
        self._size += item_size
        return closed

    def finish(self) -> dict[str, Any] | None:
        """The last batch, if it has items."""
        if not self._current:
            return None
        batch = {**self._head, "Items": self._current}
        self._current = []
        return batch


class ItemBatcher:
    """A compiled ``ItemBatcher`` (for either query language)."""

    def __init__(self, spec: Any, pointer: str, query_language: str) -> None:
        if not isinstance(spec, dict):
            raise CompileError(pointer, "'ItemBatcher' must be a JSON object")
        limits = ("MaxItemsPerBatch", "MaxItemsPerBatchPath", "MaxInputBytesPerBatch", "MaxInputBytesPerBatchPath")
        if not any(field in spec for field in limits):
            raise CompileError(
                pointer, "An ItemBatcher needs MaxItemsPerBatch or MaxInputBytesPerBatch (or their Path variants)"
            )
        self.max_items: FieldSource = count_source(spec, "MaxItemsPerBatch", pointer, query_language)
        self.max_bytes: FieldSource = count_source(spec, "MaxInputBytesPerBatch", pointer, query_language)
        self.batch_input: FieldSource = value_source(spec, "BatchInput", pointer, query_language, "BatchInput")

    def prepare(self, frame: Frame, raw_input: Any, selected: Any) -> BatchPlan:
        max_items = _positive(frame, "MaxItemsPerBatch", self.max_items(frame, raw_input, selected))
        max_bytes = _positive(frame, "MaxInputBytesPerBatch", self.max_bytes(frame, raw_input, selected))
        batch_input = self.batch_input(frame, raw_input, selected)
        return BatchPlan(max_items, min(max_bytes or MAX_BATCH_BYTES, MAX_BATCH_BYTES), batch_input)


def _positive(frame: Frame, field: str, value: int | None) -> int | None:
    if value is not None and value <= 0:
        raise failures.runtime_error(frame, f"field {field} must be positive")
    return value
