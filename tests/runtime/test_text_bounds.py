"""``runtime/text_bounds.py``: a Pass output's text is never longer than its bound says.

``InlineIterations.run_unrecorded`` trusts the bound to skip the payload quota's text; a bound too
small would let an output over the quota through with the history off. Checked here against the
text itself, on outputs of every shape the templates below build from Hypothesis inputs.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asl_engine import StateMachine
from asl_engine.runtime.json_text import to_json_text
from asl_engine.runtime.states.base import StateNode
from asl_engine.runtime.text_bounds import chained, path_bound, template_bound


def pass_state(fields: dict[str, Any]) -> tuple[StateMachine, StateNode]:
    machine = StateMachine.from_json({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True, **fields}}})
    return machine, machine._compiled.all_states["P"]


BOUNDED = [
    {},
    {"OutputPath": "$.x"},
    {"OutputPath": None},
    {"Parameters": {"a.$": "$.x"}},
    {"Parameters": {"a.$": "$"}, "OutputPath": "$.a.y[0]"},
    {
        "Parameters": {
            "a.$": "$.x",
            "b": [1, 'é\U0001f600\n"', {"c.$": "$.y[0]"}, None],
            "n.$": "States.MathAdd($.i, 5)",
        }
    },
    {"Parameters": {"u.$": "States.UUID()", "l.$": "States.ArrayLength($.y)", "c.$": "States.ArrayContains($.y, 1)"}},
    {"Parameters": {"r.$": "States.MathRandom(-2147483648, 2147483647)", "s.$": "States.MathAdd($.i, $.i)"}},
    {"Parameters": [{"a.$": "$.y"}, "$.x", ["k", {"b.$": "$.y[-1]"}]]},
    # No member from the input: the bound is the fixed text alone, with nothing to spare.
    {"Parameters": {"n.$": "States.MathAdd($.i, $.i)"}},
    {"Parameters": {"r.$": "States.MathRandom(-2147483648, -2147483647)", "u.$": "States.UUID()"}},
    {"Parameters": {"c.$": "States.ArrayContains($.y, 1)"}},
    {"Parameters": {"l.$": "States.ArrayLength($.y)"}},
    {"Parameters": {"e": {}, "f": [], "g": "tab\there", ".$": 1}},
    {"Parameters": 17},
]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=12,
)
inputs = st.fixed_dictionaries(
    {
        "x": values,
        "y": st.lists(values, min_size=1, max_size=4),
        "i": st.integers(min_value=-(2**30), max_value=2**30) | st.just(-(2**30)),
    }
)


@pytest.mark.parametrize("fields", BOUNDED, ids=range(len(BOUNDED)))
@settings(max_examples=60, deadline=None, derandomize=True)
@given(inputs)
def test_the_bound_holds_for_every_output(fields: dict[str, Any], value: dict[str, Any]) -> None:
    machine, node = pass_state(fields)
    assert node.plain_size is not None
    per_input, constant = node.plain_size
    execution = machine.execute(value, history=False)
    if execution.status != "SUCCEEDED":  # a path that misses this input, an intrinsic out of range
        assert execution.error == "States.Runtime"
        return
    assert len(to_json_text(execution.output)) <= per_input * len(to_json_text(value)) + constant


def test_the_bound_is_tight_where_it_can_be() -> None:
    """W3's three states: a bound per input character each, and the keys' and MathAdd's fixed text."""
    assert pass_state({"Parameters": {"n.$": "$"}})[1].plain_size == (1, len('{"n":}'))
    assert pass_state({"Parameters": {"n.$": "$.n", "double.$": "States.MathAdd($.n, $.n)"}})[1].plain_size == (
        1,
        len('{"n":,"double":-2147483648}'),
    )
    assert pass_state({"OutputPath": "$.double"})[1].plain_size == (1, 0)


@pytest.mark.parametrize(
    "fields",
    [
        {"Parameters": {"a.$": "$$.Execution.Input"}},  # the context object
        {"Parameters": {"a.$": "$var"}},  # a variable
        {"Parameters": {"a.$": "$.items[*]"}},  # an indefinite path: a list of matches
        {"Parameters": {"a.$": "$..x"}},
        {"Parameters": {"a.$": "States.Format('{}{}', $.x, $.x)"}},  # an intrinsic without a fixed bound
        {"Parameters": {"a.$": "States.ArrayRange(1, $.n, 1)"}},
        {"Parameters": {"a": {"b.$": "States.JsonToString($)"}}},
        {"OutputPath": "$.items[*]"},
    ],
)
def test_what_has_no_bound_is_measured(fields: dict[str, Any]) -> None:
    assert pass_state(fields)[1].plain_size is None


def test_a_pass_that_is_not_plain_has_no_bound() -> None:
    assert pass_state({"Result": {"a": 1}})[1].plain_size is None
    assert pass_state({"ResultPath": "$.r"})[1].plain_size is None


def test_the_pieces() -> None:
    assert path_bound(None) == (0, 2)
    assert template_bound({"k.$": "not a path"}) is None
    assert template_bound({"k.$": "States.MathAdd("}) is None  # does not compile: the state fails
    assert chained((2, 3), (3, 1)) == (6, 10)
    assert chained(None, (1, 0)) is None and chained((1, 0), None) is None
