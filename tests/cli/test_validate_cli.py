"""``asl validate``: output formats and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from asl_engine.cli.validate import validate_command

VALID = '{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}'
WARNING_ONLY = (
    '{"StartAt": "C", "States": {"C": {"Type": "Choice", "Choices": ['
    '{"Variable": "$.x", "IsPresent": true, "Next": "D"}]}, "D": {"Type": "Succeed"}}}'
)
INVALID = '{\n  "StartAt": "A",\n  "States": {\n    "A": {"Type": "Pass", "Nxt": "B", "End": true}\n  }\n}\n'
PLACEHOLDER = '{"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "${Queue}", "End": true}}}'


def _file(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_valid_file_exits_zero(tmp_path: Path) -> None:
    result = CliRunner().invoke(validate_command, [_file(tmp_path, "ok.json", VALID)])
    assert result.exit_code == 0, result.output
    assert "ok.json: OK" in result.output
    assert "1 file checked: 1 valid, 0 invalid (0 errors, 0 warnings)" in result.output


def test_warnings_do_not_fail(tmp_path: Path) -> None:
    result = CliRunner().invoke(validate_command, [_file(tmp_path, "w.json", WARNING_ONLY)])
    assert result.exit_code == 0
    assert "WARNING CHOICE_WITHOUT_DEFAULT at /States/C" in result.output


def test_invalid_file_exits_one_with_position_and_suggestion(tmp_path: Path) -> None:
    path = _file(tmp_path, "bad.json", INVALID)
    result = CliRunner().invoke(validate_command, [path])
    assert result.exit_code == 1
    assert (
        f"{path}:4:5: ERROR SCHEMA_VALIDATION_FAILED at /States/A: Field 'Nxt' is not supported (did you mean 'Next'?)"
    ) in result.output
    assert "0 valid, 1 invalid (1 error, 0 warnings)" in result.output


def test_unreadable_file_exits_two_even_with_invalid_ones(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        validate_command, [_file(tmp_path, "bad.json", INVALID), str(tmp_path / "missing.json")]
    )
    assert result.exit_code == 2
    assert "UNREADABLE_DEFINITION" in result.output
    assert "Traceback" not in result.output


def test_json_format_is_aws_response_shape(tmp_path: Path) -> None:
    result = CliRunner().invoke(validate_command, ["--format", "json", _file(tmp_path, "bad.json", INVALID)])
    assert result.exit_code == 1
    response = json.loads(result.output)
    assert response["result"] == "FAIL" and response["truncated"] is False
    [diagnostic] = response["diagnostics"]
    assert {key: diagnostic[key] for key in ("severity", "code", "location", "line")} == {
        "severity": "ERROR",
        "code": "SCHEMA_VALIDATION_FAILED",
        "location": "/States/A",
        "line": 4,
    }


def test_json_format_for_several_files_is_keyed_by_file(tmp_path: Path) -> None:
    ok, bad = _file(tmp_path, "ok.json", VALID), _file(tmp_path, "bad.json", INVALID)
    result = CliRunner().invoke(validate_command, ["--format", "json", ok, bad])
    response = json.loads(result.output)
    assert {name: item["result"] for name, item in response.items()} == {ok: "OK", bad: "FAIL"}


def test_express_type_and_substitutions(tmp_path: Path) -> None:
    path = _file(tmp_path, "p.json", PLACEHOLDER)
    assert CliRunner().invoke(validate_command, [path]).exit_code == 1
    assert (
        CliRunner().invoke(validate_command, ["--set", "Queue=arn:aws:states:::sqs:sendMessage", path]).exit_code == 0
    )
    result = CliRunner().invoke(
        validate_command,
        ["--type", "express", "--set", "Queue=arn:aws:states:::sqs:sendMessage.waitForTaskToken", path],
    )
    assert result.exit_code == 1
    assert "Express state machine does not support '.waitForTaskToken'" in result.output


@pytest.mark.parametrize("assignment", ["NoEquals", "=value"])
def test_malformed_set_is_a_usage_error(tmp_path: Path, assignment: str) -> None:
    result = CliRunner().invoke(validate_command, ["--set", assignment, _file(tmp_path, "ok.json", VALID)])
    assert result.exit_code == 2
    assert "expected NAME=VALUE" in result.output


def test_help_has_an_example() -> None:
    result = CliRunner().invoke(validate_command, ["--help"])
    assert result.exit_code == 0
    assert "asl validate machine.asl.json" in result.output


def test_registered_on_the_asl_command() -> None:
    from asl_engine.cli.main import cli

    assert {"validate", "graph"} <= set(cli.commands)
