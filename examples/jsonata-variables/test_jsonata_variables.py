"""The JSONata workflow: variables carry values across states, the discount tier depends on them."""

import json
from pathlib import Path

from asl_engine.testing import assert_path, assert_state_output

CART = json.loads((Path(__file__).parent / "input.json").read_text())


def test_the_middle_tier_discount(asl_machine, asl_env):
    execution = asl_env.execute(asl_machine("machine.json"), CART)
    assert execution.output["total"] == 174.77
    assert execution.output["summary"] == "3 line(s) for Ada, 174.77 EUR"
    assert_path(
        execution, ["LoadCart", "PriceLines", "PriceLine", "PriceLine", "PriceLine", "ChooseDiscount", "Summarise"]
    )


def test_no_discount_below_100_and_the_currency_default(asl_machine, asl_env):
    small = {"customer": "Bo", "currency": "USD", "lines": [{"sku": "x", "quantity": 1, "unitPrice": 10}]}
    execution = asl_env.execute(asl_machine("machine.json"), small)
    assert_state_output(execution, "PriceLines", [{"position": 1, "sku": "X", "amount": 10}])
    assert execution.output["discount"] == 0 and execution.output["currency"] == "USD"
