"""The ChargePayment Lambda function of the map-fan-out example."""

from __future__ import annotations

from typing import Any

DECLINED_CARDS = {"0002"}


class CardDeclined(Exception):
    """The card issuer refused the charge: caught per item by the state machine."""


class InvalidAmount(Exception):
    """The amount cannot be charged: caught per item by the state machine."""


def charge_payment(event: dict[str, Any], context: Any) -> dict[str, Any]:
    payment = event["payment"]
    if payment["amount"] <= 0:
        raise InvalidAmount(f"cannot charge {payment['amount']} cents")
    if payment["card"] in DECLINED_CARDS:
        raise CardDeclined(f"card ending {payment['card']} was declined")
    return {"index": event["index"], "chargeId": f"{event['batchId']}-{event['index']}"}
