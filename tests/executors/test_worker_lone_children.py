"""A worker runs children that are one plain Lambda Task as the in-process Map Run does: as a few
plain calls (``runtime/map_run/lone_task.py``), each on the batch's clock moved to its start
(``executors/job.run_batch``). Nothing may show it.

The same Distributed Map runs in-process, through a worker's batch function with the lone path, and
through it with the lone path off (every child an execution of its own, ``run_child_alone``): the
parent's history and output, every child's name, status, output, error and cause, and the result
files must be identical; and the worker must really have taken the lone path.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from asl_engine.runtime.map_run.lone_task import LoneTaskChildren
from tests.runtime.map_run.test_lone_task_children import counting_lone_runs

from . import support
from .test_batches import RecordingExecutor

ROWS = 30
FAILING = (4, 17)


def _run(directory: Path, executor: Any, **options: Any) -> tuple[Any, dict[str, bytes]]:
    """The Map through ``executor`` (None: in-process), always from ``directory`` (the children's input
    names it)."""
    built = support.resources(ROWS)
    execution = support.run(
        support.machine(ToleratedFailureCount=5), built, directory, executor=executor, fail=FAILING, **options
    )
    return execution, support.result_files(built)


def test_a_workers_lone_task_children_give_the_in_process_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runs = counting_lone_runs(monkeypatch)
    expected, expected_files = _run(tmp_path, None, history=False)
    assert sorted(runs) == list(range(ROWS))  # in-process took the lone path
    runs.clear()
    lone, lone_files = _run(tmp_path, RecordingExecutor(batch_size=7), history=False)
    assert sorted(runs) == list(range(ROWS))  # so did the worker's batches
    monkeypatch.setattr(LoneTaskChildren, "enabled", False)
    runs.clear()
    general, general_files = _run(tmp_path, RecordingExecutor(batch_size=7), history=False)
    assert runs == []
    assert expected.status == "SUCCEEDED"
    assert [child.status for child in expected.child_executions].count("FAILED") == len(FAILING)
    support.same_run(expected, lone, expected_files, lone_files)
    support.same_run(general, lone, general_files, lone_files)
    for mine, theirs in zip(lone.child_executions, general.child_executions, strict=True):
        assert (mine.start_date, mine.stop_date, mine.input) == (theirs.start_date, theirs.stop_date, theirs.input)


def test_a_worker_runs_children_with_histories_as_executions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runs = counting_lone_runs(monkeypatch)
    expected, expected_files = _run(tmp_path, None)
    actual, actual_files = _run(tmp_path, RecordingExecutor(batch_size=7))
    assert runs == []  # a child whose history is kept is an execution wherever it runs
    support.same_run(expected, actual, expected_files, actual_files)
    assert all(child.history for child in actual.child_executions)
