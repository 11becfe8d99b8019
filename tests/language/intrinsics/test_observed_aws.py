"""AWS behaviour recorded outside our conformance cases.

Sources (public snapshots of executions run against AWS):
* [LS] localstack/localstack ``tests/aws/services/stepfunctions/v2/intrinsic_functions/
  test_math_operations.snapshot.json`` (``test_math_add``, recorded 2023-09-13).
* [TAM] gabrielmoreira/tiny-asl-machine ``tests/conformance/cases/.snapshots/aws/<case>.json``
  (``"runner": "aws"``): exact outputs and causes. Where that suite documents an AWS result
  without a snapshot (in a ``skipReason``), the row is marked "[TAM note]".
* [ATH] aws-test-harness/aws-test-harness: an integration test asserting that ``States.MathAdd``
  with a non-number fails with ``States.Runtime`` and "Invalid arguments in States.MathAdd".
"""

from __future__ import annotations

from typing import Any

import pytest

from asl_engine.language.intrinsics import compile_intrinsic
from tests.language.intrinsics.support import failure, invalid, run, scope


@pytest.mark.parametrize(
    ("first", "second", "total"),
    [  # [LS] test_math_add: operands rounded with Java's Math.round before adding
        (-9, 3, -6),
        (1.49, 1.5, 3),
        (1.5, 1.51, 4),
        (-1.49, -1.5, -2),
        (-1.5, -1.51, -3),
        (1.49, 0, 1),
        (1.49, -1.49, 0),
        (1.5, 0, 2),
        (1.51, 0, 2),
        (-1.49, 0, -1),
        (-1.5, 0, -1),
        (-1.51, 0, -2),
        (0.5, 0, 1),
        (1.5, 0, 2),
        (2.5, 0, 3),
        (3.5, 0, 4),
        (-0.5, 0.5, 1),
        (-0.5, 0, 0),
        (-1.5, 0, -1),
        (-2.5, 0, -2),
    ],
)
def test_math_add_rounds_like_java(first: float, second: float, total: int) -> None:
    document = {"FunctionInput": {"fst": first, "snd": second}}
    assert run("States.MathAdd($.FunctionInput.fst, $.FunctionInput.snd)", document) == total


@pytest.mark.parametrize(
    ("text", "expected"),
    [  # [TAM] States.MathAdd-001..016, 023, 024
        ("States.MathAdd(5, 3)", 8),
        ("States.MathAdd(-5, -3)", -8),
        ("States.MathAdd(2147483647, 0)", 2147483647),
        ("States.MathAdd(-2147483648, 0)", -2147483648),
        ("States.MathAdd(2147483646, 1)", 2147483647),
        ("States.MathAdd(-2147483647, -1)", -2147483648),
        ("States.MathAdd(0.1, 0.2)", 0),
        ("States.MathAdd(1.6, 2.7)", 5),
        ("States.Array(States.MathAdd(5, -1), States.MathAdd(5, 1))", [4, 6]),
    ],
)
def test_math_add_values(text: str, expected: Any) -> None:
    assert run(text) == expected


@pytest.mark.parametrize(
    "text",
    [  # [TAM] States.MathAdd-011, 012, 013, 014, 017..022, 028..034; [ATH] non-number operand
        "States.MathAdd(2147483647, 1)",
        "States.MathAdd(-2147483648, -1)",
        "States.MathAdd(3000000000, 1)",
        "States.MathAdd(-3000000000, 1)",
        "States.MathAdd('a', 1)",
        "States.MathAdd(1, 'b')",
        "States.MathAdd(null, 1)",
        "States.MathAdd(true, 1)",
        "States.MathAdd(false, -1)",
        "States.MathAdd('-1', 2)",
        "States.MathAdd('1.5', 2)",
        "States.MathAdd(1)",
        "States.MathAdd(1, 2, 999)",
    ],
)
def test_math_add_failures_use_aws_wording(text: str) -> None:
    assert failure(text) == invalid(text)


