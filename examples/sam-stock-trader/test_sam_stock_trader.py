"""The stock trader `sam init` writes, run from its template, and one of its states tested alone."""

from pathlib import Path

from asl_engine import StateMachine
from asl_engine.services import load_resources
from asl_engine.testing import assert_path, assert_succeeded

TEMPLATE = Path(__file__).parent / "template.yaml"


def test_buys_below_fifty():
    machine = StateMachine.from_template(TEMPLATE)
    resources = load_resources(TEMPLATE.parent / "asl.toml")  # handlers keyed by the template's logical ids
    execution = machine.execute({"stock_price": 30}, resources=resources)
    assert_path(execution, ["Check Stock Value", "Buy or Sell?", "Buy Stock", "Record Transaction"])
    assert_succeeded(execution)


def test_the_choice_alone():
    machine = StateMachine.from_template(TEMPLATE)
    result = machine.test_state("Buy or Sell?", {"stock_price": 51}, inspection_level="DEBUG")
    assert (result.status, result.next_state) == ("SUCCEEDED", "Sell Stock")
    assert result.inspection_data["afterInputPath"] == {"stock_price": 51}


def test_recording_a_transaction_with_a_mocked_failure_is_retried():
    machine = StateMachine.from_template(TEMPLATE)
    result = machine.test_state(
        "Record Transaction",
        {"id": "t-1", "type": "buy", "price": "30", "qty": "1", "timestamp": "2026-01-01T00:00:00Z"},
        mock={"Throw": {"Error": "States.TaskFailed", "Cause": "throttled"}},
        inspection_level="DEBUG",
    )
    assert result.status == "RETRIABLE"
    assert result.inspection_data["errorDetails"] == {"retryBackoffIntervalSeconds": 20, "retryIndex": 0}
    assert result.inspection_data["afterParameters"]["TableName"] == "TransactionTable"
