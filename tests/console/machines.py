"""The state machines the console's tests run: one that succeeds (a loop, a Parallel, an inline Map),
one whose Task fails, is retried and caught (the execution then fails in a Fail state), and one that
waits for a task token."""

from __future__ import annotations

import json
from typing import Any

from asl_engine.services import Resources
from asl_engine.services.lambda_.runtime import LambdaError

ROLE = "arn:aws:iam::123456789012:role/console-tests"

SUCCEEDS: dict[str, Any] = {
    "StartAt": "Start",
    "States": {
        "Start": {"Type": "Pass", "Result": 0, "ResultPath": "$.n", "Next": "Increment"},
        "Increment": {
            "Type": "Pass",
            "Parameters": {"n.$": "States.MathAdd($.n, 1)", "items.$": "$.items"},
            "Next": "More?",
        },
        "More?": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.n", "NumericLessThan": 3, "Next": "Increment"}],
            "Default": "Both",
        },
        "Both": {
            "Type": "Parallel",
            "Branches": [
                {"StartAt": "Left", "States": {"Left": {"Type": "Pass", "End": True}}},
                {"StartAt": "Right", "States": {"Right": {"Type": "Pass", "End": True}}},
            ],
            "ResultPath": "$.both",
            "Next": "Each",
        },
        "Each": {
            "Type": "Map",
            "ItemsPath": "$.items",
            "ItemSelector": {"value.$": "$$.Map.Item.Value"},
            "ItemProcessor": {"StartAt": "Square", "States": {"Square": {"Type": "Pass", "End": True}}},
            "ResultPath": "$.each",
            "Next": "Done",
        },
        "Done": {"Type": "Succeed"},
    },
}

FAILS_CAUGHT: dict[str, Any] = {
    "StartAt": "Charge",
    "States": {
        "Charge": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "ChargeCard", "Payload.$": "$"},
            "Retry": [{"ErrorEquals": ["CardDeclined"], "IntervalSeconds": 1, "MaxAttempts": 2}],
            "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Refund"}],
            "Next": "Shipped",
        },
        "Shipped": {"Type": "Succeed"},
        "Refund": {"Type": "Pass", "Next": "Declined"},
        "Declined": {"Type": "Fail", "Error": "PaymentDeclined", "Cause": "The card was declined"},
    },
}

WAITS_FOR_CALLBACK: dict[str, Any] = {
    "StartAt": "Prepare",
    "States": {
        "Prepare": {"Type": "Pass", "Next": "Approve"},
        "Approve": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
            "Parameters": {"FunctionName": "RequestApproval", "Payload": {"TaskToken.$": "$$.Task.Token"}},
            "Next": "Approved",
        },
        "Approved": {"Type": "Succeed"},
    },
}


def resources() -> Resources:
    account = Resources()

    def charge(event: Any, context: Any) -> Any:
        raise LambdaError("CardDeclined", "insufficient funds")

    account.lambda_function("ChargeCard", charge)
    account.lambda_function("RequestApproval", lambda event, context: {"requested": True})
    return account


def create(client: Any, name: str, definition: dict[str, Any]) -> str:
    created = client.create_state_machine(name=name, definition=json.dumps(definition), roleArn=ROLE)
    return str(created["stateMachineArn"])


DISTRIBUTES: dict[str, Any] = {
    "StartAt": "Fan out",
    "States": {
        "Fan out": {
            "Type": "Map",
            "ItemsPath": "$.items",
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                "StartAt": "Work",
                "States": {"Work": {"Type": "Pass", "End": True}},
            },
            "End": True,
        }
    },
}
