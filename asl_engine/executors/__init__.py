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

from asl_engine.executors.dask_cluster import DaskExecutor
from asl_engine.executors.processes import ProcessesExecutor
from asl_engine.executors.spec import EXECUTOR_NAMES, ExecutorUnavailable, executor_from_name, resolve_executor
from asl_engine.runtime.map_run.executor import ChildExecutor
from asl_engine.runtime.map_run.in_process import InProcessExecutor

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
