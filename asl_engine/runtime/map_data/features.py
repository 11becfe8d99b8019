"""Compiling a Map state's ItemReader, ItemBatcher and ResultWriter, which only a Distributed Map has."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from asl_engine.runtime.map_data.batcher import ItemBatcher
from asl_engine.runtime.map_data.reader import ItemReader
from asl_engine.runtime.map_data.writer import ResultWriter
from asl_engine.runtime.states.base import CompileError

_FIELDS = ("ItemReader", "ItemBatcher", "ResultWriter")


@dataclass(frozen=True, slots=True)
class MapDataFeatures:
    reader: ItemReader | None = None
    batcher: ItemBatcher | None = None
    writer: ResultWriter | None = None


def compile_map_data(spec: dict[str, Any], pointer: str, query_language: str, *, distributed: bool) -> MapDataFeatures:
    present = [field for field in _FIELDS if field in spec]
    if present and not distributed:
        raise CompileError(
            f"{pointer}/{present[0]}",
            f"'{present[0]}' is a field of Distributed Maps only: set ItemProcessor.ProcessorConfig.Mode to "
            "DISTRIBUTED (with an ExecutionType), or remove it",
        )
    return MapDataFeatures(
        ItemReader(spec["ItemReader"], f"{pointer}/ItemReader", query_language) if "ItemReader" in spec else None,
        ItemBatcher(spec["ItemBatcher"], f"{pointer}/ItemBatcher", query_language) if "ItemBatcher" in spec else None,
        ResultWriter(spec["ResultWriter"], f"{pointer}/ResultWriter", query_language)
        if "ResultWriter" in spec
        else None,
    )
