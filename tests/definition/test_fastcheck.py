"""The compiled yes/no checker must agree with jsonschema on every sub-schema it is used for."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asl_engine.definition.fastcheck import SchemaCompiler, UnsupportedKeywordError, json_equal
from asl_engine.definition.schema import load_schema
from asl_engine.definition.walk import all_states, collect_scopes
from tests import recorded

from .support import case_files

STATE_DEFINITIONS = [
    f"{kind}.{language}"
    for kind in ("Task", "Wait", "Pass", "Succeed", "Fail", "Choice", "Parallel", "Map")
    for language in ("JSONPath", "JSONata")
]


def _agree(definition: str, instance: Any) -> None:
    schema = load_schema()
    assert schema.definition(definition).check(instance) == schema.validator(definition).is_valid(instance), (
        definition,
        instance,
    )


def _corpus_states() -> list[tuple[str, Any]]:
    found = []
    for path in case_files("self_contained")[:200] + case_files("mocked")[:60]:
        document = json.loads(path.read_text())["definition"]
        if isinstance(document, dict):
            found.extend(
                (f"{s.type}.{s.query_language}", s.spec)
                for s in all_states(collect_scopes(document))
                if s.type in {"Task", "Wait", "Pass", "Succeed", "Fail", "Choice", "Parallel", "Map"}
            )
    return found


def test_agrees_on_recorded_states_and_their_mutations() -> None:
    recorded.require("self_contained")
    states = _corpus_states()
    for definition, spec in states:
        _agree(definition, spec)
        for key in list(spec):
            _agree(definition, {k: v for k, v in spec.items() if k != key})  # one field removed
            _agree(definition, {**spec, key: None})
            _agree(definition, {**spec, key: 0})
        _agree(definition, {**spec, "Unknown": 1})
        _agree("Machine", {"StartAt": "A", "States": {"A": spec}})


_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-3, 100000000)
    | st.floats(-2, 200, allow_nan=False)
    | st.sampled_from(
        [
            "",
            "x",
            "$.a",
            "{% $x %}",
            "2016-03-14T01:59:00Z",
            "States.ALL",
            "INLINE",
            "DISTRIBUTED",
            "JSONata",
            "JSONPath",
            "FULL",
            "Pass",
        ]
    ),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "ErrorEquals",
                    "Next",
                    "End",
                    "Variable",
                    "StringEquals",
                    "And",
                    "Not",
                    "Condition",
                    "StartAt",
                    "States",
                    "Mode",
                    "ExecutionType",
                    "ProcessorConfig",
                    "RoleArn",
                    "x",
                ]
            ),
            children,
            max_size=4,
        )
    ),
    max_leaves=10,
)
_fields = st.sampled_from(
    [
        "Next",
        "End",
        "Comment",
        "QueryLanguage",
        "InputPath",
        "OutputPath",
        "Parameters",
        "Result",
        "ResultPath",
        "ResultSelector",
        "Resource",
        "TimeoutSeconds",
        "TimeoutSecondsPath",
        "HeartbeatSeconds",
        "Retry",
        "Catch",
        "Credentials",
        "Assign",
        "Arguments",
        "Output",
        "Choices",
        "Default",
        "Seconds",
        "SecondsPath",
        "Timestamp",
        "Branches",
        "ItemProcessor",
        "Iterator",
        "Items",
        "ItemsPath",
        "MaxConcurrency",
        "ItemReader",
        "ItemBatcher",
        "ResultWriter",
        "ToleratedFailureCount",
        "ToleratedFailurePercentage",
        "Label",
        "Error",
        "Cause",
        "ErrorPath",
    ]
)


@settings(max_examples=400, deadline=None)
@given(definition=st.sampled_from(STATE_DEFINITIONS), spec=st.dictionaries(_fields, _values, max_size=6))
def test_agrees_on_generated_states(definition: str, spec: dict[str, Any]) -> None:
    _agree(definition, {"Type": definition.split(".")[0], **spec})


def test_unknown_keywords_are_refused_rather_than_ignored() -> None:
    with pytest.raises(UnsupportedKeywordError, match="uniqueItems"):
        SchemaCompiler({}).compile({"type": "array", "uniqueItems": True})


def test_json_equality_keeps_booleans_apart_from_numbers() -> None:
    assert json_equal(1, 1.0)
    assert not json_equal(True, 1)
    assert json_equal({"a": [True]}, {"a": [True]})
    assert not json_equal({"a": [True]}, {"a": [1]})


_NAMES = st.text(min_size=0, max_size=90) | st.sampled_from(["", "A", "x" * 80, "x" * 81, "é" * 80, "😀" * 81])


@settings(max_examples=300, deadline=None)
@given(
    states=st.dictionaries(_NAMES, st.dictionaries(st.just("Type"), st.just("Pass")) | _values, max_size=5),
    odd_key=st.none() | st.integers() | st.tuples(st.text(max_size=2)),
)
def test_agrees_on_states_blocks(states: dict[Any, Any], odd_key: Any) -> None:
    """A ``States`` block's names are checked in C (shortest and longest against 1 and 80) when they
    are all exact strings, its states with one C-level isinstance pass; any other key (not a string:
    only a Python dict can have one) takes the general checks. Both must agree with jsonschema."""
    _agree("statesShell", states)
    if odd_key is not None:
        _agree("statesShell", {**states, odd_key: {}})
    _agree("Machine", {"StartAt": "A", "States": states})


@settings(max_examples=200, deadline=None)
@given(
    st.lists(_values | st.text(max_size=3), max_size=4),
    st.sampled_from(["ReaderConfig.JSONPath", "ReaderConfig.JSONata"]),
)
def test_agrees_on_arrays_of_typed_items(items: list[Any], definition: str) -> None:
    """``items`` (and ``additionalProperties``) whose schema is a lone ``type`` test every member in
    one C-level ``map`` (``instance_tests``; ``CSVHeaders``: strings): the same answers as jsonschema."""
    _agree(definition, {"InputType": "CSV", "CSVHeaderLocation": "GIVEN", "CSVHeaders": items})
    _agree(definition, {"CSVHeaders": items})
