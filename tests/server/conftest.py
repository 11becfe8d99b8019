"""One real server (uvicorn on a free loopback port) for the module's tests, and boto3 clients of it."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")
boto3 = pytest.importorskip("boto3")
from botocore.config import Config  # noqa: E402

from asl_engine.server import ServerSettings, ServerThread, serve_in_thread  # noqa: E402

DATA = Path(__file__).parent / "data"
ROLE = "arn:aws:iam::123456789012:role/asl-tests"
_names = itertools.count(1)


def client_of(endpoint: str, region: str = "us-east-1") -> Any:
    return boto3.client(
        "stepfunctions",
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        # StartSyncExecution's endpoint has the host prefix "sync-", which a local endpoint does not have.
        config=Config(inject_host_prefix=False),
    )


@pytest.fixture(scope="session")
def server() -> Iterator[ServerThread]:
    settings = ServerSettings(
        port=0, clock="virtual", resources=DATA / "asl.toml", mock_config=DATA / "MockConfigFile.json"
    )
    running = serve_in_thread(settings)
    yield running
    running.stop()


@pytest.fixture(scope="session")
def sfn(server: ServerThread) -> Any:
    return client_of(server.endpoint)


def unique(prefix: str) -> str:
    return f"{prefix}-{next(_names)}"


def create(sfn: Any, definition: dict[str, Any], *, name: str | None = None, **extra: Any) -> str:
    response = sfn.create_state_machine(
        name=name or unique("machine"), definition=json.dumps(definition), roleArn=ROLE, **extra
    )
    return str(response["stateMachineArn"])


def wait_done(sfn: Any, arn: str, attempts: int = 2000) -> dict[str, Any]:
    """Poll DescribeExecution until the execution leaves RUNNING (the virtual clock makes it quick)."""
    import time

    for _ in range(attempts):
        described: dict[str, Any] = sfn.describe_execution(executionArn=arn)
        if described["status"] != "RUNNING":
            return described
        time.sleep(0.005)
    raise AssertionError(f"{arn} still RUNNING")


PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
WAIT = {
    "StartAt": "Hello",
    "States": {
        "Hello": {"Type": "Pass", "Parameters": {"hello.$": "$.name"}, "Next": "Rest"},
        "Rest": {"Type": "Wait", "Seconds": 86400, "End": True},
    },
}
