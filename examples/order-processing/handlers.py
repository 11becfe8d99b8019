"""Lambda handlers for the order-processing example: ordinary ``handler(event, context)`` functions."""

from __future__ import annotations

from typing import Any

PRICES = {"BOOK-7": 1250, "MUG-3": 899, "LAMP-1": 4599}
STOCK = {"BOOK-7": 10, "MUG-3": 3, "LAMP-1": 0}


class BillingError(Exception):
    """The payment processor declined or timed out; the state machine retries it."""


def process_order(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Price the order and check that every item is in stock."""
    lines = [
        {"sku": item["sku"], "quantity": item["quantity"], "price": PRICES[item["sku"]] * item["quantity"]}
        for item in event["items"]
    ]
    return {
        "orderId": event["orderId"],
        "lines": lines,
        "total": sum(line["price"] for line in lines),
        "inStock": all(STOCK.get(item["sku"], 0) >= item["quantity"] for item in event["items"]),
        "processedBy": context.function_name,
    }


def bill_customer(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Charge the customer. The (simulated) processor times out on the first attempt of every order."""
    if event["attempt"] == 0:
        raise BillingError(f"payment processor timed out charging order {event['orderId']}")
    return {"chargeId": f"ch-{event['orderId']}", "amount": event["amount"], "requestId": context.aws_request_id}


def ship_order(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Book the shipment and return the order's summary."""
    return {
        "orderId": event["order"]["orderId"],
        "status": "SHIPPED",
        "trackingNumber": f"TRK-{event['order']['orderId'].upper()}",
        "charged": event["payment"]["amount"],
    }
