"""The public ``validate``: any source, never raises, positioned and ordered diagnostics, speed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asl_engine.definition.validate import UNREADABLE, validate_document
from asl_engine.errors import ConfigurationError
from asl_engine.validation import validate

from .support import codes, errors, machine

BROKEN = """{
  "StartAt": "A",
  "States": {
    "A": {"Type": "Pass", "Next": "B", "ResultPth": "$.x"},
    "B": {"Type": "Wait", "Seconds": -1, "End": true}
  }
}
"""


def test_text_gets_positions_and_document_order() -> None:
    found = validate(BROKEN)
    assert [(d.location, d.line, d.column) for d in found] == [("/States/A", 4, 5), ("/States/B/Seconds", 5, 27)]


def test_a_file_gets_positions(tmp_path: Path) -> None:
    file = tmp_path / "broken.json"
    file.write_text(BROKEN, encoding="utf-8")
    assert [d.line for d in validate(file)] == [4, 5]
    assert [d.line for d in validate(str(file))] == [4, 5]


def test_a_dict_has_no_positions() -> None:
    found = validate(json.loads(BROKEN))
    assert [(d.line, d.column) for d in found] == [(None, None), (None, None)]


def test_unreadable_file_is_reported_not_raised(tmp_path: Path) -> None:
    [diagnostic] = validate(tmp_path / "missing.json")
    assert diagnostic.code == UNREADABLE
    assert "missing.json" in diagnostic.message


def test_substitutions_are_applied_before_validation() -> None:
    document = machine({"T": {"Type": "Task", "Resource": "${Queue}", "End": True}})
    assert codes(validate(document)) == [("SCHEMA_VALIDATION_FAILED", "/States/T/Resource")]
    assert "Queue" in (validate(document)[0].suggestion or "")
    assert validate_document(document) != []
    ok = validate(document, substitutions={"Queue": "arn:aws:states:::sqs:sendMessage"})
    assert errors(ok) == []


def test_duplicates_from_the_text_are_merged_with_document_checks() -> None:
    text = '{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}, "A": {"Type": "Pas", "End": true}}}'
    assert codes(validate(text)) == [
        ("DUPLICATE_STATE_NAME", "/States/A"),
        ("SCHEMA_VALIDATION_FAILED", "/States/A/Type"),
    ]


def test_diagnostics_are_deduplicated() -> None:
    document = machine({"A": {"Type": "Pass", "End": True, "X": 1, "Y": 2}})
    found = validate(document)
    assert len({(d.code, d.message, d.location) for d in found}) == len(found) == 2


def test_an_unknown_machine_type_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="machine_type"):
        validate({}, machine_type="FAST")


_anything = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "StartAt",
                    "States",
                    "Type",
                    "Next",
                    "End",
                    "Branches",
                    "ItemProcessor",
                    "Choices",
                    "Catch",
                    "Retry",
                    "ErrorEquals",
                    "Resource",
                    "A",
                    "B",
                    "QueryLanguage",
                    "Assign",
                    "Label",
                    "Default",
                    "Iterator",
                    "ProcessorConfig",
                ]
            ),
            children,
            max_size=5,
        )
    ),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(document=_anything, machine_type=st.sampled_from(["STANDARD", "EXPRESS"]))
def test_never_raises_on_any_document(document: Any, machine_type: str) -> None:
    found = validate(document, machine_type=machine_type)
    assert all(d.severity in ("ERROR", "WARNING") for d in found)
    if not isinstance(document, dict):
        assert errors(found)


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=60))
def test_never_raises_on_any_text(text: str) -> None:
    validate(text)


def test_a_valid_machine_then_goes_through_the_engine_compiler() -> None:
    """The schema accepts any string in a ``.$`` field; the compiler's expression check rejects a broken one."""
    document = machine({"A": {"Type": "Pass", "Parameters": {"x.$": "$$$.not a path("}, "End": True}})
    assert validate_document(document) == []  # the document checks alone see nothing wrong
    [found] = validate(document)
    assert (found.severity, found.code, found.location) == (
        "ERROR",
        "SCHEMA_VALIDATION_FAILED",
        "/States/A/Parameters/x.$",
    )
    assert found.message.startswith("The value for the field 'x.$' must be a valid JSONPath or a valid intrinsic")


def test_inner_scope_reusing_an_outer_variable_name_is_a_warning() -> None:
    from asl_engine import validate

    definition = {
        "StartAt": "A",
        "States": {
            "A": {"Type": "Pass", "Assign": {"x": 1}, "Next": "M"},
            "M": {
                "Type": "Map",
                "End": True,
                "ItemProcessor": {
                    "StartAt": "I",
                    "States": {"I": {"Type": "Pass", "Assign": {"x": 2, "fresh": 3}, "End": True}},
                },
            },
        },
    }
    found = [(d.severity, d.code, d.location) for d in validate(definition)]
    assert found == [("WARNING", "VARIABLE_ASSIGNED_IN_OUTER_SCOPE", "/States/M/ItemProcessor/States/I/Assign/x")]


def test_intrinsic_calls_aws_accepts_but_that_always_fail_are_warnings() -> None:
    from asl_engine import validate

    definition = {
        "StartAt": "A",
        "States": {"A": {"Type": "Pass", "End": True, "Parameters": {"n": {"sum.$": "States.MathAdd(1)"}}}},
    }
    found = [(d.severity, d.code, d.location) for d in validate(definition)]
    assert found == [("WARNING", "INTRINSIC_FAILS_AT_RUN_TIME", "/States/A/Parameters/n/sum.$")]


def test_jsonata_expressions_may_not_use_the_input_document_at_top_level() -> None:
    from asl_engine import validate

    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "A",
        "States": {
            "A": {"Type": "Pass", "Output": {"a": "{% $.a %}", "ok": "{% $states.input.xs[$.v > 1] %}"}, "End": True}
        },
    }
    errors = [(d.code, d.location) for d in validate(definition) if d.severity == "ERROR"]
    assert errors == [("SCHEMA_VALIDATION_FAILED", "/States/A/Output/a")]
