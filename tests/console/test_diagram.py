"""The console's diagram: Graphviz DOT built from the definition's transition graph."""

from __future__ import annotations

import json
import re
from typing import Any

from asl_engine.console.diagram import diagram_for

MACHINE = {
    "StartAt": "Choose",
    "States": {
        "Choose": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.x", "NumericEquals": 1, "Next": "Both"}],
            "Default": "Work",
        },
        "Work": {
            "Type": "Task",
            "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f",
            "Retry": [{"ErrorEquals": ["Busy"], "MaxAttempts": 2}],
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Oops"}],
            "Next": "Both",
        },
        "Oops": {"Type": "Fail", "Error": "E"},
        "Both": {
            "Type": "Parallel",
            "Branches": [
                {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}},
                {"StartAt": "B", "States": {"B": {"Type": "Pass", "Next": "C"}, "C": {"Type": "Succeed"}}},
            ],
            "Next": "Each",
        },
        "Each": {
            "Type": "Map",
            "ItemProcessor": {"StartAt": "Item", "States": {"Item": {"Type": "Pass", "End": True}}},
            "End": True,
        },
    },
}


def _ids(diagram_states: dict[str, dict[str, str]]) -> dict[str, str]:
    return {info["name"]: element for element, info in diagram_states.items()}


def test_every_state_has_an_element_and_groups_nest_branches_and_processors() -> None:
    diagram = diagram_for(json.dumps(MACHINE))
    ids = _ids(dict(diagram.states))
    assert set(ids) == {"Choose", "Work", "Oops", "Both", "A", "B", "C", "Each", "Item"}
    dot = diagram.dot
    for name, element in ids.items():
        assert re.search(rf'\b{element} \[id="{element}", class="state type-\w+", label="{re.escape(name)}"', dot)
    both, each = ids["Both"][1:], ids["Each"][1:]
    assert f"subgraph cluster_s{both} {{" in dot and 'class="group group-parallel"' in dot
    assert f'id="g{both}_0"; class="scope"; label="Branch 1"' in dot
    assert f'id="g{both}_1"; class="scope"; label="Branch 2"' in dot
    assert f'id="g{each}_0"; class="scope"; label="Item processor"' in dot
    # transitions out of a group leave from its join point; branch ends meet there
    assert f"j{both} -> {ids['Each']}" in dot
    assert f"{ids['A']} -> j{both}" in dot and f"{ids['C']} -> j{both}" in dot
    assert diagram.states[ids["A"]]["scope"] == "/States/Both/Branches/0"


def test_catch_retry_choice_start_and_end() -> None:
    dot = diagram_for(json.dumps(MACHINE)).dot
    ids = _ids(dict(diagram_for(json.dumps(MACHINE)).states))
    work, oops = ids["Work"], ids["Oops"]
    assert re.search(rf'{work} -> {oops} \[class="edge-catch", style=dashed.*label="States.ALL"\]', dot)
    assert re.search(rf'{work} -> {work} \[class="edge-retry", style=dotted.*label="Retry Busy x2"\]', dot)
    assert re.search(rf'{ids["Choose"]} -> {ids["Both"]} \[class="edge-choice", label="\$.x == 1"\]', dot)
    assert re.search(rf'{ids["Choose"]} -> {work} \[class="edge-default", label="Default"\]', dot)
    assert f"start -> {ids['Choose']}" in dot
    assert f"j{ids['Each'][1:]} -> end" in dot and f"{oops} -> end" in dot


def test_names_are_quoted_safely() -> None:
    tricky = 'Say "hi" \\ now'
    dot = diagram_for(json.dumps({"StartAt": tricky, "States": {tricky: {"Type": "Pass", "End": True}}})).dot
    assert 'label="Say \\"hi\\" \\\\ now"' in dot


def test_large_machines_cap_the_layout_passes() -> None:
    states: dict[str, Any] = {f"S{i}": {"Type": "Pass", "Next": f"S{i + 1}"} for i in range(399)}
    states["S399"] = {"Type": "Pass", "End": True}
    assert "nslimit" in diagram_for(json.dumps({"StartAt": "S0", "States": states})).dot
    assert "nslimit" not in diagram_for(json.dumps(MACHINE)).dot


def test_an_unreadable_definition_draws_a_note() -> None:
    diagram = diagram_for("not json")
    assert diagram.states == {} and "definition is not a JSON object" in diagram.dot


def test_large_machines_lay_chains_out_as_one_node() -> None:
    states: dict[str, Any] = {f"S{i}": {"Type": "Pass", "Next": f"S{i + 1}"} for i in range(200)}
    states["S200"] = {"Type": "Choice", "Choices": [{"Variable": "$.again", "BooleanEquals": True, "Next": "S0"}],
                      "Default": "Risky"}  # fmt: skip
    states["Risky"] = {
        "Type": "Task",
        "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f",
        "Retry": [{"ErrorEquals": ["States.ALL"]}],
        "Next": "T0",
    }
    states.update({f"T{i}": {"Type": "Pass", "Next": f"T{i + 1}"} for i in range(3)})
    states["T3"] = {"Type": "Succeed"}
    diagram = diagram_for(json.dumps({"StartAt": "S0", "States": states}))
    names = {element: info["name"] for element, info in diagram.states.items()}
    chains = {key: [names[element] for element in members] for key, members in diagram.chains.items()}
    # S0..S199 chain (S200 is a Choice; Risky has a Retrier); T0..T3 is a chain of four
    assert chains == {"c0": [f"S{i}" for i in range(200)], "c1": ["T0", "T1", "T2", "T3"]}
    dot = diagram.dot
    ids = {name: element for element, name in names.items()}
    assert re.search(r'c0 \[id="c0", class="chain", label="".*height=139\.70\]', dot)  # 200 slots of 0.7 in, less 0.3
    assert "start -> c0:n" in dot and f"c0:s -> {ids['S200']}" in dot and f"{ids['S200']} -> c0:n" in dot
    assert f"{ids['Risky']} -> c1:n" in dot and "c1:s -> end" in dot
    assert f"{ids['S1']} [" not in dot  # chained states are drawn by the page, not by Graphviz


def test_small_machines_have_no_chains() -> None:
    states: dict[str, Any] = {f"S{i}": {"Type": "Pass", "Next": f"S{i + 1}"} for i in range(20)}
    states["S20"] = {"Type": "Succeed"}
    assert diagram_for(json.dumps({"StartAt": "S0", "States": states})).chains == {}
