"""``asl history``: re-rendering saved histories, ours and those the AWS CLI prints."""

from __future__ import annotations

import json

import pytest

from tests.cli.conftest import Invoke, Write

# As `aws stepfunctions get-execution-history` prints it (payloads as JSON text, ISO timestamps).
AWS_CLI_HISTORY = {
    "events": [
        {
            "timestamp": "2024-05-02T10:00:00.000000+02:00",
            "type": "ExecutionStarted",
            "id": 1,
            "previousEventId": 0,
            "executionStartedEventDetails": {
                "input": '{"order":7}',
                "inputDetails": {"truncated": False},
                "roleArn": "arn:aws:iam::123456789012:role/r",
            },
        },
        {
            "timestamp": "2024-05-02T10:00:00.020000+02:00",
            "type": "TaskStateEntered",
            "id": 2,
            "previousEventId": 1,
            "stateEnteredEventDetails": {
                "name": "Charge",
                "input": '{"order":7}',
                "inputDetails": {"truncated": False},
            },
        },
        {
            "timestamp": "2024-05-02T10:00:00.030000+02:00",
            "type": "TaskScheduled",
            "id": 3,
            "previousEventId": 2,
            "taskScheduledEventDetails": {
                "resourceType": "lambda",
                "resource": "invoke",
                "region": "eu-west-1",
                "parameters": '{"FunctionName":"charge"}',
            },
        },
        {
            "timestamp": "2024-05-02T10:00:01.530000+02:00",
            "type": "TaskFailed",
            "id": 4,
            "previousEventId": 3,
            "taskFailedEventDetails": {
                "resourceType": "lambda",
                "resource": "invoke",
                "error": "Declined",
                "cause": "card declined",
            },
        },
        {
            "timestamp": "2024-05-02T10:00:01.540000+02:00",
            "type": "ExecutionFailed",
            "id": 5,
            "previousEventId": 4,
            "executionFailedEventDetails": {"error": "Declined", "cause": "card declined"},
        },
    ]
}


def test_an_aws_cli_history_renders_as_a_table(invoke: Invoke, write: Write) -> None:
    result = invoke("history", str(write("aws.json", AWS_CLI_HISTORY)))
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["ID", "TYPE", "STEP", "ELAPSED", "DETAILS"]
    assert lines[3].split() == [
        "3",
        "TaskScheduled",
        "Charge",
        "30",
        "ms",
        "lambda:invoke",
        '{"FunctionName":"charge"}',
    ]
    assert lines[4].split(None, 5) == ["4", "TaskFailed", "Charge", "1.53", "s", "Declined: card declined"]


def test_epoch_timestamps_of_the_raw_api_and_a_bare_event_list(invoke: Invoke, write: Write) -> None:
    events = [{**event, "timestamp": 1714636800.0 + index} for index, event in enumerate(AWS_CLI_HISTORY["events"])]
    result = invoke("history", str(write("raw.json", events)), "--format", "path")
    assert result.stdout == "Charge\n"


def test_trace_format_writes_json_lines_with_payloads_as_values(invoke: Invoke, write: Write) -> None:
    result = invoke("history", str(write("aws.json", AWS_CLI_HISTORY)), "--format", "trace")
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines[0] == {
        "event": "ExecutionStarted",
        "timestamp": "2024-05-02T08:00:00.000Z",
        "id": 1,
        "input": {"order": 7},
        "roleArn": "arn:aws:iam::123456789012:role/r",
    }
    assert lines[2]["state"] == "Charge" and lines[2]["parameters"] == {"FunctionName": "charge"}


def test_history_from_stdin(invoke: Invoke) -> None:
    result = invoke("history", "-", "--format", "path", input=json.dumps(AWS_CLI_HISTORY))
    assert result.stdout == "Charge\n"


def test_table_is_trimmed_to_the_terminal(
    invoke: Invoke, write: Write, pretend_terminal: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "60")
    result = invoke("history", str(write("aws.json", AWS_CLI_HISTORY)))
    assert all(len(line) <= 60 for line in result.stdout.splitlines())
    assert "…" in result.stdout


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{", "is not valid JSON"),
        ({"nothing": []}, 'expected {"events": [...]}'),
        ({"events": [{"id": 1, "timestamp": 0}]}, "/events/0: 'type' must be an event type"),
        ({"events": [{"id": "1", "type": "X", "timestamp": 0}]}, "/events/0: 'id' must be an integer event id"),
        ({"events": [{"id": 1, "type": "X", "timestamp": "yesterday"}]}, "/events/0: 'timestamp' must be an ISO-8601"),
        ({"events": [7]}, "/events/0: an event must be an object"),
    ],
)
def test_bad_history_files_exit_two(invoke: Invoke, write: Write, content: object, message: str) -> None:
    result = invoke("history", str(write("h.json", content)))
    assert result.exit_code == 2
    assert message in result.stderr


def test_missing_history_file_exits_two(invoke: Invoke) -> None:
    result = invoke("history", "no-such-history.json")
    assert result.exit_code == 2
    assert "no-such-history.json: no such file" in result.stderr
