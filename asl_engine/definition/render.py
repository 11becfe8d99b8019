"""Mermaid and Graphviz DOT renderings of the transition graph built by ``graph.build_graph``.

Both formats draw the same things from the same graph: each Parallel branch and Map item processor
as a nested box (Mermaid subgraph, DOT cluster), Catch edges dashed and labelled with their error
names, each Retrier as a self-loop labelled with its error names and ``MaxAttempts``, Choice edges
with their rule, Default edges "Default", terminal states by kind (a Succeed state green, a Fail
state red, any other state with ``"End": true`` in bold), and a start marker on the machine's
``StartAt``.

Given ``marks`` (what one execution did in each state, by state name: see ``StateMark``), the states
it entered are filled, those that failed red and those whose error a Catcher took orange, and a
state entered more than once shows how many times (``Work (3 times)``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import networkx as nx

_MERMAID_EDGE = {"catch": "-.->", "branch": "==>", "processor": "==>"}

ENTERED, FAILED, CAUGHT = "entered", "failed", "caught"


@dataclass(frozen=True, slots=True)
class StateMark:
    """What one execution did in a state: how often it entered it, and how the state's work ended
    (``entered``: it ran, succeeded or was stopped; ``failed``: it failed; ``caught``: it failed and a
    Catcher took the error)."""

    entered: int
    outcome: str = ENTERED


Marks = Mapping[str, StateMark]
"""Marks by state name (names are unique in a machine)."""

_TERMINAL_KINDS = {"Succeed": "succeed", "Fail": "fail"}
_MERMAID_CLASSES = {  # Mermaid reserves the word "end": the terminal kinds' classes get a suffix
    "succeed": "stroke:#2e7d32,stroke-width:3px",
    "fail": "stroke:#c62828,stroke-width:3px",
    "end": "stroke-width:3px",
    ENTERED: "fill:#d6eaf8",
    FAILED: "fill:#f5b7b1",
    CAUGHT: "fill:#fad7a0",
}
_DOT_TERMINALS = {"succeed": 'color="#2e7d32"', "fail": 'color="#c62828"', "end": ""}
_DOT_FILLS = {ENTERED: "#d6eaf8", FAILED: "#f5b7b1", CAUGHT: "#fad7a0"}


def terminal_kind(data: Mapping[str, Any]) -> str | None:
    """``succeed``, ``fail`` or ``end`` for a node that ends its scope; None for the others."""
    if not data["terminal"]:
        return None
    return _TERMINAL_KINDS.get(data["type"], "end")


def retrier_label(retrier: Mapping[str, Any]) -> str:
    return f"retry {', '.join(retrier['errors']) or '?'} · max {retrier['max_attempts']}"


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


def _label(data: Mapping[str, Any], marks: Marks | None) -> str:
    """The state's name, with ``(N times)`` when the execution entered it more than once."""
    mark = marks.get(data["name"]) if marks is not None else None
    return f"{data['name']} ({mark.entered} times)" if mark is not None and mark.entered > 1 else data["name"]


def to_mermaid(graph: nx.MultiDiGraph, marks: Marks | None = None) -> str:
    """A Mermaid ``flowchart TD`` of the machine (coloured by one execution's ``marks``, when given)."""
    layout = _Layout(graph)
    lines = ["flowchart TD", "    __start__((start))"]
    lines.extend(_mermaid_scope(layout, "", 1, marks))
    top_start = layout.scopes.get("", {}).get("start")
    if top_start is not None:
        lines.append(f"    __start__ --> {layout.node_id[top_start]}")
    for source, target, data in graph.edges(data=True):
        arrow = _MERMAID_EDGE.get(data["kind"], "-->")
        label = layout.edge_label(data)
        shown = f'|"{_mermaid_text(label)}"|' if label else ""
        lines.append(f"    {layout.node_id[source]} {arrow}{shown} {layout.node_id[target]}")
    for node, retriers in graph.nodes(data="retriers"):
        node_id = layout.node_id[node]
        lines.extend(f'    {node_id} -->|"{_mermaid_text(retrier_label(r))}"| {node_id}' for r in retriers or ())
    classes: dict[str, list[str]] = {name: [] for name in _MERMAID_CLASSES}
    for node, data in graph.nodes(data=True):
        kind = terminal_kind(data)
        if kind is not None:
            classes[kind].append(layout.node_id[node])
        mark = marks.get(data["name"]) if marks is not None else None
        if mark is not None:
            classes[mark.outcome].append(layout.node_id[node])
    for name, members in classes.items():
        if members:
            shown = f"{name}State" if name in ("succeed", "fail", "end") else name
            lines.append(f"    classDef {shown} {_MERMAID_CLASSES[name]}")
            lines.append(f"    class {','.join(members)} {shown}")
    return "\n".join(lines) + "\n"


