"""``processes:N``: children in worker processes, indistinguishable from an in-process run."""

from __future__ import annotations

import os
import sys
import types
from pathlib import Path
from typing import Any

from asl_engine.executors import ProcessesExecutor

from . import support

ROWS = 120


def test_children_run_in_the_worker_processes_with_the_in_process_results(tmp_path: Path) -> None:
    machine = support.machine()
    local = support.resources(ROWS)
    expected = support.run(machine, local, tmp_path)
    assert support.pids(tmp_path) == {os.getpid()}
    remote = support.resources(ROWS)
    actual = support.run(machine, remote, tmp_path, executor="processes:2")
    support.same_run(expected, actual, support.result_files(local), support.result_files(remote))
    assert len(actual.child_executions) == ROWS
    assert support.outputs(remote, actual) == [{"id": i, "double": 2 * i} for i in range(ROWS)]
    ran_in = support.pids(tmp_path)
    assert os.getpid() not in ran_in
    assert 1 <= len(ran_in) <= 2


def test_tolerated_failures_batches_and_concurrency_give_the_in_process_results(tmp_path: Path) -> None:
    support.tolerance_and_concurrency(tmp_path, ProcessesExecutor(2, batch_size=2))


def test_a_killed_worker_process_is_replaced_and_its_children_run_again(tmp_path: Path) -> None:
    machine = support.machine()
    local = support.resources(ROWS, "kill_worker_once")
    (tmp_path / "killed").touch()  # in this process, item 37 must not kill the test
    expected = support.run(machine, local, tmp_path, kill=37)
    (tmp_path / "killed").unlink()
    remote = support.resources(ROWS, "kill_worker_once")
    actual = support.run(machine, remote, tmp_path, executor="processes:2", kill=37)
    assert (tmp_path / "killed").exists()
    support.same_run(expected, actual, support.result_files(local), support.result_files(remote))


def test_a_batch_that_keeps_killing_its_worker_fails_the_map_run(tmp_path: Path) -> None:
    machine = support.machine()
    execution = support.run(
        machine,
        support.resources(ROWS, "kill_worker_always"),
        tmp_path,
        executor=ProcessesExecutor(2, batch_size=10, retries=1),
        kill=37,
    )
    assert execution.status == "FAILED"
    assert execution.error == "States.Runtime"
    assert execution.cause is not None
    assert "ran items 30 to 39 in worker processes that died 2 times" in execution.cause
    events = [event["type"] for event in execution.history]
    assert "MapRunFailed" in events


def test_a_handler_the_workers_cannot_import_fails_before_any_child_runs(tmp_path: Path) -> None:
    module = types.ModuleType("handlers_only_in_the_driver")
    exec("def work(event, context):\n    return event\n", module.__dict__)
    sys.modules[module.__name__] = module
    try:
        resources = support.resources(10)
        resources.lambda_function("Work", module.work)
        execution = support.run(support.machine(), resources, tmp_path, executor="processes:2")
    finally:
        del sys.modules[module.__name__]
    assert execution.status == "FAILED"
    assert execution.error == "States.Runtime"
    assert "cannot run its children in worker processes" in str(execution.cause)
    assert "handlers_only_in_the_driver" in str(execution.cause)
    assert execution.child_executions == []


def test_handlers_that_cannot_travel_and_data_left_in_memory_are_clear_errors(tmp_path: Path) -> None:
    unpicklable = support.resources(10)
    unpicklable.lambda_function("Work", lambda event, context: event)
    execution = support.run(support.machine(), unpicklable, tmp_path / "a", executor="processes:2")
    assert (execution.status, execution.error) == ("FAILED", "States.Runtime")
    assert "define them as functions of an importable module" in str(execution.cause)

    processor: dict[str, Any] = {
        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
        "StartAt": "Save",
        "States": {
            "Save": {
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:s3:putObject",
                "Parameters": {"Bucket": "results", "Key.$": "$.id", "Body": "x"},
                "End": True,
            }
        },
    }
    execution = support.run(
        support.machine(processor=processor), support.resources(10), tmp_path / "b", executor="processes:2"
    )
    assert (execution.status, execution.error) == ("FAILED", "States.Runtime")
    assert "keep the embedded S3 in a directory" in str(execution.cause)


def test_children_that_send_messages_through_embedded_services_stay_in_process(tmp_path: Path) -> None:
    processor: dict[str, Any] = {
        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
        "StartAt": "Notify",
        "States": {
            "Notify": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage",
                "Parameters": {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/q", "MessageBody.$": "$"},
                "End": True,
            }
        },
    }
    machine = support.machine(processor=processor)
    execution = support.run(machine, support.resources(10), tmp_path / "a", executor="processes:2")
    assert (execution.status, execution.error) == ("FAILED", "States.Runtime")
    assert "its children call sqs, whose embedded state" in str(execution.cause)
    assert "run this Map in-process" in str(execution.cause)
    assert execution.child_executions == []
    # the same Map in-process: the messages are in the driver's outbox
    resources = support.resources(10)
    execution = support.run(machine, resources, tmp_path / "b")
    assert execution.status == "SUCCEEDED", execution.cause
    assert len(resources.outbox.to_json()["sqs"]["q"]) == 10
    # mocked, the state calls no embedded service: the children may run elsewhere
    mocked = {"Notify": [{"Return": {"MessageId": "m-1"}}]}
    execution = support.run(machine, support.resources(10), tmp_path / "c", executor="processes:2", mocks=mocked)
    assert execution.status == "SUCCEEDED", execution.cause


def test_asl_toml_resources_are_loaded_again_by_the_workers(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "rows.csv").write_text("id,name\n" + "".join(f"{i},row {i}\n" for i in range(30)), encoding="utf-8")
    handlers = Path(support.worker_handlers.__file__).read_text(encoding="utf-8")
    (project / "project_handlers.py").write_text(handlers, encoding="utf-8")
    (project / "asl.toml").write_text(
        '[lambda]\nWork = "project_handlers:double"\n'
        '[s3.buckets.input-data]\n"rows.csv" = "rows.csv"\n[s3.buckets.results]\n'
        '[executor]\nuse = "processes:2"\nbatch_size = 4\n',
        encoding="utf-8",
    )
    from asl_engine.services import load_resources

    loaded = load_resources(project / "asl.toml")
    execution = support.run(support.machine(), loaded, tmp_path / "run")  # the [executor] section applies
    assert execution.status == "SUCCEEDED", execution.cause
    assert support.outputs(loaded, execution) == [{"id": i, "double": 2 * i} for i in range(30)]
    assert os.getpid() not in support.pids(tmp_path / "run")
