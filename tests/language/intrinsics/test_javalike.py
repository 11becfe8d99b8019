"""The Java and Jackson behaviours AWS results depend on."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from asl_engine.language.intrinsics.javalike.hash_set import hash_set_order, java_hash
from asl_engine.language.intrinsics.javalike.jackson import JsonTextError, parse_json, to_json
from asl_engine.language.intrinsics.javalike.java_random import JavaRandom
from asl_engine.language.intrinsics.javalike.text import java_double, java_string


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1.0, "1.0"),
        (1.1, "1.1"),
        (-0.0, "-0.0"),
        (0.0, "0.0"),
        (100.0, "100.0"),
        (0.001, "0.001"),
        (0.0001, "1.0E-4"),
        (1e7, "1.0E7"),
        (9999999.0, "9999999.0"),
        (1.5e20, "1.5E20"),
        (1.234e-5, "1.234E-5"),
        (-3.5, "-3.5"),
        (123456.789, "123456.789"),
        (float("inf"), "Infinity"),
        (float("nan"), "NaN"),
    ],
)
def test_java_double(value: float, text: str) -> None:
    assert java_double(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "null"),
        (True, "true"),
        ("x", "x"),
        (12, "12"),
        (2.5, "2.5"),
        ([1, "a", None], "[1, a, null]"),
        ({"Arg1": 1, "Arg2": []}, "{Arg1=1, Arg2=[]}"),
        ({"o": {"p": [True]}}, "{o={p=[true]}}"),
        ([], "[]"),
        ({}, "{}"),
    ],
)
def test_java_string(value: Any, text: str) -> None:
    assert java_string(value) == text


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (None, 0),
        (True, 1231),
        (False, 1237),
        (1, 1),
        (-7, -7),
        (2**31, -2147483648),
        (2**40 + 5, 261),
        ("a", 97),
        ("hello", 99162322),
        ("🚀", 1773027),
        (1.0, 1072693248),
        ([1, 2], 994),
        ({"a": 1}, 96),
        (2**70, 61504),
    ],
)
def test_java_hash(value: Any, code: int) -> None:
    assert java_hash(value) == code


def test_hash_set_order_resizes_like_java() -> None:
    # 13 distinct strings: new HashSet<>(list) sizes the table at 32, so "a".."m" (97..109) come out
    # ordered by hash & 31: 96+1..96+13 -> buckets 1..13 in ascending order.
    letters = [chr(code) for code in range(ord("m"), ord("a") - 1, -1)]
    assert hash_set_order(letters) == sorted(letters)
    # Equal in Java terms: object key order ignored; 1 and 1.0 differ; true and 1 differ.
    assert hash_set_order([{"a": 1, "b": 2}, {"b": 2, "a": 1}]) == [{"a": 1, "b": 2}]
    assert len(hash_set_order([1, 1.0, True])) == 3


def test_java_random_matches_the_jdk() -> None:
    # Values printed by new java.util.Random(42).nextInt(bound) on JDK 17.
    generator = JavaRandom(42)
    assert [generator.next_int(10) for _ in range(6)] == [0, 3, 8, 4, 0, 5]
    assert JavaRandom(42).next_int(16) == 11  # a power-of-two bound takes the high bits
    with pytest.raises(ValueError):
        JavaRandom(1).next_int(0)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ({"a": [1, 2.5, "x"], "b": None}, '{"a":[1,2.5,"x"],"b":null}'),
        ([1e20, 1e-5, 12345678.0, 0.0001, 1e16], "[1.0E20,1.0E-5,1.2345678E7,1.0E-4,1.0E16]"),
        ('é\u001f\n"\\', '"é\\u001F\\n\\"\\\\"'),
        ("\\u001f", '"\\\\u001f"'),  # an escaped backslash followed by text is left alone
        ({"e+1": "0.0001"}, '{"e+1":"0.0001"}'),  # look-alikes inside strings are not numbers
    ],
)
def test_to_json_writes_like_jackson(value: Any, text: str) -> None:
    assert to_json(value) == text


@pytest.mark.parametrize(
    ("text", "value"),
    [("", None), ("  \n", None), ("-0", 0), ('{"a":1} trailing', {"a": 1}), ("1 2", 1), ("[]", [])],
)
def test_parse_json_like_read_tree(text: str, value: Any) -> None:
    assert parse_json(text) == value


JACKSON_MESSAGES = json.loads((Path(__file__).parent / "jackson_messages.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", JACKSON_MESSAGES["cases"], ids=lambda case: repr(case["text"][:20]))
def test_parse_json_errors_read_like_jackson(case: dict[str, str]) -> None:
    with pytest.raises(JsonTextError) as caught:
        parse_json(case["text"])
    assert str(caught.value) == case["message"]


def test_parse_json_locations_count_lines() -> None:
    with pytest.raises(JsonTextError) as caught:
        parse_json('{\n  "a": x}')
    assert str(caught.value).endswith("line: 2, column: 9]")
