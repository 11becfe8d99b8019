"""The durable-execution commands: their output, exit codes, and clear errors for bad input."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from asl_engine import StateMachine, open_store
from asl_engine.cli.main import cli
from asl_engine.services import load_resources

MACHINE = {
    "StartAt": "Send",
    "States": {
        "Send": {
            "Type": "Task",
            "Resource": "arn:aws:states:::sqs:sendMessage",
            "Parameters": {"n.$": "$.n"},
            "Next": "Ask",
        },
        "Ask": {
            "Type": "Task",
            "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            "Parameters": {"token.$": "$$.Task.Token"},
            "ResultPath": "$.answer",
            "Next": "Done",
        },
        "Done": {"Type": "Pass", "End": True},
    },
}

HANDLERS = """
import os

def send(request):
    if request.state_name == "Send" and os.path.exists(os.path.join(os.path.dirname(__file__), "broken")):
        raise RuntimeError("the queue is down")
    if request.state_name == "Ask":
        path = os.path.join(os.path.dirname(__file__), "token")
        with open(path + ".tmp", "w") as file:  # whole or not at all: a test polls for the file
            file.write(request.parameters["token"])
        os.replace(path + ".tmp", path)
    return {"MessageId": "m-" + request.state_name}
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "machine.json").write_text(json.dumps(MACHINE))
    (tmp_path / "handlers.py").write_text(HANDLERS)
    (tmp_path / "asl.toml").write_text('[handlers]\n"arn:aws:states:::sqs:sendMessage" = "handlers:send"\n')
    (tmp_path / "input.json").write_text('{"n": 1}')
    return tmp_path


