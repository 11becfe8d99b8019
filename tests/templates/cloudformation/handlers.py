"""Local handlers for order-fulfilment.json: the validation function and the SQS and SNS calls."""

import hashlib
import json


class InvalidOrder(Exception):
    """Raised like the deployed function raises it: Lambda reports the class name as errorType."""


def validate_order(event, context):
    if not event.get("items"):
        raise InvalidOrder(f"order {event.get('orderId')} has no items")
    return {**event, "total": sum(item["price"] * item["quantity"] for item in event["items"])}


def _digest(value):
    return hashlib.md5(json.dumps(value, sort_keys=True).encode()).hexdigest()


def send_message(request):
    body = request.parameters["MessageBody"]
    return {"MessageId": f"msg-{_digest(body)[:8]}", "MD5OfMessageBody": _digest(body)}


def publish(request):
    return {"MessageId": f"sns-{_digest(request.parameters['Message'])[:8]}"}
