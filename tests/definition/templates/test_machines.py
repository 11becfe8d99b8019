"""A template's state machines: finding them, reading each kind of definition, and where errors point."""

from __future__ import annotations

import json
from pathlib import Path
from textwrap import dedent
from typing import Any

import pytest

from asl_engine import StateMachine, ValidationError
from asl_engine.definition.templates import (
    TemplateError,
    default_stack_name,
    is_template,
    read_template,
    sniff_template,
)
from asl_engine.services import Resources
from asl_engine.validation import validate_template

PASS = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dedent(text), encoding="utf-8")
    return path


def cfn(resources: dict[str, Any], **top: Any) -> str:
    return json.dumps({"AWSTemplateFormatVersion": "2010-09-09", **top, "Resources": resources}, indent=2)


def machine(properties: dict[str, Any], kind: str = "AWS::StepFunctions::StateMachine") -> dict[str, Any]:
    return {"Type": kind, "Properties": properties}


# -- telling templates from definitions -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ({"AWSTemplateFormatVersion": "2010-09-09", "Resources": {}}, True),
        ({"Transform": "AWS::Serverless-2016-10-31", "Resources": {}}, True),
        ({"Resources": {"M": {"Type": "AWS::StepFunctions::StateMachine"}}}, True),
        ({"Resources": {"M": {"Type": "AWS::Serverless::StateMachine"}}}, True),
        ({"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}, False),
        (PASS, False),
        ({"StartAt": "A", "States": {}, "Resources": {"M": {"Type": "AWS::StepFunctions::StateMachine"}}}, False),
    ],
)
def test_is_template(document: dict[str, Any], expected: bool) -> None:
    assert is_template(document) is expected


def test_sniff_tells_yaml_templates_from_yaml_definitions(tmp_path: Path) -> None:
    template = write(tmp_path, "t.yaml", "Resources:\n  M:\n    Type: AWS::Serverless::StateMachine\n")
    definition = write(tmp_path, "d.yaml", "StartAt: A\nStates:\n  A: {Type: Pass, End: true}\n")
    assert sniff_template(template) is not None
    assert sniff_template(definition) is None
    assert sniff_template(tmp_path / "missing.yaml") is None


@pytest.mark.parametrize(
    ("name", "expected"),
    [("sam-app/template.yaml", "sam-app"), ("cdk.out/Orders.template.json", "Orders"), ("x/orders.yaml", "orders")],
)
def test_default_stack_name(tmp_path: Path, name: str, expected: str) -> None:
    assert default_stack_name(tmp_path / name) == expected


# -- picking a machine ------------------------------------------------------------------------------------


def test_no_state_machine_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "t.json", cfn({"Q": {"Type": "AWS::SQS::Queue"}}))
    with pytest.raises(TemplateError, match="has no AWS::StepFunctions::StateMachine"):
        StateMachine.from_template(path)


def test_unknown_logical_id_suggests_the_closest(tmp_path: Path) -> None:
    path = write(tmp_path, "t.json", cfn({"Orders": machine({"Definition": PASS})}))
    with pytest.raises(TemplateError) as raised:
        StateMachine.from_template(path, "Order")
    assert "its state machines: Orders (did you mean 'Orders'?)" in str(raised.value)


def test_a_machine_whose_condition_is_false_is_not_created(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "t.json",
        cfn(
            {"M": {**machine({"Definition": PASS}), "Condition": "IsProd"}},
            Parameters={"Stage": {"Type": "String", "Default": "dev"}},
            Conditions={"IsProd": {"Fn::Equals": [{"Ref": "Stage"}, "prod"]}},
        ),
    )
    with pytest.raises(TemplateError, match="created only when the condition IsProd is true"):
        StateMachine.from_template(path)
    assert StateMachine.from_template(path, parameters={"Stage": "prod"}).name == "M"


def test_unknown_parameter_keys_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "t.json", cfn({"M": machine({"Definition": PASS})}))
    with pytest.raises(TemplateError, match="unknown parameter Stag:"):
        StateMachine.from_template(path, parameters={"Stag": "x"})


# -- the four kinds of definition -----------------------------------------------------------------------


