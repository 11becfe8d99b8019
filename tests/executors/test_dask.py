"""``dask://HOST:PORT``: children on a real Dask cluster (a scheduler and two worker processes)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from asl_engine.executors import DaskExecutor
from asl_engine.executors.dask_cluster import DaskSession
from asl_engine.services import load_resources

from . import support
from .conftest import DaskCluster

ROWS = 120


def test_children_run_on_the_cluster_workers_with_the_in_process_results(
    dask_cluster: DaskCluster, tmp_path: Path
) -> None:
    machine = support.machine()
    local = support.resources(ROWS)
    expected = support.run(machine, local, tmp_path)
    remote = support.resources(ROWS)
    actual = support.run(machine, remote, tmp_path, executor=dask_cluster.spec)
    support.same_run(expected, actual, support.result_files(local), support.result_files(remote))
    assert support.outputs(remote, actual) == [{"id": i, "double": 2 * i} for i in range(ROWS)]
    ran_in = support.pids(tmp_path)
    assert os.getpid() not in ran_in
    assert ran_in <= dask_cluster.worker_pids()


def test_a_result_fetch_that_never_ends_runs_the_batch_again(
    dask_cluster: DaskCluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A finished task whose reports do not arrive within the fetch timeout is run again (at least
    once per item), not waited for forever: the run ends with the in-process results."""
    import distributed

    fetch = distributed.Future.result
    timed_out: list[Any] = []

    def first_fetch_never_ends(future: Any, timeout: float | None = None) -> Any:
        assert timeout == DaskSession.result_fetch_timeout  # the driver never waits without a bound
        if not timed_out:
            timed_out.append(future)
            raise TimeoutError("the fetch did not end")
        return fetch(future, timeout)

    monkeypatch.setattr(distributed.Future, "result", first_fetch_never_ends)
    machine = support.machine()
    local = support.resources(ROWS)
    expected = support.run(machine, local, tmp_path)
    remote = support.resources(ROWS)
    actual = support.run(machine, remote, tmp_path, executor=DaskExecutor(dask_cluster.address, batch_size=10))
    assert len(timed_out) == 1
    support.same_run(expected, actual, support.result_files(local), support.result_files(remote))
    assert support.outputs(remote, actual) == [{"id": i, "double": 2 * i} for i in range(ROWS)]


def test_tolerance_batches_and_concurrency_across_the_cluster(dask_cluster: DaskCluster, tmp_path: Path) -> None:
    support.tolerance_and_concurrency(tmp_path, DaskExecutor(dask_cluster.address, batch_size=2))


def test_a_worker_killed_mid_run_is_rescheduled_and_the_run_succeeds(dask_cluster: DaskCluster, tmp_path: Path) -> None:
    machine = support.machine()
    local = support.resources(ROWS, "kill_worker_once")
    (tmp_path / "killed").touch()  # in this process, item 37 must not kill the test
    expected = support.run(machine, local, tmp_path, kill=37)
    (tmp_path / "killed").unlink()
    remote = support.resources(ROWS, "kill_worker_once")
    actual = support.run(machine, remote, tmp_path, executor=DaskExecutor(dask_cluster.address, batch_size=10), kill=37)
    assert (tmp_path / "killed").exists()  # a worker did die (SIGKILL) while running item 37's batch
    support.same_run(expected, actual, support.result_files(local), support.result_files(remote))


def test_a_batch_that_keeps_killing_workers_fails_the_map_run(dask_cluster: DaskCluster, tmp_path: Path) -> None:
    execution = support.run(
        support.machine(),
        support.resources(ROWS, "kill_worker_always"),
        tmp_path,
        executor=DaskExecutor(dask_cluster.address, batch_size=10),
        kill=37,
    )
    assert (execution.status, execution.error) == ("FAILED", "States.Runtime")
    assert "ran items 30 to 39 on Dask workers that died each time" in str(execution.cause)
    assert [event["type"] for event in execution.history][-3:] == ["MapRunFailed", "MapStateFailed", "ExecutionFailed"]


