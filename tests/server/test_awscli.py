"""The AWS CLI against the server: create-state-machine, start-execution, describe-execution,
get-execution-history, as a shell script would run them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.server.conftest import ROLE, WAIT


def aws_command() -> list[str] | None:
    found = shutil.which("aws") or (
        str(Path(sys.executable).with_name("aws")) if Path(sys.executable).with_name("aws").exists() else None
    )
    return [found] if found else None


AWS = aws_command()
pytestmark = pytest.mark.skipif(
    AWS is None and os.environ.get("CI") != "true", reason="the AWS CLI is not installed (CI installs it: [test])"
)


def aws(endpoint: str, *arguments: str) -> Any:
    assert AWS is not None, "CI=true: the AWS CLI must be installed (pip install -e '.[test]')"
    environment = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_PAGER": "",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    }
    completed = subprocess.run(
        [*AWS, "stepfunctions", *arguments, "--endpoint-url", endpoint, "--output", "json"],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout) if completed.stdout.strip() else None


def test_round_trip(server):
    endpoint = server.endpoint
    created = aws(
        endpoint,
        "create-state-machine",
        "--name",
        "cli-round-trip",
        "--definition",
        json.dumps(WAIT),
        "--role-arn",
        ROLE,
    )
    machine = created["stateMachineArn"]
    assert machine.endswith(":stateMachine:cli-round-trip")
    started = aws(endpoint, "start-execution", "--state-machine-arn", machine, "--input", '{"name": "CLI"}')
    execution = started["executionArn"]
    described: dict[str, Any] = {}
    for _ in range(200):
        described = aws(endpoint, "describe-execution", "--execution-arn", execution)
        if described["status"] != "RUNNING":
            break
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == {"hello": "CLI"}
    history = aws(endpoint, "get-execution-history", "--execution-arn", execution)
    assert next(event["type"] for event in history["events"]) == "ExecutionStarted"
    assert history["events"][-1]["type"] == "ExecutionSucceeded"


def test_errors_reach_the_cli(server):
    """An AWS error is what the CLI prints, with the CLI's failure status (255 for v1, 254 for v2)."""
    assert AWS is not None
    completed = subprocess.run(
        [*AWS, "stepfunctions", "describe-execution", "--execution-arn", "nope", "--endpoint-url", server.endpoint],
        capture_output=True,
        text=True,
        env={**os.environ, "AWS_ACCESS_KEY_ID": "t", "AWS_SECRET_ACCESS_KEY": "t", "AWS_DEFAULT_REGION": "us-east-1"},
        timeout=120,
        check=False,
    )
    assert completed.returncode in (254, 255)
    assert "InvalidArn" in completed.stderr and "Invalid ARN prefix: nope" in completed.stderr
