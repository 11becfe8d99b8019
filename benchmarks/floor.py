"""The floor: a minimal compiled-closure ASL interpreter, the yardstick for W1-W4 (issue 7).

It answers "how fast can CPython run these workloads at all?". Whatever our engine spends beyond
it buys fidelity (AWS-shaped history with payload text, payload quotas, context object, event ids,
timestamps, the coroutine scheduler) or is overhead worth removing. Target: within 3x.

Kept honest so that the comparison means something:

* Everything is compiled once, as a real engine would: paths into getters, ResultPath into a
  copy-on-write setter, Parameters into template closures, intrinsics into call trees, Choice rules
  into predicates, state names into direct references.
* No shortcut a real engine could not take: no state is skipped or fused, nothing is specialised
  to a workload, every value is computed from the input; the outputs equal the expected ones.
* Values are never mutated after they are produced (ResultPath copies the objects along its path),
  so sharing them between states, iterations and the history is safe, as it must be.
* With history on it records one event per transition: ``(state type, state name, output)``,
  holding a reference to the output rather than its JSON text (our engine records AWS's two
  events per state, with the payload text).

It supports only what W1-W4 use and refuses anything else when compiling (``Unsupported``): Pass
(InputPath, Parameters or Result, ResultPath, OutputPath), Choice (Variable with the Numeric
comparisons, And/Or/Not, Default), Succeed, inline Map (ItemsPath, ItemProcessor or Iterator,
MaxConcurrency, iterations run one after another), Parallel (Branches); ``.$`` fields holding a
path or States.MathAdd; paths made of ``.field`` and ``[index]`` steps.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

JSON = Any
Getter = Callable[[JSON], JSON]
Merger = Callable[[JSON, JSON], JSON]
Record = Callable[[tuple[str, str, JSON]], None]
Step = Callable[[JSON, Record | None], "tuple[JSON, Node | None]"]


class Unsupported(Exception):
    """The definition uses something the floor does not implement."""


class FloorFailure(Exception):
    """A States error raised while running (error name and cause, as an execution reports them)."""

    def __init__(self, error: str, cause: str) -> None:
        super().__init__(f"{error}: {cause}")
        self.error = error
        self.cause = cause


# -- paths -------------------------------------------------------------------------------------------

_PATH_STEP: Final = re.compile(r"\.([A-Za-z_][A-Za-z0-9_-]*)|\[(\d+)\]")


def parse_path(path: str) -> list[str | int]:
    """``$.a.b[2]`` -> ``["a", "b", 2]``; anything richer (wildcards, filters, ``$$``) is refused."""
    if not path.startswith("$") or path.startswith("$$"):
        raise Unsupported(f"path {path!r}")
    steps: list[str | int] = []
    position = 1
    while position < len(path):
        match = _PATH_STEP.match(path, position)
        if match is None:
            raise Unsupported(f"path {path!r}")
        field, index = match.groups()
        steps.append(field if field is not None else int(index))
        position = match.end()
    return steps


def compile_getter(path: str) -> Getter:
    """A closure reading ``path`` from a value; a missing step fails as AWS does (States.Runtime)."""
    steps = parse_path(path)
    if not steps:
        return _identity

    def missing() -> FloorFailure:
        return FloorFailure("States.Runtime", f"Invalid path '{path}': no results")

    if len(steps) == 1 and isinstance(steps[0], str):
        key = steps[0]

        def get_field(value: JSON) -> JSON:
            if type(value) is dict and key in value:
                return value[key]
            raise missing()

        return get_field

    def get_steps(value: JSON) -> JSON:
        for step in steps:
            if isinstance(step, str):
                if type(value) is not dict or step not in value:
                    raise missing()
            elif type(value) is not list or step >= len(value):
                raise missing()
            value = value[step]
        return value

    return get_steps


def _identity(value: JSON) -> JSON:
    return value


def compile_result_path(path: str | None) -> Merger:
    """ResultPath: where the result goes in a copy of the input (the input itself is never changed)."""
    if path is None:
        return lambda state_input, result: state_input
    steps = parse_path(path)
    if not steps:
        return lambda state_input, result: result
    if not all(isinstance(step, str) for step in steps):
        raise Unsupported(f"ResultPath {path!r} with an index")
    fields = [str(step) for step in steps]
    *parents, last = fields

    def merge(state_input: JSON, result: JSON) -> JSON:
        if type(state_input) is not dict:
            raise FloorFailure("States.Runtime", f"Unable to apply ResultPath '{path}' to a non-object input")
        root = dict(state_input)
        node = root
        for field in parents:
            child = node.get(field)
            if child is None:
                child = {}
            elif type(child) is dict:
                child = dict(child)
            else:
                raise FloorFailure("States.Runtime", f"Unable to apply ResultPath '{path}'")
            node[field] = child
            node = child
        node[last] = result
        return root

    return merge


# -- Parameters and intrinsics -------------------------------------------------------------------------


def compile_template(template: JSON) -> Getter:
    """Parameters: ``.$`` fields become getters or intrinsic calls; constants are shared, not copied."""
    if isinstance(template, dict):
        if not _is_dynamic(template):
            return _constant(template)
        fields: list[tuple[str, Getter]] = []
        for key, member in template.items():
            if key.endswith(".$"):
                fields.append((key[:-2], _compile_dynamic(key, member)))
            else:
                fields.append((key, compile_template(member)))
        entries = tuple(fields)
        return lambda value: {name: build(value) for name, build in entries}
    if isinstance(template, list):
        if not _is_dynamic(template):
            return _constant(template)
        items = [compile_template(member) for member in template]
        return lambda value: [build(value) for build in items]
    return _constant(template)


def _is_dynamic(template: JSON) -> bool:
    if isinstance(template, dict):
        return any(key.endswith(".$") or _is_dynamic(member) for key, member in template.items())
    if isinstance(template, list):
        return any(_is_dynamic(member) for member in template)
    return False


def _compile_dynamic(key: str, expression: JSON) -> Getter:
    if not isinstance(expression, str):
        raise Unsupported(f"field {key!r} must hold a path or an intrinsic call")
    if expression.startswith("States."):
        return compile_intrinsic(expression)
    return compile_getter(expression)


_TOKEN: Final = re.compile(r"\s*(?:(States\.[A-Za-z]+)\(|(\$[^,()\s]*)|(-?\d+)|('(?:[^'\\]|\\.)*')|(,)|(\)))")


def compile_intrinsic(text: str) -> Getter:
    """Parse an intrinsic call once into a tree of closures (only States.MathAdd is implemented)."""
    tokens = _tokenize(text)
    call, position = _parse_call(tokens, 0, text)
    if position != len(tokens):
        raise Unsupported(f"intrinsic {text!r}")
    return call


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            if text[position:].strip() == "":
                break
            raise Unsupported(f"intrinsic {text!r}")
        kinds = ("call", "path", "number", "string", "comma", "close")
        kind = next(kind for kind, group in zip(kinds, match.groups(), strict=True) if group is not None)
        tokens.append((kind, match.group(match.lastindex or 0)))
        position = match.end()
    return tokens


def _parse_call(tokens: list[tuple[str, str]], position: int, text: str) -> tuple[Getter, int]:
    kind, name = tokens[position]
    if kind != "call":
        raise Unsupported(f"intrinsic {text!r}")
    position += 1
    arguments: list[Getter] = []
    while tokens[position][0] != "close":
        kind, token = tokens[position]
        if kind == "call":
            argument, position = _parse_call(tokens, position, text)
        elif kind == "path":
            argument, position = compile_getter(token), position + 1
        elif kind == "number":
            argument, position = _constant(int(token)), position + 1
        else:
            raise Unsupported(f"intrinsic {text!r}")
        arguments.append(argument)
        if tokens[position][0] == "comma":
            position += 1
    function = _FUNCTIONS.get(name)
    if function is None:
        raise Unsupported(f"intrinsic {name}")
    return function(arguments, text), position + 1


def _constant(constant: JSON) -> Getter:
    return lambda value: constant


def _math_add(arguments: list[Getter], text: str) -> Getter:
    if len(arguments) != 2:
        raise Unsupported(f"{text!r}: States.MathAdd takes 2 arguments")
    left, right = arguments

    def math_add(value: JSON) -> JSON:
        a, b = left(value), right(value)
        if type(a) is not int or type(b) is not int:
            raise FloorFailure("States.Runtime", f"{text}: the arguments must be integers")
        return a + b

    return math_add


_FUNCTIONS: Final[dict[str, Callable[[list[Getter], str], Getter]]] = {"States.MathAdd": _math_add}


# -- Choice rules ------------------------------------------------------------------------------------

Predicate = Callable[[JSON], bool]
_COMPARISONS: Final[dict[str, Callable[[Any, Any], bool]]] = {
    "NumericEquals": lambda a, b: bool(a == b),
    "NumericLessThan": lambda a, b: bool(a < b),
    "NumericGreaterThan": lambda a, b: bool(a > b),
    "NumericLessThanEquals": lambda a, b: bool(a <= b),
    "NumericGreaterThanEquals": lambda a, b: bool(a >= b),
}


def compile_rule(rule: Mapping[str, JSON]) -> Predicate:
    """A Choice rule as a predicate over the state's input."""
    if "And" in rule:
        parts = [compile_rule(member) for member in rule["And"]]
        return lambda value: all(part(value) for part in parts)
    if "Or" in rule:
        parts = [compile_rule(member) for member in rule["Or"]]
        return lambda value: any(part(value) for part in parts)
    if "Not" in rule:
        inner = compile_rule(rule["Not"])
        return lambda value: not inner(value)
    comparisons = [name for name in _COMPARISONS if name in rule]
    if "Variable" not in rule or len(comparisons) != 1:
        raise Unsupported(f"Choice rule {dict(rule)!r}")
    variable = compile_getter(rule["Variable"])
    compare = _COMPARISONS[comparisons[0]]
    operand = rule[comparisons[0]]

    def predicate(value: JSON) -> bool:
        subject = variable(value)
        return type(subject) in (int, float) and compare(subject, operand)

    return predicate


