"""State machines the testing tools are tried on."""

from __future__ import annotations

import json
from typing import Any

from asl_engine import StateMachine

CHARGE_ARN = "arn:aws:lambda:us-east-1:123456789012:function:charge"

ORDER: dict[str, Any] = {
    "Comment": "An order: routed by kind and total, charged (with Retry and Catch), then shipped",
    "StartAt": "Validate",
    "States": {
        "Validate": {"Type": "Pass", "Next": "Route"},
        "Route": {
            "Type": "Choice",
            "Choices": [
                {"Variable": "$.kind", "StringEquals": "gift", "Next": "Wrap"},
                {"Variable": "$.total", "NumericGreaterThan": 1000, "Next": "Review"},
            ],
            "Default": "Charge",
        },
        "Wrap": {"Type": "Pass", "Result": True, "ResultPath": "$.wrapped", "Next": "Charge"},
        "Review": {"Type": "Wait", "Seconds": 3600, "Next": "Charge"},
        "Charge": {
            "Type": "Task",
            "Resource": CHARGE_ARN,
            "Retry": [{"ErrorEquals": ["Card.Busy"], "IntervalSeconds": 2, "MaxAttempts": 2}],
            "Catch": [
                {"ErrorEquals": ["Card.Declined"], "Next": "Refund"},
                {"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Alert"},
            ],
            "ResultPath": "$.charge",
            "Next": "Ship",
        },
        "Ship": {
            "Type": "Task",
            "Resource": "arn:aws:states:::sqs:sendMessage",
            "Parameters": {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/ship", "MessageBody.$": "$"},
            "ResultPath": None,
            "End": True,
        },
        "Refund": {"Type": "Pass", "Result": "refunded", "End": True},
        "Alert": {"Type": "Fail", "Error": "Order.Failed", "Cause": "the charge failed"},
    },
}

FAN_OUT: dict[str, Any] = {
    "Comment": "A Map with MaxConcurrency whose iterations wait different times, then a Parallel",
    "StartAt": "Each",
    "States": {
        "Each": {
            "Type": "Map",
            "ItemsPath": "$.items",
            "MaxConcurrency": 2,
            "ItemProcessor": {
                "StartAt": "Pause",
                "States": {
                    "Pause": {"Type": "Wait", "SecondsPath": "$.wait", "Next": "Work"},
                    "Work": {
                        "Type": "Task",
                        "Resource": "arn:aws:lambda:us-east-1:123456789012:function:work",
                        "End": True,
                    },
                },
            },
            "ResultPath": "$.results",
            "Next": "Both",
        },
        "Both": {
            "Type": "Parallel",
            "Branches": [
                {"StartAt": "Left", "States": {"Left": {"Type": "Wait", "Seconds": 5, "End": True}}},
                {"StartAt": "Right", "States": {"Right": {"Type": "Pass", "End": True}}},
            ],
            "End": True,
        },
    },
}


def order_machine() -> StateMachine:
    return StateMachine.from_json(ORDER, name="order")


def order_json() -> str:
    return json.dumps(ORDER, indent=2)
