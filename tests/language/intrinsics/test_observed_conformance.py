"""Values AWS produced in recorded executions (/work/shared/conformance/cases/self_contained).

Each row is the intrinsic from a case's definition, the value its path arguments read from the
case input, and the value found in the case's expected output. Case files are named
``intrinsic_functions_test_<group>_...`` unless noted.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.language.intrinsics.support import run, run_with_input

FORMAT_ONE = "States.Format('Formatting argument {}.', $.FunctionInput)"
FORMAT_TWO = "States.Format('Formatting arguments fst={} and snd={}.', $.FunctionInput.fst, $.FunctionInput.snd)"
OBJECT = {"Arg1": 1, "Arg2": []}
OBJECT_TEXT = '{"Arg1": 1, "Arg2": []}'


@pytest.mark.parametrize(
    ("value", "expected"),
    [  # generic_TestGeneric_test_format_1_exec_hist_resp_0..6
        ("", "Formatting argument ."),
        (" ", "Formatting argument  ."),
        ("HelloWorld", "Formatting argument HelloWorld."),
        (None, "Formatting argument null."),
        (1, "Formatting argument 1."),
        (1.1, "Formatting argument 1.1."),
        (OBJECT_TEXT, f"Formatting argument {OBJECT_TEXT}."),
    ],
)
def test_format_one_argument(value: Any, expected: str) -> None:
    assert run(FORMAT_ONE, {"FunctionInput": value}) == expected


@pytest.mark.parametrize(
    ("value", "rendered"),
    [  # generic_TestGeneric_test_format_2_exec_hist_resp_0..7
        ("", ""),
        (" ", " "),
        ("HelloWorld", "HelloWorld"),
        (None, "null"),
        (1, "1"),
        (1.1, "1.1"),
        (OBJECT_TEXT, OBJECT_TEXT),
        (OBJECT, "{Arg1=1, Arg2=[]}"),  # Java Map.toString, not JSON
    ],
)
def test_format_two_arguments(value: Any, rendered: str) -> None:
    document = {"FunctionInput": {"fst": value, "snd": value}}
    assert run(FORMAT_TWO, document) == f"Formatting arguments fst={rendered} and snd={rendered}."


def test_format_context_object_renders_java_style() -> None:
    # generic_TestGeneric_test_context_json_path_exec_hist_resp_0
    text = "States.Format('Formatting arguments fst={} and snd={}.', $$.Execution.Name, $$.StateMachine)"
    assert run(text) == (
        "Formatting arguments fst=exec-1 and snd={Id=arn:aws:states:us-east-1:111111111111:stateMachine:sm, Name=sm}."
    )


def test_format_with_variables() -> None:
    # assign_..._test_reference_assign[BASE_REFERENCE_IN_INTRINSIC_FUNCTION]
    text = "States.Format('Hello {}, welcome to {}!', $name, $place)"
    assert run(text, variables={"name": "John", "place": "LocalStack"}) == "Hello John, welcome to LocalStack!"


@pytest.mark.parametrize(
    ("text", "expected"),
    [  # json_manipulation_TestJsonManipulation_test_string_to_json_exec_hist_resp_0..9
        ("", None),
        (" ", None),
        ("null", None),
        ("-0", 0),
        ("1", 1),
        ("1.1", 1.1),
        ("true", True),
        ('"HelloWorld"', "HelloWorld"),
        ('[1, 2, "HelloWorld"]', [1, 2, "HelloWorld"]),
        (OBJECT_TEXT, OBJECT),
        ('{"key":"value"}', {"key": "value"}),  # BASE_REFERENCE_IN_INTRINSIC_FUNCTION
    ],
)
def test_string_to_json(text: str, expected: Any) -> None:
    result = run("States.StringToJson($.FunctionInput)", {"FunctionInput": text})
    assert result == expected
    assert type(result) is type(expected)


@pytest.mark.parametrize(
    ("value", "expected"),
    [  # json_manipulation_TestJsonManipulation_test_json_to_string_exec_hist_resp_0..7
        (None, "null"),
        (0, "0"),
        (1, "1"),
        (1.1, "1.1"),
        (True, "true"),
        ("HelloWorld", '"HelloWorld"'),
        ([1, 2, "HelloWorld"], '[1,2,"HelloWorld"]'),
        (OBJECT, '{"Arg1":1,"Arg2":[]}'),
        ({"test": "object"}, '{"test":"object"}'),  # BASE_REFERENCE_IN_INTRINSIC_FUNCTION
    ],
)
def test_json_to_string(value: Any, expected: str) -> None:
    assert run("States.JsonToString($.FunctionInput)", {"FunctionInput": value}) == expected


def test_json_merge_with_an_escaped_string_literal() -> None:
    # json_manipulation_TestJsonManipulation_test_json_merge_escaped_argument: unescaped braces
    # inside a string literal are accepted.
    text = 'States.JsonMerge(States.StringToJson(\'{"constant_in_literal": "false"}\'), $$.Execution.Input, false)'
    merged = run_with_input(text, {"constant_input_field": "constant_value"})
    assert merged == {"constant_input_field": "constant_value", "constant_in_literal": "false"}


def test_json_merge_is_shallow_and_second_wins() -> None:
    # BASE_REFERENCE_IN_INTRINSIC_FUNCTION
    merged = run("States.JsonMerge($a, $b, false)", variables={"a": {"a": 1, "b": 2}, "b": {"c": 3, "d": 4}})
    assert merged == {"a": 1, "b": 2, "c": 3, "d": 4}


@pytest.mark.parametrize(
    "value", ["", " ", "HelloWorld", None, 1, 1.1, OBJECT_TEXT, OBJECT]
)  # array_TestArray_test_array_2_exec_hist_resp_0..7
def test_array_of_two(value: Any) -> None:
    document = {"FunctionInput": {"fst": value, "snd": value}}
    assert run("States.Array($.FunctionInput.fst, $.FunctionInput.snd)", document) == [value, value]


def test_array_without_arguments() -> None:
    assert run("States.Array()", {"FunctionInput": "HelloWorld"}) == []  # test_array_0


@pytest.mark.parametrize("length", range(5))
@pytest.mark.parametrize("size", range(1, 6))
def test_array_partition(length: int, size: int) -> None:
    # array_TestArray_test_array_partition_exec_hist_resp_0..24: range(length) in chunks of size
    values = list(range(length))
    expected = [values[start : start + size] for start in range(0, length, size)]
    document = {"FunctionInput": {"fst": values, "snd": size}}
    assert run("States.ArrayPartition($.FunctionInput.fst, $.FunctionInput.snd)", document) == expected


def test_array_get_item_and_length() -> None:
    values = [1, 2, 3, 4, 5, 6, 7, 8, 9]
    assert (
        run(
            "States.ArrayGetItem($.FunctionInput.fst, $.FunctionInput.snd)",
            {"FunctionInput": {"fst": values, "snd": 5}},
        )
        == 6
    )
    assert run("States.ArrayLength($.FunctionInput)", {"FunctionInput": values}) == 9


@pytest.mark.parametrize(
    ("plain", "encoded"),
    [("", ""), ("Data to encode", "RGF0YSB0byBlbmNvZGU="), ("Hello World", "SGVsbG8gV29ybGQ=")],
)  # encode_decode_TestEncodeDecode_test_base_64_*, BASE_REFERENCE_IN_INTRINSIC_FUNCTION
def test_base64(plain: str, encoded: str) -> None:
    assert run("States.Base64Encode($.FunctionInput)", {"FunctionInput": plain}) == encoded
    assert run("States.Base64Decode($.FunctionInput)", {"FunctionInput": encoded}) == plain


@pytest.mark.parametrize(
    ("algorithm", "digest"),
    [  # hash_calculations_TestHashCalculations_test_hash_exec_hist_resp_0..4
        ("MD5", "812f45842bc6d66ee14572ce20db8e86"),
        ("SHA-1", "aaff4a450a104cd177d28d18d74485e8cae074b7"),
        ("SHA-256", "b4a697a057313163aee33cd8d40c66e9f0f177e00cac2de32475ffff6169c3e3"),
        (
            "SHA-384",
            "d28a7d5cf25a74f11a50a18452b75e04bb3d70c9dd0510d6123aa008c756511b87525bdc835ebb27e1fb9e9374a15562",
        ),
        (
            "SHA-512",
            "6ce4adb348546d4f449c4d25aad9a7c9cb711d9e91982d3f0b29ca2f3f47d4ce2deba23bf2954f0f1d593fc50283731a533d30d4"
            "25402d4f91316d871303aac4",
        ),
    ],
)
def test_hash(algorithm: str, digest: str) -> None:
    document = {"FunctionInput": {"fst": "input data", "snd": algorithm}}
    assert run("States.Hash($.FunctionInput.fst, $.FunctionInput.snd)", document) == digest


def test_hash_from_variable() -> None:
    # BASE_REFERENCE_IN_INTRINSIC_FUNCTION
    digest = run("States.Hash($inputString, 'SHA-256')", variables={"inputString": "Hash this string"})
    assert digest == "1cac63f39fd68d8c531f27b807610fb3d50f0fc3f186995767fb6316e7200a3e"


def test_math_add_from_variables() -> None:
    assert run("States.MathAdd($value1, $value2)", variables={"value1": 5, "value2": 3}) == 8


@pytest.mark.parametrize(
    ("text", "delimiters", "expected"),
    [  # string_operations_TestStringOperations_test_string_split_exec_hist_resp_0..6
        (" ", ",", [" "]),
        (" , ", ",", [" ", " "]),
        (", , ,", ",", [" ", " "]),
        (",,,,", ",", []),
        ("1,2,3,4,5", ",", ["1", "2", "3", "4", "5"]),
        ("This.is+a,test=string", ".+,=", ["This", "is", "a", "test", "string"]),
        ("split on T and \nnew line", "T\n", ["split on ", " and ", "new line"]),
        ("a,b,c,d,e", ",", ["a", "b", "c", "d", "e"]),  # BASE_REFERENCE_IN_INTRINSIC_FUNCTION
    ],
)
def test_string_split(text: str, delimiters: str, expected: list[str]) -> None:
    document = {"FunctionInput": {"fst": text, "snd": delimiters}}
    assert run("States.StringSplit($.FunctionInput.fst, $.FunctionInput.snd)", document) == expected


def test_string_split_of_the_execution_input() -> None:
    # string_operations_TestStringOperations_test_string_split_context_object_exec_hist_resp_0
    value = "Value1,Value2,Value3\nValue4,Value5,Value6\n,,,\ntrue,1,'HelloWorld'\nNull,None,\n   \n"
    result = run_with_input("States.StringSplit($$.Execution.Input.FunctionInput, ',')", {"FunctionInput": value})
    assert result == [
        "Value1",
        "Value2",
        "Value3\nValue4",
        "Value5",
        "Value6\n",
        "\ntrue",
        "1",
        "'HelloWorld'\nNull",
        "None",
        "\n   \n",
    ]


def test_uuid_is_a_version_4_uuid() -> None:
    # unique_id_generation_TestUniqueIdGeneration_test_uuid_exec_hist_resp (value hidden by the recording)
    value = run("States.UUID()")
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", value)


def test_math_random_seeded_is_in_range() -> None:
    # math_operations_TestMathOperations_test_math_random_seeded_exec_hist_resp (value hidden)
    value = run(
        "States.MathRandom($.FunctionInput.fst, $.FunctionInput.snd, $.FunctionInput.trd)",
        {"FunctionInput": {"fst": 0, "snd": 999, "trd": 3}},
    )
    assert 0 <= value < 999