# -- states ------------------------------------------------------------------------------------------


class Node:
    """A compiled state: its step maps the state's input to its output and the next node."""

    __slots__ = ("kind", "name", "step")

    def __init__(self, name: str, kind: str) -> None:
        self.name = name
        self.kind = kind
        self.step: Step = _unlinked


def _unlinked(value: JSON, record: Record | None) -> tuple[JSON, Node | None]:
    raise AssertionError("state used before it was compiled")


_COMMON_FIELDS: Final = {"Type", "Comment", "Next", "End", "InputPath", "OutputPath"}
_ALLOWED_FIELDS: Final[dict[str, set[str]]] = {
    "Pass": _COMMON_FIELDS | {"Parameters", "Result", "ResultPath"},
    "Choice": _COMMON_FIELDS | {"Choices", "Default"},
    "Succeed": _COMMON_FIELDS,
    "Map": _COMMON_FIELDS | {"ItemsPath", "ItemProcessor", "Iterator", "MaxConcurrency", "ResultPath"},
    "Parallel": _COMMON_FIELDS | {"Branches", "ResultPath"},
}


def compile_program(document: Mapping[str, JSON]) -> Node:
    """Compile a machine (or a branch, or an item processor) and return its start node."""
    states: Mapping[str, Mapping[str, JSON]] = document["States"]
    nodes = {name: Node(name, state["Type"]) for name, state in states.items()}
    for name, state in states.items():
        nodes[name].step = _compile_state(name, state, nodes)
    return nodes[document["StartAt"]]


