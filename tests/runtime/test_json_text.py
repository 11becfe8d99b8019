"""The payload text writers give json.dumps's compact text exactly (issue 20's fast paths)."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from asl_engine.runtime import json_text
from asl_engine.runtime.json_text import object_text_writer, shaped_text_writer, to_json_text

scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text()
values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=4), children, max_size=3),
    max_leaves=8,
)


def dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


@given(values)
def test_to_json_text_is_compact_json(value: Any) -> None:
    assert to_json_text(value) == dumps(value)


@given(st.lists(st.text(), min_size=1, max_size=2, unique=True), st.lists(values, min_size=2, max_size=2))
def test_an_object_writer_writes_what_the_encoder_writes(keys: list[str], members: list[Any]) -> None:
    write = object_text_writer(keys)
    assert write is not None
    value = dict(zip(keys, members, strict=False))
    assert write(value) == dumps(value)
    assert write({**value, "another key": 1}) == dumps({**value, "another key": 1})  # not the shape it was made for


@given(st.lists(st.integers(), max_size=40))
def test_int_texts_are_the_encoders(numbers: list[int]) -> None:
    """An int's text is the encoder's, the first time it is written and from the cache after."""
    for number in numbers + numbers:
        assert to_json_text(number) == dumps(number)
        assert json_text.int_texts.get(number, dumps(number)) == dumps(number)


def test_int_texts_keep_no_more_than_their_size(monkeypatch: Any) -> None:
    monkeypatch.setattr(json_text, "int_texts", {})
    monkeypatch.setattr(json_text, "INT_TEXT_CACHE_SIZE", 3)
    assert [json_text.int_text(number) for number in range(-2, 5)] == ["-2", "-1", "0", "1", "2", "3", "4"]
    assert json_text.int_texts == {-2: "-2", -1: "-1", 0: "0"}


def test_long_ints_are_written_but_not_kept(monkeypatch: Any) -> None:
    monkeypatch.setattr(json_text, "int_texts", {})
    huge = 10**40
    assert json_text.int_text(huge) == str(huge)
    assert json_text.int_text(-(10**19)) == str(-(10**19))  # 21 characters
    assert json_text.int_text(10**19) == str(10**19)  # 20 characters: kept
    assert json_text.int_texts == {10**19: str(10**19)}


def test_cached_int_texts_do_not_leak_into_booleans_or_floats() -> None:
    """``True == 1`` and ``1.0 == 1`` as keys: the writers look ints up only for exact ints."""
    assert to_json_text(1) == "1"
    assert to_json_text(True) == "true"
    assert to_json_text(1.0) == "1.0"
    write = object_text_writer(["a", "b"])
    assert write is not None
    assert write({"a": 1, "b": True}) == '{"a":1,"b":true}'
    assert write({"a": 1.0, "b": 0}) == '{"a":1.0,"b":0}'


def test_writers_are_made_for_one_or_two_keys_only() -> None:
    assert object_text_writer([]) is None
    assert object_text_writer(["a", "b", "c"]) is None
    assert object_text_writer(['q"\u00e9\n'])({'q"\u00e9\n': True}) == '{"q\\"\u00e9\\n":true}'  # type: ignore[misc]


@given(
    st.lists(st.text(max_size=4), min_size=2, max_size=6, unique=True),
    st.lists(st.booleans(), min_size=6, max_size=6),
    st.lists(values, min_size=6, max_size=6),
    st.lists(values, min_size=6, max_size=6),
)
def test_a_shaped_writer_writes_what_the_encoder_writes(
    keys: list[str], constant: list[bool], constants: list[Any], members: list[Any]
) -> None:
    """Constant members' text made once, one or two changing members written in place (W4's
    Parameters); the objects of that template, in its key order, give the encoder's text."""
    shape = [(key, constant[index], constants[index]) for index, key in enumerate(keys)]
    write = shaped_text_writer(shape)
    changing = sum(not is_constant for _, is_constant, _ in shape)
    if changing == len(shape) or not 1 <= changing <= 2:
        assert write is None
        return
    assert write is not None
    value = {key: fixed if is_constant else members[index] for index, (key, is_constant, fixed) in enumerate(shape)}
    assert write(value) == dumps(value)
    assert write({**value, "another key": 1}) == dumps({**value, "another key": 1})  # not the shape it was made for
