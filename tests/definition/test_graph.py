"""The networkx graph, rule texts, and the Mermaid / DOT renderings built from it."""

from __future__ import annotations

import shutil
import subprocess
from typing import Any

import networkx as nx
import pytest

from asl_engine.definition.graph import build_graph, rule_text
from asl_engine.definition.render import CAUGHT, ENTERED, FAILED, StateMark, to_dot, to_mermaid

from .test_mutations import JSONATA_BASE, JSONPATH_BASE


@pytest.fixture
def graph() -> nx.MultiDiGraph:
    return build_graph(JSONPATH_BASE)


def test_nodes_are_pointers_with_their_scope(graph: nx.MultiDiGraph) -> None:
    assert isinstance(graph, nx.DiGraph)
    left = graph.nodes["/States/Fan/Branches/0/States/Left"]
    assert left == {
        "name": "Left",
        "type": "Pass",
        "scope": "/States/Fan/Branches/0",
        "pointer": "/States/Fan/Branches/0/States/Left",
        "terminal": True,
        "query_language": "JSONPath",
        "start": True,
        "retriers": [],
    }
    assert graph.nodes["/States/Fetch"]["start"] is True
    assert graph.nodes["/States/Check"]["terminal"] is False
    assert graph.graph["scopes"]["/States/Each/ItemProcessor"] == {
        "kind": "processor",
        "owner": "/States/Each",
        "start": "/States/Each/ItemProcessor/States/Work",
    }


def _edges(graph: nx.MultiDiGraph, source: str) -> list[tuple[str, str, str | None]]:
    return [
        (target.rsplit("/", 1)[-1], data["kind"], data["label"])
        for _, target, data in graph.out_edges(source, data=True)
    ]


def test_edges_carry_kind_and_label(graph: nx.MultiDiGraph) -> None:
    assert _edges(graph, "/States/Fetch") == [("Check", "next", None), ("Failed", "catch", "States.ALL")]
    assert _edges(graph, "/States/Check") == [("Fan", "choice", "$.n > 3"), ("Later", "default", "Default")]
    assert _edges(graph, "/States/Fan") == [
        ("Each", "next", None),
        ("Left", "branch", "branch 0"),
        ("Right", "branch", "branch 1"),
    ]
    assert _edges(graph, "/States/Each") == [("Done", "next", None), ("Work", "processor", "items")]
    catch = next(data for _, _, data in graph.out_edges("/States/Fetch", data=True) if data["kind"] == "catch")
    assert (catch["errors"], catch["pointer"]) == (["States.ALL"], "/States/Fetch/Catch/0/Next")


def test_a_choice_to_the_same_state_twice_keeps_both_edges() -> None:
    document = {
        "StartAt": "C",
        "States": {
            "C": {"Type": "Choice", "Choices": [{"Variable": "$.a", "IsPresent": True, "Next": "D"}], "Default": "D"},
            "D": {"Type": "Succeed"},
        },
    }
    assert graph_labels(build_graph(document)) == ["$.a is present", "Default"]


def graph_labels(graph: nx.MultiDiGraph) -> list[Any]:
    return [data["label"] for _, _, data in graph.edges(data=True)]


@pytest.mark.parametrize(
    ("rule", "language", "text"),
    [
        ({"Variable": "$.x", "NumericEquals": 1}, "JSONPath", "$.x == 1"),
        ({"Variable": "$.s", "StringMatches": "log-*"}, "JSONPath", '$.s matches "log-*"'),
        ({"Variable": "$.t", "TimestampLessThanEqualsPath": "$.limit"}, "JSONPath", "$.t <= $.limit"),
        ({"Variable": "$.v", "IsNull": False}, "JSONPath", "not ($.v is null)"),
        (
            {"And": [{"Variable": "$.a", "BooleanEquals": True}, {"Not": {"Variable": "$.b", "StringEquals": "x"}}]},
            "JSONPath",
            '($.a == true) and (not ($.b == "x"))',
        ),
        ({"Condition": "{% $count > 3 %}"}, "JSONata", "$count > 3"),
    ],
)
def test_rule_text(rule: dict[str, Any], language: str, text: str) -> None:
    assert rule_text(rule, language) == text


