"""Mermaid and Graphviz DOT renderings of the transition graph built by ``graph.build_graph``.

Both formats draw the same things from the same graph: each Parallel branch and Map item processor
as a nested box (Mermaid subgraph, DOT cluster), Catch edges dashed and labelled with their error
names, Choice edges with their rule, Default edges "Default", terminal states doubled, and a start
marker on the machine's ``StartAt``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import networkx as nx

_MERMAID_EDGE = {"catch": "-.->", "branch": "==>", "processor": "==>"}


class _Layout:
    """Short ids for nodes and scopes, and each scope's states and child scopes, in document order."""

    def __init__(self, graph: nx.MultiDiGraph) -> None:
        self.graph = graph
        self.node_id = {node: f"n{index}" for index, node in enumerate(graph.nodes)}
        self.scopes: dict[str, dict[str, Any]] = graph.graph.get("scopes", {})
        self.scope_id = {pointer: f"s{index}" for index, pointer in enumerate(self.scopes)}
        self.members: dict[str, list[str]] = {pointer: [] for pointer in self.scopes}
        for node, scope in graph.nodes(data="scope"):
            self.members.setdefault(scope, []).append(node)
        self.children: dict[str, list[str]] = {}
        for pointer, info in self.scopes.items():
            if info["owner"] is not None:
                self.children.setdefault(info["owner"], []).append(pointer)

    def title(self, scope: str) -> str:
        info = self.scopes[scope]
        owner = self.graph.nodes[info["owner"]]["name"]
        if info["kind"] == "branch":
            return f"{owner} · branch {scope.rsplit('/', 1)[-1]}"
        return f"{owner} · item processor"

    def edge_label(self, data: dict[str, Any]) -> str | None:
        label = data.get("label")
        return None if data["kind"] in ("branch", "processor") and not label else label


def to_mermaid(graph: nx.MultiDiGraph) -> str:
    """A Mermaid ``flowchart TD`` of the machine."""
    layout = _Layout(graph)
    lines = ["flowchart TD", "    __start__((start))"]
    lines.extend(_mermaid_scope(layout, "", 1))
    top_start = layout.scopes.get("", {}).get("start")
    if top_start is not None:
        lines.append(f"    __start__ --> {layout.node_id[top_start]}")
    for source, target, data in graph.edges(data=True):
        arrow = _MERMAID_EDGE.get(data["kind"], "-->")
        label = layout.edge_label(data)
        shown = f'|"{_mermaid_text(label)}"|' if label else ""
        lines.append(f"    {layout.node_id[source]} {arrow}{shown} {layout.node_id[target]}")
    lines.append("    classDef terminal stroke-width:3px")
    terminals = [layout.node_id[node] for node, terminal in graph.nodes(data="terminal") if terminal]
    if terminals:
        lines.append(f"    class {','.join(terminals)} terminal")
    return "\n".join(lines) + "\n"


def _mermaid_scope(layout: _Layout, scope: str, depth: int) -> Iterator[str]:
    indent = "    " * depth
    for node in layout.members.get(scope, []):
        data = layout.graph.nodes[node]
        text = _mermaid_text(data["name"])
        node_id = layout.node_id[node]
        if data["type"] == "Choice":
            yield f'{indent}{node_id}{{"{text}"}}'
        elif data["terminal"]:
            yield f'{indent}{node_id}(["{text}"])'
        else:
            yield f'{indent}{node_id}["{text}"]'
        for child in layout.children.get(node, []):
            yield f'{indent}subgraph {layout.scope_id[child]}["{_mermaid_text(layout.title(child))}"]'
            yield from _mermaid_scope(layout, child, depth + 1)
            yield f"{indent}end"


def _mermaid_text(text: str) -> str:
    return text.replace('"', "#quot;").replace("\n", " ")


def to_dot(graph: nx.MultiDiGraph, name: str = "StateMachine") -> str:
    """A Graphviz ``digraph`` of the machine (render with ``dot -Tsvg``)."""
    layout = _Layout(graph)
    lines = [
        f"digraph {_dot_quote(name)} {{",
        "    rankdir=TB;",
        '    node [shape=box, style=rounded, fontname="Helvetica"];',
        '    edge [fontname="Helvetica", fontsize=10];',
        '    "__start__" [shape=circle, label="", width=0.25, style=filled, fillcolor=black];',
    ]
    lines.extend(_dot_scope(layout, "", 1))
    top_start = layout.scopes.get("", {}).get("start")
    if top_start is not None:
        lines.append(f'    "__start__" -> {_dot_quote(layout.node_id[top_start])};')
    for source, target, data in graph.edges(data=True):
        attributes = []
        label = layout.edge_label(data)
        if label:
            attributes.append(f"label={_dot_quote(label)}")
        if data["kind"] == "catch":
            attributes.append("style=dashed")
        elif data["kind"] in ("branch", "processor"):
            attributes.append("style=bold")
        shown = f" [{', '.join(attributes)}]" if attributes else ""
        lines.append(f"    {_dot_quote(layout.node_id[source])} -> {_dot_quote(layout.node_id[target])}{shown};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _dot_scope(layout: _Layout, scope: str, depth: int) -> Iterator[str]:
    indent = "    " * depth
    for node in layout.members.get(scope, []):
        data = layout.graph.nodes[node]
        attributes = [f"label={_dot_quote(data['name'])}"]
        if data["type"] == "Choice":
            attributes.append("shape=diamond")
        if data["terminal"]:
            attributes.append("peripheries=2")
        yield f"{indent}{_dot_quote(layout.node_id[node])} [{', '.join(attributes)}];"
        for child in layout.children.get(node, []):
            yield f"{indent}subgraph {_dot_quote('cluster_' + layout.scope_id[child])} {{"
            yield f"{indent}    label={_dot_quote(layout.title(child))};"
            yield f"{indent}    style=dashed;"
            yield from _dot_scope(layout, child, depth + 1)
            yield f"{indent}}}"


def _dot_quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'