def _mermaid_scope(layout: _Layout, scope: str, depth: int, marks: Marks | None) -> Iterator[str]:
    indent = "    " * depth
    for node in layout.members.get(scope, []):
        data = layout.graph.nodes[node]
        text = _mermaid_text(_label(data, marks))
        node_id = layout.node_id[node]
        if data["type"] == "Choice":
            yield f'{indent}{node_id}{{"{text}"}}'
        elif data["type"] in _TERMINAL_KINDS:
            yield f'{indent}{node_id}(["{text}"])'
        else:
            yield f'{indent}{node_id}["{text}"]'
        for child in layout.children.get(node, []):
            yield f'{indent}subgraph {layout.scope_id[child]}["{_mermaid_text(layout.title(child))}"]'
            yield from _mermaid_scope(layout, child, depth + 1, marks)
            yield f"{indent}end"


def _mermaid_text(text: str) -> str:
    return text.replace('"', "#quot;").replace("\n", " ")


def to_dot(graph: nx.MultiDiGraph, name: str = "StateMachine", marks: Marks | None = None) -> str:
    """A Graphviz ``digraph`` of the machine (render with ``dot -Tsvg``), coloured by ``marks`` when given."""
    layout = _Layout(graph)
    lines = [
        f"digraph {_dot_quote(name)} {{",
        "    rankdir=TB;",
        '    node [shape=box, style=rounded, fontname="Helvetica"];',
        '    edge [fontname="Helvetica", fontsize=10];',
        '    "__start__" [shape=circle, label="", width=0.25, style=filled, fillcolor=black];',
    ]
    lines.extend(_dot_scope(layout, "", 1, marks))
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
    for node, retriers in graph.nodes(data="retriers"):
        node_id = _dot_quote(layout.node_id[node])
        lines.extend(
            f"    {node_id} -> {node_id} [label={_dot_quote(retrier_label(r))}, style=dotted];" for r in retriers or ()
        )
    lines.append("}")
    return "\n".join(lines) + "\n"


def _dot_scope(layout: _Layout, scope: str, depth: int, marks: Marks | None) -> Iterator[str]:
    indent = "    " * depth
    for node in layout.members.get(scope, []):
        data = layout.graph.nodes[node]
        attributes = [f"label={_dot_quote(_label(data, marks))}"]
        if data["type"] == "Choice":
            attributes.append("shape=diamond")
        kind = terminal_kind(data)
        if kind is not None:
            attributes.extend(filter(None, ["peripheries=2", _DOT_TERMINALS[kind]]))
        mark = marks.get(data["name"]) if marks is not None else None
        if mark is not None:
            style = "filled" if data["type"] == "Choice" else "rounded,filled"
            attributes.append(f'style="{style}", fillcolor="{_DOT_FILLS[mark.outcome]}"')
        yield f"{indent}{_dot_quote(layout.node_id[node])} [{', '.join(attributes)}];"
        for child in layout.children.get(node, []):
            yield f"{indent}subgraph {_dot_quote('cluster_' + layout.scope_id[child])} {{"
            yield f"{indent}    label={_dot_quote(layout.title(child))};"
            yield f"{indent}    style=dashed;"
            yield from _dot_scope(layout, child, depth + 1, marks)
            yield f"{indent}}}"


def _dot_quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'
