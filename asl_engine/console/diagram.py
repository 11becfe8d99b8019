"""A state machine as the console draws it: Graphviz DOT text the page lays out in the browser (with
the vendored Viz.js), and the table that ties the drawing's element ids back to state names.

It reads the transition graph of ``definition.graph.build_graph`` (one source for what the
transitions are) and draws it the way the AWS console does: a Start and an End marker, each Parallel
and Map state a group holding its own box, its branches (or its item processor) as nested groups and
a join point its outgoing transitions leave from; Catch edges dashed and labelled with their errors,
each Retrier a dotted self-loop labelled with its errors and ``MaxAttempts``, Choice edges with their
rule. Every element has an id (``s3``, ``g2``) and classes (``state type-Task``, ``edge-catch``) the
page colours by outcome without laying the graph out again.

Large graphs: Graphviz's layout grows faster than linearly with the nodes (and with the long
edges a loop draws back over a chain: about 10 s for a 1,000-state machine in the browser). Past
``LARGE`` states, every run of at least ``CHAIN_MIN`` plain states (not a Choice, Parallel or Map,
no Retry) that follow one another (each entered only from the one before it, which leaves only by
``Next`` to it; the last may leave any way) is laid out as one tall node: Graphviz places the
chain, and the page stacks its states inside that box (``chains`` lists them), drawn like the
others. The passes Graphviz iterates are capped too (``nslimit``, ``mclimit``, ``searchsize``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import networkx as nx

from asl_engine.definition.graph import build_graph

LARGE = 150
"""More states than this: chains are laid out as one node each (see the module docstring)."""
CHAIN_MIN = 4
SLOT_INCHES = 0.7
"""A chained state's share of its chain's height: a 0.4 in box and a 0.3 in arrow to the next."""
_EDGE_STYLE = {
    "next": 'class="edge-next"',
    "default": 'class="edge-default"',
    "choice": 'class="edge-choice"',
    "catch": 'class="edge-catch", style=dashed, color="#b35c00", fontcolor="#b35c00"',
    "branch": 'class="edge-branch"',
    "processor": 'class="edge-branch"',
}
_GROUP_KINDS = {"Parallel": "parallel", "Map": "map"}


@dataclass(frozen=True, slots=True)
class Diagram:
    """The DOT text and, by element id, the state each node stands for."""

    dot: str
    states: Mapping[str, Mapping[str, Any]]
    """``{"s3": {"name": "Charge", "type": "Task", "scope": "/States/P/Branches/0"}}``."""
    chains: Mapping[str, Sequence[str]]
    """Chains laid out as one node: ``{"c0": ["s4", "s5", ...]}``, the states top to bottom."""

    def to_json(self) -> dict[str, Any]:
        return {
            "dot": self.dot,
            "states": dict(self.states),
            "chains": {key: list(value) for key, value in self.chains.items()},
        }


def diagram_for(definition: str) -> Diagram:
    """The diagram of a definition as DescribeStateMachine returns it (JSON text). Cached by text:
    the execution page asks for the same definition on every visit."""
    return _diagram(definition)


@lru_cache(maxsize=64)
def _diagram(definition: str) -> Diagram:
    try:
        document = json.loads(definition)
    except ValueError:
        document = None
    if not isinstance(document, dict):
        return Diagram('digraph "unreadable" { "definition is not a JSON object" [shape=plaintext]; }\n', {}, {})
    return _Drawing(build_graph(document)).diagram()


class _Drawing:
    def __init__(self, graph: nx.MultiDiGraph) -> None:
        self.graph = graph
        self.scopes: dict[str, dict[str, Any]] = graph.graph["scopes"]
        self.members: dict[str, list[str]] = {}
        for node, scope in graph.nodes(data="scope"):
            self.members.setdefault(scope, []).append(node)
        self.children: dict[str, list[str]] = {}  # a Parallel/Map node -> its scopes
        for pointer, scope in self.scopes.items():
            if scope["owner"] is not None:
                self.children.setdefault(scope["owner"], []).append(pointer)
        self.ids = {node: f"s{index}" for index, node in enumerate(graph.nodes)}
        self.chains: dict[str, list[str]] = {}
        self.chain_of: dict[str, str] = {}
        if graph.number_of_nodes() > LARGE:
            self._find_chains()

    def _find_chains(self) -> None:
        graph = self.graph
        plain = {
            node
            for node, data in graph.nodes(data=True)
            if data["type"] not in ("Choice", "Parallel", "Map") and not data["retriers"]
        }
        successor: dict[str, str] = {}
        for node in plain:
            outgoing = [(target, kind) for _, target, kind in graph.out_edges(node, data="kind") if target != node]
            if len(outgoing) == 1 and outgoing[0][1] == "next":
                successor[node] = outgoing[0][0]
        continues = {target for target in successor.values() if target in plain and graph.in_degree(target) == 1}
        for scope_nodes in self.members.values():
            for first in scope_nodes:
                if first in continues or first not in plain:
                    continue
                chain = [first]
                while chain[-1] in successor and successor[chain[-1]] in continues:
                    following = successor[chain[-1]]
                    if following in chain:
                        break
                    chain.append(following)
                if len(chain) >= CHAIN_MIN:
                    key = f"c{len(self.chains)}"
                    self.chains[key] = chain
                    self.chain_of.update(dict.fromkeys(chain, key))

    def diagram(self) -> Diagram:
        large = self.graph.number_of_nodes() > LARGE
        lines = [
            "digraph machine {",
            "  rankdir=TB; nodesep=0.35; ranksep=0.45; outputorder=edgesfirst;",
            '  bgcolor="transparent"; fontname="Helvetica"; fontsize=11;',
            '  node [shape=box, style="rounded,filled", fillcolor="#ffffff", color="#5f6b7a", fontname="Helvetica",'
            ' fontsize=12, height=0.4, margin="0.18,0.06"];',
            '  edge [color="#5f6b7a", arrowsize=0.7, fontname="Helvetica", fontsize=10, fontcolor="#414d5c"];',
        ]
        if large:
            lines.append("  nslimit=2; nslimit1=2; mclimit=0.3; searchsize=20;")
        lines.append('  start [id="start", class="marker", label="Start", shape=oval, fillcolor="#e9ebed"];')
        lines.append('  end [id="end", class="marker", label="End", shape=oval, fillcolor="#e9ebed"];')
        lines.extend(self._scope("", 1))
        root_start = self.scopes.get("", {}).get("start")
        if root_start is not None:
            lines.append(f'  start -> {self._entry(root_start)} [class="edge-next"];')
        for node in self.members.get("", []):
            if self._ends_machine(node):
                lines.append(f'  {self._exit(node)} -> end [class="edge-next"];')
        lines.extend(self._edges())
        lines.append("}")
        states = {
            self.ids[node]: {"name": data["name"], "type": data["type"], "scope": data["scope"]}
            for node, data in self.graph.nodes(data=True)
        }
        chains = {key: [self.ids[node] for node in chain] for key, chain in self.chains.items()}
        return Diagram("\n".join(lines) + "\n", states, chains)

    def _ends_machine(self, node: str) -> bool:
        data = self.graph.nodes[node]
        return bool(data["terminal"])

    def _entry(self, node: str) -> str:
        chain = self.chain_of.get(node)
        return f"{chain}:n" if chain is not None else self.ids[node]

    def _exit(self, node: str) -> str:
        """Where a state's outgoing transitions leave: a group's join point, a chain's bottom, else the state."""
        chain = self.chain_of.get(node)
        if chain is not None:
            return f"{chain}:s"
        return f"j{self.ids[node][1:]}" if node in self.children else self.ids[node]

    def _scope(self, scope: str, depth: int) -> Iterator[str]:
        indent = "  " * depth
        for node in self.members.get(scope, []):
            yield from self._state(node, indent)

    def _state(self, node: str, indent: str) -> Iterator[str]:
        chain = self.chain_of.get(node)
        if chain is not None:
            members = self.chains[chain]
            if node == members[0]:
                widest = max(len(str(self.graph.nodes[member]["name"])) for member in members)
                width = max(0.75, 0.4 + widest * 0.1)
                height = len(members) * SLOT_INCHES - (SLOT_INCHES - 0.4)
                yield (
                    f'{indent}{chain} [id="{chain}", class="chain", label="", shape=box, style=filled, '
                    'color="transparent", fillcolor="transparent", fixedsize=true, '
                    f"width={width:.2f}, height={height:.2f}];"
                )
            return
        data = self.graph.nodes[node]
        element = self.ids[node]
        classes = f"state type-{data['type'] or 'unknown'}"
        attributes = [f"id={_quote(element)}", f"class={_quote(classes)}", f"label={_quote(data['name'])}"]
        if data["type"] in ("Succeed", "Fail"):
            attributes.append("peripheries=2")
        node_line = f"{indent}{element} [{', '.join(attributes)}];"
        scopes = self.children.get(node)
        if not scopes:
            yield node_line
            return
        group = _GROUP_KINDS.get(str(data["type"]), "group")
        yield f"{indent}subgraph cluster_{element} {{"
        yield f'{indent}  id="g{element[1:]}"; class="group group-{group}"; label=""; style="rounded,dashed";'
        yield f'{indent}  color="#8d99a8"; margin=10;'
        yield f"  {node_line}"
        for index, scope in enumerate(scopes):
            title = f"Branch {index + 1}" if self.scopes[scope]["kind"] == "branch" else "Item processor"
            yield f"{indent}  subgraph cluster_{element}_{index} {{"
            yield f'{indent}    id="g{element[1:]}_{index}"; class="scope"; label={_quote(title)};'
            yield f'{indent}    labeljust=l; style="rounded"; color="#c6ccd4"; fontcolor="#5f6b7a";'
            yield from self._scope(scope, len(indent) // 2 + 2)
            yield f"{indent}  }}"
        yield f'{indent}  {self._exit(node)} [id="{self._exit(node)}", class="join", shape=point, width=0.08];'
        yield f"{indent}}}"

    def _edges(self) -> Iterator[str]:
        for source, target, data in self.graph.edges(data=True):
            kind = data["kind"]
            chain = self.chain_of.get(source)
            if chain is not None and self.chain_of.get(target) == chain and kind == "next":
                continue  # drawn by the page inside the chain's box
            attributes = [_EDGE_STYLE.get(kind, 'class="edge-next"')]
            label = data.get("label")
            if label and kind in ("choice", "default", "catch"):
                attributes.append(f"label={_quote(_shorten(label))}")
            origin = self.ids[source] if kind in ("branch", "processor") else self._exit(source)
            yield f"  {origin} -> {self._entry(target)} [{', '.join(attributes)}];"
        for node, data in self.graph.nodes(data=True):
            scope = data["scope"]
            owner = self.scopes[scope]["owner"]
            if owner is not None and data["terminal"] and data["type"] != "Fail":
                yield f'  {self._exit(node)} -> {self._exit(owner)} [class="edge-join", arrowhead=none];'
            for retrier in data["retriers"]:
                errors = ", ".join(retrier["errors"]) or "(no errors)"
                label = f"Retry {errors} x{retrier['max_attempts']}"
                yield (
                    f'  {self._exit(node)} -> {self._exit(node)} [class="edge-retry", style=dotted, '
                    f'color="#6b40c4", fontcolor="#6b40c4", label={_quote(_shorten(label))}];'
                )


def _shorten(text: str, limit: int = 48) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def _quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'
