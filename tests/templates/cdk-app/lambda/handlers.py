"""Local stand-ins for the stack's Node.js functions, registered by construct id in asl.toml."""

STOCK = {"BOOK-1": 5, "MUG-2": 0}


def process_order(event, context):
    items = event["items"]
    return {**event, "total": sum(item["price"] * item["quantity"] for item in items), "status": "PROCESSED"}


def reserve_stock(event, context):
    available = STOCK.get(event["sku"], 0)
    return {
        "sku": event["sku"],
        "reserved": min(available, event["quantity"]),
        "backordered": available < event["quantity"],
    }


def send_email(event, context):
    return {"sent": True, "orderId": event["orderId"]}