@pytest.mark.parametrize(
    ("start", "end", "seed", "value"),
    [  # [TAM] States.MathRandom-002, 003, 015, 016, 019, 022, 023: java.util.Random(seed)
        (1, 100, 42, 63),
        (1, 1000, 1, 106),
        (1, 1000, 2, 806),
        (1, 10, -10, 1),
        (1, 10, 0, 7),
        (1, 5, 42, 3),
        (1, 10, 42, 9),
        (2147483640, 2147483647, 1, 2147483644),
    ],
)
def test_math_random_with_a_seed_reproduces_aws(start: int, end: int, seed: int, value: int) -> None:
    assert run(f"States.MathRandom($.start, $.end, {seed})", {"start": start, "end": end}) == value


def test_math_random_truncates_bounds() -> None:
    # [TAM] MathRandom-007b: (1.6, 5.4) can give 1, so bounds are truncated to [1, 5)
    compiled = compile_intrinsic("States.MathRandom(1.6, 5.4)")
    assert {compiled.evaluate({}, scope(seed=seed)) for seed in range(200)} == {1, 2, 3, 4}


@pytest.mark.parametrize(
    "text",
    [  # [TAM] MathRandom-004, 005, 009, 010, 011, 012, 018; [TAM note] MathRandom-008
        "States.MathRandom(1, 1)",
        "States.MathRandom(10, 5)",
        "States.MathRandom(1.49, 1.49)",
        "States.MathRandom(1.4, 1.6)",
        "States.MathRandom('a', 10)",
        "States.MathRandom(1, 'b')",
        "States.MathRandom(1, 10, 'seed')",
        "States.MathRandom(1, 10, null)",
        "States.MathRandom(1)",
        "States.MathRandom(1, 10, 5, 99)",
    ],
)
def test_math_random_failures(text: str) -> None:
    assert failure(text) == invalid(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [  # [TAM] States.ArrayRange-001..009, 017, 019, 023, 024; [TAM note] 010, 011 (truncation)
        ("States.ArrayRange(1, 9, 2)", [1, 3, 5, 7, 9]),
        ("States.ArrayRange(1, 5, 1)", [1, 2, 3, 4, 5]),
        ("States.ArrayRange(-2, 2, 2)", [-2, 0, 2]),
        ("States.ArrayRange(1.4, 5.6, 2.2)", [1, 3, 5]),
        ("States.ArrayRange(3, 3, 1)", [3]),
        ("States.ArrayRange(3, 3, -1)", [3]),
        ("States.ArrayRange(5, 1, -2)", [5, 3, 1]),
        ("States.ArrayRange(5, 1, 1)", []),
        ("States.ArrayRange(1, 5, -1)", []),
        ("States.ArrayRange(1.6, 1.4, 1)", [1]),
        ("States.ArrayRange(5.4, -0.6, -2.4)", [5, 3, 1]),
        ("States.ArrayRange(States.MathAdd(0, 1), States.MathAdd(0, 5), 2)", [1, 3, 5]),
        ("States.ArrayRange(0, 10, 3)", [0, 3, 6, 9]),  # documented in the Developer Guide
        ("States.ArrayRange(1, 9, 9)", [1]),
    ],
)
def test_array_range(text: str, expected: list[int]) -> None:
    assert run(text) == expected


def test_array_range_limit_is_1000_items() -> None:
    # [TAM] ArrayRange-017..020
    assert len(run("States.ArrayRange(1, 1000, 1)")) == 1000
    assert run("States.ArrayRange(1000, 1, -1)")[-1] == 1
    for text in ("States.ArrayRange(1, 1001, 1)", "States.ArrayRange(1001, 1, -1)"):
        assert failure(text) == invalid(text)


@pytest.mark.parametrize(
    "text",
    [  # [TAM] ArrayRange-012..016, 021, 022
        "States.ArrayRange('a', 5, 1)",
        "States.ArrayRange(1, 'b', 1)",
        "States.ArrayRange(1, 5, 'c')",
        "States.ArrayRange(1, 10, 0)",
        "States.ArrayRange(1, 10, 0.49)",
        "States.ArrayRange(1, 5)",
        "States.ArrayRange(1, 5, 1, 99)",
    ],
)
def test_array_range_failures(text: str) -> None:
    assert failure(text) == invalid(text)


@pytest.mark.parametrize(
    ("size", "expected"),
    [  # [TAM] ArrayPartition-009, 024; [TAM note] 008 (2.6 truncates to 2)
        (2.4, [[1, 2], [3, 4], [5]]),
        (2.6, [[1, 2], [3, 4], [5]]),
        (2147483647, [[1, 2, 3, 4, 5]]),
    ],
)
def test_array_partition_truncates_the_size(size: float, expected: list[list[int]]) -> None:
    assert run(f"States.ArrayPartition($.a, {size})", {"a": [1, 2, 3, 4, 5]}) == expected


