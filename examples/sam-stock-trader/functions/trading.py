"""Local stand-ins for the sam-app functions (the generated ones draw random prices and ids)."""


def check_stock_value(event, context):
    return {"stock_price": event.get("stock_price", 42)}


def _trade(kind, event):
    price = event["stock_price"]
    return {
        "id": f"{kind}-{price}",
        "price": str(price),
        "type": kind,
        "qty": "1",
        "timestamp": "2026-01-01T00:00:00Z",
    }


def sell_stock(event, context):
    return _trade("sell", event)


def buy_stock(event, context):
    return _trade("buy", event)
