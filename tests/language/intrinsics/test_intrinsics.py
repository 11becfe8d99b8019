"""Intrinsic functions: AWS's observed results (from recorded executions) and parser properties."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asl_engine.language.errors import EvaluationError, ExpressionSyntaxError, PathNotFoundError
from asl_engine.language.intrinsics import compile_intrinsic, looks_like_intrinsic
from asl_engine.language.scope import SimpleScope

SCOPE = SimpleScope(context={"Execution": {"Name": "exec"}}, variables={"v": [1, 2]})


def run(text: str, document: Any = None) -> Any:
    return compile_intrinsic(text).evaluate(document if document is not None else {}, SCOPE)


@pytest.mark.parametrize(
    ("text", "document", "expected"),
    [
        ("States.Format('Formatting argument {}.', $.a)", {"a": ""}, "Formatting argument ."),
        ("States.Format('Formatting argument {}.', $.a)", {"a": None}, "Formatting argument null."),
        ("States.Format('Formatting argument {}.', $.a)", {"a": 1.1}, "Formatting argument 1.1."),
        ("States.Format('Formatting argument {}.', $.a)", {"a": 1}, "Formatting argument 1."),
        ("States.Format('{} and {}', $.a, $.a)", {"a": {"Arg1": 1, "Arg2": []}}, "{Arg1=1, Arg2=[]} and {Arg1=1, Arg2=[]}"),
        ("States.Format('literal \\\\{\\\\} {}', 'x')", {}, "literal {} x"),
        ("States.Format('it\\'s {}', $$.Execution.Name)", {}, "it's exec"),
        ("States.Format('back\\\\slash {}', 1)", {}, "back\\slash 1"),
        ("States.StringToJson('{\"k\": \"false\"}')", {}, {"k": "false"}),
        ("States.StringToJson($.s)", {"s": "{\"a\": [1]}"}, {"a": [1]}),
        ("States.StringToJson($.s)", {"s": ""}, None),
        ("States.StringToJson($.s)", {"s": " "}, None),
        ("States.StringToJson($.s)", {"s": "-0"}, 0),
        ("States.JsonToString($.o)", {"o": {"Arg1": 1, "Arg2": []}}, '{"Arg1":1,"Arg2":[]}'),
        ("States.JsonToString($.o)", {"o": "HelloWorld"}, '"HelloWorld"'),
        ("States.Array()", {}, []),
        ("States.Array(1, 'a', true, null, $.x)", {"x": {"k": 1}}, [1, "a", True, None, {"k": 1}]),
        ("States.ArrayPartition($.a, 2)", {"a": [1, 2, 3, 4, 5]}, [[1, 2], [3, 4], [5]]),
        ("States.ArrayPartition($.a, 4)", {"a": []}, []),
        ("States.ArrayContains($.a, $.b)", {"a": [[1, 2, 3], 2], "b": [1, 2, 3]}, True),
        ("States.ArrayContains($.a, 1.0)", {"a": [1]}, True),
        ("States.ArrayContains($.a, true)", {"a": [1]}, False),
        ("States.ArrayRange(0, 10, 3)", {}, [0, 3, 6, 9]),
        ("States.ArrayRange(1, 9, 9)", {}, [1]),
        ("States.ArrayRange(5, 1, -2)", {}, [5, 3, 1]),
        ("States.ArrayGetItem($.a, 5)", {"a": [1, 2, 3, 4, 5, 6, 7, 8, 9]}, 6),
        ("States.ArrayLength($v)", {}, 2),
        ("States.ArrayUnique($.a)", {"a": [1, 2, 1, {"x": 1}, {"x": 1}, 1.0]}, [1, 2, {"x": 1}]),
        ("States.Base64Encode('Data to encode')", {}, "RGF0YSB0byBlbmNvZGU="),
        ("States.Base64Encode('')", {}, ""),
        ("States.Base64Decode('RGF0YSB0byBlbmNvZGU=')", {}, "Data to encode"),
        ("States.Hash('input data', 'SHA-1')", {}, "aaff4a450a104cd177d28d18d74485e8cae074b7"),
        ("States.Hash('', 'MD5')", {}, "d41d8cd98f00b204e9800998ecf8427e"),
        ("States.JsonMerge($.a, $.b, false)", {"a": {"x": {"k": 1}, "y": 1}, "b": {"x": {"j": 2}}},
         {"x": {"j": 2}, "y": 1}),
        ("States.MathAdd(1.49, 1.5)", {}, 3),
        ("States.MathAdd(-1.5, -1.51)", {}, -3),
        ("States.MathAdd($.a, -1)", {"a": 111}, 110),
        ("States.StringSplit(',,,,', ',')", {}, []),
        ("States.StringSplit(', , ,', ',')", {}, [" ", " "]),
        ("States.StringSplit('a.b+c', '.+')", {}, ["a", "b", "c"]),
        ("States.ArrayLength(States.Array(1, States.Array(2)))", {}, 2),
    ],
)
def test_observed_results(text: str, document: Any, expected: Any) -> None:
    assert run(text, document) == expected


def test_uuid_and_random_come_from_the_scope_random_source() -> None:
    first = compile_intrinsic("States.UUID()").evaluate({}, SimpleScope())
    second = compile_intrinsic("States.UUID()").evaluate({}, SimpleScope())
    assert first == second and len(first) == 36 and first[14] == "4"
    value = run("States.MathRandom(1, 10)")
    assert 1 <= value < 10
    assert run("States.MathRandom(1, 1000, 7)") == run("States.MathRandom(1, 1000, 7)")


@pytest.mark.parametrize(
    "text",
    [
        "States.ArrayGetItem($.a, 9)",
        "States.ArrayRange(0, 2000, 1)",
        "States.ArrayRange(0, 1, 0)",
        "States.StringToJson('{')",
        "States.Format('{} {}', 1)",
        "States.Format('{}', 1, 2)",
        "States.JsonMerge($.a, $.a, true)",
        "States.Base64Decode('%%%')",
        "States.Hash('x', 'SHA-0')",
        "States.ArrayLength('x')",
        "States.MathAdd(3000000000, 1)",
        "States.ArrayPartition($.a, 0)",
    ],
)
def test_runtime_failures(text: str) -> None:
    with pytest.raises(EvaluationError) as caught:
        run(text, {"a": [1]})
    assert caught.value.error == "States.Runtime"
    assert caught.value.message.startswith("The intrinsic function States.")


def test_missing_path_argument_propagates_for_the_caller_to_word() -> None:
    with pytest.raises(PathNotFoundError):
        run("States.Format('{}', $.missing)")


@pytest.mark.parametrize(
    "text",
    [
        "States.Nope(1)",
        "States.Format(",
        "States.Format('a' 'b')",
        "States.UUID(1)",
        "States.MathAdd(1)",
        "States.Format('unterminated)",
        "States.Format('\\x')",
        "States.Array()extra",
        "States.Array(" * 11 + ")" * 11,
    ],
)
def test_syntax_errors(text: str) -> None:
    with pytest.raises(ExpressionSyntaxError):
        compile_intrinsic(text)


def test_nesting_up_to_ten_levels() -> None:
    assert run("States.Array(" * 10 + ")" * 10) == [[[[[[[[[[]]]]]]]]]]


def test_looks_like_intrinsic() -> None:
    assert looks_like_intrinsic("States.Format('x')")
    assert looks_like_intrinsic("  States.UUID()")
    assert not looks_like_intrinsic("$.a")
    assert not looks_like_intrinsic("States")


def test_path_arguments_with_brackets_and_commas() -> None:
    assert run("States.Array($['a,b'], $.c[0])", {"a,b": 1, "c": [2]}) == [1, 2]
    assert run("States.ArrayLength($.xs[?(@.v > 1)])", {"xs": [{"v": 1}, {"v": 2}, {"v": 3}]}) == 2


text_strategy = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30)


def escape(value: str) -> str:
    return "".join("\\" + char if char in "'{}\\" else char for char in value)


@settings(max_examples=300, deadline=None)
@given(text_strategy)
def test_property_escaped_strings_round_trip(value: str) -> None:
    escaped = "".join("\\" + char if char in "'\\" else char for char in value)
    assert run(f"States.Array('{escaped}')") == [value]
    if "{}" not in value.replace("\\{", "").replace("\\}", ""):
        formatted = run(f"States.Format('{escape(value)}')")
        assert formatted == value


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(-1000, 1000), max_size=20), st.integers(1, 7))
def test_property_partition_concatenates_back(values: list[int], size: int) -> None:
    chunks = run(f"States.ArrayPartition($.a, {size})", {"a": values})
    assert [item for chunk in chunks for item in chunk] == values
    assert all(len(chunk) == size for chunk in chunks[:-1])


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_property_arbitrary_text_never_crashes_the_parser(text: str) -> None:
    try:
        compiled = compile_intrinsic("States.Array(" + text + ")")
    except ExpressionSyntaxError:
        return
    try:
        compiled.evaluate({"a": 1}, SCOPE)
    except (EvaluationError, PathNotFoundError):
        pass


@settings(max_examples=200, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=5),
                    lambda children: st.lists(children, max_size=3)
                    | st.dictionaries(st.text(min_size=1, max_size=4), children, max_size=3), max_leaves=8))
def test_property_json_to_string_and_back(value: Any) -> None:
    text = run("States.JsonToString($.v)", {"v": value})
    assert json.loads(text) == value
    assert run("States.StringToJson($.t)", {"t": text}) == value
