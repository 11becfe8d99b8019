"""The Lambda emulation's copies of events and results against the JSON round trips they replace.

``plain_copy`` must give exactly what ``json.loads(json.dumps(value))`` gives (the event) and what
marshalling and parsing give (a legacy Task's result), or refuse; its size bound must never be
under the marshalled text's length. A refused value takes the general path, whose behaviour
(errors included) the tests in ``test_lambda.py`` pin down.
"""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asl_engine import StateMachine
from asl_engine.runtime.clock import VirtualClock
from asl_engine.services import Resources
from asl_engine.services.lambda_.context import LambdaContext
from asl_engine.services.lambda_.functions import LambdaFunction
from asl_engine.services.lambda_.json_copy import MAX_INT_BITS, NotPlain, plain_copy
from asl_engine.services.lambda_.runtime import MAX_RESPONSE_BYTES, call_handler, marshal

_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text()
    | st.integers(min_value=2**1990, max_value=2**2010)
)
_plainish = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=20,
)
_anything = st.recursive(
    _scalars | st.just(()) | st.just(b"x") | st.just(1.5j),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(max_size=3) | st.integers() | st.booleans() | st.none(), inner, max_size=3)
    ),
    max_leaves=12,
)


def _same(left: Any, right: Any) -> bool:
    """Equal as JSON values, with types, key order and NaN compared exactly."""
    if type(left) is not type(right):
        return False
    if isinstance(left, dict):
        return list(left) == list(right) and all(_same(left[k], right[k]) for k in left)
    if isinstance(left, list):
        return len(left) == len(right) and all(_same(a, b) for a, b in zip(left, right, strict=True))
    if isinstance(left, float) and math.isnan(left):
        return math.isnan(right)
    if isinstance(left, float):
        return left == right and math.copysign(1, left) == math.copysign(1, right)
    return bool(left == right)


def _no_shared_containers(copy: Any, original: Any) -> bool:
    if isinstance(copy, dict | list):
        if copy is original:
            return False
        pairs = (
            zip(copy.values(), original.values(), strict=True)
            if isinstance(copy, dict)
            else zip(copy, original, strict=True)
        )
        return all(_no_shared_containers(a, b) for a, b in pairs)
    return True


@settings(max_examples=400, deadline=None)
@given(_anything)
def test_an_event_copy_is_the_json_round_trip_or_refused(value: Any) -> None:
    try:
        copy, _ = plain_copy(value, finite=False)
    except NotPlain:
        return
    assert _same(copy, json.loads(json.dumps(value)))
    assert _no_shared_containers(copy, value)


@settings(max_examples=400, deadline=None)
@given(_anything)
def test_a_result_copy_is_what_marshalling_and_parsing_give_or_refused(value: Any) -> None:
    try:
        copy, bound = plain_copy(value, finite=True)
    except NotPlain:
        return
    outcome = marshal(value, "request")
    assert outcome.error is None
    assert _same(copy, json.loads(outcome.body))
    assert len(outcome.body) <= bound


@settings(max_examples=200, deadline=None)
@given(_plainish)
def test_plain_values_are_copied_unless_an_integer_is_too_large(value: Any) -> None:
    too_large = any(type(v) is int and v.bit_length() > MAX_INT_BITS for v in _leaves(value))
    try:
        plain_copy(value, finite=False)
    except NotPlain:
        assert too_large
    else:
        assert not too_large


def _leaves(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [leaf for item in value.values() for leaf in _leaves(item)]
    if isinstance(value, list):
        return [leaf for item in value for leaf in _leaves(item)]
    return [value]


@pytest.mark.parametrize(
    "value",
    [
        {1: "int key"},
        {"a": (1, 2)},
        [float("nan")],
        {"x": float("inf")},
        10**700,
        b"bytes",
        {"deep": {"er": [bytearray(b"x")]}},
    ],
)
def test_results_that_are_not_plain_are_refused(value: Any) -> None:
    with pytest.raises(NotPlain):
        plain_copy(value, finite=True)


def test_a_value_that_contains_itself_is_refused() -> None:
    looped: list[Any] = []
    looped.append(looped)
    with pytest.raises(NotPlain):
        plain_copy(looped, finite=False)


def _context() -> LambdaContext:
    return LambdaContext(
        function_name="F",
        function_version="$LATEST",
        invoked_function_arn="arn:aws:lambda:us-east-1:123456789012:function:F",
        memory_limit_in_mb=128,
        aws_request_id="r",
        log_group_name="/aws/lambda/F",
        log_stream_name="s",
        deadline=3.0,
        clock=lambda: 0.0,
    )


@pytest.mark.parametrize(
    "result",
    [{"id": "1"}, [1, 2.5, None, True], "text", {"t": (1, 2)}, {"n": float("nan")}, b'{"a": 1}', {2: "x"}],
)
def test_call_handler_as_value_agrees_with_the_marshalled_body(result: Any) -> None:
    function = LambdaFunction("F", lambda event, context: result)
    general = call_handler(function, {}, _context())
    fast = call_handler(function, {}, _context(), as_value=True)
    assert fast.error == general.error
    if general.error is None and fast.body == b"":
        assert _same(fast.payload, json.loads(general.body))
    else:
        assert fast.body == general.body


def test_a_response_over_the_limit_fails_either_way() -> None:
    big = "x" * (MAX_RESPONSE_BYTES // 2)
    function = LambdaFunction("F", lambda event, context: [big, big, big])
    fast = call_handler(function, {}, _context(), as_value=True)
    assert fast.error is not None and fast.error["errorType"] == "Function.ResponseSizeTooLarge"
    assert fast.error == call_handler(function, {}, _context()).error


def test_the_context_from_fields_is_the_constructed_one() -> None:
    seen: list[dict[str, Any]] = []
    resources = Resources()

    def handler(event: Any, context: Any) -> Any:
        seen.append(dict(vars(context)))
        return event

    resources.lambda_function("F", handler)
    machine = StateMachine.from_json(
        {
            "StartAt": "T",
            "States": {
                "T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:F", "End": True}
            },
        }
    )
    execution = machine.execute({"a": [1]}, resources=resources, clock=VirtualClock(), seed=7)
    assert execution.output == {"a": [1]}
    (fields,) = seen
    built = vars(_context())
    assert list(fields) == list(built)  # the same attributes, in the same order
    assert fields["function_name"] == "F"
    assert fields["memory_limit_in_mb"] == "128"
    assert fields["log_group_name"] == "/aws/lambda/F"
    assert fields["invoked_function_arn"] == "arn:aws:lambda:us-east-1:123456789012:function:F"
