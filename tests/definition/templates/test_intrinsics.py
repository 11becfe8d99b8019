"""Intrinsic functions resolved locally; what cannot be is reported by path, with the parameter to pass."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asl_engine.definition.templates.intrinsics import Resolver

TEMPLATE: dict[str, Any] = {
    "Parameters": {
        "Stage": {"Type": "String", "Default": "dev", "AllowedValues": ["dev", "prod"]},
        "Timeout": {"Type": "Number", "Default": 30},
        "Subnets": {"Type": "CommaDelimitedList", "Default": "a, b,c"},
        "NoDefault": {"Type": "String"},
        "Secret": {"Type": "AWS::SSM::Parameter::Value<String>", "Default": "/app/secret"},
    },
    "Mappings": {"Sizes": {"dev": {"Memory": 128}, "prod": {"Memory": 1024}}},
    "Conditions": {
        "IsProd": {"Fn::Equals": [{"Ref": "Stage"}, "prod"]},
        "IsDev": {"Fn::Not": [{"Condition": "IsProd"}]},
        "Both": {"Fn::And": [{"Condition": "IsProd"}, {"Condition": "IsDev"}]},
        "Either": {"Fn::Or": [{"Condition": "IsProd"}, {"Condition": "IsDev"}]},
    },
    "Resources": {
        "Fn": {"Type": "AWS::Lambda::Function", "Properties": {}},
        "NamedFn": {
            "Type": "AWS::Serverless::Function",
            "Properties": {"FunctionName": {"Fn::Sub": "${AWS::StackName}-named"}},
        },
        "Table": {"Type": "AWS::DynamoDB::Table", "Properties": {"TableName": {"Fn::Sub": "orders-${Stage}"}}},
        "StreamTable": {
            "Type": "AWS::DynamoDB::Table",
            "Properties": {"StreamSpecification": {"StreamViewType": "NEW_IMAGE"}},
        },
        "Queue": {"Type": "AWS::SQS::Queue"},
        "FifoQueue": {"Type": "AWS::SQS::Queue", "Properties": {"FifoQueue": True}},
        "Topic": {"Type": "AWS::SNS::Topic"},
        "Bucket": {"Type": "AWS::S3::Bucket"},
        "Role": {"Type": "AWS::IAM::Role", "Properties": {"Path": "/service/"}},
        "Machine": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {"StateMachineName": "flow"}},
        "Activity": {"Type": "AWS::StepFunctions::Activity", "Properties": {"Name": "approve"}},
        "Bus": {"Type": "AWS::Events::EventBus", "Properties": {"Name": "orders"}},
        "Alias": {"Type": "AWS::Lambda::Alias", "Properties": {"FunctionName": {"Ref": "Fn"}, "Name": "live"}},
        "Api": {"Type": "AWS::ApiGateway::RestApi"},
        "Loop": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": {"Fn::GetAtt": ["Loop", "QueueName"]}}},
    },
}


def resolve(value: Any, parameters: dict[str, Any] | None = None) -> tuple[Any, list[str]]:
    resolver = Resolver(TEMPLATE, parameters, stack_name="shop")
    result = resolver.resolve(value, "Resources.M.Properties.X")
    return result, [problem.describe() for problem in resolver.problems]


def value_of(value: Any, parameters: dict[str, Any] | None = None) -> Any:
    result, problems = resolve(value, parameters)
    assert problems == []
    return result


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ({"Ref": "AWS::Region"}, "us-east-1"),
        ({"Ref": "AWS::AccountId"}, "123456789012"),
        ({"Ref": "AWS::Partition"}, "aws"),
        ({"Ref": "AWS::URLSuffix"}, "amazonaws.com"),
        ({"Ref": "AWS::StackName"}, "shop"),
        ({"Ref": "AWS::NotificationARNs"}, []),
        ({"Ref": "Stage"}, "dev"),
        ({"Ref": "Timeout"}, "30"),  # Ref of a Number parameter is a string, as in CloudFormation
        ({"Ref": "Subnets"}, ["a", "b", "c"]),
        ({"Ref": "Fn"}, "Fn"),
        ({"Fn::GetAtt": ["Fn", "Arn"]}, "arn:aws:lambda:us-east-1:123456789012:function:Fn"),
        ({"Fn::GetAtt": ["NamedFn", "Arn"]}, "arn:aws:lambda:us-east-1:123456789012:function:shop-named"),
        ({"Ref": "Table"}, "orders-dev"),
        ({"Fn::GetAtt": ["Table", "Arn"]}, "arn:aws:dynamodb:us-east-1:123456789012:table/orders-dev"),
        ({"Ref": "Queue"}, "https://sqs.us-east-1.amazonaws.com/123456789012/Queue"),
        ({"Fn::GetAtt": ["Queue", "Arn"]}, "arn:aws:sqs:us-east-1:123456789012:Queue"),
        ({"Fn::GetAtt": ["Queue", "QueueName"]}, "Queue"),
        ({"Fn::GetAtt": ["FifoQueue", "QueueName"]}, "FifoQueue.fifo"),
        ({"Ref": "Topic"}, "arn:aws:sns:us-east-1:123456789012:Topic"),
        ({"Fn::GetAtt": ["Topic", "TopicName"]}, "Topic"),
        ({"Ref": "Bucket"}, "bucket"),
        ({"Fn::GetAtt": ["Bucket", "Arn"]}, "arn:aws:s3:::bucket"),
        ({"Fn::GetAtt": ["Bucket", "RegionalDomainName"]}, "bucket.s3.us-east-1.amazonaws.com"),
        ({"Fn::GetAtt": ["Role", "Arn"]}, "arn:aws:iam::123456789012:role/service/Role"),
        ({"Ref": "Machine"}, "arn:aws:states:us-east-1:123456789012:stateMachine:flow"),
        ({"Fn::GetAtt": ["Machine", "Name"]}, "flow"),
        ({"Ref": "Activity"}, "arn:aws:states:us-east-1:123456789012:activity:approve"),
        ({"Fn::GetAtt": ["Bus", "Arn"]}, "arn:aws:events:us-east-1:123456789012:event-bus/orders"),
        ({"Ref": "Alias"}, "arn:aws:lambda:us-east-1:123456789012:function:Fn:live"),
        (
            {"Fn::Sub": "${Fn.Arn}/${Stage}/${!Literal}"},
            "arn:aws:lambda:us-east-1:123456789012:function:Fn/dev/${Literal}",
        ),
        ({"Fn::Sub": ["${A}-${AWS::Region}", {"A": {"Ref": "Stage"}}]}, "dev-us-east-1"),
        ({"Fn::Join": [":", ["a", {"Ref": "Stage"}, 3]]}, "a:dev:3"),
        ({"Fn::Join": [",", {"Ref": "Subnets"}]}, "a,b,c"),
        ({"Fn::Select": ["1", {"Ref": "Subnets"}]}, "b"),
        ({"Fn::Split": ["|", "x|y"]}, ["x", "y"]),
        ({"Fn::FindInMap": ["Sizes", {"Ref": "Stage"}, "Memory"]}, 128),
        ({"Fn::FindInMap": ["Sizes", "qa", "Memory", {"DefaultValue": 256}]}, 256),
        ({"Fn::If": ["IsProd", "big", "small"]}, "small"),
        ({"Fn::If": ["IsDev", "dev!", "prod!"]}, "dev!"),
        ({"Fn::If": ["Both", 1, 2]}, 2),
        ({"Fn::If": ["Either", 1, 2]}, 1),
        ({"Fn::Base64": "hi"}, base64.b64encode(b"hi").decode()),
        ({"Fn::Length": [1, 2, 3]}, 3),
        ({"Fn::ToJsonString": {"a": {"Ref": "Stage"}}}, '{"a":"dev"}'),
        ({"a": {"Fn::If": ["IsProd", 1, {"Ref": "AWS::NoValue"}]}, "b": 2}, {"b": 2}),
        ([{"Ref": "AWS::NoValue"}, 1], [1]),
    ],
)
def test_resolves(expression: Any, expected: Any) -> None:
    assert value_of(expression) == expected


def test_parameters_override_defaults_pseudo_parameters_refs_and_attributes() -> None:
    overrides = {
        "Stage": "prod",
        "AWS::Region": "eu-west-1",
        "AWS::AccountId": "999988887777",
        "Api": "abc123",
        "StreamTable.StreamArn": "arn:aws:dynamodb:eu-west-1:999988887777:table/t/stream/2024",
    }
    assert value_of({"Ref": "Table"}, overrides) == "orders-prod"
    assert value_of({"Fn::GetAtt": ["Fn", "Arn"]}, overrides) == "arn:aws:lambda:eu-west-1:999988887777:function:Fn"
    assert value_of({"Ref": "Api"}, overrides) == "abc123"
    assert value_of({"Fn::GetAtt": ["StreamTable", "StreamArn"]}, overrides).endswith("/stream/2024")
    assert value_of({"Fn::If": ["IsProd", "big", "small"]}, overrides) == "big"


def test_partition_and_url_suffix_follow_the_region() -> None:
    china = {"AWS::Region": "cn-north-1"}
    assert value_of({"Fn::Sub": "${AWS::Partition} ${AWS::URLSuffix}"}, china) == "aws-cn amazonaws.com.cn"
    assert value_of({"Ref": "Queue"}, china) == "https://sqs.cn-north-1.amazonaws.com.cn/123456789012/Queue"
    assert value_of({"Ref": "AWS::Partition"}, {"AWS::Region": "us-gov-west-1"}) == "aws-us-gov"


def test_stack_id_is_stable_for_a_stack_name() -> None:
    first = value_of({"Ref": "AWS::StackId"})
    assert first.startswith("arn:aws:cloudformation:us-east-1:123456789012:stack/shop/")
    assert value_of({"Ref": "AWS::StackId"}) == first


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        (
            {"Ref": "NoDefault"},
            "Resources.M.Properties.X.Ref: the parameter NoDefault has no Default; pass --parameter NoDefault=VALUE",
        ),
        (
            {"Ref": "Secret"},
            "the parameter Secret is read from the SSM parameter '/app/secret' when the stack is deployed; "
            "pass --parameter Secret=VALUE",
        ),
        ({"Ref": "Missing"}, "Resources.M.Properties.X.Ref: no parameter or resource is named 'Missing'"),
        (
            {"Ref": "Api"},
            "the engine does not model resources of type AWS::ApiGateway::RestApi; pass --parameter Api=VALUE",
        ),
        (
            {"Fn::GetAtt": ["Fn", "Version"]},
            "the engine does not derive the attribute Version of AWS::Lambda::Function (it derives: Arn); "
            "pass --parameter Fn.Version=VALUE",
        ),
        (
            {"Fn::GetAtt": ["Table", "StreamArn"]},
            "the table has no StreamSpecification, so it has no stream; pass --parameter Table.StreamArn=VALUE",
        ),
        (
            {"Fn::GetAtt": ["StreamTable", "StreamArn"]},
            "a label DynamoDB chooses when the stream is created; pass --parameter StreamTable.StreamArn=VALUE",
        ),
        (
            {"Fn::ImportValue": "network-VpcId"},
            "Resources.M.Properties.X.Fn::ImportValue: the value of the export 'network-VpcId' is known only to "
            "its stack; pass --parameter network-VpcId=VALUE",
        ),
        (
            {"Fn::GetAZs": ""},
            "Resources.M.Properties.X.Fn::GetAZs: the Availability Zones of an account are known only in the account",
        ),
        ({"Fn::Bogus": 1}, "Fn::Bogus is not an intrinsic function the engine can resolve"),
        ({"Fn::If": ["Nope", 1, 2]}, "no condition is named 'Nope' under Conditions"),
        ({"Fn::GetAtt": ["Loop", "Arn"]}, "its name depends on itself"),
        ({"Fn::Select": [5, [1]]}, "Fn::Select: index 5 is not in [1]"),
    ],
)
def test_unresolvable_values_name_their_path_and_the_parameter_to_pass(expression: Any, message: str) -> None:
    _, problems = resolve(expression)
    assert len(problems) == 1
    assert message in problems[0]


def test_every_unresolvable_value_is_reported_at_once() -> None:
    definition = {
        "A": {"Ref": "NoDefault"},
        "B": {"Fn::Join": ["", ["x", {"Fn::GetAtt": ["Fn", "Version"]}, {"Ref": "Api"}]]},
        "C": {"Fn::Sub": "${Missing}-${Secret}"},
    }
    _, problems = resolve(definition)
    assert len(problems) == 5
    assert problems[0].startswith("Resources.M.Properties.X.A.Ref:")
    assert problems[1].startswith("Resources.M.Properties.X.B.Fn::Join[1][1].Fn::GetAtt:")
    assert problems[2].startswith("Resources.M.Properties.X.B.Fn::Join[1][2].Ref:")


def test_allowed_values_and_unknown_keys_are_checked() -> None:
    resolver = Resolver(TEMPLATE, {"Stage": "qa"}, stack_name="shop")
    (problem,) = resolver.check_overrides()
    assert problem.describe() == "Parameters.Stage: 'qa' is not one of its AllowedValues (dev, prod)"
    known = resolver.known_keys()
    assert {"Stage", "AWS::Region", "Fn", "Fn.Arn", "Queue.QueueUrl"} <= known
    assert "Stag" not in known


# -- properties ------------------------------------------------------------------------------------------

_TEXT = st.text(alphabet=st.characters(blacklist_characters="${}", blacklist_categories=("Cs",)), max_size=12)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(_TEXT, st.sampled_from(["Stage", "AWS::Region", "Fn.Arn", "!Literal"])), max_size=6))
def test_sub_replaces_each_placeholder_and_keeps_the_text_between(parts: list[str]) -> None:
    values = {
        "Stage": "dev",
        "AWS::Region": "us-east-1",
        "Fn.Arn": "arn:aws:lambda:us-east-1:123456789012:function:Fn",
        "!Literal": "${Literal}",
    }
    placeholders = set(values)
    template = "".join("${" + part + "}" if part in placeholders else part for part in parts)
    expected = "".join(values[part] if part in placeholders else part for part in parts)
    assert value_of({"Fn::Sub": template}) == expected


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab,", max_size=20))
def test_split_then_join_gives_the_text_back(text: str) -> None:
    assert value_of({"Fn::Join": [",", {"Fn::Split": [",", text]}]}) == text


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(["dev", "prod"]), st.booleans())
def test_conditions_follow_boolean_logic(stage: str, negate: bool) -> None:
    condition = "IsDev" if negate else "IsProd"
    expected = (stage == "prod") != negate
    assert value_of({"Fn::If": [condition, True, False]}, {"Stage": stage}) is expected