@pytest.mark.parametrize(
    "text",
    [  # [TAM] ArrayPartition-011..014, 016..021; [TAM note] 010 (0.6 is rejected)
        "States.ArrayPartition($.a, 0.49)",
        "States.ArrayPartition($.a, 0.6)",
        "States.ArrayPartition($.a, -0.4)",
        "States.ArrayPartition($.a, -0.6)",
        "States.ArrayPartition('not-array', 2)",
        "States.ArrayPartition($.a, '2')",
        "States.ArrayPartition($.a, null)",
        "States.ArrayPartition($.a, 0)",
        "States.ArrayPartition($.a, -1)",
        "States.ArrayPartition($.a)",
        "States.ArrayPartition($.a, 2, 999)",
    ],
)
def test_array_partition_failures(text: str) -> None:
    assert failure(text, {"a": [1, 2, 3]}) == invalid(text)


def test_missing_path_argument_uses_aws_wording() -> None:
    # [TAM] ArrayPartition-015, StringToJson-020
    assert failure("States.ArrayPartition($.missing, 2)") == (
        "The function 'States.ArrayPartition($.missing, 2)' had the following error: The JsonPath argument for the "
        "field '$.missing' could not be found in the input '{}'"
    )
    assert failure("States.StringToJson($.missing)") == (
        "The function 'States.StringToJson($.missing)' had the following error: The JsonPath argument for the field "
        "'$.missing' could not be found in the input '{}'"
    )


def test_missing_path_inside_a_nested_call_names_that_call() -> None:
    message = failure("States.Format('{}', States.StringToJson($.missing))", {"a": 1})
    assert message.startswith("The function 'States.StringToJson($.missing)' had the following error")
    assert message.endswith("""could not be found in the input '{"a":1}'""")


@pytest.mark.parametrize(
    ("items", "index", "expected"),
    [  # [TAM] ArrayGetItem-001..008; [TAM note] 012 (empty array -> null), 014 (1.2 -> index 1)
        (["a", "b", "c"], 0, "a"),
        (["a", "b", "c"], 1, "b"),
        ([10, 20, 30, 40], 2, 30),
        ([None], 0, None),
        ([{"a": 1}, {"b": 2}], 1, {"b": 2}),
        ([], 999, None),
        ([10, 20, 30], 1.2, 20),
    ],
)
def test_array_get_item(items: list[Any], index: float, expected: Any) -> None:
    assert run("States.ArrayGetItem($.arr, $.i)", {"arr": items, "i": index}) == expected


@pytest.mark.parametrize(
    "text",
    [  # [TAM] ArrayGetItem-009, 010, 011, 013
        "States.ArrayGetItem('not-array', 0)",
        "States.ArrayGetItem($.arr, 3)",
        "States.ArrayGetItem($.arr, -1)",
        "States.ArrayGetItem($.arr, '1')",
    ],
)
def test_array_get_item_failures(text: str) -> None:
    assert failure(text, {"arr": [10, 20, 30]}) == invalid(text)


@pytest.mark.parametrize(
    ("items", "target", "expected"),
    [  # [TAM] ArrayContains-001..012, 018, 020; [TAM note] 006, 019, 021 (Java toString equality)
        ([1, 2, 3], 2, True),
        ([1, 2, 3], 5, False),
        (["A", "B", "C"], "C", True),
        ([1, None, 3], None, True),
        ([{"a": 1}, {"b": 2}], {"a": 1}, True),
        ([{"a": 1, "b": 2}], {"b": 2, "a": 1}, False),
        ([[1, 2], [3, 4]], [1, 2], True),
        ([], 1, False),
        ([{"a": 1}], {"a": 1, "extra": None}, False),
        ([0, 1, -1, -1.5], False, False),
        (["-1", "-1.5", "-9007199254740991", "9007199254740991"], 9007199254740991, True),
        ([None, "", " ", 0, 1, True, False, [0, 1, False]], [0, 1, False], True),
        (["true", "false", "maybe"], True, True),
        ([[1, 2, 3], 2], [1, 2, 3], True),  # Developer Guide example, recorded by LocalStack
    ],
)
def test_array_contains_compares_java_text(items: list[Any], target: Any, expected: bool) -> None:
    assert run("States.ArrayContains($.arr, $.target)", {"arr": items, "target": target}) is expected


