"""The data features of a Distributed Map: ``ItemReader``, ``ItemBatcher`` and ``ResultWriter``.

``compile_map_data`` compiles the three from a Map state's definition (once, at load time); the
Map state then prepares them before ``MapStateStarted`` (evaluating paths and expressions, which
may fail with ``States.Runtime``) and uses them during its Map Run. See docs/resources.md
("S3 and Distributed Map data sources").
"""

from asl_engine.runtime.map_data.batcher import BatchPlan, ItemBatcher
from asl_engine.runtime.map_data.features import MapDataFeatures, compile_map_data
from asl_engine.runtime.map_data.reader import STATE_DATA, ItemReader, ReadItems, ReadRequest
from asl_engine.runtime.map_data.writer import ChildOutcome, ResultWriter, WritePlan

__all__ = [
    "STATE_DATA",
    "BatchPlan",
    "ChildOutcome",
    "ItemBatcher",
    "ItemReader",
    "MapDataFeatures",
    "ReadItems",
    "ReadRequest",
    "ResultWriter",
    "WritePlan",
    "compile_map_data",
]
