"""The pytest fixture asl_sfn_client (from the plugin asl_engine.server.pytest_plugin) and `running`."""

from __future__ import annotations

import json

import pytest

from asl_engine.server import ServerSettings, running
from tests.server.conftest import PASS, ROLE, client_of


def test_the_fixture_yields_a_client_of_a_fresh_server(asl_sfn_client):
    assert asl_sfn_client.list_state_machines()["stateMachines"] == []
    arn = asl_sfn_client.create_state_machine(name="fixture", definition=json.dumps(PASS), roleArn=ROLE)[
        "stateMachineArn"
    ]
    execution = asl_sfn_client.start_execution(stateMachineArn=arn, input='{"a": 1}')["executionArn"]
    assert asl_sfn_client.describe_execution(executionArn=execution)["executionArn"] == execution


@pytest.fixture
def asl_server_settings():
    return ServerSettings(port=0, clock="virtual", region="eu-west-1", account="111122223333")


def test_the_settings_fixture_can_be_overridden(asl_sfn_client):
    arn = asl_sfn_client.create_state_machine(name="where", definition=json.dumps(PASS), roleArn=ROLE)[
        "stateMachineArn"
    ]
    assert arn == "arn:aws:states:eu-west-1:111122223333:stateMachine:where"


def test_running_stops_the_server_at_the_end_of_the_block():
    import httpx

    with running(ServerSettings(port=0)) as endpoint:
        assert endpoint.startswith("http://127.0.0.1:")
        assert client_of(endpoint).list_activities()["activities"] == []
    with pytest.raises(httpx.TransportError):
        httpx.post(endpoint + "/", content="{}", timeout=2)


def test_the_real_clock_is_the_default():
    """As on AWS (and Step Functions Local), a Wait takes real time: a 30-second Wait is still waiting."""
    from tests.server.conftest import WAIT, wait_done

    assert ServerSettings().clock == "real"
    waiting = {**WAIT, "States": {**WAIT["States"], "Rest": {"Type": "Wait", "Seconds": 30, "End": True}}}
    with running(ServerSettings(port=0)) as endpoint:
        sfn = client_of(endpoint)
        arn = sfn.create_state_machine(name="now", definition=json.dumps(waiting), roleArn=ROLE)["stateMachineArn"]
        execution = sfn.start_execution(stateMachineArn=arn, input='{"name": "x"}')["executionArn"]
        history = sfn.get_execution_history(executionArn=execution)["events"]
        for _ in range(2000):
            if history[-1]["type"] == "WaitStateEntered":
                break
            history = sfn.get_execution_history(executionArn=execution)["events"]
        assert history[-1]["type"] == "WaitStateEntered"
        assert sfn.describe_execution(executionArn=execution)["status"] == "RUNNING"
        sfn.stop_execution(executionArn=execution)
        assert wait_done(sfn, execution)["status"] == "ABORTED"