def test_mermaid_has_subgraphs_labels_and_terminals(graph: nx.MultiDiGraph) -> None:
    text = to_mermaid(graph)
    assert text.startswith("flowchart TD\n")
    assert 'subgraph s1["Fan · branch 0"]' in text
    assert 'subgraph s3["Each · item processor"]' in text
    assert '-.->|"States.ALL"|' in text
    assert '-->|"$.n > 3"|' in text
    assert '-->|"Default"|' in text
    assert "__start__ --> n0" in text


def test_retriers_are_labelled_self_loops(graph: nx.MultiDiGraph) -> None:
    assert graph.nodes["/States/Fetch"]["retriers"] == [
        {
            "errors": [
                "Lambda.ServiceException",
                "Lambda.AWSLambdaException",
                "Lambda.SdkClientException",
                "Lambda.TooManyRequestsException",
            ],
            "max_attempts": 3,
        },
        {"errors": ["States.ALL"], "max_attempts": 1},
    ]
    assert 'n0 -->|"retry States.ALL · max 1"| n0' in to_mermaid(graph)
    assert '"n0" -> "n0" [label="retry States.ALL · max 1", style=dotted];' in to_dot(graph)


def test_terminal_states_are_drawn_by_kind(graph: nx.MultiDiGraph) -> None:
    mermaid = to_mermaid(graph)
    assert "class n5 failState" in mermaid and "class n6 succeedState" in mermaid  # Failed, Done
    assert "class n7,n8,n9 endState" in mermaid  # Left, Right, Work: "End": true
    assert 'n5(["Failed"])' in mermaid and 'n9["Work"]' in mermaid
    dot = to_dot(graph)
    assert '"n5" [label="Failed", peripheries=2, color="#c62828"];' in dot
    assert '"n6" [label="Done", peripheries=2, color="#2e7d32"];' in dot
    assert '"n9" [label="Work", peripheries=2];' in dot


def test_an_execution_colours_what_it_entered_failed_and_caught(graph: nx.MultiDiGraph) -> None:
    marks = {
        "Fetch": StateMark(3, CAUGHT),
        "Check": StateMark(2),
        "Later": StateMark(2, ENTERED),
        "Failed": StateMark(1, FAILED),
    }
    mermaid = to_mermaid(graph, marks)
    assert 'n0["Fetch (3 times)"]' in mermaid and 'n1{"Check (2 times)"}' in mermaid
    assert "class n0 caught" in mermaid and "class n1,n2 entered" in mermaid and "class n5 failed" in mermaid
    dot = to_dot(graph, marks=marks)
    assert '"n0" [label="Fetch (3 times)", style="rounded,filled", fillcolor="#fad7a0"];' in dot
    assert '"n1" [label="Check (2 times)", shape=diamond, style="filled", fillcolor="#d6eaf8"];' in dot
    assert '"n3" [label="Fan"];' in dot  # not entered: as without an execution


def test_dot_has_clusters_and_styles(graph: nx.MultiDiGraph) -> None:
    text = to_dot(graph, 'my "flow"')
    assert text.startswith('digraph "my \\"flow\\"" {')
    assert 'subgraph "cluster_s1"' in text
    assert '[label="States.ALL", style=dashed]' in text
    assert '"n1" [label="Check", shape=diamond];' in text
    assert "peripheries=2" in text


@pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz 'dot' is not installed")
@pytest.mark.parametrize("document", [JSONPATH_BASE, JSONATA_BASE])
def test_graphviz_accepts_the_dot_output(document: dict[str, Any]) -> None:
    result = subprocess.run(
        ["dot", "-Tsvg"], input=to_dot(build_graph(document)), capture_output=True, text=True, check=False, timeout=30
    )
    assert result.returncode == 0, result.stderr
    assert "<svg" in result.stdout
