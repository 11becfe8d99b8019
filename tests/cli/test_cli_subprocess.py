"""The installed ``asl`` entry point as a real process: every exit code, real pipes, a real SIGINT."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.conftest import Write

ROOT = Path(__file__).resolve().parents[2]


def asl_command() -> list[str]:
    """The ``asl`` script installed beside this interpreter (as pip installs it), else the same entry point."""
    script = Path(sys.executable).with_name("asl")
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-c", "from asl_engine.cli.main import main; main()"]


def asl(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*asl_command(), *args], input=stdin, capture_output=True, text=True, timeout=60, check=False, cwd=ROOT
    )


def test_exit_0_output_on_stdout_through_a_real_pipe() -> None:
    done = asl(
        "run",
        "examples/getting-started/machine.json",
        "--input",
        "examples/getting-started/input.json",
        "--clock",
        "virtual",
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"boxes": 2, "label": "Ship order-42 to Ada"}
    assert "\n" not in done.stdout.rstrip("\n")  # compact: stdout is a pipe
    assert done.stderr == "status: SUCCEEDED\n"


def test_exit_1_failed(write: Write) -> None:
    path = write("fail.json", {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E", "Cause": "C"}}})
    done = asl("run", str(path))
    assert (done.returncode, done.stdout, done.stderr) == (1, "", "status: FAILED\nerror: E\ncause: C\n")


def test_exit_2_input_from_stdin_that_is_not_json() -> None:
    done = asl("run", "examples/getting-started/machine.json", "--input", "-", stdin="not json")
    assert done.returncode == 2
    assert done.stderr.startswith("Error: the input read from stdin is not valid JSON")
    assert "Traceback" not in done.stderr


def test_exit_3_timed_out(write: Write) -> None:
    path = write(
        "t.json", {"TimeoutSeconds": 1, "StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 9, "End": True}}}
    )
    done = asl("run", str(path), "--clock", "virtual")
    assert done.returncode == 3 and "status: TIMED_OUT" in done.stderr


@pytest.mark.skipif(os.name != "posix", reason="SIGINT delivery to a child is POSIX behaviour")
def test_exit_130_on_sigint_with_a_clean_abort(write: Write) -> None:
    path = write(
        "slow.json",
        {
            "StartAt": "Prepare",
            "States": {
                "Prepare": {"Type": "Pass", "Next": "Sleep"},
                "Sleep": {"Type": "Wait", "Seconds": 60, "End": True},
            },
        },
    )
    process = subprocess.Popen(
        [*asl_command(), "run", str(path), "--trace"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert process.stderr is not None
    for line in process.stderr:  # --trace writes JSON lines to a pipe: wait until the Wait has begun
        if json.loads(line)["event"] == "WaitStateEntered":
            break
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=30)
    assert process.returncode == 130
    assert stdout == ""
    assert '"event": "ExecutionAborted"' in stderr
    assert "status: ABORTED (interrupted)\nran: Prepare → Sleep\n" in stderr


def test_a_broken_installation_is_a_clear_error_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from asl_engine.cli.main import main
    from asl_engine.definition import schema

    machine = tmp_path / "m.json"
    machine.write_text('{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}', encoding="utf-8")
    monkeypatch.setattr(schema, "SCHEMA_PATH", tmp_path / "gone.schema.json")
    monkeypatch.setattr(sys, "argv", ["asl", "validate", str(machine)])
    schema.load_schema.cache_clear()
    try:
        with pytest.raises(SystemExit) as exited:
            main()
    finally:
        schema.load_schema.cache_clear()
    assert exited.value.code == 2
    error = capsys.readouterr().err
    assert error.startswith("Error: the ASL JSON Schema is missing: cannot read ")
    assert "reinstall asl-engine" in error and "Traceback" not in error
