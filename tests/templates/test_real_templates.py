"""Three templates as the tools write them, run, validated and drawn from the library and the CLI.

* ``sam-app``: what ``sam init`` (the multi-step stock trader) writes: ``DefinitionUri``,
  ``DefinitionSubstitutions`` with ``!GetAtt``, ``!Sub`` and ``!Ref``;
* ``cloudformation/order-fulfilment.json``: a hand-written CloudFormation template whose
  ``DefinitionString`` is an ``Fn::Join`` of lines with ``Fn::GetAtt`` and ``Ref`` inside;
* ``cdk-app/cdk.out/OrderPipelineStack.template.json``: a ``cdk synth`` output (CDK v2), with
  hashed logical ids, a ``DefinitionString`` built by ``Fn::Join``, a nested Express machine
  started with ``states:startExecution.sync:2``, and CDK's bootstrap parameter and metadata.

Handlers are registered in each ``asl.toml`` by logical id (or, for CDK, by construct id).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from asl_engine import StateMachine, ValidationError
from asl_engine.definition.templates import TemplateError
from asl_engine.services import load_resources
from asl_engine.validation import validate_template

HERE = Path(__file__).parent
SAM = HERE / "sam-app" / "template.yaml"
CLOUDFORMATION = HERE / "cloudformation" / "order-fulfilment.json"
CDK = HERE / "cdk-app" / "cdk.out" / "OrderPipelineStack.template.json"
CDK_RESOURCES = HERE / "cdk-app" / "asl.toml"
ORDER_MACHINE = "OrderStateMachine9A5B2E8C"


def _resources(path: Path, machine: StateMachine) -> Any:
    resources = load_resources(path)
    assert machine.template is not None
    resources.add_template_aliases(machine.template.resource_names)
    return resources


def _item(resources: Any, table: str, key: dict[str, str]) -> dict[str, Any] | None:
    """An item of the embedded DynamoDB, its attribute values plain."""
    answer = resources.dynamodb.call("GetItem", {"TableName": table, "Key": {k: {"S": v} for k, v in key.items()}})
    item = answer.get("Item")
    return None if item is None else {name: next(iter(value.values())) for name, value in item.items()}


def _scheduled(execution: Any, state: str) -> dict[str, Any]:
    """The TaskScheduled parameters of ``state`` (what the resolved definition sent)."""
    entered = False
    for event in execution.events:
        if event.type.endswith("StateEntered"):
            entered = event.details.get("name") == state
        elif entered and event.type in ("TaskScheduled", "LambdaFunctionScheduled"):
            return dict(event.details)
    raise AssertionError(f"{state} scheduled no task")


# -- sam init -------------------------------------------------------------------------------------------


def test_sam_definition_uri_and_substitutions_resolve_to_the_deployed_definition() -> None:
    machine = StateMachine.from_template(SAM)
    assert (machine.name, machine.type) == ("StockTradingStateMachine", "STANDARD")
    assert machine.source == str(SAM.parent / "statemachine" / "stock_trader.asl.json")
    states = machine.definition["States"]
    assert states["Check Stock Value"]["Resource"] == (
        "arn:aws:lambda:us-east-1:123456789012:function:StockCheckerFunction"
    )
    assert states["Record Transaction"]["Resource"] == "arn:aws:states:::dynamodb:putItem"
    assert states["Record Transaction"]["Parameters"]["TableName"] == "TransactionTable"


@pytest.mark.parametrize(("price", "path", "kind"), [(30, "Buy Stock", "buy"), (75, "Sell Stock", "sell")])
def test_sam_stock_trader_runs_with_handlers_keyed_by_logical_id(price: int, path: str, kind: str) -> None:
    machine = StateMachine.from_template(SAM)
    resources = _resources(SAM.parent / "asl.toml", machine)
    execution = machine.execute({"stock_price": price}, resources=resources)
    assert execution.status == "SUCCEEDED", execution.cause
    assert execution.states_entered == ["Check Stock Value", "Buy or Sell?", path, "Record Transaction"]
    item = _item(resources, "TransactionTable", {"Id": f"{kind}-{price}"})
    assert item is not None and item["Type"] == kind and item["Price"] == str(price)


def test_sam_region_and_account_follow_the_pseudo_parameters() -> None:
    machine = StateMachine.from_template(
        SAM, parameters={"AWS::Region": "cn-north-1", "AWS::AccountId": "111122223333"}
    )
    resource = machine.definition["States"]["Check Stock Value"]["Resource"]
    assert resource == "arn:aws-cn:lambda:cn-north-1:111122223333:function:StockCheckerFunction"
    assert machine.definition["States"]["Record Transaction"]["Resource"] == "arn:aws-cn:states:::dynamodb:putItem"


# -- CloudFormation, DefinitionString by Fn::Join ---------------------------------------------------------


def test_cloudformation_join_builds_the_definition_with_parameters_and_resource_names() -> None:
    machine = StateMachine.from_template(CLOUDFORMATION)
    assert machine.name == "order-fulfilment-dev"
    validate = machine.definition["States"]["ValidateOrder"]
    assert validate["Parameters"]["FunctionName"] == (
        "arn:aws:lambda:us-east-1:123456789012:function:order-fulfilment-validate-order"
    )
    assert validate["TimeoutSeconds"] == 30  # a Ref outside quotes: a number once joined
    branches = machine.definition["States"]["ShipAndAnnounce"]["Branches"]
    queue = branches[0]["States"]["QueueShipment"]["Parameters"]["QueueUrl"]
    topic = branches[1]["States"]["AnnounceOrder"]["Parameters"]["TopicArn"]
    assert queue == "https://sqs.us-east-1.amazonaws.com/123456789012/ShippingQueue"
    assert topic == "arn:aws:sns:us-east-1:123456789012:order-events-dev"


def test_cloudformation_parameters_override_defaults_everywhere_they_are_used() -> None:
    machine = StateMachine.from_template(
        CLOUDFORMATION, parameters={"Environment": "prod", "AWS::StackName": "shop", "ValidationTimeout": "5"}
    )
    assert machine.name == "order-fulfilment-prod"
    states = machine.definition["States"]
    assert states["StoreOrder"]["Parameters"]["TableName"] == "orders-prod"
    assert states["ValidateOrder"]["TimeoutSeconds"] == 5
    assert states["ValidateOrder"]["Parameters"]["FunctionName"].endswith(":function:shop-validate-order")


def test_cloudformation_runs_with_a_handler_registered_under_the_logical_id_of_a_named_function() -> None:
    machine = StateMachine.from_template(CLOUDFORMATION)
    resources = _resources(CLOUDFORMATION.parent / "asl.toml", machine)
    order = {"orderId": "o-7", "items": [{"sku": "a", "price": 3, "quantity": 2}]}
    execution = machine.execute(order, resources=resources)
    assert execution.status == "SUCCEEDED", execution.cause
    assert execution.output == {**order, "total": 6}
    assert _item(resources, "orders-dev", {"orderId": "o-7"}) == {"orderId": "o-7", "total": "6"}
    assert _scheduled(execution, "QueueShipment")["parameters"]["QueueUrl"].endswith("/123456789012/ShippingQueue")
    rejected = machine.execute({"orderId": "o-8", "items": []}, resources=resources)
    assert (rejected.status, rejected.error) == ("FAILED", "OrderRejected")
    assert json.loads(rejected.cause)["errorType"] == "InvalidOrder"


def test_allowed_values_are_enforced_like_cloudformation() -> None:
    with pytest.raises(TemplateError) as raised:
        StateMachine.from_template(CLOUDFORMATION, parameters={"Environment": "qa"})
    assert "Parameters.Environment: 'qa' is not one of its AllowedValues (dev, staging, prod)" in str(raised.value)


# -- cdk synth --------------------------------------------------------------------------------------------


def test_cdk_synth_output_lists_its_machines_and_needs_one_picked() -> None:
    with pytest.raises(TemplateError) as raised:
        StateMachine.from_template(CDK)
    assert "2 state machines (NotifyCustomerStateMachineC7B3A0F1, OrderStateMachine9A5B2E8C)" in str(raised.value)
    assert "--state-machine" in str(raised.value)


def test_cdk_definition_string_resolves_partition_and_function_arns() -> None:
    machine = StateMachine.from_template(CDK, ORDER_MACHINE)
    process = machine.definition["States"]["Process Order"]
    assert process["Resource"] == "arn:aws:states:::lambda:invoke"
    assert process["Parameters"]["FunctionName"] == (
        "arn:aws:lambda:us-east-1:123456789012:function:ProcessOrderFunction5C2D8AE8"
    )
    notify = machine.definition["States"]["Notify Customer"]["Parameters"]["StateMachineArn"]
    assert notify == "arn:aws:states:us-east-1:123456789012:stateMachine:NotifyCustomerStateMachineC7B3A0F1"
    assert StateMachine.from_template(CDK, "NotifyCustomerStateMachineC7B3A0F1").type == "EXPRESS"


def test_cdk_stack_runs_with_functions_and_nested_machine_named_by_construct_id() -> None:
    machine = StateMachine.from_template(CDK, ORDER_MACHINE)
    resources = _resources(CDK_RESOURCES, machine)
    order = {
        "orderId": "o-1",
        "shipping": "express",
        "items": [{"sku": "BOOK-1", "price": 12, "quantity": 2}, {"sku": "MUG-2", "price": 8, "quantity": 1}],
    }
    execution = machine.execute(order, resources=resources)
    assert execution.status == "SUCCEEDED", execution.cause
    output = execution.output
    assert output["total"] == 32 and output["fee"] == {"amount": 15, "currency": "EUR"}
    assert output["shipments"] == [
        {"sku": "BOOK-1", "reserved": 2, "backordered": False},
        {"sku": "MUG-2", "reserved": 0, "backordered": True},
    ]
    assert output["notification"]["Status"] == "SUCCEEDED"
    assert output["notification"]["Output"] == {"sent": True, "orderId": "o-1"}


def test_cdk_bootstrap_ssm_parameter_is_never_needed_to_run() -> None:
    machine = StateMachine.from_template(CDK, "NotifyCustomerStateMachineC7B3A0F1")
    assert machine.template is not None and machine.template.logical_id == "NotifyCustomerStateMachineC7B3A0F1"
    aliases = {name.logical_id: name.aliases for name in machine.template.resource_names}
    assert aliases["SendEmailFunctionD8E2F46A"] == ("SendEmailFunctionD8E2F46A", "SendEmailFunction")


# -- validation, located in each file ---------------------------------------------------------------------


def test_all_three_templates_validate_clean() -> None:
    for template in (SAM, CLOUDFORMATION, CDK):
        for result in validate_template(template):
            assert result.diagnostics == [], (template, result.logical_id, result.diagnostics)


def test_an_error_in_a_join_built_definition_string_points_at_the_property_and_into_the_string(
    tmp_path: Path,
) -> None:
    broken = json.loads(CLOUDFORMATION.read_text())
    lines = broken["Resources"]["OrderFulfilmentStateMachine"]["Properties"]["DefinitionString"]["Fn::Join"][1]
    lines[lines.index('      "Next": "StoreOrder"')] = '      "Next": "StoreTheOrder"'
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(broken, indent=2))
    (result,) = validate_template(path)
    diagnostic = next(d for d in result.diagnostics if d.code == "MISSING_TRANSITION_TARGET")
    assert diagnostic.location == "/States/ValidateOrder/Next"
    text = path.read_text().splitlines()
    assert '"DefinitionString"' in text[diagnostic.line - 1]
    assert "(in the DefinitionString, line 13, column 7 of its resolved text)" in diagnostic.message
    with pytest.raises(ValidationError) as raised:
        StateMachine.from_template(path)
    assert raised.value.diagnostics[0].line == diagnostic.line


def test_an_error_in_a_definition_uri_file_is_located_in_that_file(tmp_path: Path) -> None:
    (tmp_path / "statemachine").mkdir()
    source = (SAM.parent / "statemachine" / "stock_trader.asl.json").read_text()
    broken = source.replace('"Default": "Sell Stock"', '"Defalt": "Sell Stock"')
    (tmp_path / "statemachine" / "stock_trader.asl.json").write_text(broken)
    (tmp_path / "template.yaml").write_text(SAM.read_text())
    (result,) = validate_template(tmp_path / "template.yaml")
    assert result.source == str(tmp_path / "statemachine" / "stock_trader.asl.json")
    field = next(d for d in result.diagnostics if d.code == "SCHEMA_VALIDATION_FAILED")
    assert "Field 'Defalt' is not supported" in field.message
    assert broken.splitlines()[field.line - 1].strip() == '"Buy or Sell?": {'
