"""Step Functions Local compatibility, written from its documentation ("Using mocked service integrations
for testing in Step Functions Local" and "Configuration file for mocked service integrations").

The documented example: a state machine named ``LambdaSQSIntegration`` whose ``LambdaState`` invokes a
Lambda function (retrying ``Lambda.ResourceNotReadyException`` and ``Lambda.TimeoutException``) and
whose ``SQSState`` sends a message; a MockConfigFile with the test cases ``HappyPath``, ``RetryPath``
and ``HybridPath``; executions started on ``<stateMachineArn>#<TestCaseName>``. A mocked response
maps invocation numbers (``"0"``, ranges ``"1-2"``) to a ``Return`` or a ``Throw``; states a test case
does not mock call the service (here: the local handlers of ``--resources``).
"""

from __future__ import annotations

import itertools
import json

import pytest
from botocore.exceptions import ClientError

from tests.server.conftest import DATA, client_of, create, wait_done
from tests.server.test_machines import error_of

LAMBDA_SQS = {
    "StartAt": "LambdaState",
    "States": {
        "LambdaState": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "reply", "Payload.$": "$"},
            "Retry": [
                {
                    "ErrorEquals": ["Lambda.ResourceNotReadyException", "Lambda.TimeoutException"],
                    "IntervalSeconds": 2,
                    "MaxAttempts": 3,
                    "BackoffRate": 2.0,
                }
            ],
            "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Recovered"}],
            "Next": "SQSState",
        },
        "SQSState": {
            "Type": "Task",
            "Resource": "arn:aws:states:::sqs:sendMessage",
            "Parameters": {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/orders", "MessageBody.$": "$"},
            "End": True,
        },
        "Recovered": {"Type": "Pass", "Parameters": {"recovered.$": "$.error.Error"}, "End": True},
    },
}


@pytest.fixture(scope="module")
def machine(sfn):
    return create(sfn, LAMBDA_SQS, name="LambdaSQSIntegration")


def events_of(sfn, execution):
    return sfn.get_execution_history(executionArn=execution)["events"]


def test_happy_path(sfn, machine):
    started = sfn.start_execution(stateMachineArn=f"{machine}#HappyPath", name="happy", input="{}")
    assert started["executionArn"].endswith(":execution:LambdaSQSIntegration:happy")
    described = wait_done(sfn, started["executionArn"])
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == {
        "MD5OfMessageBody": "3bcb6e8e-7h85-4375-b0bc-1a59812c6e51",
        "MessageId": "3bcb6e8e-8b51-4375-b0bc-1a59812c6e51",
    }
    lambda_done = next(e for e in events_of(sfn, started["executionArn"]) if e["type"] == "TaskSucceeded")
    assert json.loads(lambda_done["taskSucceededEventDetails"]["output"])["Payload"]["body"] == "Hello from Lambda!"


def test_mocked_lambda_retries(sfn, machine):
    """RetryPath: invocation 0 throws ResourceNotReady, 1-2 throw Timeout, 3 returns: three retries."""
    execution = sfn.start_execution(stateMachineArn=f"{machine}#RetryPath", input="{}")["executionArn"]
    described = wait_done(sfn, execution)
    assert described["status"] == "SUCCEEDED"
    events = events_of(sfn, execution)
    failures = [e["taskFailedEventDetails"]["error"] for e in events if e["type"] == "TaskFailed"]
    assert failures == ["Lambda.ResourceNotReadyException", "Lambda.TimeoutException", "Lambda.TimeoutException"]
    scheduled = [e for e in events if e["type"] == "TaskScheduled"]
    assert len(scheduled) == 5  # four Lambda attempts, then SQS
    # With the virtual clock the back-off takes no real time, but the history shows it: 2 s, 4 s, 8 s.
    times = [e["timestamp"] for e in scheduled[:4]]
    assert [(later - earlier).total_seconds() for earlier, later in itertools.pairwise(times)] == [
        2.0, 4.0, 8.0,
    ]  # fmt: skip


def test_mocked_errors_caught(sfn, machine):
    """CaughtPath: every attempt throws; after the retries the Catch takes the error."""
    execution = sfn.start_execution(stateMachineArn=f"{machine}#CaughtPath", input="{}")["executionArn"]
    described = wait_done(sfn, execution)
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == {"recovered": "Lambda.ResourceNotReadyException"}
    assert len([e for e in events_of(sfn, execution) if e["type"] == "TaskFailed"]) == 4


def test_hybrid_path_calls_the_local_handler_for_what_is_not_mocked(sfn, machine):
    execution = sfn.start_execution(stateMachineArn=f"{machine}#HybridPath", input='{"k": 1}')["executionArn"]
    described = wait_done(sfn, execution)
    assert described["status"] == "SUCCEEDED"
    sent = json.loads(described["output"])
    assert "MessageId" in sent and sent["MessageId"] != "3bcb6e8e-8b51-4375-b0bc-1a59812c6e51"


def test_without_a_test_case_the_local_handlers_answer(sfn, machine):
    execution = sfn.start_execution(stateMachineArn=machine, input='{"k": 2}')["executionArn"]
    assert wait_done(sfn, execution)["status"] == "SUCCEEDED"
    lambda_done = next(e for e in events_of(sfn, execution) if e["type"] == "TaskSucceeded")
    assert json.loads(lambda_done["taskSucceededEventDetails"]["output"])["Payload"]["from"] == "local handler"


def test_unknown_test_case(sfn, machine):
    with pytest.raises(ClientError) as excinfo:
        sfn.start_execution(stateMachineArn=f"{machine}#NoSuchCase")
    code, message = error_of(excinfo)
    assert code == "ValidationException"
    assert "no test case 'NoSuchCase'" in message and "HappyPath" in message


def test_the_mock_config_file_from_the_environment(monkeypatch):
    """Step Functions Local reads SFN_MOCK_CONFIG when no file is given."""
    from asl_engine.server import ServerSettings, running

    monkeypatch.setenv("SFN_MOCK_CONFIG", str(DATA / "MockConfigFile.json"))
    with running(ServerSettings(port=0, clock="virtual")) as endpoint:
        client = client_of(endpoint)
        machine = create(client, LAMBDA_SQS, name="LambdaSQSIntegration")
        execution = client.start_execution(stateMachineArn=f"{machine}#HappyPath")["executionArn"]
        assert wait_done(client, execution)["status"] == "SUCCEEDED"


def test_a_test_case_without_a_mock_config_file(monkeypatch):
    from asl_engine.server import ServerSettings, running

    monkeypatch.delenv("SFN_MOCK_CONFIG", raising=False)
    with running(ServerSettings(port=0, clock="virtual")) as endpoint:
        client = client_of(endpoint)
        machine = create(client, LAMBDA_SQS, name="LambdaSQSIntegration")
        with pytest.raises(ClientError) as excinfo:
            client.start_execution(stateMachineArn=f"{machine}#HappyPath")
        assert "--mock-config" in error_of(excinfo)[1]
