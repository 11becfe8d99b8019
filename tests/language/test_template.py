"""Payload templates: `.$` keys, constant subtrees shared, AWS's wording for path misses."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from asl_engine.definition import pointers
from asl_engine.language.errors import EvaluationError
from asl_engine.language.scope import SimpleScope
from asl_engine.language.template import TemplateError, compile_template

SCOPE = SimpleScope(context={"State": {"Name": "S"}}, variables={"v": 3})


def test_dynamic_and_literal_keys() -> None:
    template = compile_template({"a.$": "$.x", "b": "$.x", "c": {"d.$": "$$.State.Name"}, "e.$": "$v"})
    assert template.evaluate({"x": 1}, SCOPE) == {"a": 1, "b": "$.x", "c": {"d": "S"}, "e": 3}


def test_constant_templates_are_shared_not_rebuilt() -> None:
    source = {"a": [1, {"b": 2}]}
    template = compile_template(source)
    assert template.constant
    assert template.evaluate({}, SCOPE) is source


def test_constant_subtrees_are_shared_inside_dynamic_templates() -> None:
    constant = {"deep": [1, 2, 3]}
    template = compile_template({"x.$": "$", "k": constant})
    assert template.evaluate(5, SCOPE)["k"] is constant


def test_arrays_with_dynamic_objects_are_processed() -> None:
    template = compile_template({"list": [{"a.$": "$.x"}, 2]})
    assert template.evaluate({"x": 9}, SCOPE) == {"list": [{"a": 9}, 2]}


def test_missing_path_uses_aws_wording() -> None:
    template = compile_template({"value.$": "$.no_such_jsonpath"})
    with pytest.raises(EvaluationError) as caught:
        template.evaluate({"int-literal": 0}, SCOPE)
    assert caught.value.error == "States.Runtime"
    assert caught.value.message == (
        "The JSONPath '$.no_such_jsonpath' specified for the field 'value.$' could not be found in the input "
        "'{\"int-literal\":0}'"
    )


@pytest.mark.parametrize("missing", [0, 1])
@pytest.mark.parametrize("constant", [False, True])
def test_one_and_two_field_templates_build_and_miss_as_the_general_loop(missing: int, constant: bool) -> None:
    """One or two ``.$`` fields are built without the loop (``_small_object``); a constant field
    beside them takes the loop. Values, key order and the field a miss names are the same."""
    paths = ["$.x", "$.y"]
    paths[missing] = "$.gone"
    source: dict[str, object] = {"b.$": paths[0], "a.$": paths[1]}
    if constant:
        source["c"] = 0
    template = compile_template(source)
    ok = compile_template({"b.$": "$.x", "a.$": "$.y", **({"c": 0} if constant else {})})
    built = ok.evaluate({"x": 1, "y": 2}, SCOPE)
    assert list(built.items()) == [("b", 1), ("a", 2), *([("c", 0)] if constant else [])]
    with pytest.raises(EvaluationError) as caught:
        template.evaluate({"x": 1, "y": 2}, SCOPE)
    assert f"for the field '{['b.$', 'a.$'][missing]}'" in caught.value.message
    assert compile_template({"only.$": "$.x"}).evaluate({"x": [1]}, SCOPE) == {"only": [1]}


@pytest.mark.parametrize("missing", [None, "$.x", "$.y"])
def test_constants_between_dynamic_fields_keep_their_places(missing: str | None) -> None:
    """``build_object`` copies the template's shape (every key in order, the constants in place) and
    sets the dynamic members where their keys already are: W1's Parameters, a constant first."""
    constant = {"deep": [1]}
    source = {"step": 1, "b.$": "$.x", "k": constant, "a.$": "$.y", "z": None}
    template = compile_template(source)
    document = {"x": 1, "y": 2}
    if missing is None:
        built = template.evaluate(document, SCOPE)
        assert list(built.items()) == [("step", 1), ("b", 1), ("k", constant), ("a", 2), ("z", None)]
        assert built["k"] is constant
        assert template.evaluate(document, SCOPE) is not built  # a new object each time
        return
    with pytest.raises(EvaluationError) as caught:
        template.evaluate({key: value for key, value in document.items() if f"$.{key}" != missing}, SCOPE)
    assert f"for the field '{'b.$' if missing == '$.x' else 'a.$'}'" in caught.value.message


@pytest.mark.parametrize("value", ["not a path", 1, None, "$.a[", "States.Nope(1)"])
def test_invalid_dynamic_values_are_definition_errors(value: object) -> None:
    with pytest.raises(TemplateError) as caught:
        compile_template({"field.$": value})
    assert "The value for the field 'field.$' must be a valid JSONPath or a valid intrinsic function call" in str(
        caught.value
    )
    assert caught.value.pointer == "/field.$"


def test_duplicate_keys_after_stripping_are_rejected() -> None:
    with pytest.raises(TemplateError, match="both produce the field 'a'"):
        compile_template({"a": 1, "a.$": "$"})


_KEYS = st.text(alphabet="ab/~0", min_size=1, max_size=4)
"""Keys that need escaping in a pointer."""
_VALID = st.recursive(
    st.none() | st.integers() | _KEYS | st.builds(lambda key: {f"{key}.$": "$.x"}, _KEYS),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_KEYS, inner, max_size=3),
    max_leaves=12,
)


def _places(node: Any, pointer: str = "") -> list[tuple[str, Any]]:
    """(pointer, object) of every object in ``node``, itself included."""
    found = [(pointer, node)] if isinstance(node, dict) else []
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, item in items:
        found += _places(item, pointers.join(pointer, key))
    return found


@given(
    st.dictionaries(_KEYS, _VALID, max_size=3), st.sampled_from(["not a path", 1, "$.a[", "States.Nope(1)"]), st.data()
)
def test_an_invalid_value_is_reported_where_it_is(template: dict[str, Any], bad: Any, data: Any) -> None:
    """Pointers are written only on the way out of a failed compilation (each object or array puts
    its key in front): the reported pointer must name the bad ``.$`` key, however deep, escaped."""
    where, container = data.draw(st.sampled_from(_places(template)))
    key = data.draw(_KEYS.filter(lambda key: key not in container and f"{key}.$" not in container)) + ".$"
    container[key] = bad
    with pytest.raises(TemplateError) as caught:
        compile_template(template)
    assert caught.value.pointer == pointers.join(where, key)
    assert f"The value for the field '{key}' must be a valid JSONPath" in caught.value.message


def test_a_clash_inside_an_array_is_reported_at_its_key() -> None:
    with pytest.raises(TemplateError) as caught:
        compile_template({"a/b": [0, {"c~": 1, "c~.$": "$"}]})
    assert caught.value.pointer == "/a~1b/1/c~0.$"
