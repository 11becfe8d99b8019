"""Versions, aliases and tags through boto3."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from tests.server.conftest import PASS, WAIT, create, wait_done
from tests.server.test_machines import error_of

ONE = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": 1, "End": True}}}
TWO = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": 2, "End": True}}}


def test_publish_list_and_describe_versions(sfn):
    created = sfn.create_state_machine(
        name="versioned-" + str(id(sfn)), definition=json.dumps(ONE), roleArn="arn:aws:iam::123456789012:role/r",
        publish=True, versionDescription="first",
    )  # fmt: skip
    arn = created["stateMachineArn"]
    assert created["stateMachineVersionArn"] == f"{arn}:1"
    revision = sfn.describe_state_machine(stateMachineArn=arn)["revisionId"]
    again = sfn.publish_state_machine_version(stateMachineArn=arn, revisionId=revision)
    assert again["stateMachineVersionArn"] == f"{arn}:1"  # the same revision: the same version
    sfn.update_state_machine(stateMachineArn=arn, definition=json.dumps(TWO))
    with pytest.raises(ClientError) as excinfo:
        sfn.publish_state_machine_version(stateMachineArn=arn, revisionId=revision)
    assert error_of(excinfo)[0] == "ConflictException"
    second = sfn.publish_state_machine_version(stateMachineArn=arn, description="second")
    assert second["stateMachineVersionArn"] == f"{arn}:2"
    versions = sfn.list_state_machine_versions(stateMachineArn=arn)["stateMachineVersions"]
    assert [v["stateMachineVersionArn"] for v in versions] == [f"{arn}:2", f"{arn}:1"]
    first = sfn.describe_state_machine(stateMachineArn=f"{arn}:1")
    assert json.loads(first["definition"]) == ONE and first["description"] == "first"
    execution = sfn.start_execution(stateMachineArn=f"{arn}:1")["executionArn"]
    described = wait_done(sfn, execution)
    assert described["output"] == "1"
    assert described["stateMachineVersionArn"] == f"{arn}:1"
    assert [e["executionArn"] for e in sfn.list_executions(stateMachineArn=f"{arn}:1")["executions"]] == [execution]
    sfn.delete_state_machine_version(stateMachineVersionArn=f"{arn}:2")
    versions = sfn.list_state_machine_versions(stateMachineArn=arn)["stateMachineVersions"]
    assert [v["stateMachineVersionArn"] for v in versions] == [f"{arn}:1"]


def test_aliases(sfn):
    arn = create(sfn, ONE, publish=True)
    sfn.update_state_machine(stateMachineArn=arn, definition=json.dumps(TWO), publish=True)
    routing = [{"stateMachineVersionArn": f"{arn}:2", "weight": 100}]
    alias = sfn.create_state_machine_alias(name="PROD", routingConfiguration=routing, description="live")
    alias_arn = alias["stateMachineAliasArn"]
    assert alias_arn == f"{arn}:PROD"
    assert (
        sfn.create_state_machine_alias(name="PROD", routingConfiguration=routing, description="live")[
            "stateMachineAliasArn"
        ]
        == alias_arn
    )
    with pytest.raises(ClientError) as excinfo:
        sfn.create_state_machine_alias(
            name="PROD", routingConfiguration=[{"stateMachineVersionArn": f"{arn}:1", "weight": 100}]
        )
    assert error_of(excinfo) == (
        "ConflictException",
        "Failed to create alias because an alias with the same name and a different routing configuration already "
        "exists.",
    )
    described = sfn.describe_state_machine_alias(stateMachineAliasArn=alias_arn)
    assert (described["name"], described["description"]) == ("PROD", "live")
    assert described["routingConfiguration"] == routing
    execution = sfn.start_execution(stateMachineArn=alias_arn)["executionArn"]
    result = wait_done(sfn, execution)
    assert result["output"] == "2"
    assert result["stateMachineAliasArn"] == alias_arn and result["stateMachineVersionArn"] == f"{arn}:2"
    assert [
        a["stateMachineAliasArn"] for a in sfn.list_state_machine_aliases(stateMachineArn=arn)["stateMachineAliases"]
    ] == [alias_arn]
    sfn.update_state_machine_alias(
        stateMachineAliasArn=alias_arn, routingConfiguration=[{"stateMachineVersionArn": f"{arn}:1", "weight": 100}]
    )
    assert wait_done(sfn, sfn.start_execution(stateMachineArn=alias_arn)["executionArn"])["output"] == "1"
    with pytest.raises(ClientError) as excinfo:
        sfn.delete_state_machine_version(stateMachineVersionArn=f"{arn}:1")
    assert error_of(excinfo)[0] == "ConflictException"
    sfn.delete_state_machine_alias(stateMachineAliasArn=alias_arn)
    assert sfn.list_state_machine_aliases(stateMachineArn=arn)["stateMachineAliases"] == []
    with pytest.raises(ClientError) as excinfo:
        sfn.describe_state_machine_alias(stateMachineAliasArn=alias_arn)
    assert error_of(excinfo)[0] == "ResourceNotFound"


def test_alias_needs_version_arns(sfn):
    arn = create(sfn, PASS, publish=True)
    with pytest.raises(ClientError) as excinfo:
        sfn.create_state_machine_alias(
            name="BAD", routingConfiguration=[{"stateMachineVersionArn": arn, "weight": 100}]
        )
    assert error_of(excinfo) == (
        "ValidationException",
        f"Routing configuration must contain state machine version ARNs. Received: [{arn}]",
    )


def test_tags(sfn):
    arn = create(sfn, WAIT)
    sfn.tag_resource(resourceArn=arn, tags=[{"key": "a", "value": "1"}, {"key": "b", "value": "2"}])
    sfn.untag_resource(resourceArn=arn, tagKeys=["a"])
    assert sfn.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "b", "value": "2"}]
    activity = sfn.create_activity(name="tagged-activity", tags=[{"key": "k", "value": "v"}])["activityArn"]
    assert sfn.list_tags_for_resource(resourceArn=activity)["tags"] == [{"key": "k", "value": "v"}]
    with pytest.raises(ClientError) as excinfo:
        sfn.list_tags_for_resource(resourceArn=arn + "-gone")
    assert error_of(excinfo)[0] == "ResourceNotFound"
