"""How a remote session cuts the children it is handed into tasks (``executors/remote.py``).

A recording session runs each batch at once in this process (the code a worker runs) and notes its
size: the runs must still be those of in-process, and the sizes those the session's rules give.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from asl_engine.executors.job import run_batch
from asl_engine.executors.remote import Batch, RemoteSession, split_evenly
from asl_engine.runtime.map_run.executor import ChildWork, ExecutorSession, MapJob, ReportInbox

from . import support


class RecordingSession(RemoteSession):
    workers = 2
    default_batch_size = 1000

    def __init__(self, job: MapJob, inbox: ReportInbox, sizes: list[int], batch_size: int | None) -> None:
        super().__init__(job, inbox, batch_size=batch_size, retries=0)
        self._sizes = sizes

    def _send(self, batch: Batch) -> None:
        self._sizes.append(len(batch.works))
        self._arrived(batch, run_batch(self._worker_job, batch.works))


class RecordingExecutor:
    name = "recording"

    def __init__(self, batch_size: int | None = None) -> None:
        self.sizes: list[int] = []
        self.batch_size = batch_size

    def open(self, job: MapJob, inbox: ReportInbox) -> ExecutorSession:
        return RecordingSession(job, inbox, self.sizes, self.batch_size)


def _works(count: int) -> list[ChildWork]:
    return [ChildWork(index, {}, f"child-{index}", index, 0) for index in range(count)]


def test_split_evenly_keeps_every_child_in_order_in_even_batches() -> None:
    for count, size, expected in [(1024, 1000, [512, 512]), (5, 2, [2, 2, 1]), (3, 10, [3]), (0, 4, [])]:
        works = _works(count)
        parts = split_evenly(works, size)
        assert [len(part) for part in parts] == expected
        assert [work for part in parts for work in part] == works


def _run(tmp_path: Path, rows: int, executor: RecordingExecutor, **fields: Any) -> None:
    machine = support.machine(**fields)
    local = support.resources(rows)
    expected = support.run(machine, local, tmp_path)
    remote = support.resources(rows)
    actual = support.run(machine, remote, tmp_path, executor=executor)
    support.same_run(expected, actual, support.result_files(local), support.result_files(remote))
    assert sum(executor.sizes) == rows


def test_tasks_are_sized_for_the_whole_map_run_not_for_the_item_readers_first_chunk(tmp_path: Path) -> None:
    executor = RecordingExecutor()
    _run(tmp_path, 3000, executor)
    # The reader hands over 1,024 rows at a time: each chunk goes as two tasks of 512 (not eight of 128),
    # and the last children, once every row is read, in eight smaller tasks so the workers end together.
    assert executor.sizes == [512, 512, 512, 512, *[119] * 7, 119]
    assert max(executor.sizes) <= 1000


def test_few_children_or_a_low_concurrency_give_every_worker_several_tasks(tmp_path: Path) -> None:
    few = RecordingExecutor()
    _run(tmp_path / "few", 20, few)
    assert few.sizes == [3, 3, 3, 3, 3, 3, 2]  # 20 children, 2 workers: about 4 tasks each
    limited = RecordingExecutor()
    _run(tmp_path / "limited", 60, limited, MaxConcurrency=10)
    assert max(limited.sizes) == 2  # at most 10 in flight: tasks of ceil(10 / 8)


def test_a_configured_batch_size_is_kept(tmp_path: Path) -> None:
    executor = RecordingExecutor(batch_size=7)
    _run(tmp_path, 30, executor)
    assert max(executor.sizes) <= 7


def test_once_the_workers_have_enough_the_rest_of_a_chunk_waits_for_a_full_task(tmp_path: Path) -> None:
    executor = RecordingExecutor()
    _run(tmp_path, 8000, executor)
    # Chunks of 1,024 as two tasks of 512 while fewer than two tasks per worker are out; then only full
    # tasks of 1,000 (the rest of each chunk held back, not sent as a task of 24), and the last children
    # (952: the 24s held back and the last chunk) in eight smaller tasks.
    assert executor.sizes == [512, 512, 512, 512, *[1000] * 5, *[119] * 8]
    limited = RecordingExecutor()
    _run(tmp_path / "limited", 12000, limited, MaxConcurrency=4000)  # held children go out as tasks end
    assert max(limited.sizes) == 500
