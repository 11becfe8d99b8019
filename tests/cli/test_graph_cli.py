"""``asl graph``: formats, output file and exit codes."""

from __future__ import annotations

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