def test_definition_object_with_intrinsics_substitutions_name_and_type(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "template.yaml",
        """\
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Fn:
            Type: AWS::Serverless::Function
          Flow:
            Type: AWS::Serverless::StateMachine
            Properties:
              Name: !Sub ${AWS::StackName}-flow
              Type: EXPRESS
              DefinitionSubstitutions:
                Wait: 5
                Greeting: hello
              Definition:
                StartAt: Call
                States:
                  Call:
                    Type: Task
                    Resource: !GetAtt Fn.Arn
                    Next: Pause
                  Pause:
                    Type: Wait
                    Seconds: "${Wait}"
                    Next: Done
                  Done:
                    Type: Pass
                    Result: "${Greeting}, ${AWS::Region}"
                    End: true
        """,
    )
    loaded = StateMachine.from_template(path)
    assert (loaded.name, loaded.type) == (f"{tmp_path.name}-flow", "EXPRESS")
    states = loaded.definition["States"]
    assert states["Call"]["Resource"] == "arn:aws:lambda:us-east-1:123456789012:function:Fn"
    assert states["Pause"]["Seconds"] == 5
    assert states["Done"]["Result"] == "hello, ${AWS::Region}"  # DefinitionSubstitutions are not Fn::Sub


def test_definition_string_with_sub_and_text_substitutions(tmp_path: Path) -> None:
    text = (
        '{"StartAt": "A", "States": {"A": {"Type": "Wait", "Seconds": ${Delay}, '
        '"Comment": "${AWS::Region}", "End": true}}}'
    )
    path = write(
        tmp_path,
        "t.json",
        cfn({"M": machine({"DefinitionString": {"Fn::Sub": text}, "DefinitionSubstitutions": {"Delay": 7}})}),
    )
    with pytest.raises(TemplateError) as raised:
        StateMachine.from_template(path)
    assert "Resources.M.Properties.DefinitionString.Fn::Sub: no parameter or resource is named 'Delay'" in str(
        raised.value
    )
    escaped = text.replace("${Delay}", "${!Delay}")
    path.write_text(
        cfn({"M": machine({"DefinitionString": {"Fn::Sub": escaped}, "DefinitionSubstitutions": {"Delay": 7}})})
    )
    state = StateMachine.from_template(path).definition["States"]["A"]
    assert (state["Seconds"], state["Comment"]) == (7, "us-east-1")


def test_definition_string_is_never_taken_for_a_path(tmp_path: Path) -> None:
    write(tmp_path, "m.json", json.dumps(PASS))
    path = write(tmp_path, "t.json", cfn({"M": machine({"DefinitionString": str(tmp_path / "m.json")})}))
    with pytest.raises(ValidationError) as raised:
        StateMachine.from_template(path)
    assert raised.value.diagnostics[0].code == "INVALID_JSON_DESCRIPTION"


@pytest.mark.parametrize("kind", ["DefinitionUri", "DefinitionS3Location"])
def test_local_definition_files_resolve_against_the_template(tmp_path: Path, kind: str) -> None:
    write(
        tmp_path, "flows/m.asl.yaml", "StartAt: A\nStates:\n  A:\n    Type: Pass\n    Result: ${Who}\n    End: true\n"
    )
    path = write(
        tmp_path,
        "t.json",
        cfn({"M": machine({kind: "flows/m.asl.yaml", "DefinitionSubstitutions": {"Who": {"Ref": "AWS::AccountId"}}})}),
    )
    loaded = StateMachine.from_template(path)
    assert loaded.definition["States"]["A"]["Result"] == 123456789012  # unquoted in YAML: a number
    assert loaded.source == str(tmp_path / "flows" / "m.asl.yaml")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("/etc/machine.json", "absolute paths are refused (/etc/machine.json)"),
        ("../outside.json", "lies outside the template's directory"),
        ("flows/../../outside.json", "lies outside the template's directory"),
        ("s3://bucket/key.json", "is the S3 object s3://bucket/key.json, which the engine cannot read"),
        ({"Bucket": "b", "Key": "k.json"}, "is the S3 object s3://b/k.json"),
        ("missing.json", "missing.json: no such file"),
    ],
)
def test_definition_files_outside_the_template_directory_are_refused(tmp_path: Path, value: Any, message: str) -> None:
    (tmp_path.parent / "outside.json").write_text(json.dumps(PASS))
    path = write(tmp_path, "t.json", cfn({"M": machine({"DefinitionUri": value}, "AWS::Serverless::StateMachine")}))
    with pytest.raises(TemplateError) as raised:
        StateMachine.from_template(path)
    assert "Resources.M.Properties.DefinitionUri" in str(raised.value)
    assert message in str(raised.value)


