"""Definition coverage: what a machine offers, what executions exercised, and the reports."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from asl_engine import StateMachine
from asl_engine.testing import AslEnvironment, CoverageCollector
from asl_engine.testing.coverage import describe_rule, machine_key, offered_items, state_names_in_order
from asl_engine.testing.coverage_report import json_report, text_report
from tests.testing.machines import FAN_OUT, ORDER, order_machine

DISTRIBUTED: dict[str, Any] = {
    "StartAt": "Each",
    "States": {
        "Each": {
            "Type": "Map",
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                "StartAt": "Pick",
                "States": {
                    "Pick": {
                        "Type": "Choice",
                        "Choices": [
                            {"Variable": "$", "NumericGreaterThan": 10, "Next": "Big"},
                            {"Variable": "$", "NumericLessThan": 0, "Next": "Big"},
                        ],
                        "Default": "Small",
                    },
                    "Big": {"Type": "Pass", "End": True},
                    "Small": {"Type": "Pass", "End": True},
                },
            },
            "End": True,
        }
    },
}


def test_a_definition_offers_states_transitions_rules_retriers_and_catchers() -> None:
    items = offered_items(order_machine().compiled)
    assert list(items["states"]) == list(ORDER["States"])
    assert items["transitions"][("Route", "Charge")].data == {"from": "Route", "to": "Charge", "via": ["Default"]}
    assert items["transitions"][("Charge", "Alert")].label == "Charge → Alert (Catch[1])"
    assert list(items["choice_rules"]) == [("Route", 0), ("Route", 1), ("Route", "Default")]
    assert items["choice_rules"][("Route", 0)].label == 'Route Choices[0] $.kind StringEquals "gift" → Wrap'
    assert list(items["retriers"]) == [("Charge", 0)]
    assert list(items["catchers"]) == [("Charge", 0), ("Charge", 1)]
    assert len(items["transitions"]) == 9


def test_nested_states_are_listed_after_their_parent() -> None:
    assert state_names_in_order(FAN_OUT) == ["Each", "Pause", "Work", "Both", "Left", "Right"]


def test_rules_are_described_briefly() -> None:
    both = {"And": [{"Variable": "$.a", "IsNull": False}, {"Not": {"Variable": "$.b", "BooleanEquals": True}}]}
    assert describe_rule(both, limit=80) == "And($.a IsNull false, Not($.b BooleanEquals true))"
    assert describe_rule({"Condition": "{% $states.input.n > 1 %}", "Next": "X"}) == "{% $states.input.n > 1 %}"
    assert len(describe_rule({"Variable": "$.x", "StringEquals": "y" * 100})) == 48


def test_executions_are_counted_per_machine_whatever_object_runs_them(tmp_path: Path) -> None:
    collector = CoverageCollector()
    environment = AslEnvironment()
    environment.mocks.raises("Charge", "Card.Busy").returns("Charge", {}).returns("Ship", {})
    for machine in (order_machine(), order_machine()):  # equal definitions are one machine
        collector.observe(machine, environment.execute(machine, {"kind": "gift", "total": 5}))
    (coverage,) = collector.report()
    assert coverage.executions == 2
    assert coverage.items["states"]["Charge"].hits == 2
    assert coverage.items["retriers"][("Charge", 0)].hits == 2
    assert coverage.items["choice_rules"][("Route", 0)].hits == 2
    assert (coverage.covered("states"), coverage.total("states")) == (5, 8)
    source = tmp_path / "order.json"
    source.write_text(json.dumps(ORDER), encoding="utf-8")
    from_file = StateMachine.from_file(source)
    assert machine_key(from_file) == f"file:{source.resolve()}"
    assert machine_key(from_file) != coverage.key


def test_distributed_map_children_count_and_ambiguous_rules_are_explained() -> None:
    collector = CoverageCollector()
    machine = StateMachine.from_json(DISTRIBUTED, name="fan")
    collector.observe(machine, machine.execute([1, 20, -3]))
    collector.observe(machine, machine.execute([5], history=False))
    (coverage,) = collector.report()
    assert coverage.items["states"]["Big"].hits == 2 and coverage.items["states"]["Small"].hits == 1
    assert coverage.items["choice_rules"][("Pick", "Default")].hits == 1
    assert coverage.items["choice_rules"][("Pick", 0)].hits == 0  # shares Big with rule 1
    assert [(a.rules, a.next_state, a.hits) for a in coverage.ambiguous.values()] == [((0, 1), "Big", 2)]
    report = text_report(collector.report())
    assert "note        Pick: Choices[0] / Choices[1] all go to Big; taken 2x, but the history cannot tell" in report
    assert "    note        1 execution(s) ran with history=False and were not counted" in report
    assert "  fan (built from JSON)" in report
    document = json_report(collector.report())
    assert document["machines"][0]["choice_rules"]["ambiguous"] == [
        {"state": "Pick", "rules": [0, 1], "next": "Big", "hits": 2}
    ]
    assert document["machines"][0]["executions_without_history"] == 1


def test_a_machine_nobody_ran_reports_zero() -> None:
    collector = CoverageCollector()
    collector.register(order_machine())
    (coverage,) = collector.report()
    assert (coverage.executions, coverage.covered_all, coverage.percent) == (0, 0, 0.0)
    assert json_report(collector.report())["totals"]["total"] == 23


def test_states_inside_parallel_and_map_count_like_any_other() -> None:
    collector = CoverageCollector()
    machine = StateMachine.from_json(FAN_OUT)
    environment = AslEnvironment()
    environment.mocks.returns("Work", "done")
    collector.observe(machine, environment.execute(machine, {"items": [{"wait": 1}, {"wait": 2}]}))
    (coverage,) = collector.report()
    assert {name: item.hits for name, item in coverage.items["states"].items()} == {
        "Each": 1,
        "Pause": 2,
        "Work": 2,
        "Both": 1,
        "Left": 1,
        "Right": 1,
    }
    assert list(coverage.items["transitions"]) == [("Each", "Both"), ("Pause", "Work")]
    assert coverage.percent == 100.0


def test_an_execution_that_cannot_be_read_is_reported_not_lost() -> None:
    class Unreadable:
        @property
        def events(self) -> Any:
            raise RuntimeError("boom")

    collector = CoverageCollector()
    collector.observe(order_machine(), Unreadable())  # type: ignore[arg-type]
    assert collector.errors == ["order: RuntimeError: boom"]
    report = text_report(collector.report(), errors=collector.errors)
    assert "asl-engine could not read 1 execution(s), which are not counted; first: order: RuntimeError: boom" in report
