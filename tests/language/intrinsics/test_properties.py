"""Property tests: the parser never fails in an unplanned way, and generated expressions mean
what they say."""

from __future__ import annotations

import contextlib
import json
import math
import re
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from asl_engine.language.errors import EvaluationError, ExpressionSyntaxError, VariableNotFoundError
from asl_engine.language.intrinsics import compile_intrinsic, looks_like_intrinsic
from asl_engine.language.intrinsics.functions.arithmetic import math_add
from asl_engine.language.intrinsics.javalike.hash_set import java_equality_key
from asl_engine.language.intrinsics.javalike.jackson import JsonTextError, parse_json, to_json
from asl_engine.language.intrinsics.javalike.text import java_double, java_string
from tests.language.intrinsics.support import run, scope

TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30)
DOCUMENT = {"a": 1, "b": "x", "c": [1, 2], "d": {"e": None}}
FAST = settings(max_examples=150, deadline=None)


def escape(value: str) -> str:
    """A string literal body: the four reserved characters ``' { } \\`` get a backslash."""
    return "".join("\\" + char if char in "'{}\\" else char for char in value)


@FAST
@given(TEXT)
def test_escaped_string_literals_round_trip(value: str) -> None:
    literal = f"'{escape(value)}'"
    assert run(f"States.Array({literal})") == [value]
    assert run(f"States.Format({literal})") == value
    assert run(f"States.StringToJson(States.JsonToString({literal}))") == value


# (expression text, expected value) pairs built bottom-up.
LITERALS = st.one_of(
    TEXT.map(lambda value: (f"'{escape(value)}'", value)),
    st.integers(-(10**12), 10**12).map(lambda value: (str(value), value)),
    st.floats(allow_nan=False, allow_infinity=False).map(lambda value: (repr(value), value)),
    st.sampled_from([("true", True), ("false", False), ("null", None)]),
)


def _calls(children: st.SearchStrategy[tuple[str, Any]]) -> st.SearchStrategy[tuple[str, Any]]:
    arrays = st.lists(children, max_size=4).map(
        lambda items: (f"States.Array({', '.join(text for text, _ in items)})", [value for _, value in items])
    )
    round_trips = children.map(lambda item: (f"States.StringToJson(States.JsonToString({item[0]}))", item[1]))
    lengths = st.lists(children, max_size=4).map(
        lambda items: (f"States.ArrayLength(States.Array({', '.join(text for text, _ in items)}))", len(items))
    )
    formats = st.lists(children, max_size=3).map(
        lambda items: (
            "States.Format('" + " | ".join("{}" for _ in items) + "'" + "".join(f", {text}" for text, _ in items) + ")",
            " | ".join(java_string(value) for _, value in items),
        )
    )
    return st.one_of(arrays, round_trips, lengths, formats)


EXPRESSIONS = st.recursive(LITERALS, _calls, max_leaves=12).filter(lambda pair: pair[0].startswith("States."))


@FAST
@given(EXPRESSIONS)
def test_generated_expressions_parse_and_evaluate(pair: tuple[str, Any]) -> None:
    text, expected = pair
    try:
        compiled = compile_intrinsic(text)
    except ExpressionSyntaxError as error:
        assert "nested at most 10 deep" in error.message
        return
    assert compiled.evaluate({}, scope()) == expected


@FAST
@given(st.integers(-50, 50), st.integers(-50, 50))
def test_math_add_adds_integers(first: int, second: int) -> None:
    assert run(f"States.MathAdd({first}, {second})") == first + second


_INT32_EDGES = st.sampled_from([-(2**31) - 1, -(2**31), -(2**31) + 1, -1, 0, 1, 2**31 - 2, 2**31 - 1, 2**31, 2**32])


@FAST
@given(st.one_of(_INT32_EDGES, st.integers(-(2**33), 2**33)), st.one_of(_INT32_EDGES, st.integers(-(2**33), 2**33)))
def test_math_add_of_ints_agrees_with_its_general_path(first: int, second: int) -> None:
    """Two ints take a fast path (one bit test for the three Java int bounds); the same values as
    floats take the general one (rounding, then the bounds): the same sum, or the same error."""

    def outcome(a: Any, b: Any) -> Any:
        try:
            return math_add([a, b], scope())
        except Exception as error:  # the error itself, compared below
            return (type(error), str(error))

    assert outcome(first, second) == outcome(float(first), float(second))
    if -(2**31) <= first + second < 2**31 and -(2**31) <= first < 2**31 and -(2**31) <= second < 2**31:
        assert outcome(first, second) == first + second


_OPERANDS = st.one_of(
    _INT32_EDGES,
    st.integers(-(2**33), 2**33),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.none(),
    st.text(max_size=3),
    st.just([1]),
)


@settings(max_examples=400, deadline=None)
@given(_OPERANDS, st.one_of(_INT32_EDGES, st.integers(-5, 5)), st.booleans(), st.booleans())
@example(2**31 - 1, 1, False, False)  # the sum one past the top
@example(2**31 - 2, 1, True, False)  # the sum at the top
@example(-(2**31), -1, False, False)  # one past the bottom
@example(-(2**31) + 1, -1, True, False)
@example(2**31, -1, False, False)  # an operand out of range, the sum in it
@example(2.5, 1, False, False)
@example(1, 1, False, True)
def test_a_counter_adds_as_the_general_call_does(value: Any, constant: int, literal_first: bool, missing: bool) -> None:
    """``States.MathAdd`` of a path and an int literal is one closure (the evaluator's
    ``_plus_constant``); two paths take the general call. The same sum, or the same error (the
    calls' texts aside)."""
    document = {} if missing else {"x": value}
    fast = f"States.MathAdd({constant}, $.x)" if literal_first else f"States.MathAdd($.x, {constant})"
    general = "States.MathAdd($.c, $.x)" if literal_first else "States.MathAdd($.x, $.c)"

    def outcome(text: str, values: dict[str, Any]) -> Any:
        try:
            return run(text, values)
        except EvaluationError as error:
            return (
                error.error,
                error.message.replace(text, "<call>").replace(json.dumps(values, separators=(",", ":")), "<input>"),
            )

    assert outcome(fast, document) == outcome(general, {**document, "c": constant})