def test_two_kinds_at_once_or_none_is_an_error(tmp_path: Path) -> None:
    both = write(tmp_path, "a.json", cfn({"M": machine({"Definition": PASS, "DefinitionString": "{}"})}))
    with pytest.raises(TemplateError, match="it has Definition and DefinitionString together"):
        StateMachine.from_template(both)
    none = write(tmp_path, "b.json", cfn({"M": machine({"RoleArn": "arn"})}))
    with pytest.raises(TemplateError, match="it has none of them"):
        StateMachine.from_template(none)


def test_a_bad_machine_type_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "t.json", cfn({"M": machine({"Definition": PASS, "StateMachineType": "FAST"})}))
    with pytest.raises(TemplateError, match="the state machine type is 'FAST'; expected STANDARD or EXPRESS"):
        StateMachine.from_template(path)


# -- diagnostics located in the template -----------------------------------------------------------------


def test_errors_in_a_yaml_definition_object_point_into_the_template(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "template.yaml",
        """\
        Resources:
          Flow:
            Type: AWS::StepFunctions::StateMachine
            Properties:
              Definition:
                StartAt: A
                States:
                  A:
                    Type: Pass
                    Next: Missing
        """,
    )
    (result,) = validate_template(path)
    error = next(d for d in result.diagnostics if d.code == "MISSING_TRANSITION_TARGET")
    assert (error.location, error.line, error.column) == ("/States/A/Next", 10, 13)
    with pytest.raises(ValidationError) as raised:
        StateMachine.from_template(path)
    assert raised.value.diagnostics[0].line == 10


def test_unresolvable_machines_are_reported_by_validate_without_stopping_the_others(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "t.json",
        cfn({"Good": machine({"Definition": PASS}), "Bad": machine({"Definition": {"Ref": "Nothing"}})}),
    )
    good, bad = validate_template(path)
    assert (good.logical_id, good.diagnostics) == ("Good", [])
    assert bad.diagnostics[0].code == "UNREADABLE_DEFINITION"
    assert "Resources.Bad.Properties.Definition.Ref: no parameter or resource is named 'Nothing'" in (
        bad.diagnostics[0].message
    )


def test_read_template_refuses_what_is_not_a_template(tmp_path: Path) -> None:
    with pytest.raises(TemplateError, match="not a CloudFormation or SAM template"):
        read_template(write(tmp_path, "d.json", json.dumps(PASS)))
    with pytest.raises(TemplateError, match="not valid JSON"):
        read_template(write(tmp_path, "b.json", "{"))


# -- handlers keyed by logical id -------------------------------------------------------------------------


def test_handlers_registered_by_logical_id_answer_the_names_the_template_gives(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "t.json",
        cfn(
            {
                "Worker": {"Type": "AWS::Lambda::Function", "Properties": {"FunctionName": "prod-worker"}},
                "Child": machine({"Definition": PASS, "StateMachineName": "prod-child"}),
                "Parent": machine(
                    {
                        "Definition": {
                            "StartAt": "Work",
                            "States": {
                                "Work": {"Type": "Task", "Resource": {"Fn::GetAtt": ["Worker", "Arn"]}, "Next": "Run"},
                                "Run": {
                                    "Type": "Task",
                                    "Resource": "arn:aws:states:::states:startExecution.sync:2",
                                    "Parameters": {"StateMachineArn": {"Ref": "Child"}, "Input.$": "$"},
                                    "End": True,
                                },
                            },
                        }
                    }
                ),
            }
        ),
    )
    parent = StateMachine.from_template(path, "Parent")
    resources = Resources()
    resources.lambda_function("Worker", lambda event, context: {"worked": True})
    resources.state_machine(StateMachine.from_template(path, "Child"), name="Child")
    assert parent.template is not None
    resources.add_template_aliases(parent.template.resource_names)
    execution = parent.execute({}, resources=resources)
    assert execution.status == "SUCCEEDED", execution.cause
    assert execution.output["Output"] == {"worked": True}
    assert execution.output["StateMachineArn"].endswith(":stateMachine:prod-child")
