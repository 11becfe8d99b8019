"""The plugin's fixtures, used as a project's own tests use them (the plugin is loaded by its entry point)."""

from __future__ import annotations

from typing import Any

from asl_engine.testing import (
    AslEnvironment,
    MockSet,
    TestClock,
    assert_caught,
    assert_path,
    assert_retried,
    assert_succeeded,
)
from tests.testing.machines import ORDER

GIFT = {"kind": "gift", "total": 5}


def test_a_busy_card_is_retried_then_charged(asl_machine: Any, asl_env: AslEnvironment, asl_mocks: MockSet) -> None:
    asl_mocks.raises("Charge", "Card.Busy").returns("Charge", {"id": 1}).returns("Ship", {})
    execution = asl_env.execute(asl_machine(ORDER), GIFT)
    assert_path(execution, ["Validate", "Route", "Wrap", "Charge", "Ship"])
    assert_retried(execution, "Charge", 1)
    assert_succeeded(execution, {**GIFT, "wrapped": True, "charge": {"id": 1}})


def test_a_declined_card_is_refunded(asl_machine: Any, asl_env: AslEnvironment, asl_mocks: MockSet) -> None:
    asl_mocks.raises("Charge", "Card.Declined", "insufficient funds")
    execution = asl_env.execute(asl_machine(ORDER), GIFT)
    assert_caught(execution, "Charge", error="Card.Declined", by="Refund")


def test_a_big_order_waits_an_hour_for_review(
    asl_machine: Any, asl_env: AslEnvironment, asl_clock: TestClock, asl_mocks: MockSet
) -> None:
    asl_mocks.returns("Charge", {}).returns("Ship", {})
    review = asl_env.start(asl_machine(ORDER), {"kind": "plain", "total": 5000})
    asl_clock.advance(3599)
    assert review.execution.states_entered[-1] == "Review"
    asl_clock.advance(1)
    assert review.status == "SUCCEEDED"
    assert asl_env.now().isoformat() == "2024-01-01T01:00:00+00:00"


def test_each_test_gets_fresh_fixtures(asl_env: AslEnvironment, asl_mocks: MockSet, asl_clock: TestClock) -> None:
    assert asl_mocks.states() == [] and asl_env.executions == []
    assert asl_env.clock is asl_clock and asl_env.mocks is asl_mocks
    assert asl_clock.now_datetime().isoformat() == "2024-01-01T00:00:00+00:00"


DISTRIBUTED_CSV = {
    "StartAt": "EachRow",
    "States": {
        "EachRow": {
            "Type": "Map",
            "ItemReader": {
                "Resource": "arn:aws:states:::s3:getObject",
                "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"},
                "Parameters": {"Bucket": "orders", "Key": "today.csv"},
            },
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                "StartAt": "Bill",
                "States": {
                    "Bill": {
                        "Type": "Task",
                        "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Bill",
                        "End": True,
                    }
                },
            },
            "End": True,
        }
    },
}


def test_a_distributed_map_reads_s3_while_its_tasks_are_mocked(
    asl_machine: Any, asl_env: AslEnvironment, asl_mocks: MockSet, asl_resources: Any
) -> None:
    asl_resources.s3_object("orders", "today.csv", "id,total\nA,5\nB,7\n")
    asl_mocks.answers("Bill", lambda request: {"billed": request.parameters["id"]})
    execution = asl_env.execute(asl_machine(DISTRIBUTED_CSV), {})
    assert_succeeded(execution, [{"billed": "A"}, {"billed": "B"}])


def test_a_distributed_map_without_s3_data_says_how_to_provide_it(asl_machine: Any, asl_env: AslEnvironment) -> None:
    execution = asl_env.execute(asl_machine(DISTRIBUTED_CSV), {})
    assert execution.status == "FAILED"
    assert "EachRow" in (execution.cause or "") and "Mock it in the test" not in (execution.cause or "")
