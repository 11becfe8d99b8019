"""CloudFormation's short-form YAML tags: long forms in templates, refused in definitions."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asl_engine.definition import yaml_reader
from asl_engine.definition.loader import load_definition
from asl_engine.errors import ValidationError


def _template(text: str) -> Any:
    return yaml_reader.read(yaml_reader.compose(text), cloudformation=True).value


@pytest.mark.parametrize(
    ("yaml_text", "expected"),
    [
        ("!Ref Stage", {"Ref": "Stage"}),
        ('!Ref "Stage"', {"Ref": "Stage"}),
        ("!GetAtt Orders.Arn", {"Fn::GetAtt": ["Orders", "Arn"]}),
        ("!GetAtt Orders.Endpoint.Address", {"Fn::GetAtt": ["Orders", "Endpoint.Address"]}),
        ("!GetAtt [Orders, Arn]", {"Fn::GetAtt": ["Orders", "Arn"]}),
        ("!Sub arn:${AWS::Partition}:states:::x", {"Fn::Sub": "arn:${AWS::Partition}:states:::x"}),
        ("!Sub ['a-${X}', {X: !Ref Y}]", {"Fn::Sub": ["a-${X}", {"X": {"Ref": "Y"}}]}),
        ("!Join ['-', [a, !Ref B]]", {"Fn::Join": ["-", ["a", {"Ref": "B"}]]}),
        ("!Select [0, !GetAZs '']", {"Fn::Select": [0, {"Fn::GetAZs": ""}]}),
        ("!Split [',', 'a,b']", {"Fn::Split": [",", "a,b"]}),
        ("!FindInMap [M, K, V]", {"Fn::FindInMap": ["M", "K", "V"]}),
        ("!If [IsProd, 1, 2]", {"Fn::If": ["IsProd", 1, 2]}),
        ("!Equals [!Ref Env, prod]", {"Fn::Equals": [{"Ref": "Env"}, "prod"]}),
        ("!Not [!Condition IsProd]", {"Fn::Not": [{"Condition": "IsProd"}]}),
        ("!And [!Condition A, !Condition B]", {"Fn::And": [{"Condition": "A"}, {"Condition": "B"}]}),
        ("!Or [!Condition A, !Condition B]", {"Fn::Or": [{"Condition": "A"}, {"Condition": "B"}]}),
        ("!Base64 text", {"Fn::Base64": "text"}),
        ("!ImportValue shared-VpcId", {"Fn::ImportValue": "shared-VpcId"}),
        ("{'Fn::Base64': !Sub '${AWS::Region}'}", {"Fn::Base64": {"Fn::Sub": "${AWS::Region}"}}),
        ("!Transform {Name: M, Parameters: {a: 1}}", {"Fn::Transform": {"Name": "M", "Parameters": {"a": 1}}}),
    ],
)
def test_short_forms_read_as_their_long_forms(yaml_text: str, expected: Any) -> None:
    assert _template(f"value: {yaml_text}\n") == {"value": expected}


def test_multiline_sub_keeps_its_text() -> None:
    text = 'Definition: !Sub |\n  {"StartAt": "A",\n   "Region": "${AWS::Region}"}\n'
    assert _template(text) == {"Definition": {"Fn::Sub": '{"StartAt": "A",\n "Region": "${AWS::Region}"}\n'}}


def test_an_unknown_tag_is_refused_with_its_position() -> None:
    with pytest.raises(yaml_reader.YamlProblem) as raised:
        _template("a: 1\nb: !Bogus x\n")
    assert "'!Bogus' is not a CloudFormation intrinsic function" in raised.value.message
    assert (raised.value.line, raised.value.column) == (2, 4)


def test_getatt_without_an_attribute_is_refused() -> None:
    with pytest.raises(yaml_reader.YamlProblem) as raised:
        _template("a: !GetAtt Orders\n")
    assert "!GetAtt takes LogicalId.Attribute" in raised.value.message


def test_yaml_standard_tags_still_refused_in_templates() -> None:
    with pytest.raises(yaml_reader.YamlProblem):
        _template("a: !!binary aGVsbG8=\n")


def test_definitions_still_refuse_cloudformation_tags() -> None:
    with pytest.raises(ValidationError) as raised:
        load_definition("StartAt: A\nStates:\n  A:\n    Type: Task\n    Resource: !GetAtt F.Arn\n    End: true\n")
    diagnostic = raised.value.diagnostics[0]
    assert diagnostic.code == "INVALID_YAML" and "!GetAtt" in diagnostic.message
    assert "belong in a template" in (diagnostic.suggestion or "")


def test_aliases_of_tagged_nodes_are_shared_and_bombs_refused() -> None:
    assert _template("a: &x !Ref P\nb: *x\n") == {"a": {"Ref": "P"}, "b": {"Ref": "P"}}
    bomb = "a: &a [!Ref X, !Ref X, !Ref X, !Ref X, !Ref X, !Ref X, !Ref X, !Ref X, !Ref X, !Ref X]\n"
    for level in "bcdefgh":
        previous = chr(ord(level) - 1)
        bomb += f"{level}: &{level} [" + ", ".join([f"*{previous}"] * 10) + "]\n"
    with pytest.raises(yaml_reader.YamlProblem) as raised:
        _template(bomb)
    assert "aliases expand" in raised.value.message


# -- property: any tree of intrinsics written in short form reads back as its long form ------------------

_NAMES = st.from_regex(r"[A-Z][A-Za-z0-9]{0,8}", fullmatch=True)
_SCALARS = st.one_of(_NAMES, st.integers(min_value=0, max_value=99))


_INTRINSICS = st.recursive(
    _SCALARS.map(lambda v: (str(v), v)),
    lambda inner: st.one_of(
        _NAMES.map(lambda n: (f"!Ref {n}", {"Ref": n})),
        st.tuples(_NAMES, _NAMES).map(lambda p: (f"!GetAtt {p[0]}.{p[1]}", {"Fn::GetAtt": [p[0], p[1]]})),
        st.lists(inner, min_size=1, max_size=3).map(
            lambda items: (
                "!Join ['-', [" + ", ".join(text for text, _ in items) + "]]",
                {"Fn::Join": ["-", [value for _, value in items]]},
            )
        ),
        st.tuples(_NAMES, inner, inner).map(
            lambda t: (f"!If [{t[0]}, {t[1][0]}, {t[2][0]}]", {"Fn::If": [t[0], t[1][1], t[2][1]]})
        ),
        inner.map(lambda i: (f"!Select [0, [{i[0]}]]", {"Fn::Select": [0, [i[1]]]})),
    ),
    max_leaves=8,
)


@settings(max_examples=150, deadline=None)
@given(_INTRINSICS)
def test_short_form_trees_read_as_long_form_trees(case: tuple[str, Any]) -> None:
    text, expected = case
    assert _template(f"value: {text}\n") == {"value": expected}
