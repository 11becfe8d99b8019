"""YAML definitions read as YAML 1.2: names as written, positions, aliases within limits."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asl_engine import StateMachine, validate
from asl_engine.definition import yaml_reader
from asl_engine.definition.loader import load_definition, read_definition
from asl_engine.errors import ValidationError

YES_NO = """\
StartAt: Ready?
States:
  Ready?:
    Type: Choice
    Choices:
      - Variable: $.ready
        BooleanEquals: true
        Next: Yes
    Default: No
  Yes:
    Type: Pass
    Result: yes
    End: true
  No:
    Type: Fail
    Error: NotReady
"""


def test_unquoted_yes_and_no_are_state_names() -> None:
    loaded = load_definition(YES_NO)
    assert list(loaded.document["States"]) == ["Ready?", "Yes", "No"]
    assert loaded.document["States"]["Ready?"]["Default"] == "No"
    assert loaded.document["States"]["Yes"]["Result"] == "yes"
    assert validate(YES_NO) == []
    execution = StateMachine.from_json(YES_NO).execute({"ready": True})
    assert execution.output == "yes"


def test_diagnostics_name_the_state_as_written_and_are_positioned() -> None:
    broken = YES_NO.replace("Next: Yes", "Next: Maybe").replace("    Result: yes\n", "    Result: yes\n    Resul: 1\n")
    found = validate(broken)
    described = [(d.code, d.location, d.line, d.column) for d in found]
    assert ("SCHEMA_VALIDATION_FAILED", "/States/Yes", 10, 3) in described
    assert ("MISSING_TRANSITION_TARGET", "/States/Ready?/Choices/0/Next", 8, 9) in described
    unreachable = [d for d in found if d.location == "/States/Yes" and d.code == "MISSING_TRANSITION_TARGET"]
    assert [d.message for d in unreachable] == ['State "Yes" is not reachable.']


@pytest.mark.parametrize("word", ["yes", "No", "ON", "off", "y", "n", "Y", "N", "True1"])
def test_yaml_1_1_booleans_are_strings(word: str) -> None:
    document = yaml_reader.load(f"{word}: {word}\nlist: [{word}]")
    assert document == {word: word, "list": [word]}


def test_yaml_1_2_types_and_timestamps() -> None:
    text = "a: true\nb: 017\nc: 0x1F\nd: 1.5\ne: null\nf: '017'\ng: 2016-03-14T01:59:00Z\nh: 2016-03-14\n"
    assert yaml_reader.load(text) == {
        "a": True,
        "b": 17,
        "c": 31,
        "d": 1.5,
        "e": None,
        "f": "017",
        "g": "2016-03-14T01:59:00Z",
        "h": "2016-03-14",
    }


def test_keys_that_are_not_strings_keep_their_text() -> None:
    loaded = load_definition("StartAt: '1'\nStates:\n  1: {Type: Pass, Next: 'true'}\n  true: {Type: Succeed}\n")
    assert list(loaded.document["States"]) == ["1", "true"]
    assert loaded.locate("/States/true") == (4, 3)
    assert validate(loaded.document) == []


def test_aliases_and_merge_keys_are_expanded() -> None:
    text = """\
StartAt: A
Retrying: &retry
  - ErrorEquals: [States.TaskFailed]
    MaxAttempts: 2
Base: &base {Type: Pass, Result: 1}
States:
  A:
    <<: *base
    Result: 2
    Next: B
  B:
    <<: *base
    End: true
"""
    document = load_definition(text).document
    assert document["States"]["A"] == {"Type": "Pass", "Result": 2, "Next": "B"}
    assert document["States"]["B"] == {"Type": "Pass", "Result": 1, "End": True}
    assert document["Retrying"] == [{"ErrorEquals": ["States.TaskFailed"], "MaxAttempts": 2}]


def _alias_bomb(levels: int = 8, width: int = 10) -> str:
    lines = ["StartAt: A", 'a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, levels + 1):
        lines.append(f"a{level}: &a{level} [" + ",".join([f"*a{level - 1}"] * width) + "]")
    lines.append("States: {A: {Type: Pass, End: true}}")
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_is_refused_with_a_clear_diagnostic(tmp_path: Path) -> None:
    text = _alias_bomb()
    assert len(text) < 700
    [problem] = validate(text)
    assert problem.code == "INVALID_YAML" and problem.severity == "ERROR"
    assert "aliases expand this definition to more than 1,048,576 characters" in problem.message
    assert problem.line == 1
    file = tmp_path / "bomb.yaml"
    file.write_text(text, encoding="utf-8")
    with pytest.raises(ValidationError) as raised:
        StateMachine.from_file(file)
    assert raised.value.diagnostics[0].code == "INVALID_YAML"


def test_aliases_within_the_limit_are_fine() -> None:
    document = load_definition(_alias_bomb(levels=2)).document
    assert len(document["a2"]) == 10 and len(document["a2"][0]) == 10


def test_a_recursive_alias_and_unsupported_tags_are_refused() -> None:
    [recursive] = validate("StartAt: A\nStates: &s {A: {Type: Pass, End: true, Result: *s}}\n")
    assert recursive.code == "INVALID_YAML" and "recursive" in recursive.message
    [tagged] = validate("StartAt: A\nStates:\n  A:\n    Type: Task\n    Resource: !Sub '${Fn}'\n    End: true\n")
    assert (tagged.code, tagged.line, tagged.column) == ("INVALID_YAML", 5, 15)
    assert "'!Sub' is not supported" in tagged.message


def test_duplicate_keys_through_yaml() -> None:
    text = "StartAt: A\nStates:\n  A: {Type: Pass, End: true, End: false}\n"
    [problem] = read_definition(text).problems
    assert (problem.code, problem.location, problem.line) == ("INVALID_JSON_DESCRIPTION", "/States/A/End", 3)


# Characters YAML allows unescaped (JSON allows more, e.g. DEL; YAML does not pair \ud800\udc00 escapes).
_printable = st.characters(codec="utf-8", exclude_categories=["Cs", "Cc", "Cn"])
_names = st.text(_printable, min_size=1, max_size=6)
_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(_printable, max_size=6),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(_names, children, max_size=3),
    max_leaves=12,
)


@settings(max_examples=200, deadline=None)
@given(document=st.dictionaries(_names, _values, min_size=1, max_size=4))
def test_property_json_text_reads_the_same_as_yaml(document: dict[str, Any]) -> None:
    # JSON is YAML 1.2: read through the YAML reader it must give back exactly the JSON document.
    text = json.dumps(document, ensure_ascii=False)
    assert yaml_reader.load(text) == json.loads(text)


@settings(max_examples=200, deadline=None)
@given(names=st.lists(st.sampled_from(["Yes", "No", "on", "Off", "y", "N", "null", "1", "true", "~"]), min_size=1))
def test_property_unquoted_scalar_state_names_keep_their_text(names: list[str]) -> None:
    unique = list(dict.fromkeys(names))
    states = "".join(f"  {name}: {{Type: Succeed}}\n" for name in unique)
    document = load_definition(f"StartAt: '{unique[0]}'\nStates:\n{states}").document
    assert list(document["States"]) == unique