@settings(max_examples=400, deadline=None)
@given(_OPERANDS, _OPERANDS, st.booleans())
@example(2**31 - 1, 1, False)
@example(-(2**31), -1, False)
@example(2**31, -1, False)
@example(1, 2.5, False)
@example(1, 1, True)
def test_a_sum_of_two_paths_adds_as_the_general_call_does(first: Any, second: Any, missing: bool) -> None:
    """``States.MathAdd`` of two paths is one closure (``_sum_of_paths``); a path and a nested call
    take the general call. The same sum, or the same error (the calls' texts aside)."""
    document = {"a": first} if missing else {"a": first, "b": second}

    def outcome(text: str) -> Any:
        try:
            return run(text, document)
        except EvaluationError as error:
            return (error.error, error.message.replace(text, "<call>"))

    fast = "States.MathAdd($.a, $.b)"
    general = "States.MathAdd($.a, States.ArrayGetItem(States.Array($.b), 0))"
    if missing:
        assert outcome(fast)[0] == "States.Runtime" and "'$.b' could not be found" in outcome(fast)[1]
        return
    assert outcome(fast) == outcome(general)


TOKENS = st.sampled_from(
    [
        "States.Array",
        "States.Format",
        "States.MathAdd",
        "States.Nope",
        "(",
        ")",
        ",",
        " ",
        "'",
        "\\",
        "{",
        "}",
        "$",
        ".a",
        "[",
        "]",
        "'x'",
        "1",
        "-",
        "1.5",
        "e5",
        "true",
        "null",
        "$$",
        "$v",
        "?(@.a)",
        '"',
        "$.c[0]",
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(max_size=40), st.lists(TOKENS, max_size=14).map("".join)))
def test_any_text_fails_only_with_syntax_errors(text: str) -> None:
    assert isinstance(looks_like_intrinsic(text), bool)
    for candidate in (text, f"States.Array({text})", f"States.Format('{{}}', {text})"):
        try:
            compiled = compile_intrinsic(candidate)
        except ExpressionSyntaxError as error:
            assert error.text == candidate
            assert error.position is None or 0 <= error.position <= len(candidate)
            continue
        with contextlib.suppress(EvaluationError, VariableNotFoundError):
            compiled.evaluate(DOCUMENT, scope({"v": 1}))


@FAST
@given(st.lists(st.integers(), max_size=20), st.integers(1, 7))
def test_array_partition_concatenates_back(values: list[int], size: int) -> None:
    chunks = run(f"States.ArrayPartition($.a, {size})", {"a": values})
    assert [item for chunk in chunks for item in chunk] == values
    assert all(len(chunk) == size for chunk in chunks[:-1])
    assert all(0 < len(chunk) <= size for chunk in chunks)


@FAST
@given(st.integers(-300, 300), st.integers(-300, 300), st.integers(-40, 40).filter(bool))
def test_array_range_is_an_inclusive_range(start: int, end: int, step: int) -> None:
    expected = list(range(start, end + (1 if step > 0 else -1), step))
    assert run(f"States.ArrayRange({start}, {end}, {step})") == expected


@FAST
@given(st.text(alphabet="ab,;. ", max_size=20), st.text(alphabet=",;.", min_size=1, max_size=3))
def test_string_split_matches_a_tokenizer(text: str, delimiters: str) -> None:
    expected = [token for token in re.split(f"[{re.escape(delimiters)}]", text) if token]
    assert run("States.StringSplit($.s, $.d)", {"s": text, "d": delimiters}) == expected


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False, allow_infinity=False) | TEXT,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(TEXT, children, max_size=4),
    max_leaves=15,
)


@FAST
@given(JSON_VALUES)
def test_array_unique_keeps_exactly_one_of_each_java_value(values: Any) -> None:
    items = values if isinstance(values, list) else [values]
    unique = run("States.ArrayUnique($.a)", {"a": items + items[::-1]})
    keys = [java_equality_key(item) for item in unique]
    assert len(set(keys)) == len(keys)
    assert set(keys) == {java_equality_key(item) for item in items}
    assert run("States.ArrayUnique($.a)", {"a": items + items[::-1]}) == unique


@FAST
@given(JSON_VALUES)
def test_json_text_round_trips(value: Any) -> None:
    text = to_json(value)
    assert json.loads(text) == value
    assert parse_json(text) == value
    assert parse_json(json.dumps(value, indent=1)) == value


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_json_parsing_fails_only_with_jackson_errors(text: str) -> None:
    try:
        parse_json(text)
    except JsonTextError as error:
        assert str(error)


@FAST
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_java_double_text_reads_back_exactly(value: float) -> None:
    text = java_double(value)
    assert float(text) == value and math.copysign(1, float(text)) == math.copysign(1, value)
    assert re.fullmatch(r"-?(\d+\.\d+|\d\.\d+E-?\d+)", text)


@FAST
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200))
def test_base64_round_trips(value: str) -> None:
    encoded = run("States.Base64Encode($.s)", {"s": value})
    assert run("States.Base64Decode($.e)", {"e": encoded}) == value
