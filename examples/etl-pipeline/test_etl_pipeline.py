"""The ETL pipeline: a Glue job (.sync) then DynamoDB writes, with its local job and tables."""

import json
from pathlib import Path

from asl_engine.services import load_resources
from asl_engine.testing import assert_path_contains

HERE = Path(__file__).parent


def test_the_nightly_run_loads_the_orders(asl_machine, asl_env):
    resources = load_resources(HERE / "asl.toml")
    execution = asl_env.execute(
        asl_machine("machine.json"), json.loads((HERE / "input.json").read_text()), resources=[resources]
    )
    assert execution.status == "SUCCEEDED", execution.cause
    assert execution.output["job"]["state"] == "SUCCEEDED"
    assert_path_contains(execution, ["RunEtlJob", "RecordRun", "CountRun"])