@pytest.mark.parametrize(
    ("items", "expected"),
    [  # [TAM] ArrayUnique-001..003, 005, 007, 008, 010..012; [TAM note] 004, 009 (HashSet order)
        ([1, 2, 3, 3, 3, 4], [1, 2, 3, 4]),
        (["a", "b", "a", "c", "b"], ["a", "b", "c"]),
        ([], []),
        ([True, False, True, False], [False, True]),
        ([None, None, 1, None], [None, 1]),
        ([1, "1", 1, "01"], [1, "1", "01"]),
        ([{"a": 1}, {"a": 1}], [{"a": 1}]),
        ([{"a": 1, "b": 2}, {"b": 2, "a": 1}], [{"a": 1, "b": 2}]),
        ([[1, 2], [1, 2], [2, 1]], [[2, 1], [1, 2]]),
        ([{"nested": {"x": 1}}, {"nested": {"x": 1}}], [{"nested": {"x": 1}}]),
        ([1, 2, 1, 3, 2, 4], [1, 2, 3, 4]),
    ],
)
def test_array_unique_in_hash_set_order(items: list[Any], expected: list[Any]) -> None:
    assert run("States.ArrayUnique($.arr)", {"arr": items}) == expected


@pytest.mark.parametrize("text", ["States.ArrayUnique('not-array')", "States.ArrayUnique($.obj)"])
def test_array_unique_failures(text: str) -> None:
    assert failure(text, {"obj": {"a": 1}}) == invalid(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [  # [TAM] States.Array-001..008, 010
        ("States.Array()", []),
        ("States.Array(42, true, null, 'hello')", [42, True, None, "hello"]),
        ("States.Array(false, '', 0, null)", [False, "", 0, None]),
        ("States.Array(1, States.Array(2, 3))", [1, [2, 3]]),
        ("States.Array( $.a , $.b )", [{"k": 1}, [1, 2]]),
        ("States.Array($.a, $.a)", [{"k": 1}, {"k": 1}]),
    ],
)
def test_array(text: str, expected: list[Any]) -> None:
    assert run(text, {"a": {"k": 1}, "b": [1, 2]}) == expected


@pytest.mark.parametrize(
    ("text", "document", "expected"),
    [  # [TAM] States.Format-001..008, 017
        ("States.Format('Hello {}', $.name)", {"name": "Ada"}, "Hello Ada"),
        ("States.Format('{} {} {}', $.a, $.b, $.c)", {"a": "x", "b": 2, "c": True}, "x 2 true"),
        (
            "States.Format('Name: \\'{}\\', Surname: \"{}\"', $.name, $.surname)",
            {"name": "Gabriel", "surname": "Moreira"},
            "Name: 'Gabriel', Surname: \"Moreira\"",
        ),
        ("States.Format('no placeholders')", {}, "no placeholders"),
        ("States.Format($.template, $.name)", {"template": "Hello {}", "name": "Ada"}, "Hello Ada"),
        (
            "States.Format('arn:{}:{}', $.svc, States.JsonToString($.obj))",
            {"svc": "lambda", "obj": {"k": 1}},
            'arn:lambda:{"k":1}',
        ),
        ("States.Format('  {}  ', $.a)", {"a": "x"}, "  x  "),
        (
            "States.Format('probe={}', States.JsonToString($.p))",
            {"p": [None, "", " ", 0, 1, True, False, [0, 1, False]]},
            'probe=[null,""," ",0,1,true,false,[0,1,false]]',
        ),
    ],
)
def test_format(text: str, document: Any, expected: str) -> None:
    assert run(text, document) == expected


@pytest.mark.parametrize(
    ("text", "detail"),
    [  # [TAM] States.Format-018, 019, 020: malformed templates fail at run time
        ("States.Format('Hello {', $.a)", "Invalid template in States.Format: matching '}' not found for '{'."),
        ("States.Format('Hello {{}}', $.a)", "Invalid template in States.Format: matching '}' not found for '{'."),
        ("States.Format('}')", "Invalid template in States.Format: matching '{' not found for '}'."),
    ],
)
def test_format_template_errors(text: str, detail: str) -> None:
    assert failure(text, {"a": "x"}) == f"There was an error while evaluating the intrinsic function: {text}. {detail}"


