"""Definition substitutions replace text before parsing, as CloudFormation's DefinitionSubstitutions do."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from asl_engine import StateMachine, validate
from asl_engine.cli.validate import validate_command
from asl_engine.definition.loader import load_definition
from asl_engine.definition.substitution import substitute_text
from asl_engine.errors import ValidationError

FN = "arn:aws:lambda:us-east-1:123456789012:function:worker"
UNQUOTED = """{
  "StartAt": "Work",
  "TimeoutSeconds": ${totalExecutionTimeout},
  "States": {
    "Work": {"Type": "Task", "Resource": "${Fn}", "TimeoutSeconds": ${taskTimeout}, "End": true}
  }
}
"""


def test_placeholders_outside_quotes_are_replaced_before_parsing() -> None:
    values = {"totalExecutionTimeout": "300", "taskTimeout": "30", "Fn": FN}
    assert validate(UNQUOTED, substitutions=values) == []
    document = StateMachine.from_json(UNQUOTED, substitutions=values).definition
    assert document["TimeoutSeconds"] == 300
    assert document["States"]["Work"] == {"Type": "Task", "Resource": FN, "TimeoutSeconds": 30, "End": True}


def test_from_file_substitutes_the_file_text(tmp_path: Path) -> None:
    file = tmp_path / "flow.asl.json"
    file.write_text(UNQUOTED, encoding="utf-8")
    machine = StateMachine.from_file(file, substitutions={"totalExecutionTimeout": "60", "taskTimeout": "5", "Fn": FN})
    assert machine.definition["TimeoutSeconds"] == 60


def test_unresolved_placeholders_outside_quotes_are_reported_with_their_positions() -> None:
    found = validate(UNQUOTED, substitutions={"Fn": FN})
    assert [(d.code, d.line, d.column, d.severity) for d in found] == [
        ("UNRESOLVED_SUBSTITUTION", 3, 21, "ERROR"),
        ("UNRESOLVED_SUBSTITUTION", 5, 69, "ERROR"),
    ]
    assert "'totalExecutionTimeout' was not supplied" in found[0].message
    assert found[0].suggestion == "pass substitutions={'totalExecutionTimeout': ...} or --set totalExecutionTimeout=..."
    with pytest.raises(ValidationError) as raised:
        StateMachine.from_json(UNQUOTED)
    assert [d.code for d in raised.value.diagnostics] == ["UNRESOLVED_SUBSTITUTION"] * 2


def test_an_unresolved_resource_placeholder_is_still_named() -> None:
    found = validate(UNQUOTED, substitutions={"totalExecutionTimeout": "1", "taskTimeout": "1"})
    [resource] = [d for d in found if d.location == "/States/Work/Resource"]
    assert resource.suggestion is not None and "'Fn' was not supplied" in resource.suggestion


def test_the_cli_set_option_substitutes_text(tmp_path: Path) -> None:
    file = tmp_path / "flow.asl.json"
    file.write_text(UNQUOTED, encoding="utf-8")
    values = ["--set", "totalExecutionTimeout=300", "--set", "taskTimeout=30", "--set", f"Fn={FN}"]
    assert CliRunner().invoke(validate_command, [*values, str(file)]).exit_code == 0
    missing = CliRunner().invoke(validate_command, [*values[2:], str(file)])
    assert missing.exit_code == 1
    assert f"{file}:3:21: ERROR UNRESOLVED_SUBSTITUTION" in missing.output


def test_values_in_strings_stay_text_and_whole_placeholders_take_python_values() -> None:
    text = '{"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": {"s": "${S}", "n": "${N}", "m": "n=${N}"},'
    text += ' "End": true}}}'
    document = load_definition(text, substitutions={"S": 'quote " and \\ backslash', "N": 5}).document
    assert document["States"]["P"]["Result"] == {"s": 'quote " and \\ backslash', "n": 5, "m": "n=5"}


def test_yaml_text_is_substituted_as_written() -> None:
    text = "StartAt: W\nTimeoutSeconds: ${Total}\nStates:\n  W: {Type: Wait, Seconds: '${Wait}', End: true}\n"
    document = load_definition(text, substitutions={"Total": "300", "Wait": 5}).document
    assert document["TimeoutSeconds"] == 300
    assert document["States"]["W"]["Seconds"] == 5


def test_a_dict_is_substituted_value_by_value() -> None:
    document = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": "${X}", "End": True}}}
    assert load_definition(document, substitutions={"X": [1]}).document["States"]["P"]["Result"] == [1]


@settings(max_examples=300, deadline=None)
@given(value=st.text(max_size=12), prefix=st.text(alphabet="ab ${}", max_size=4))
def test_property_any_string_value_inside_a_json_string_stays_that_text(value: str, prefix: str) -> None:
    literal = json.dumps(prefix)[:-1] + '${V}"'  # a JSON string holding prefix then the placeholder
    text = '{"a": ' + literal + "}"
    parsed = json.loads(substitute_text(text, {"V": value}).text)
    assert parsed == {"a": json.loads(json.dumps(prefix)) + value}


@settings(max_examples=200, deadline=None)
@given(value=st.one_of(st.integers(), st.booleans(), st.none(), st.lists(st.integers(), max_size=3)))
def test_property_non_string_values_outside_quotes_become_json(value: Any) -> None:
    text = '{"a": ${V}, "b": "${V}"}'
    parsed = json.loads(substitute_text(text, {"V": value}).text)
    assert parsed == {"a": value, "b": value}
    as_text = json.loads(substitute_text(text, {"V": json.dumps(value)}).text)
    assert as_text == {"a": value, "b": json.dumps(value)}
