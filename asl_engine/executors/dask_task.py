"""The function every Dask task of a Map Run calls, in a module that imports nothing.

Dask's scheduler unpickles each task graph it is sent, so it imports the module of every function
a task calls. Were that ``asl_engine.executors.job``, the scheduler would import the whole engine
(compiling, rules, services) for nothing: about 1.2 s of its CPU per cluster without cached
bytecode, on the cores the workers use when the cluster is local. The workers import the engine
when they run the task (and before, when they prepare the job).
"""

from __future__ import annotations


def run_packed(job: bytes, works: bytes) -> bytes:
    """``asl_engine.executors.job.run_packed``, imported where the task runs."""
    from asl_engine.executors.job import run_packed as run

    return run(job, works)
