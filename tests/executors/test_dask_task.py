"""The module Dask's scheduler imports to unpickle a task must not import the engine."""

from __future__ import annotations

import json
import subprocess
import sys

from asl_engine.executors import dask_cluster, dask_task


def test_the_task_function_module_imports_nothing_of_the_engine() -> None:
    code = (
        "import json, sys, asl_engine.executors.dask_task; "
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('asl_engine'))))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == ["asl_engine", "asl_engine.executors", "asl_engine.executors.dask_task"]


def test_dask_tasks_call_the_light_module() -> None:
    assert dask_cluster.run_packed is dask_task.run_packed
