"""Where Distributed Map child executions run, beyond the engine's own process.

* ``in-process`` (the default): on the parent execution's scheduler (``runtime/map_run``);
* ``processes[:N]``: a pool of worker processes on this machine (``processes.py``);
* ``dask`` / ``dask://HOST:PORT``: a local Dask cluster, or an existing one (``dask_cluster.py``;
  needs the ``[dask]`` extra).

Choose one with ``execute(..., executor=...)``, ``asl run --executor`` or ``asl.toml``'s
``[executor]`` section. Whatever the executor, the Map Run keeps AWS's semantics (the driver in
``asl_engine.runtime.map_run`` decides what starts, counts and orders the results); an executor only
runs children. This package sits between the services and the public API: it rebuilds the
services on workers and never imports ``StateMachine``. See docs/scaling.md.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from asl_engine.executors.dask_cluster import DaskExecutor
    from asl_engine.executors.processes import ProcessesExecutor
    from asl_engine.executors.spec import EXECUTOR_NAMES, ExecutorUnavailable, executor_from_name, resolve_executor
    from asl_engine.runtime.map_run.executor import ChildExecutor
    from asl_engine.runtime.map_run.in_process import InProcessExecutor

_WHERE = {
    "DaskExecutor": "asl_engine.executors.dask_cluster",
    "ProcessesExecutor": "asl_engine.executors.processes",
    "EXECUTOR_NAMES": "asl_engine.executors.spec",
    "ExecutorUnavailable": "asl_engine.executors.spec",
    "executor_from_name": "asl_engine.executors.spec",
    "resolve_executor": "asl_engine.executors.spec",
    "ChildExecutor": "asl_engine.runtime.map_run.executor",
    "InProcessExecutor": "asl_engine.runtime.map_run.in_process",
}
"""Where each name lives: imported on first use (PEP 562), so that importing one small module of this
package (``dask_task``, which Dask's scheduler imports to unpickle a task) does not import the engine."""


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "EXECUTOR_NAMES",
    "ChildExecutor",
    "DaskExecutor",
    "ExecutorUnavailable",
    "InProcessExecutor",
    "ProcessesExecutor",
    "executor_from_name",
    "resolve_executor",
]
