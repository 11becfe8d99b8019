"""State machines through boto3: create, describe, update, delete, list, validate."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from tests.server.conftest import PASS, ROLE, WAIT, create, unique, wait_done


def error_of(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    return excinfo.value.response["Error"]["Code"], excinfo.value.response["Error"]["Message"]


def test_create_describe_and_list(sfn):
    name = unique("orders")
    arn = create(sfn, WAIT, name=name, tags=[{"key": "team", "value": "billing"}])
    assert arn == f"arn:aws:states:us-east-1:123456789012:stateMachine:{name}"
    described = sfn.describe_state_machine(stateMachineArn=arn)
    assert described["name"] == name
    assert described["status"] == "ACTIVE"
    assert described["type"] == "STANDARD"
    assert json.loads(described["definition"]) == WAIT
    assert described["roleArn"] == ROLE
    assert described["loggingConfiguration"] == {"level": "OFF", "includeExecutionData": False}
    assert described["tracingConfiguration"] == {"enabled": False}
    listed = [m for m in sfn.list_state_machines()["stateMachines"] if m["stateMachineArn"] == arn]
    assert listed and listed[0]["type"] == "STANDARD" and listed[0]["name"] == name
    assert sfn.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "team", "value": "billing"}]


def test_create_is_idempotent_and_refuses_a_different_definition(sfn):
    name = unique("same")
    first = create(sfn, PASS, name=name)
    assert create(sfn, PASS, name=name) == first
    with pytest.raises(ClientError) as excinfo:
        create(sfn, WAIT, name=name)
    assert error_of(excinfo) == ("StateMachineAlreadyExists", f"State Machine Already Exists: '{first}'")


def test_invalid_definition_has_the_validators_message(sfn):
    definition = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Timestamp": "2024-01-01", "End": True}}}
    with pytest.raises(ClientError) as excinfo:
        create(sfn, definition)
    code, message = error_of(excinfo)
    assert code == "InvalidDefinition"
    assert message == (
        "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: String does not match RFC3339 timestamp at "
        "/States/W/Timestamp'"
    )


@pytest.mark.parametrize("name", ["has space", "a#b", "x" * 81, "semi;colon"])
def test_invalid_names(sfn, name):
    with pytest.raises(ClientError) as excinfo:
        create(sfn, PASS, name=name)
    code, _ = error_of(excinfo)
    assert code in ("InvalidName", "ValidationException")


def test_update_changes_the_definition_and_the_revision(sfn):
    arn = create(sfn, PASS)
    before = sfn.describe_state_machine(stateMachineArn=arn)["revisionId"]
    updated = sfn.update_state_machine(stateMachineArn=arn, definition=json.dumps(WAIT))
    assert updated["revisionId"] != before
    assert json.loads(sfn.describe_state_machine(stateMachineArn=arn)["definition"]) == WAIT
    with pytest.raises(ClientError) as excinfo:
        sfn.update_state_machine(stateMachineArn=arn)
    assert error_of(excinfo)[0] == "MissingRequiredParameter"
    with pytest.raises(ClientError) as excinfo:
        sfn.update_state_machine(stateMachineArn=arn, definition='{"StartAt": "Nope", "States": {}}')
    assert error_of(excinfo)[0] == "InvalidDefinition"


def test_delete(sfn):
    arn = create(sfn, PASS)
    sfn.delete_state_machine(stateMachineArn=arn)
    with pytest.raises(ClientError) as excinfo:
        sfn.describe_state_machine(stateMachineArn=arn)
    assert error_of(excinfo) == ("StateMachineDoesNotExist", f"State Machine Does Not Exist: '{arn}'")


def test_describe_with_an_invalid_arn(sfn):
    with pytest.raises(ClientError) as excinfo:
        sfn.describe_state_machine(stateMachineArn="not_a_valid_arn")
    assert error_of(excinfo) == ("InvalidArn", "Invalid Arn: 'Invalid ARN prefix: not_a_valid_arn'")


def test_validate_state_machine_definition(sfn):
    ok = sfn.validate_state_machine_definition(definition=json.dumps(PASS))
    assert ok["result"] == "OK" and ok["diagnostics"] == []
    bad = sfn.validate_state_machine_definition(definition=json.dumps({"StartAt": "X", "States": {}}))
    assert bad["result"] == "FAIL"
    assert bad["diagnostics"][0]["severity"] == "ERROR"
    assert bad["diagnostics"][0]["code"] == "SCHEMA_VALIDATION_FAILED"


def test_describe_state_machine_for_execution_keeps_the_definition_it_ran(sfn):
    arn = create(sfn, PASS)
    execution = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    wait_done(sfn, execution)
    sfn.update_state_machine(stateMachineArn=arn, definition=json.dumps(WAIT))
    described = sfn.describe_state_machine_for_execution(executionArn=execution)
    assert described["stateMachineArn"] == arn
    assert json.loads(described["definition"]) == PASS


def test_list_pagination(sfn):
    for _ in range(3):
        create(sfn, PASS)
    first = sfn.list_state_machines(maxResults=2)
    assert len(first["stateMachines"]) == 2 and "nextToken" in first
    second = sfn.list_state_machines(maxResults=2, nextToken=first["nextToken"])
    assert {m["stateMachineArn"] for m in first["stateMachines"]}.isdisjoint(
        m["stateMachineArn"] for m in second["stateMachines"]
    )
    paginated = [m for page in sfn.get_paginator("list_state_machines").paginate() for m in page["stateMachines"]]
    assert len(paginated) == len({m["stateMachineArn"] for m in paginated}) >= 3
