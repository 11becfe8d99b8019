"""``asl graph``: formats, output file and exit codes."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from asl_engine.cli.graph import graph_command

DEFINITION = (
    '{"StartAt": "C", "States": {"C": {"Type": "Choice", "Choices": ['
    '{"Variable": "$.x", "NumericEquals": 1, "Next": "P"}], "Default": "Done"},'
    '"P": {"Type": "Parallel", "Next": "Done", "Branches": [{"StartAt": "B", "States": '
    '{"B": {"Type": "Pass", "End": true}}}]}, "Done": {"Type": "Succeed"}}}'
)


@pytest.fixture
def definition(tmp_path: Path) -> str:
    path = tmp_path / "flow.json"
    path.write_text(DEFINITION, encoding="utf-8")
    return str(path)


def test_mermaid_is_the_default(definition: str) -> None:
    result = CliRunner().invoke(graph_command, [definition])
    assert result.exit_code == 0
    assert result.output.startswith("flowchart TD")
    assert '-->|"$.x == 1"|' in result.output


def test_dot_to_a_file(definition: str, tmp_path: Path) -> None:
    out = tmp_path / "flow.dot"
    result = CliRunner().invoke(graph_command, ["--format", "dot", "--output", str(out), definition])
    assert result.exit_code == 0 and result.output == ""
    text = out.read_text()
    assert text.startswith('digraph "flow" {') and 'subgraph "cluster_s1"' in text
    if shutil.which("dot"):
        rendered = subprocess.run(["dot", "-Tsvg", str(out)], capture_output=True, text=True, check=False)
        assert rendered.returncode == 0, rendered.stderr


def test_unparsable_definition_exits_one(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text("{not json", encoding="utf-8")
    result = CliRunner().invoke(graph_command, [str(path)])
    assert result.exit_code == 1
    assert "INVALID_JSON_DESCRIPTION" in result.output and "Traceback" not in result.output


def test_missing_file_exits_two(tmp_path: Path) -> None:
    result = CliRunner().invoke(graph_command, [str(tmp_path / "none.json")])
    assert result.exit_code == 2
    assert "no such file" in result.output


def test_help_has_an_example() -> None:
    assert "dot -Tsvg" in CliRunner().invoke(graph_command, ["--help"]).output


ORDERS = {
    "StartAt": "Each",
    "States": {
        "Each": {
            "Type": "Map",
            "Next": "Charge",
            "ItemProcessor": {"StartAt": "Price", "States": {"Price": {"Type": "Pass", "End": True}}},
        },
        "Charge": {
            "Type": "Task",
            "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Charge",
            "Retry": [{"ErrorEquals": ["Busy"], "MaxAttempts": 2}],
            "Catch": [{"ErrorEquals": ["Declined"], "Next": "Refund"}],
            "Next": "Done",
        },
        "Refund": {"Type": "Pass", "Next": "Parse"},
        "Parse": {"Type": "Pass", "InputPath": "$.missing", "Next": "Done"},
        "Done": {"Type": "Succeed"},
    },
}
MOCKS = {
    "StateMachines": {"Orders": {"TestCases": {"Declined": {"Charge": "BusyThenDeclined"}}}},
    "MockedResponses": {
        "BusyThenDeclined": {
            "0": {"Throw": {"Error": "Busy", "Cause": "try later"}},
            "1": {"Throw": {"Error": "Declined", "Cause": "no funds"}},
        }
    },
}


def test_an_execution_history_colours_the_graph(tmp_path: Path) -> None:
    from asl_engine.cli.main import cli

    machine, mocks, history = tmp_path / "orders.json", tmp_path / "mocks.json", tmp_path / "run.json"
    machine.write_text(json.dumps(ORDERS), encoding="utf-8")
    mocks.write_text(json.dumps(MOCKS), encoding="utf-8")
    arguments = ["run", str(machine), "--input-json", "[1, 2, 3]", "--clock", "virtual", "--history-json", str(history)]
    run = CliRunner().invoke(cli, [*arguments, "--mock-config", str(mocks), "--test-case", "Declined"])
    assert run.exit_code == 1  # Parse fails: $.missing matches nothing
    result = CliRunner().invoke(graph_command, [str(machine), "--execution", str(history)])
    assert result.exit_code == 0, result.output
    text = result.output  # n0 Each, n1 Charge, n2 Refund, n3 Parse, n4 Done, n5 Price (inside Each)
    assert 'n5["Price (3 times)"]' in text  # three Map iterations
    assert "class n0,n2,n5 entered" in text
    assert "class n1 caught" in text  # Charge: retried after Busy, then Declined went to its Catcher
    assert "class n3 failed" in text  # Parse: the execution failed there, with no event of its own
    assert "n4" not in text.split("classDef entered")[1]  # Done: never entered
    assert 'n1 -->|"retry Busy · max 2"| n1' in text and 'n1 -.->|"Declined"| n2' in text
    dot = CliRunner().invoke(graph_command, [str(machine), "--format", "dot", "--execution", str(history)])
    assert '"n1" [label="Charge", style="rounded,filled", fillcolor="#fad7a0"];' in dot.output
    if shutil.which("dot"):
        rendered = subprocess.run(["dot", "-Tsvg"], input=dot.output, capture_output=True, text=True, check=False)
        assert rendered.returncode == 0, rendered.stderr


def test_a_history_of_another_machine_is_refused(definition: str, tmp_path: Path) -> None:
    history = tmp_path / "other.json"
    history.write_text(
        json.dumps(
            {
                "events": [
                    {"id": 1, "previousEventId": 0, "timestamp": 0, "type": "ExecutionStarted"},
                    {"id": 2, "previousEventId": 1, "timestamp": 0, "type": "PassStateEntered",
                     "stateEnteredEventDetails": {"name": "Elsewhere", "input": "{}"}},
                ]
            }
        ),
        encoding="utf-8",
    )  # fmt: skip
    result = CliRunner().invoke(graph_command, [definition, "--execution", str(history)])
    assert result.exit_code == 2
    assert "the execution entered none of this definition's states (Elsewhere)" in result.output


def test_a_missing_history_file_exits_two(definition: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(graph_command, [definition, "--execution", str(tmp_path / "none.json")])
    assert result.exit_code == 2
    assert "none.json" in result.output
