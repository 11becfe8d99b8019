from __future__ import annotations

from dataclasses import replace
from typing import Any

from asl_engine.conformance.case import Case
from asl_engine.conformance.definition_checks import create_message
from asl_engine.conformance.results import FAILED, PASSED
from asl_engine.conformance.runner import run_case

from .fakes import FakeDiagnostic, fake_engine, make_case

CREATE_MESSAGE = (
    "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: These fields are required: [States] at /'"
)


def create_case() -> Case:
    return make_case(
        category="validation",
        definition={"StartAt": "A"},
        expected={"create": "FAILED", "error_code": "InvalidDefinition", "message": CREATE_MESSAGE},
    )


def test_a_create_rejection_passes_when_the_engine_rejects_with_the_same_message() -> None:
    engine = fake_engine(
        reject=[
            FakeDiagnostic("SCHEMA_VALIDATION_FAILED", "These fields are required: [States]"),
            FakeDiagnostic("SOME_WARNING", "ignored", "/", "WARNING"),
        ]
    )
    assert run_case(create_case(), engine).outcome == PASSED


def test_a_create_rejection_fails_when_the_engine_accepts() -> None:
    result = run_case(create_case(), fake_engine())
    assert result.outcome == FAILED
    assert result.reason == (
        "AWS rejected the definition (InvalidDefinition: SCHEMA_VALIDATION_FAILED: These fields "
        "are required: [States] at /); the engine accepted it"
    )


def test_a_create_rejection_with_another_message_fails_with_the_difference() -> None:
    engine = fake_engine(reject=[FakeDiagnostic("SCHEMA_VALIDATION_FAILED", "These fields are required: [StartAt]")])
    result = run_case(create_case(), engine)
    assert result.reason == (
        'message: expected "…s are required: [States] at /\'", got "…s are required: [StartAt] at /\'"'
    )


def test_create_messages_join_errors_as_aws_does() -> None:
    message = create_message([FakeDiagnostic("A", "one", "/x"), FakeDiagnostic("B", "two", None)])
    assert message == "Invalid State Machine Definition: 'A: one at /x, B: two'"


def test_validate_results_compare_result_and_diagnostics() -> None:
    expected = {
        "validate_result": "FAIL",
        "diagnostics": [
            {
                "code": "SCHEMA_VALIDATION_FAILED",
                "location": "/",
                "message": "These fields are required: [StartAt]",
                "severity": "ERROR",
            }
        ],
    }
    case = make_case(category="validation", expected=expected, definition={"States": {}})
    same = fake_engine(diagnostics=[FakeDiagnostic("SCHEMA_VALIDATION_FAILED", "These fields are required: [StartAt]")])
    assert run_case(case, same).outcome == PASSED
    other = fake_engine(diagnostics=[FakeDiagnostic("SCHEMA_VALIDATION_FAILED", "x", None)])
    assert run_case(case, other).reason == (
        'diagnostics differ at diagnostics[0].location: missing (expected "/") (+1 more)'
    )
    result_problem, diagnostics_problem = run_case(case, fake_engine()).problems
    assert result_problem == "validate result: expected FAIL, got OK"
    assert diagnostics_problem.startswith("diagnostics differ at diagnostics: expected 1 items, got 0: ")


def test_raw_definitions_are_sent_as_text() -> None:
    seen: list[object] = []
    engine = fake_engine()
    original = engine.validate

    def spy(definition: object, *, machine_type: str = "STANDARD") -> list[Any]:
        seen.append(definition)
        return list(original(definition, machine_type=machine_type))

    case = make_case(
        category="validation", definition_raw="not a definition", expected={"validate_result": "OK", "diagnostics": []}
    )
    assert run_case(case, replace(engine, validate=spy)).outcome == PASSED
    assert seen == ["not a definition"]
