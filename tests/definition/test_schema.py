"""The schema file and the translation of its errors into AWS's wording."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema.validators import validator_for

from asl_engine.definition import schema as schema_module
from asl_engine.definition.validate import validate_document
from asl_engine.errors import ConfigurationError
from tests import recorded

from .support import case_files, errors, machine

PASS_END = {"Type": "Pass", "End": True}


def only_error(document: dict[str, Any], machine_type: str = "STANDARD") -> Any:
    found = errors(validate_document(document, machine_type=machine_type))
    assert len(found) == 1, found
    return found[0]


def test_schema_file_is_a_valid_draft_2020_12_schema() -> None:
    document = json.loads(schema_module.SCHEMA_PATH.read_text())
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    validator_for(document).check_schema(document)


def test_required_fields_are_listed_in_aws_order() -> None:
    diagnostic = only_error({})
    assert (diagnostic.message, diagnostic.location) == ("These fields are required: [States, StartAt]", "/")


def test_unknown_field_is_not_supported_at_the_state_with_a_suggestion() -> None:
    diagnostic = only_error(machine({"A": {"Type": "Pass", "End": True, "ResultPth": "$.x"}}))
    assert (diagnostic.message, diagnostic.location) == ("Field 'ResultPth' is not supported", "/States/A")
    assert diagnostic.suggestion == "did you mean 'ResultPath'?"


def test_a_field_of_the_other_query_language_is_explained() -> None:
    diagnostic = only_error(machine({"A": {"Type": "Pass", "End": True, "Output": {}}}))
    assert diagnostic.message == "Field 'Output' is not supported"
    assert "JSONata" in (diagnostic.suggestion or "")


def test_unknown_type_lists_the_types_and_suggests_one() -> None:
    diagnostic = only_error(machine({"A": {"Type": "Passs", "End": True}}))
    assert diagnostic.message == (
        "The field 'Type' should have one of these values: [Task, Wait, Pass, Succeed, Fail, Choice, Parallel, Map]"
    )
    assert (diagnostic.location, diagnostic.suggestion) == ("/States/A/Type", "did you mean 'Pass'?")


def test_enum_values_get_suggestions() -> None:
    task = {
        "Type": "Task",
        "Resource": "arn:aws:states:::sqs:sendMessage",
        "End": True,
        "Retry": [{"ErrorEquals": ["States.ALL"], "JitterStrategy": "FUL"}],
    }
    diagnostic = only_error(machine({"A": task}))
    assert diagnostic.location == "/States/A/Retry/0/JitterStrategy"
    assert diagnostic.message == "The field 'JitterStrategy' should have one of these values: [FULL, NONE]"
    assert diagnostic.suggestion == "did you mean 'FULL'?"


def test_empty_branches() -> None:
    diagnostic = only_error(machine({"P": {"Type": "Parallel", "Branches": [], "End": True}}))
    assert (diagnostic.message, diagnostic.location) == ("Value cannot be empty", "/States/P/Branches")


@pytest.mark.parametrize("timestamp", ["2016-03-14 01:59:00Z", "2016-03-14T01:59:00", "2016-13-14T01:59:00Z"])
def test_wait_timestamp_must_be_rfc3339(timestamp: str) -> None:
    diagnostic = only_error(machine({"W": {"Type": "Wait", "Timestamp": timestamp, "End": True}}))
    assert (diagnostic.message, diagnostic.location) == (
        "String does not match RFC3339 timestamp",
        "/States/W/Timestamp",
    )


def test_credentials_need_a_role() -> None:
    task = {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage", "End": True, "Credentials": {}}
    diagnostic = only_error(machine({"T": task}))
    assert (diagnostic.message, diagnostic.location) == (
        "The field 'RoleArn' is required but was missing",
        "/States/T/Credentials",
    )


def test_mutually_exclusive_fields() -> None:
    task = {
        "Type": "Task",
        "Resource": "arn:aws:states:::sqs:sendMessage",
        "End": True,
        "TimeoutSeconds": 5,
        "TimeoutSecondsPath": "$.t",
    }
    diagnostic = only_error(machine({"T": task}))
    assert diagnostic.message == "The following fields are mutually exclusive: [TimeoutSeconds, TimeoutSecondsPath]"


def test_next_and_end_together_or_neither() -> None:
    both = only_error(machine({"A": {"Type": "Pass", "End": True, "Next": "B"}, "B": PASS_END}))
    assert (both.message, both.location) == ("The fields 'Next' and 'End' are mutually exclusive", "/States/A")
    neither = errors(validate_document(machine({"A": {"Type": "Pass"}})))
    assert [(d.code, d.message) for d in neither] == [
        ("SCHEMA_VALIDATION_FAILED", "Either 'Next' or 'End': true is required"),
        ("MISSING_END_STATE", "Workflow has no terminal state"),
    ]


def test_ranges() -> None:
    task = {
        "Type": "Task",
        "Resource": "arn:aws:states:::sqs:sendMessage",
        "End": True,
        "Retry": [{"ErrorEquals": ["X"], "BackoffRate": 0.5}],
    }
    diagnostic = only_error(machine({"T": task}))
    assert diagnostic.message == "The field 'BackoffRate' must be greater than or equal to 1.0"


def test_choice_rule_with_two_operators() -> None:
    rule = {"Variable": "$.x", "NumericEquals": 1, "StringEquals": "a", "Next": "B"}
    diagnostic = only_error(machine({"C": {"Type": "Choice", "Choices": [rule], "Default": "B"}, "B": PASS_END}))
    assert (diagnostic.message, diagnostic.location) == (
        "Each Choice Rule can only have one comparison operator.",
        "/States/C/Choices/0",
    )


def test_jsonata_choice_rule_needs_a_condition() -> None:
    document = machine(
        {"C": {"Type": "Choice", "Choices": [{"Next": "B"}], "Default": "B"}, "B": PASS_END}, QueryLanguage="JSONata"
    )
    diagnostic = only_error(document)
    assert diagnostic.message == "These fields are required: [Condition]"


def test_too_long_state_name() -> None:
    name = "N" * 81
    diagnostic = only_error(machine({name: PASS_END}))
    assert (diagnostic.code, diagnostic.location) == ("INVALID_STATE_NAME", f"/States/{name}")


def test_distributed_map_needs_an_execution_type() -> None:
    processor = {"ProcessorConfig": {"Mode": "DISTRIBUTED"}, "StartAt": "I", "States": {"I": PASS_END}}
    diagnostic = only_error(machine({"M": {"Type": "Map", "ItemProcessor": processor, "End": True}}))
    assert (diagnostic.message, diagnostic.location) == (
        "These fields are required: [ExecutionType]",
        "/States/M/ItemProcessor/ProcessorConfig",
    )


def test_a_missing_schema_file_is_a_clear_configuration_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(schema_module, "SCHEMA_PATH", tmp_path / "asl.schema.json")
    schema_module.load_schema.cache_clear()
    try:
        with pytest.raises(ConfigurationError, match="ASL JSON Schema is missing"):
            schema_module.load_schema()
    finally:
        schema_module.load_schema.cache_clear()


def test_the_whole_schema_alone_agrees_with_the_validator_on_recorded_definitions() -> None:
    recorded.require("self_contained")
    recorded.require("mocked")
    files = case_files("self_contained") + case_files("mocked")
    whole = schema_module.load_schema().root_validator
    for path in files:
        document = json.loads(path.read_text())["definition"]
        assert whole.is_valid(document), path.name


@pytest.mark.parametrize(
    "document",
    [
        machine({"A": {"Type": "Pass", "End": True, "ResultPth": "$.x"}}),
        machine(
            {
                "P": {
                    "Type": "Parallel",
                    "End": True,
                    "Branches": [{"StartAt": "B", "States": {"B": {"Type": "Wait", "Seconds": -1, "End": True}}}],
                }
            }
        ),
        machine({"A": {"Type": "Pass", "End": True, "QueryLanguage": "JSONPath"}}, QueryLanguage="JSONata"),
        machine(
            {
                "M": {
                    "Type": "Map",
                    "End": True,
                    "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True, "Output": 1}}},
                }
            }
        ),
    ],
)
def test_the_whole_schema_alone_rejects_nested_mistakes(document: dict[str, Any]) -> None:
    assert not schema_module.load_schema().root_validator.is_valid(document)
    assert errors(validate_document(document))
