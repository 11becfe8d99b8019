"""JSONata expressions: Step Functions' added functions, undefined vs null, normalised results."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from asl_engine.definition.vocabulary import is_jsonata_string
from asl_engine.language.errors import ExpressionSyntaxError
from asl_engine.language.jsonata_expr import (
    UNDEFINED,
    JsonataError,
    UnsupportedResult,
    compile_expression,
    compile_jsonata_string,
)


class Env:
    def __init__(self) -> None:
        self.random = random.Random(7)

    def now(self) -> float:
        return 1_700_000_000.5


def evaluate(text: str, **bindings: object) -> object:
    return compile_expression(text).evaluate(dict(bindings), Env())


def test_delimiters() -> None:
    assert is_jsonata_string("{% 1 %}")
    assert not is_jsonata_string(" {% 1 %}")
    assert not is_jsonata_string("{% 1 %} ")
    assert not is_jsonata_string("plain")
    assert compile_jsonata_string("{%  $x + 1  %}").text == "$x + 1"


def test_bindings_and_variables_detection() -> None:
    compiled = compile_expression("$states.input.a + $count")
    assert compiled.variables == {"states", "count"}
    assert compiled.evaluate({"states": {"input": {"a": 2}}, "count": 3}) == 5


def test_undefined_is_distinct_from_null() -> None:
    assert evaluate("$nothing") is UNDEFINED
    assert evaluate("null") is None
    assert evaluate("$x", x=None) is None
    assert evaluate("{'a': $nothing, 'b': 1}") == {"b": 1}


def test_results_are_plain_json() -> None:
    value = evaluate("$states.input.items.v", states={"input": {"items": [{"v": 1}, {"v": 2}]}})
    assert value == [1, 2] and type(value) is list
    assert evaluate("1.5 + 1.5") == 3 and type(evaluate("1.5 + 1.5")) is int
    assert evaluate("$range(1, 9, 9)") == 1  # AWS collapses the singleton sequence
    with pytest.raises(UnsupportedResult):
        evaluate("function($x){$x}")


def test_step_functions_functions() -> None:
    assert evaluate("$partition([1,2,3,4,5], 2)") == [[1, 2], [3, 4], [5]]
    assert evaluate("$range(0, 10, 3)") == [0, 3, 6, 9]
    assert evaluate("$range(5, 1, -2)") == [5, 3, 1]
    assert evaluate("$hash('input data', 'SHA-1')") == "aaff4a450a104cd177d28d18d74485e8cae074b7"
    assert evaluate("$parse('{\"a\": [1, null]}')") == {"a": [1, None]}
    assert evaluate("$random(42)") == evaluate("$random(42)")
    first, second = compile_expression("$uuid()"), Env()
    assert len(first.evaluate({}, second)) == 36
    assert evaluate("$now()") == "2023-11-14T22:13:20.500Z"
    assert evaluate("$millis()") == 1_700_000_000_500


def test_errors_carry_jsonata_codes() -> None:
    with pytest.raises(JsonataError) as caught:
        evaluate("$randomSeeded(1)")
    assert caught.value.description == "T1006: Attempted to invoke a non-function"
    with pytest.raises(JsonataError, match="not supported"):
        evaluate("$eval('1')")
    with pytest.raises(JsonataError):
        evaluate("$hash('x', 'CRC32')")


def test_unknown_function_calls_print_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(JsonataError):
        evaluate("$notAFunction()")
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("text", ["1 +", "$x[", "(", "{'a' 1}"])
def test_syntax_errors(text: str) -> None:
    with pytest.raises(ExpressionSyntaxError):
        compile_expression(text)


@given(st.integers(-50, 50), st.integers(-50, 50), st.integers(1, 7))
def test_property_range_matches_python(start: int, end: int, step: int) -> None:
    expected = list(range(start, end + 1, step))
    value = evaluate(f"$range({start}, {end}, {step})")
    if len(expected) == 1:
        assert value == expected[0]
    elif not expected:
        assert value is UNDEFINED or value == []
    else:
        assert value == expected


@pytest.mark.parametrize(
    ("text", "code", "message"),
    [
        ('$number("c-1")', "D3030", 'Unable to cast value to a number: "c-1"'),
        ('$number("0x1G")', "D3030", 'Unable to cast value to a number: "0x1G"'),
        (
            "$power(10, 1000)",
            "D3061",
            "The power function has resulted in a value that cannot be represented as a JSON number: "
            "base=10, exponent=1000",
        ),
        ('$string(1 / 0) & "x"', "D1001", "Number out of range: Infinity"),
        (
            '$toMillis("not a time")',
            "D3110",
            'The argument of the toMillis function must be an ISO 8601 formatted timestamp. Given "not a time"',
        ),
        (
            '$sort([1, "a"])',
            "D3070",
            "The single argument form of the sort function can only be applied to an array of strings or an array "
            "of numbers.  Use the second argument to specify a comparison function",
        ),
    ],
)
def test_python_errors_inside_jsonata_python_become_jsonata_errors(text: str, code: str | None, message: str) -> None:
    with pytest.raises(JsonataError) as caught:
        evaluate(text)
    assert (caught.value.code, caught.value.message) == (code, message)


_ARGUMENTS = st.sampled_from(['"c-1"', '"0x1G"', '"2024-13-45"', "1e308", "0", "-1", "[1, 'a']", "{}", "null", '""'])
_FUNCTIONS = st.sampled_from(
    ["$number", "$toMillis", "$fromMillis", "$sort", "$power(10, {})", "$sqrt", "$formatBase(1, {})", "$string"]
)


@given(function=_FUNCTIONS, argument=_ARGUMENTS)
def test_property_an_expression_returns_or_raises_jsonata_error_only(function: str, argument: str) -> None:
    text = function.format(argument) if "{}" in function else f"{function}({argument})"
    try:
        evaluate(text)
    except JsonataError as error:
        assert error.message