@pytest.mark.parametrize(
    ("json_text", "jackson"),
    [  # [TAM] States.StringToJson-011, 012, 014
        (
            "{bad json}",
            "Unexpected character ('b' (code 98)): was expecting double-quote to start field name\n at [Source: "
            "REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: 1, column: 2]",
        ),
        (
            '{"a":1',
            "Unexpected end-of-input: expected close marker for Object (start marker at [Source: REDACTED "
            "(`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: 1, column: 1])\n at [Source: REDACTED "
            "(`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: 1, column: 7]",
        ),
        (
            "undefined",
            "Unrecognized token 'undefined': was expecting (JSON String, Number, Array, Object or token 'null', "
            "'true' or 'false')\n at [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); "
            "line: 1, column: 10]",
        ),
    ],
)
def test_string_to_json_errors_carry_jackson_messages(json_text: str, jackson: str) -> None:
    assert failure("States.StringToJson($.json)", {"json": json_text}) == (
        "There was an error while evaluating the intrinsic function: States.StringToJson($.json). Cannot convert "
        f"String to Json in States.StringToJson, caused by: {jackson}"
    )


@pytest.mark.parametrize(
    ("json_text", "expected"),
    [  # [TAM] States.StringToJson-001..006, 009, 010
        ('{"a":1}', {"a": 1}),
        ("[1,2,3]", [1, 2, 3]),
        ('"hello"', "hello"),
        ("123", 123),
        ("true", True),
        ("null", None),
        (' {"a":1} ', {"a": 1}),
        ('{"a":"it\'s"}', {"a": "it's"}),
    ],
)
def test_string_to_json_values(json_text: str, expected: Any) -> None:
    assert run("States.StringToJson($.json)", {"json": json_text}) == expected


@pytest.mark.parametrize("value", [123, {"a": 1}, [1, 2]])  # [TAM] States.StringToJson-015..017
def test_string_to_json_needs_a_string(value: Any) -> None:
    assert failure("States.StringToJson($.json)", {"json": value}) == invalid("States.StringToJson($.json)")


@pytest.mark.parametrize(
    "text", ["States.StringToJson()", "States.StringToJson($.a, $.b)"]
)  # [TAM] States.StringToJson-018, 019
def test_string_to_json_arity(text: str) -> None:
    assert failure(text, {"a": "{}", "b": "x"}) == invalid(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [  # [TAM] States.JsonToString-009..012, 016, 019, 020
        ("States.JsonToString($.empty)", "{}"),
        ("States.JsonToString($.list)", "[]"),
        ("States.JsonToString(States.Array($.one, $.two))", "[1,2]"),
        ("States.JsonToString($.mixed)", '{"nested":{"a":1},"arr":[true,null]}'),
        ("States.JsonToString('x')", '"x"'),
        ("States.JsonToString($.numbers)", "[-1,3.5,-9007199254740991,9007199254740991]"),
    ],
)
def test_json_to_string(text: str, expected: str) -> None:
    document = {
        "empty": {},
        "list": [],
        "one": 1,
        "two": 2,
        "mixed": {"nested": {"a": 1}, "arr": [True, None]},
        "numbers": [-1, 3.5, -9007199254740991, 9007199254740991],
    }
    assert run(text, document) == expected


@pytest.mark.parametrize(
    ("first", "second", "deep", "expected"),
    [  # [TAM] States.JsonMerge-001..008, 021..023; [TAM note] 015 (a non-boolean flag means shallow)
        ({"x": 1}, {"y": 2}, False, {"x": 1, "y": 2}),
        ({"x": 1, "y": 2}, {"y": 3, "z": 4}, False, {"x": 1, "y": 3, "z": 4}),
        ({}, {"x": 1}, False, {"x": 1}),
        ({"x": 1}, {}, False, {"x": 1}),
        ({"nested": {"a1": 1, "a2": 2}}, {"nested": {"a3": 3}}, False, {"nested": {"a3": 3}}),
        ({"list": [1, 2]}, {"list": [3]}, False, {"list": [3]}),
        ({"nested": {"left": True}, "keep": 1}, {"nested": None}, False, {"nested": None, "keep": 1}),
        ({"payload": [1, 2, 3]}, {"payload": -123.456}, False, {"payload": -123.456}),
        ({}, {}, "false", {}),
    ],
)
def test_json_merge(first: Any, second: Any, deep: Any, expected: Any) -> None:
    document = {"a": first, "b": second, "deep": deep}
    assert run("States.JsonMerge($.a, $.b, $.deep)", document) == expected


