"""The loader: what counts as text, file or path; duplicates; positions; substitutions; speed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asl_engine.definition import pointers
from asl_engine.definition.loader import LoadedDefinition, load_definition, read_definition, substitute
from asl_engine.errors import DefinitionError, ValidationError

from .support import machine

PASS = {"Type": "Pass", "End": True}
JSON_TEXT = json.dumps(machine({"A": PASS}), indent=2)
YAML_TEXT = """\
StartAt: A
States:
  A:
    Type: Wait
    Timestamp: 2016-03-14T01:59:00Z
    Next: B
  B:
    Type: Succeed
"""


def test_a_dict_is_the_document_itself() -> None:
    document = machine({"A": PASS})
    loaded = load_definition(document)
    assert loaded.document is document
    assert loaded.source_name is None
    assert loaded.locate("/States/A") is None  # no text to point into


def test_json_text_and_its_positions() -> None:
    loaded = load_definition(JSON_TEXT)
    assert loaded.document == machine({"A": PASS})
    assert loaded.syntax == "json"
    assert loaded.locate("/StartAt") == (2, 3)
    assert loaded.locate("/States/A") == (4, 5)
    assert loaded.locate("/States/A/End") == (6, 7)
    assert loaded.locate("/") == (1, 1)
    assert loaded.locate("/States/Nope") is None


def test_yaml_text_keeps_timestamps_as_strings_and_has_positions() -> None:
    loaded = load_definition(YAML_TEXT)
    assert loaded.syntax == "yaml"
    assert loaded.document["States"]["A"]["Timestamp"] == "2016-03-14T01:59:00Z"
    assert loaded.locate("/States/A/Timestamp") == (5, 5)
    assert loaded.locate("/States/B") == (7, 3)


def test_array_elements_are_located_by_index() -> None:
    text = '{"StartAt": "A", "States": {"A": {"Type": "Parallel", "End": true,\n "Branches": [{"x": 1},\n  {"y": 2}]}}}'
    loaded = load_definition(text)
    assert loaded.locate("/States/A/Branches/1") == (3, 3)
    assert loaded.locate("/States/A/Branches/1/y") == (3, 4)
    assert loaded.locate("/States/A/Branches/2") is None


def test_a_path_object_or_an_existing_file_name_is_read(tmp_path: Path) -> None:
    file = tmp_path / "flow.asl.json"
    file.write_text(JSON_TEXT, encoding="utf-8")
    for source in (file, str(file)):
        loaded = load_definition(source)
        assert loaded.source_name == str(file)
        assert loaded.locate("/States/A") == (4, 5)


def test_yaml_file(tmp_path: Path) -> None:
    file = tmp_path / "flow.yaml"
    file.write_text(YAML_TEXT, encoding="utf-8")
    assert load_definition(file).document["States"]["B"] == {"Type": "Succeed"}


@pytest.mark.parametrize("source", ["missing/flow.json", "flow.yaml", Path("/definitely/not/here.json")])
def test_a_missing_file_is_a_definition_error_naming_it(source: object) -> None:
    with pytest.raises(DefinitionError, match="no such file") as raised:
        load_definition(source)
    assert not isinstance(raised.value, ValidationError)
    assert str(source) in str(raised.value)


def test_a_directory_is_a_definition_error(tmp_path: Path) -> None:
    with pytest.raises(DefinitionError, match="is a directory"):
        load_definition(tmp_path)


def test_text_that_is_not_json_gets_aws_jackson_style_diagnostic() -> None:
    with pytest.raises(ValidationError) as raised:
        load_definition("not a definition")
    [diagnostic] = raised.value.diagnostics
    assert diagnostic.code == "INVALID_JSON_DESCRIPTION"
    assert diagnostic.location == '[Source: (String)"not a definition"; line: 1, column: 4]'
    assert diagnostic.message.startswith("Unrecognized token 'not': was expecting (JSON String, Number")
    assert (diagnostic.line, diagnostic.column) == (1, 4)


def test_broken_json_reports_line_and_column() -> None:
    with pytest.raises(ValidationError) as raised:
        load_definition('{\n  "StartAt": "A",\n  "States": {\n    "A": {"Type": "Pass" "End": true}\n  }\n}')
    [diagnostic] = raised.value.diagnostics
    assert diagnostic.code == "INVALID_JSON_DESCRIPTION"
    assert (diagnostic.line, diagnostic.column) == (4, 26)


@pytest.mark.parametrize("text", [" ", "[1, 2]", '"just a string"', "42"])
def test_json_that_is_not_an_object(text: str) -> None:
    with pytest.raises(ValidationError) as raised:
        load_definition(text)
    [diagnostic] = raised.value.diagnostics
    assert (diagnostic.code, diagnostic.message, diagnostic.location) == (
        "SCHEMA_VALIDATION_FAILED",
        "Definition must be a valid JSON object",
        None,
    )


def test_duplicate_state_names_in_json_are_positioned_at_the_second() -> None:
    text = '{"StartAt": "A",\n "States": {\n  "A": {"Type": "Pass", "End": true},\n  "A": {"Type": "Succeed"}}}'
    loaded = read_definition(text)
    [problem] = loaded.problems
    assert (problem.code, problem.message, problem.location) == (
        "DUPLICATE_STATE_NAME",
        "Duplicate State name: A",
        "/States/A",
    )
    assert (problem.line, problem.column) == (4, 3)
    with pytest.raises(ValidationError):
        load_definition(text)


def test_duplicate_fields_are_errors_too() -> None:
    text = '{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true, "End": false}}}'
    [problem] = read_definition(text).problems
    assert (problem.code, problem.location) == ("INVALID_JSON_DESCRIPTION", "/States/A/End")
    assert "Duplicate field 'End'" in problem.message


def test_a_payload_field_named_states_is_not_a_state_block() -> None:
    text = '{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true, "Result": {"States": {"x": 1, "x": 2}}}}}'
    [problem] = read_definition(text).problems
    assert problem.code == "INVALID_JSON_DESCRIPTION"


def test_duplicate_keys_in_yaml() -> None:
    text = "StartAt: A\nStates:\n  A:\n    Type: Succeed\n  A:\n    Type: Pass\n    End: true\n"
    [problem] = read_definition(text).problems
    assert (problem.code, problem.location, problem.line) == ("DUPLICATE_STATE_NAME", "/States/A", 5)


def test_substitutions_replace_placeholders_in_strings_without_touching_the_input() -> None:
    document = machine(
        {
            "A": {
                "Type": "Task",
                "Resource": "${Fn}",
                "TimeoutSeconds": "${Timeout}",
                "Comment": "calls ${Fn} in ${Stage}",
                "End": True,
            }
        }
    )
    loaded = load_definition(document, substitutions={"Fn": "arn:aws:lambda:us-east-1:1:function:f", "Timeout": 30})
    state = loaded.document["States"]["A"]
    assert state["Resource"] == "arn:aws:lambda:us-east-1:1:function:f"
    assert state["TimeoutSeconds"] == 30
    assert state["Comment"] == "calls arn:aws:lambda:us-east-1:1:function:f in ${Stage}"
    assert document["States"]["A"]["Resource"] == "${Fn}"


def test_substitute_inserts_non_string_values_as_json_text() -> None:
    assert substitute({"a": ["x-${N}-y"]}, {"N": 5}) == {"a": ["x-5-y"]}


def test_an_unknown_source_type_is_a_definition_error() -> None:
    with pytest.raises(DefinitionError, match="not int"):
        load_definition(42)


_keys = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=6)
_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(_keys, children, max_size=3),
    max_leaves=12,
)


def _pointers(value: object, pointer: str = "") -> list[tuple[str, object]]:
    found: list[tuple[str, object]] = []
    if isinstance(value, dict):
        for key, item in value.items():
            child = pointers.join(pointer, key)
            found.append((child, key))
            found.extend(_pointers(item, child))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            child = pointers.join(pointer, index)
            found.append((child, item))
            found.extend(_pointers(item, child))
    return found


@settings(max_examples=150, deadline=None)
@given(document=st.dictionaries(_keys, _json, min_size=1, max_size=4), indent=st.sampled_from([None, 1, 4]))
def test_every_pointer_is_located_at_its_key_or_item(document: dict[str, object], indent: int | None) -> None:
    text = json.dumps(document, indent=indent, ensure_ascii=False)
    loaded = LoadedDefinition(document, text=text, syntax="json")
    lines = text.split("\n")
    for pointer, expected in _pointers(document):
        where = loaded.locate(pointer)
        assert where is not None, pointer
        line, column = where
        rest = lines[line - 1][column - 1 :] + "\n" + "\n".join(lines[line:])
        parsed_key = pointers.split(pointer)[-1]
        if isinstance(pointers.resolve(document, pointer.rsplit("/", 1)[0] or ""), dict):
            assert json.JSONDecoder().raw_decode(rest)[0] == parsed_key
        else:
            assert json.JSONDecoder().raw_decode(rest)[0] == expected
