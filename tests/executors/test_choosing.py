"""Choosing an executor: by name, in asl.toml, on the command line; and what it needs installed."""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from asl_engine.cli.main import cli
from asl_engine.errors import ConfigurationError
from asl_engine.executors import (
    DaskExecutor,
    ExecutorUnavailable,
    InProcessExecutor,
    ProcessesExecutor,
    executor_from_name,
    resolve_executor,
)
from asl_engine.executors import spec as executor_spec
from asl_engine.services import load_resources

from . import support


def test_names_give_the_executors_they_describe() -> None:
    assert isinstance(executor_from_name("in-process"), InProcessExecutor)
    pool = executor_from_name("processes:3", batch_size=7, retries=1)
    assert isinstance(pool, ProcessesExecutor)
    assert (pool.workers, pool.batch_size, pool.retries, pool.name) == (3, 7, 1, "processes:3")
    assert isinstance(executor_from_name("processes"), ProcessesExecutor)
    if importlib.util.find_spec("distributed") is not None:
        cluster = executor_from_name("dask://10.0.0.5:8786")
        assert isinstance(cluster, DaskExecutor)
        assert (cluster.address, cluster.name) == ("tcp://10.0.0.5:8786", "dask://10.0.0.5:8786")
        local = executor_from_name("dask")
        assert isinstance(local, DaskExecutor) and local.address is None
    assert resolve_executor("in-process") is None  # the default: the Map Run's own executor
    assert resolve_executor(None) is None


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("threads", "unknown executor 'threads': expected in-process, processes, processes:N, dask"),
        ("processes:0", "the number of processes must be a positive integer"),
        ("processes:two", "the number of processes must be a positive integer"),
        ("dask:scheduler", "a Dask scheduler is given as dask://HOST:PORT"),
        ("dask://scheduler", "a Dask scheduler is given as dask://HOST:PORT"),
    ],
)
def test_a_name_it_does_not_know_is_a_clear_error(name: str, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message.replace("(", r"\(").replace(")", r"\)")):
        executor_from_name(name)


def test_without_dask_the_dask_executor_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(
        executor_spec.importlib.util, "find_spec", lambda name, *a: None if name == "distributed" else real(name, *a)
    )
    with pytest.raises(ExecutorUnavailable, match=r"pip install 'asl-engine\[dask\]'"):
        executor_from_name("dask://127.0.0.1:8786")
    result = CliRunner().invoke(
        cli, ["run", str(_machine_file(tmp_path)), "--executor", "dask"], catch_exceptions=False
    )
    assert result.exit_code == 2
    assert "pip install 'asl-engine[dask]'" in result.stderr


def test_the_executor_section_of_asl_toml(tmp_path: Path) -> None:
    (tmp_path / "asl.toml").write_text('[executor]\nuse = "processes:3"\nbatch_size = 50\nretries = 0\n')
    resources = load_resources(tmp_path / "asl.toml")
    assert resources.source == (tmp_path / "asl.toml").resolve()
    chosen = resolve_executor(None, resources.executor_config)
    assert isinstance(chosen, ProcessesExecutor)
    assert (chosen.workers, chosen.batch_size, chosen.retries) == (3, 50, 0)
    assert resolve_executor("in-process", resources.executor_config) is None  # an explicit choice wins
    (tmp_path / "asl.toml").write_text('[executor]\nuse = "dask://10.0.0.5:8786"\nupload = false\n')
    if importlib.util.find_spec("distributed") is not None:
        remote = resolve_executor(None, load_resources(tmp_path / "asl.toml").executor_config)
        assert isinstance(remote, DaskExecutor)
        assert (remote.address, remote.upload) == ("tcp://10.0.0.5:8786", False)


