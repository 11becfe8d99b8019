"""`asl serve`'s refusals: exit status 2 and one clear message, before anything listens."""

from __future__ import annotations

import socket
from pathlib import Path

from click.testing import CliRunner

from asl_engine.cli.main import cli


def serve(*arguments: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["serve", *arguments])
    return result.exit_code, result.output


def test_a_port_in_use():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        status, output = serve("--port", str(port))
    assert status == 2
    assert f"Error: cannot listen on 127.0.0.1:{port}" in output


def test_a_broken_mock_config(tmp_path: Path):
    broken = tmp_path / "MockConfigFile.json"
    broken.write_text("{nope")
    status, output = serve("--mock-config", str(broken), "--port", "0")
    assert status == 2
    assert "the MockConfigFile is not valid JSON" in output and "Traceback" not in output


def test_a_broken_resources_file(tmp_path: Path):
    broken = tmp_path / "asl.toml"
    broken.write_text("[lambda\n")
    status, output = serve("--resources", str(broken), "--port", "0")
    assert status == 2 and str(broken) in output and "Traceback" not in output


def test_a_store_that_is_not_a_store(tmp_path: Path):
    store = tmp_path / "runs.db"
    store.write_text("not sqlite at all, just text" * 100)
    status, output = serve("--store", str(store), "--port", "0")
    assert status == 2 and "Traceback" not in output


def test_an_unknown_clock():
    status, output = serve("--clock", "sometimes")
    assert status == 2 and "'sometimes' is not one of 'real', 'virtual'" in output