@pytest.mark.parametrize(
    ("first", "second", "deep"),
    [({"a": 1}, {"b": 2}, True), (None, {}, False), ({}, None, False), ([], {}, False), ({}, "x", False)],
)
def test_json_merge_failures(first: Any, second: Any, deep: Any) -> None:
    text = "States.JsonMerge($.a, $.b, $.deep)"
    assert failure(text, {"a": first, "b": second, "deep": deep}) == invalid(text)


@pytest.mark.parametrize(
    ("text", "document", "expected"),
    [  # [TAM] States.StringSplit-001, 002, 009..011, 014, 015; [TAM notes] 003..008, 012, 013, 023
        ("States.StringSplit($.s, ',')", {"s": "a,b,c"}, ["a", "b", "c"]),
        ("States.StringSplit($.s, $.d)", {"s": "1+2,3.4", "d": ".+,"}, ["1", "2", "3", "4"]),
        ("States.StringSplit($.s, '.')", {"s": "a.b.c"}, ["a", "b", "c"]),
        ("States.StringSplit($.s, '|')", {"s": "a|b|c"}, ["a", "b", "c"]),
        ("States.StringSplit(States.Format('{}-{}', $.a, $.b), '-')", {"a": "x", "b": "y"}, ["x", "y"]),
        ("States.StringSplit($.s, ',')", {"s": "a,,b"}, ["a", "b"]),
        ("States.StringSplit($.s, ',')", {"s": ",a,b,"}, ["a", "b"]),
        ("States.StringSplit($.s, ',')", {"s": ","}, []),
        ("States.StringSplit($.s, ',')", {"s": ""}, []),
        ("States.StringSplit($.s, 'ab')", {"s": "1a2b3ab4"}, ["1", "2", "3", "4"]),
        ("States.StringSplit($.s, '.,')", {"s": "a.,,b"}, ["a", "b"]),
    ],
)
def test_string_split(text: str, document: Any, expected: list[str]) -> None:
    assert run(text, document) == expected


@pytest.mark.parametrize(
    "document",
    [
        {"s": 123, "d": ","},
        {"s": "a,b", "d": 1},
        {"s": None, "d": ","},
        {"s": "a,b", "d": None},
        {"s": False, "d": ","},
        {"s": "a,b", "d": [","]},
    ],
)  # [TAM] States.StringSplit-016..019, 024, 025
def test_string_split_needs_strings(document: Any) -> None:
    assert failure("States.StringSplit($.s, $.d)", document) == invalid("States.StringSplit($.s, $.d)")


@pytest.mark.parametrize(
    ("plain", "encoded"),
    [  # [TAM] States.Base64Encode-001..007, 016, 019, 020 and Base64Decode-001..005, 016..018
        ("hello", "aGVsbG8="),
        ("✓", "4pyT"),
        ("こんにちは", "44GT44KT44Gr44Gh44Gv"),
        ("line1\nline2", "bGluZTEKbGluZTI="),
        ("abc\u0000def", "YWJjAGRlZg=="),
        (" ", "IA=="),
        ("🚀", "8J+agA=="),
        ("abcd", "YWJjZA=="),
    ],
)
def test_base64_round_trip(plain: str, encoded: str) -> None:
    assert run("States.Base64Encode($.s)", {"s": plain}) == encoded
    assert run("States.Base64Decode($.s)", {"s": encoded}) == plain


@pytest.mark.parametrize(
    ("encoded", "decoded"),
    [  # [TAM notes] Base64Decode-013, 014, 015, 019: AWS decodes leniently
        (" YWJjZA== ", "abcd"),
        ("abc", "i\ufffd"),  # bytes 69 B7: invalid UTF-8 becomes U+FFFD, as in Java
        ("ab==cd", "i"),
        ("!!!aGVsbG8=!!!", "hello"),
        ("A" * 9999, "\u0000" * 7499),  # [TAM] Base64Decode-006
    ],
)
def test_base64_decode_is_lenient(encoded: str, decoded: str) -> None:
    assert run("States.Base64Decode($.s)", {"s": encoded}) == decoded