def asl(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def orphan(project: Path, name: str, input: dict[str, int]) -> str:
    """An execution whose process died while it waited for its token: returns the token."""
    store = open_store(project / "runs.db", lease_seconds=0.1)
    machine = StateMachine.from_file(project / "machine.json")
    handle = machine.start(input, store=store, name=name, resources=load_resources(project / "asl.toml"))
    token = handle.wait_for_task_token("Ask")
    store.close()
    time.sleep(0.2)
    return token


def test_run_then_inspect(project: Path) -> None:
    db = str(project / "runs.db")
    token_file = project / "token"
    orphan(project, "first", {"n": 1})
    code, out, err = asl("executions", "list", "--store", db)
    assert code == 0 and "first" in out and "RUNNING" in out
    code, out, err = asl("task", "success", token_file.read_text(), "--output", '{"yes": true}', "--store", db)
    assert code == 0, err
    code, out, err = asl("resume", "--store", db, "--resources", str(project / "asl.toml"))
    assert code == 0, err
    line = json.loads(out.splitlines()[0])
    assert line["status"] == "SUCCEEDED" and line["output"]["answer"] == {"yes": True}
    assert "first: SUCCEEDED" in err
    code, out, err = asl("executions", "describe", "first", "--store", db, "--json")
    described = json.loads(out)
    assert (described["status"], described["redriveStatus"]) == ("SUCCEEDED", "NOT_REDRIVABLE")
    code, out, err = asl("executions", "history", "first", "--store", db, "--json")
    events = json.loads(out)["events"]
    assert events[0]["type"] == "ExecutionStarted" and events[-1]["type"] == "ExecutionSucceeded"
    code, out, err = asl("executions", "history", "first", "--store", db)
    assert code == 0 and "TaskSubmitted" in out
    code, out, err = asl("executions", "list", "--store", db, "--status", "SUCCEEDED", "--json")
    assert [item["name"] for item in json.loads(out)["executions"]] == ["first"]
    code, out, err = asl("executions", "stop", "first", "--store", db)
    assert code == 0 and "nothing to stop" in err
    code, out, err = asl("resume", "--store", db)
    assert code == 0 and "nothing to resume" in err


def test_run_with_a_store_and_names(project: Path) -> None:
    db = str(project / "runs.db")
    (project / "broken").write_text("")
    code, out, err = asl(
        "run",
        str(project / "machine.json"),
        "--input",
        str(project / "input.json"),
        "--store",
        db,
        "--name",
        "n1",
        "--no-progress",
    )
    assert code == 1 and "the queue is down" in err
    code, out, err = asl(
        "run", str(project / "machine.json"), "--input-json", '{"n": 2}', "--store", db, "--name", "n1"
    )
    assert code == 2 and "Execution Already Exists" in err
    (project / "broken").unlink()
    # The redrive runs Send again; Ask then waits for its token, which a "colleague" answers.
    store = open_store(project / "runs.db")
    handle = store.redrive("n1", resources=load_resources(project / "asl.toml"))
    token = handle.wait_for_task_token("Ask", timeout=5)
    code, out, err = asl("task", "heartbeat", token, "--store", db)
    assert code == 0, err
    code, out, err = asl("task", "failure", token, "--error", "Rejected", "--cause", "no", "--store", db)
    assert code == 0, err
    execution = handle.wait(5)
    store.close()
    assert (execution.status, execution.error, execution.cause) == ("FAILED", "Rejected", "no")
    code, out, err = asl("executions", "describe", "n1", "--store", db, "--json")
    assert json.loads(out)["redriveCount"] == 1


def test_redrive_command(project: Path) -> None:
    db = str(project / "runs.db")
    (project / "broken").write_text("")
    code, out, err = asl(
        "run",
        str(project / "machine.json"),
        "--input",
        str(project / "input.json"),
        "--store",
        db,
        "--name",
        "r1",
        "--no-progress",
    )
    assert code == 1
    code, out, err = asl("redrive", "r1", "--store", db)
    assert code == 1 and "the queue is down" in err  # still broken: it fails again
    (project / "broken").unlink()
    (project / "token").unlink(missing_ok=True)

    import threading

    def answer() -> None:
        deadline = time.monotonic() + 30
        while not (project / "token").exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        with open_store(project / "runs.db") as other:
            try:
                other.send_task_success((project / "token").read_text(), {"ok": True})
            except Exception as error:  # the test then fails, rather than waiting forever
                other.stop("r1", "Test.NoAnswer", repr(error))

    threading.Thread(target=answer, daemon=True).start()
    code, out, err = asl("redrive", "r1", "--store", db)
    assert code == 0, err
    assert json.loads(out)["answer"] == {"ok": True}
    code, out, err = asl("redrive", "r1", "--store", db)
    assert code == 2 and "cannot be redriven" in err and "SUCCEEDED" in err


def test_bad_input_is_exit_2_with_a_message(project: Path) -> None:
    db = project / "runs.db"
    code, _, err = asl("executions", "list", "--store", str(db))
    assert code == 2 and "no store at" in err
    assert not db.exists()
    open_store(db).close()
    for args in (
        ("executions", "describe", "nobody", "--store", str(db)),
        ("executions", "history", "nobody", "--store", str(db)),
        ("executions", "stop", "nobody", "--store", str(db)),
        ("redrive", "nobody", "--store", str(db)),
    ):
        code, _, err = asl(*args)
        assert code == 2 and "Execution Does Not Exist: 'nobody'" in err, args
    code, _, err = asl("task", "success", "no-such-token", "--output", "{}", "--store", str(db))
    assert code == 2 and "Task Does Not Exist" in err
    code, _, err = asl("task", "success", "no-such-token", "--output", "{oops", "--store", str(db))
    assert code == 2 and "--output is not valid JSON" in err
    garbage = project / "garbage.db"
    garbage.write_bytes(b"\x00not sqlite" * 50)
    code, _, err = asl("executions", "list", "--store", str(garbage))
    assert code == 2 and "not a usable asl-engine store" in err and "Traceback" not in err
    with sqlite3.connect(db) as connection:
        connection.execute("UPDATE store_info SET value = '7' WHERE key = 'schema_version'")
    code, _, err = asl("executions", "list", "--store", str(db))
    assert code == 2 and "store format 7" in err
    code, _out, err = asl("run", str(project / "machine.json"), "--store", str(db))
    assert code == 2 and "upgrade asl-engine" in err


def test_resume_exit_status_is_1_when_an_execution_fails(project: Path) -> None:
    db = str(project / "runs.db")
    token = orphan(project, "doomed", {"n": 5})
    with open_store(db) as store:
        store.send_task_failure(token, "Nope", "rejected while nothing ran")
    code, out, _err = asl("resume", "--store", db, "--resources", str(project / "asl.toml"))
    assert code == 1
    assert json.loads(out.splitlines()[0])["error"] == "Nope"
