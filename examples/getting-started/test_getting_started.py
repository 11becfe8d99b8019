"""The getting-started machine, tested with the asl-engine pytest plugin (no conftest needed)."""

from asl_engine.testing import assert_failed, assert_path, assert_succeeded


def test_an_order_is_priced_packed_and_labelled(asl_machine, asl_env):
    execution = asl_env.execute(
        asl_machine("machine.json"), {"id": 7, "customer": "Bo", "items": [{"sku": "A", "quantity": 3}]}
    )
    assert_succeeded(execution, {"boxes": 1, "label": "Ship order-7 to Bo"})
    assert_path(
        execution, ["Normalize", "HasItems", "PriceItems", "Price", "Prepare", "Pack", "Cool down", "Label", "Done"]
    )


def test_an_empty_order_fails(asl_machine, asl_env):
    execution = asl_env.execute(asl_machine("machine.json"), {"id": 8, "customer": "Bo", "items": []})
    assert_failed(execution, "EmptyOrder", "The order has no items.")