@pytest.mark.parametrize(
    ("text", "document"),
    [  # [TAM] Base64Encode-010..015, Base64Decode-008..012
        ("States.Base64Encode($.s)", {"s": "a" * 10001}),
        ("States.Base64Encode(123)", {}),
        ("States.Base64Encode($.s)", {"s": {}}),
        ("States.Base64Encode($.s)", {"s": ["x"]}),
        ("States.Base64Encode()", {}),
        ("States.Base64Encode('a', 'b')", {}),
        ("States.Base64Decode($.s)", {"s": "A" * 10001}),
        ("States.Base64Decode(123)", {}),
        ("States.Base64Decode($.s)", {"s": {}}),
        ("States.Base64Decode()", {}),
        ("States.Base64Decode('aGVsbG8=', 'extra')", {}),
    ],
)
def test_base64_failures(text: str, document: Any) -> None:
    assert failure(text, document) == invalid(text)


def test_base64_accepts_exactly_10000_characters() -> None:
    # [TAM] Base64Encode-009
    encoded = run("States.Base64Encode($.s)", {"s": "a" * 10000})
    assert run("States.Base64Decode($.s)", {"s": encoded[:10000]}).startswith("a" * 7000)


@pytest.mark.parametrize(
    ("data", "algorithm", "digest"),
    [  # [TAM] States.Hash-001..010, 026, 027, 031
        ("hello", "MD5", "5d41402abc4b2a76b9719d911017c592"),
        ("hello", "SHA-1", "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d"),
        ("hello", "SHA-256", "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"),
        ("", "SHA-256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("✓", "SHA-256", "1dabba21cdad44541f6b15796f8d22978fc7ea10c46aeceeeeb66c23b3ac7604"),
        ("こんにちは", "SHA-256", "125aeadf27b0459b8760c13a3d80912dfa8a81a68261906f60d87f4a0268646c"),
        ("abc\u0000def", "MD5", "a5e4d5963ae44c1f4bfb37b1a3d55a3c"),
        ("Data to encode", "MD5", "ca405671828a177e26947171bbe1e352"),
        ("x:y", "SHA-256", "1274e286686b54fe765ec40735665b4bf789cee2a5b22124c5e0491a88e15271"),
        ("🚀", "SHA-256", "ebbc0b2870eb323f2b6cffa5c493ceef81ae7eb36afc73d4e0367301631daec5"),
    ],
)
def test_hash(data: str, algorithm: str, digest: str) -> None:
    assert run("States.Hash($.data, $.algorithm)", {"data": data, "algorithm": algorithm}) == digest


def test_hash_limit_and_non_string_data() -> None:
    # [TAM] Hash-012, 013; [TAM notes] 014, 015: numbers and objects are hashed, not rejected
    assert len(run("States.Hash($.s, 'SHA-256')", {"s": "a" * 10000})) == 64
    assert failure("States.Hash($.s, 'SHA-256')", {"s": "a" * 10001}) == invalid("States.Hash($.s, 'SHA-256')")
    assert run("States.Hash(123, 'MD5')") == run("States.Hash('123', 'MD5')")
    assert len(run("States.Hash($.o, 'SHA-256')", {"o": {}})) == 64


@pytest.mark.parametrize(
    "text",
    [  # [TAM] States.Hash-016..025
        "States.Hash('hello', 123)",
        "States.Hash()",
        "States.Hash('hello')",
        "States.Hash('hello', 'SHA-256', 'extra')",
        "States.Hash('data', 'UNSUPPORTED')",
        "States.Hash('data', 'sha-256')",
        "States.Hash('data', 'SHA256')",
        "States.Hash('data', '')",
        "States.Hash('data', 'MD-5')",
        "States.Hash('data', 'SHA-257')",
    ],
)
def test_hash_failures(text: str) -> None:
    assert failure(text) == invalid(text)


@pytest.mark.parametrize(
    "text", ["States.UUID( )", "States.UUID('x')", "States.UUID($.x)", "States.UUID(1, 2)", "States.UUID(null)"]
)  # [TAM] States.UUID-002, 008..013: AWS ignores arguments
def test_uuid_ignores_arguments(text: str) -> None:
    assert len(run(text, {"x": "ignored"})) == 36