def _compile_state(name: str, state: Mapping[str, JSON], nodes: Mapping[str, Node]) -> Step:
    kind = state["Type"]
    unknown = set(state) - _ALLOWED_FIELDS.get(kind, set())
    if kind not in _ALLOWED_FIELDS or unknown:
        raise Unsupported(f"state {name!r}: {kind} with {sorted(unknown)}")
    following = None if state.get("End") or kind in ("Choice", "Succeed") else nodes[state["Next"]]
    read_input = compile_getter(state.get("InputPath", "$"))
    write_output = compile_getter(state.get("OutputPath", "$"))
    if kind == "Choice":
        return _compile_choice(state, nodes, read_input, write_output)
    if kind == "Succeed":
        return lambda value, record: (write_output(read_input(value)), None)
    merge = compile_result_path(state.get("ResultPath", "$"))
    produce = _compile_producer(kind, state)

    def step(value: JSON, record: Record | None) -> tuple[JSON, Node | None]:
        result = produce(read_input(value), record)
        return write_output(merge(value, result)), following

    return step


Producer = Callable[[JSON, Record | None], JSON]


def _compile_producer(kind: str, state: Mapping[str, JSON]) -> Producer:
    """The state's result from its effective input: a template, a Map or a Parallel."""
    if kind == "Pass":
        if "Parameters" in state:
            template = compile_template(state["Parameters"])
            return lambda value, record: template(value)
        if "Result" in state:
            constant = state["Result"]
            return lambda value, record: constant
        return lambda value, record: value
    if kind == "Map":
        items_at = compile_getter(state.get("ItemsPath", "$"))
        processor = compile_program(state.get("ItemProcessor") or state["Iterator"])

        def map_items(value: JSON, record: Record | None) -> JSON:
            items = items_at(value)
            if type(items) is not list:
                raise FloorFailure("States.Runtime", "Map: ItemsPath must select an array")
            return [run_program(processor, item, record) for item in items]

        return map_items
    branches = [compile_program(branch) for branch in state["Branches"]]
    return lambda value, record: [run_program(branch, value, record) for branch in branches]


