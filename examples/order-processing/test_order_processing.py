"""The order workflow, once with its real Python handlers and once with mocks."""

from pathlib import Path

from asl_engine.services import load_resources
from asl_engine.testing import assert_failed, assert_path, assert_retried, assert_succeeded

HERE = Path(__file__).parent


def test_with_the_local_lambda_handlers(asl_machine, asl_env):
    order = {"orderId": "ord-7", "customerId": "c-9", "items": [{"sku": "MUG-3", "quantity": 2}]}
    execution = asl_env.execute(asl_machine("machine.json"), order, resources=[load_resources(HERE / "asl.toml")])
    assert_retried(execution, "BillCustomer", 1)  # the simulated processor times out once
    assert execution.output["charged"] == 1798


def test_out_of_stock_with_mocks(asl_machine, asl_env, asl_mocks):
    asl_mocks.returns("ProcessOrder", {"orderId": "o-1", "total": 1250, "inStock": False})
    execution = asl_env.execute(asl_machine("machine.json"), {"orderId": "o-1", "items": []})
    assert_path(execution, ["ProcessOrder", "CheckInventory", "OutOfStock"])
    assert_failed(execution, "OutOfStock")


def test_billing_failure_is_retried_with_mocks(asl_machine, asl_env, asl_mocks):
    asl_mocks.returns("ProcessOrder", {"orderId": "o-1", "total": 1250, "inStock": True})
    asl_mocks.raises("BillCustomer", "BillingError", "processor timed out")
    asl_mocks.returns("BillCustomer", {"Payload": {"chargeId": "ch-1", "amount": 1250}})
    asl_mocks.returns("ShipOrder", {"Payload": {"orderId": "o-1", "status": "SHIPPED"}})
    execution = asl_env.execute(asl_machine("machine.json"), {"orderId": "o-1", "customerId": "c-1", "items": []})
    assert_retried(execution, "BillCustomer", 1)
    assert_succeeded(execution, {"orderId": "o-1", "status": "SHIPPED"})
