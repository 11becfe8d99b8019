"""The server's pytest fixtures (a ``pytest11`` plugin): ``asl_sfn_client`` and ``asl_sfn_endpoint``.

    def test_order_flow(asl_sfn_client):
        arn = asl_sfn_client.create_state_machine(name="orders", definition=..., roleArn=...)["stateMachineArn"]

Each test gets its own server on a free loopback port (virtual clock: Waits take no time), stopped
after the test. Override ``asl_server_settings`` in a conftest.py to change how it runs (a
MockConfigFile, a resources file, a store). Needs the ``[server]`` extra and boto3; this module
imports nothing heavy until a fixture is used.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from asl_engine.server.settings import ServerSettings


@pytest.fixture
def asl_server_settings() -> ServerSettings:
    """How the test's server runs: loopback, a free port, the virtual clock."""
    from asl_engine.server.settings import ServerSettings

    return ServerSettings(port=0, clock="virtual")


@pytest.fixture
def asl_sfn_endpoint(asl_server_settings: ServerSettings) -> Iterator[str]:
    """The URL of a server started for the test (stopped after it)."""
    from asl_engine.server.threaded import running

    with running(asl_server_settings) as endpoint:
        yield endpoint


@pytest.fixture
def asl_sfn_client(asl_sfn_endpoint: str, asl_server_settings: ServerSettings) -> Any:
    """A boto3 Step Functions client of the test's server."""
    boto3 = pytest.importorskip("boto3")
    from botocore.config import Config

    return boto3.client(
        "stepfunctions",
        endpoint_url=asl_sfn_endpoint,
        region_name=asl_server_settings.region,
        aws_access_key_id="asl-engine",
        aws_secret_access_key="asl-engine",
        # StartSyncExecution's endpoint has the host prefix "sync-", which a local endpoint does not have.
        config=Config(inject_host_prefix=False),
    )