def _compile_choice(
    state: Mapping[str, JSON], nodes: Mapping[str, Node], read_input: Getter, write_output: Getter
) -> Step:
    rules = tuple((compile_rule(rule), nodes[rule["Next"]]) for rule in state["Choices"])
    default = nodes[state["Default"]] if "Default" in state else None

    def choose(value: JSON, record: Record | None) -> tuple[JSON, Node | None]:
        effective = read_input(value)
        for matches, target in rules:
            if matches(effective):
                return write_output(effective), target
        if default is None:
            raise FloorFailure("States.NoChoiceMatched", "No Matches!")
        return write_output(effective), default

    return choose


def run_program(start: Node, value: JSON, record: Record | None) -> JSON:
    """Run states from ``start`` until one ends; record one event per state entered."""
    node: Node | None = start
    while node is not None:
        value, following = node.step(value, record)
        if record is not None:
            record((node.kind, node.name, value))
        node = following
    return value


# -- the machine -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FloorExecution:
    status: str
    output: JSON
    error: str | None
    cause: str | None
    history: list[tuple[str, str, JSON]] | None


class FloorMachine:
    """A definition compiled once; ``execute`` runs it any number of times."""

    def __init__(self, definition: Mapping[str, JSON]) -> None:
        self._start = compile_program(definition)

    def execute(self, value: JSON, *, history: bool = True) -> FloorExecution:
        events: list[tuple[str, str, JSON]] | None = [] if history else None
        record = events.append if events is not None else None
        try:
            output = run_program(self._start, value, record)
        except FloorFailure as failure:
            return FloorExecution("FAILED", None, failure.error, failure.cause, events)
        return FloorExecution("SUCCEEDED", output, None, None, events)
