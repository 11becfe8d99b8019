"""Each payment is charged in its own iteration; a declined one is caught there and the batch goes on."""

import json
from pathlib import Path

from asl_engine.services import load_resources
from asl_engine.testing import assert_caught

HERE = Path(__file__).parent
BATCH = json.loads((HERE / "input.json").read_text())


def test_failures_are_caught_per_item(asl_machine, asl_env):
    execution = asl_env.execute(asl_machine("machine.json"), BATCH, resources=[load_resources(HERE / "asl.toml")])
    assert execution.output["processed"] == 4
    assert execution.output["failed"] == [1, 2]
    assert [result["status"] for result in execution.output["results"]] == ["CHARGED", "FAILED", "FAILED", "CHARGED"]
    assert_caught(execution, "Charge", error="CardDeclined")


def test_with_mocks_every_item_can_fail(asl_machine, asl_env, asl_mocks):
    for _ in BATCH["payments"]:
        asl_mocks.raises("Charge", "CardDeclined", '{"errorMessage": "declined"}')
    execution = asl_env.execute(asl_machine("machine.json"), BATCH)
    assert execution.output["failed"] == [0, 1, 2, 3]
