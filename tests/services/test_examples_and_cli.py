"""The two examples, run as users run them (``asl run``) and through the Python API, and ``--resources``."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from asl_engine import StateMachine
from asl_engine.cli.main import cli
from asl_engine.services import load_resources
from tests.services.support import clock

EXAMPLES = Path(__file__).parents[2] / "examples"
ORDERS = EXAMPLES / "order-processing"
ETL = EXAMPLES / "etl-pipeline"


def asl(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def history(result: Result, path: Path) -> list[dict[str, Any]]:
    assert result.exit_code in (0, 1), result.output
    return list(json.loads(path.read_text())["events"])


# -- order processing -------------------------------------------------------------------------------------


def test_order_processing_as_documented() -> None:
    """Exactly the documented command (real clock: the retry really waits its second)."""
    result = asl("run", str(ORDERS / "machine.json"), "--input", str(ORDERS / "input.json"))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "orderId": "ord-1001",
        "status": "SHIPPED",
        "trackingNumber": "TRK-ORD-1001",
        "charged": 3399,
    }


def test_order_processing_retries_billing_once(tmp_path: Path) -> None:
    saved = tmp_path / "history.json"
    result = asl(
        "run",
        str(ORDERS / "machine.json"),
        "--input",
        str(ORDERS / "input.json"),
        "--clock",
        "virtual",
        "--history-json",
        str(saved),
    )
    events = history(result, saved)
    failed = [e["taskFailedEventDetails"] for e in events if e["type"] == "TaskFailed"]
    assert [f["error"] for f in failed] == ["BillingError"]
    assert json.loads(failed[0]["cause"])["errorMessage"] == "payment processor timed out charging order ord-1001"
    scheduled = [
        json.loads(e["taskScheduledEventDetails"]["parameters"]) for e in events if e["type"] == "TaskScheduled"
    ]
    assert [p["Payload"].get("attempt") for p in scheduled if "attempt" in p["Payload"]] == [0, 1]
    assert [e["type"] for e in events].count("LambdaFunctionSucceeded") == 1  # ProcessOrder, the legacy form


def test_order_processing_out_of_stock() -> None:
    result = asl(
        "run", str(ORDERS / "machine.json"), "--input", str(ORDERS / "input-out-of-stock.json"), "--clock", "virtual"
    )
    assert result.exit_code == 1
    assert "error: OutOfStock" in result.stderr


def test_order_processing_from_python() -> None:
    resources = load_resources(ORDERS / "asl.toml")
    machine = StateMachine.from_file(ORDERS / "machine.json")
    execution = machine.execute(json.loads((ORDERS / "input.json").read_text()), resources=resources, clock=clock())
    assert execution.output["status"] == "SHIPPED"
    assert execution.states_entered == ["ProcessOrder", "CheckInventory", "BillCustomer", "ShipOrder"]


# -- ETL pipeline ----------------------------------------------------------------------------------------


def test_etl_pipeline_as_documented() -> None:
    result = asl("run", str(ETL / "machine.json"), "--input", str(ETL / "input.json"))
    assert result.exit_code == 0, result.output
    output = json.loads(result.stdout)
    assert output["job"]["state"] == "SUCCEEDED" and output["job"]["jobRunId"].startswith("jr_")
    assert output["stats"] == {"succeededRuns": "1"}
    totals = Path(tempfile.gettempdir()) / "asl-etl-example" / "customer-totals-2024-03-01.json"
    assert json.loads(totals.read_text()) == {"cust-42": "132.99", "cust-7": "12.50"}


def test_etl_pipeline_records_a_failed_job_and_fails() -> None:
    result = asl("run", str(ETL / "machine.json"), "--input", str(ETL / "input-bad-data.json"), "--clock", "virtual")
    assert result.exit_code == 1
    assert "error: EtlFailed" in result.stderr
    assert "cause: ValueError: orders-2024-03-02.csv line 3: amount 'not-a-number' is not a number" in result.stderr


def test_etl_pipeline_from_python_writes_dynamodb() -> None:
    resources = load_resources(ETL / "asl.toml")
    machine = StateMachine.from_file(ETL / "machine.json")
    good = machine.execute(json.loads((ETL / "input.json").read_text()), resources=resources, clock=clock())
    bad = machine.execute(json.loads((ETL / "input-bad-data.json").read_text()), resources=resources, clock=clock())
    again = machine.execute(json.loads((ETL / "input.json").read_text()), resources=resources, clock=clock())
    assert (good.status, bad.error, again.status) == ("SUCCEEDED", "EtlFailed", "SUCCEEDED")
    assert again.states_entered[-1] == "AlreadyRecorded"  # the ConditionExpression caught the duplicate date
    runs = resources.dynamodb.call("Scan", {"TableName": "EtlRuns"})["Items"]
    assert sorted((run["runDate"]["S"], run["state"]["S"]) for run in runs) == [
        ("2024-03-01", "SUCCEEDED"),
        ("2024-03-02", "FAILED"),
    ]
    stats = resources.dynamodb.call("GetItem", {"TableName": "EtlStats", "Key": {"job": {"S": "nightly-etl"}}})
    assert stats["Item"]["succeeded"] == {"N": "1"}
    assert [run.state for run in resources.glue.runs("nightly-etl")] == ["SUCCEEDED", "FAILED", "SUCCEEDED"]


# -- asl run --resources ---------------------------------------------------------------------------------


MACHINE = {
    "StartAt": "F",
    "States": {
        "F": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "Greet", "Payload.$": "$"},
            "OutputPath": "$.Payload",
            "End": True,
        }
    },
}


def test_resources_option_and_default_file(tmp_path: Path) -> None:
    (tmp_path / "machine.json").write_text(json.dumps(MACHINE))
    elsewhere = tmp_path / "config"
    elsewhere.mkdir()
    (elsewhere / "greet.py").write_text("def greet(event, context):\n    return 'hi ' + event['name']\n")
    (elsewhere / "local.toml").write_text('[lambda]\nGreet = "greet:greet"\n')
    machine = str(tmp_path / "machine.json")
    explicit = asl("run", machine, "--input-json", '{"name": "ann"}', "--resources", str(elsewhere / "local.toml"))
    assert (explicit.exit_code, json.loads(explicit.stdout)) == (0, "hi ann")
    without = asl("run", machine, "--input-json", '{"name": "ann"}')
    assert without.exit_code == 1 and "hint: state 'F' calls the Lambda function 'Greet'" in without.stderr
    (tmp_path / "greet.py").write_text("def greet(event, context):\n    return 'hello ' + event['name']\n")
    (tmp_path / "asl.toml").write_text('[lambda]\nGreet = "greet:greet"\n')
    beside = asl("run", machine, "--input-json", '{"name": "bo"}')
    assert (beside.exit_code, json.loads(beside.stdout)) == (0, "hello bo")


def test_bad_resources_file_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "machine.json").write_text(json.dumps(MACHINE))
    (tmp_path / "asl.toml").write_text('[lambda]\nGreet = "nowhere:greet"\n')
    result = asl("run", str(tmp_path / "machine.json"))
    assert result.exit_code == 2
    assert "asl.toml: lambda.Greet: cannot import module 'nowhere'" in result.stderr
    assert "Traceback" not in result.stderr
