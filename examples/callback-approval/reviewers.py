"""The review queue of the callback-approval example.

The handler receives the SQS request (with the task token in the message body) and answers like the
queue would. A simulated reviewer then answers the token, as a person or another service would with
SendTaskSuccess or SendTaskFailure: here at once, through the execution's task-token registry.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from asl_engine.services import TaskRequest

APPROVAL_LIMIT = 1000


def send_to_review_queue(request: TaskRequest) -> dict[str, Any]:
    body = request.parameters["MessageBody"]
    review(body, request)
    text = json.dumps(body, separators=(",", ":"))
    return {
        "MessageId": f"msg-{body['orderId']}",
        "MD5OfMessageBody": hashlib.md5(text.encode()).hexdigest(),
    }


def review(body: dict[str, Any], request: TaskRequest) -> None:
    """The reviewer's decision, sent back with the token."""
    assert request.environment is not None
    callbacks = request.environment.callbacks
    if body["amount"] <= APPROVAL_LIMIT:
        callbacks.send_task_success(body["taskToken"], {"approved": True, "reviewer": "auto-approver"})
    else:
        callbacks.send_task_failure(
            body["taskToken"], "Rejected", f"{body['amount']} is over the {APPROVAL_LIMIT} approval limit"
        )