def test_an_execution_takes_the_executor_of_its_resources_not_of_its_mocks(tmp_path: Path) -> None:
    """``StateMachine.execute`` looks for an ``[executor]`` among the resources only (a mocks dict is
    parsed to a ``Mocks``, which has none): resources from such an ``asl.toml`` choose the run's
    executor with or without mocks beside them, mocks alone leave it in this process."""
    from asl_engine import StateMachine

    (tmp_path / "asl.toml").write_text('[executor]\nuse = "processes:3"\n')
    resources = load_resources(tmp_path / "asl.toml")
    machine = StateMachine.from_json({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    mocks: dict[str, Any] = {"P": []}
    with_resources: Any = machine.execute({}, resources=resources)._run
    with_both: Any = machine.execute({}, resources=[resources], mocks=mocks)._run
    mocked: Any = machine.execute({}, mocks=mocks)._run
    assert isinstance(with_resources.map_executor, ProcessesExecutor)
    assert isinstance(with_both.map_executor, ProcessesExecutor) and with_both.map_executor.workers == 3
    assert mocked.map_executor is None and machine.execute({})._run.map_executor is None


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ("use = 3", r"asl.toml: executor.use: expected an executor"),
        ('use = "processes"\nbatch_size = 0', r"asl.toml: executor.batch_size: expected an integer of at least 1"),
        ('use = "processes"\nworkers = 2', r"asl.toml: executor.workers: unknown key; expected one of use"),
        ('use = "dask://h:1"\nupload = "yes"', r"asl.toml: executor.upload: expected true or false"),
    ],
)
def test_mistakes_in_the_executor_section_name_the_key(tmp_path: Path, section: str, message: str) -> None:
    (tmp_path / "asl.toml").write_text(f"[executor]\n{section}\n")
    with pytest.raises(ConfigurationError, match=message):
        load_resources(tmp_path / "asl.toml")


def test_an_unknown_executor_in_asl_toml_stops_asl_run_with_status_2(tmp_path: Path) -> None:
    machine = _machine_file(tmp_path)
    (tmp_path / "asl.toml").write_text('[executor]\nuse = "threads"\n')
    result = CliRunner().invoke(cli, ["run", str(machine)], catch_exceptions=False)
    assert result.exit_code == 2
    assert "asl.toml: executor.use: unknown executor 'threads'" in result.stderr
    result = CliRunner().invoke(cli, ["run", str(machine), "--executor", "bogus"], catch_exceptions=False)
    assert result.exit_code == 2
    assert "unknown executor 'bogus'" in result.stderr


def test_asl_run_runs_the_children_in_worker_processes(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "s3" / "input-data").mkdir(parents=True)
    (project / "s3" / "results").mkdir()
    (project / "s3" / "input-data" / "rows.csv").write_text("id\n" + "".join(f"{i}\n" for i in range(12)))
    handlers = Path(support.worker_handlers.__file__).read_text(encoding="utf-8")
    (project / "project_handlers.py").write_text(handlers, encoding="utf-8")
    (project / "asl.toml").write_text('[lambda]\nWork = "project_handlers:double"\n[s3]\npath = "s3"\n')
    definition = support.machine().definition
    (project / "machine.json").write_text(json.dumps(definition))
    arguments = ["run", str(project / "machine.json"), "--clock", "virtual", "--compact", "--executor", "processes:1"]
    execution_input = json.dumps({"dir": str(tmp_path / "run"), "fail": [], "kill": "none"})
    (tmp_path / "run").mkdir()
    result = CliRunner().invoke(cli, [*arguments, "--input-json", execution_input], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    output: dict[str, Any] = json.loads(result.stdout)
    manifest = json.loads((project / "s3" / "results" / output["ResultWriterDetails"]["Key"]).read_text())
    records = json.loads((project / "s3" / "results" / manifest["ResultFiles"]["SUCCEEDED"][0]["Key"]).read_text())
    assert [json.loads(record["Output"]) for record in records] == [{"id": i, "double": 2 * i} for i in range(12)]
    ran_in = support.pids(tmp_path / "run")
    assert ran_in and os.getpid() not in ran_in


def test_a_durable_execution_refuses_an_executor_and_runs_no_distributed_map(tmp_path: Path) -> None:
    from asl_engine import StateMachine, open_store

    passing = StateMachine.from_json({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    with open_store(tmp_path / "runs.db") as store:
        for executor in ("processes:2", ProcessesExecutor(2)):
            with pytest.raises(ConfigurationError, match=r"the executor option .* cannot be combined with store="):
                passing.execute({}, store=store, executor=executor)
        # in-process is where a durable execution runs anyway
        assert passing.execute({"a": 1}, store=store, executor="in-process").output == {"a": 1}
        assert store.describe(passing.execute({}, store=store).arn)["status"] == "SUCCEEDED"
        # a Distributed Map is refused under a store whatever the executor (asl.toml's [executor] too)
        with pytest.raises(ConfigurationError, match="Distributed Map"):
            support.machine().execute({}, store=store)
    machine = _machine_file(tmp_path)
    arguments = ["run", str(machine), "--store", str(tmp_path / "cli.db"), "--executor", "dask"]
    result = CliRunner().invoke(cli, arguments, catch_exceptions=False)
    assert result.exit_code == 2
    assert "the executor option ('dask') cannot be combined with store=" in result.stderr
    assert "--executor" in result.stderr


def _machine_file(directory: Path) -> Path:
    path = directory / "tiny.json"
    path.write_text(json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}))
    return path