def test_the_project_directory_is_uploaded_to_the_workers(dask_cluster: DaskCluster, tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "s3" / "input-data").mkdir(parents=True)
    (project / "s3" / "results").mkdir()
    (project / "s3" / "input-data" / "rows.csv").write_text("id\n" + "".join(f"{i}\n" for i in range(6)))
    (project / "uploaded_handlers.py").write_text(
        "import os\n\n\ndef where(event, context):\n"
        "    here = os.path.dirname(__file__)\n"
        "    return {'module': __file__, 's3': os.path.realpath(os.path.join(here, 's3'))}\n",
        encoding="utf-8",
    )
    (project / "asl.toml").write_text('[lambda]\nWork = "uploaded_handlers:where"\n[s3]\npath = "s3"\n')
    resources = load_resources(project / "asl.toml")
    execution = support.run(support.machine(), resources, tmp_path / "run", executor=dask_cluster.spec)
    assert execution.status == "SUCCEEDED", execution.cause
    answers = support.outputs(resources, execution)
    assert len(answers) == 6
    for answer in answers:
        # the workers imported the handler from their copy of the project, not from the driver's directory
        module = Path(answer["module"])
        assert not module.is_relative_to(project) and "asl-engine-projects" in module.parts
        assert module.name == "uploaded_handlers.py"
        # and the embedded S3's directory, data shared by path, is a link to the driver's
        assert answer["s3"] == str((project / "s3").resolve())


def test_a_handler_the_workers_cannot_import_is_reported_by_worker(
    dask_cluster: DaskCluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    libraries = tmp_path / "driver-libraries"
    libraries.mkdir()
    (libraries / "driver_only_library.py").write_text("FACTOR = 2\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(libraries))  # installed here, not on the workers
    project = tmp_path / "project"
    project.mkdir()
    (project / "needs_library.py").write_text(
        "import driver_only_library\n\n\ndef work(event, context):\n    return event\n", encoding="utf-8"
    )
    (project / "asl.toml").write_text('[lambda]\nWork = "needs_library:work"\n', encoding="utf-8")
    resources = load_resources(project / "asl.toml")
    resources.s3_object("input-data", "rows.csv", "id\n1\n")
    resources.s3_bucket("results")
    execution = support.run(support.machine(), resources, tmp_path / "run", executor=dask_cluster.spec)
    assert (execution.status, execution.error) == ("FAILED", "States.Runtime")
    cause = str(execution.cause)
    assert "cannot run its children on the Dask workers" in cause
    assert "No module named 'driver_only_library'" in cause
    assert "tcp://127.0.0.1:" in cause  # each worker says so, by its address
    assert execution.child_executions == []


def test_without_upload_the_workers_need_the_project_at_the_same_path(
    dask_cluster: DaskCluster, tmp_path: Path
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "driver_only.py").write_text("def work(event, context):\n    return event\n", encoding="utf-8")
    (project / "asl.toml").write_text('[lambda]\nWork = "driver_only:work"\n', encoding="utf-8")
    resources = load_resources(project / "asl.toml")
    resources.s3_object("input-data", "rows.csv", "id\n1\n")
    resources.s3_bucket("results")
    (project / "asl.toml").unlink()  # the workers will not find it
    executor = DaskExecutor(dask_cluster.address, upload=False)
    execution = support.run(support.machine(), resources, tmp_path / "run", executor=executor)
    assert (execution.status, execution.error) == ("FAILED", "States.Runtime")
    assert "cannot run its children on the Dask workers" in str(execution.cause)
    assert "asl.toml" in str(execution.cause) and "docs/scaling.md" in str(execution.cause)
    assert execution.child_executions == []


def test_dask_alone_starts_a_local_cluster_for_the_map_run(tmp_path: Path) -> None:
    from .conftest import _need_dask

    _need_dask()
    machine = support.machine()
    local = support.resources(20)
    expected = support.run(machine, local, tmp_path)
    remote = support.resources(20)
    actual = support.run(machine, remote, tmp_path, executor="dask")
    support.same_run(expected, actual, support.result_files(local), support.result_files(remote))
    assert os.getpid() not in support.pids(tmp_path)
