"""Validation cases: did the engine accept or reject a definition the way AWS did?

Two kinds were recorded. ``CreateStateMachine`` rejections (``expected.error_code`` and
``expected.message``): loading the definition must fail, and the message is built as AWS builds
it, ``Invalid State Machine Definition: 'CODE: message at /pointer, CODE: ...'``.
``ValidateStateMachineDefinition`` results (``expected.validate_result`` and
``expected.diagnostics``): validate() must give the same result and the same diagnostics.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from asl_engine.conformance.case import Case
from asl_engine.conformance.engine import DiagnosticLike, Engine
from asl_engine.conformance.match import differences, string_difference
from asl_engine.conformance.replay import resolve_resource_placeholders
from asl_engine.conformance.wildcards import Wildcards
from asl_engine.validation import INVALID_DEFINITION_PREFIX, invalid_definition_message

INVALID_DEFINITION = "InvalidDefinition"
CREATE_MESSAGE_PREFIX = INVALID_DEFINITION_PREFIX


def definition_source(case: Case) -> Any:
    """What AWS was sent: the raw text when the case recorded one, else the definition object
    (with placeholder Task resources made ARNs again, as AWS saw them)."""
    return case.definition_raw if case.definition_raw is not None else resolve_resource_placeholders(case)


def validation_problems(case: Case, engine: Engine, wildcards: Wildcards) -> list[str]:
    if "validate_result" in case.expected:
        return validate_result_problems(case, engine, wildcards)
    return create_problems(case, engine, wildcards)


def validate_result_problems(case: Case, engine: Engine, wildcards: Wildcards) -> list[str]:
    found = engine.validate(definition_source(case), machine_type=case.machine_type)
    result = "FAIL" if any(d.severity == "ERROR" for d in found) else "OK"
    problems = []
    want_result = case.expected["validate_result"]
    if result != want_result:
        problems.append(f"validate result: expected {want_result}, got {result}")
    want = case.expected.get("diagnostics")
    if want is not None:
        actual = [diagnostic_shape(d) for d in found]
        diffs = differences(want, actual, wildcards, path="diagnostics")
        if diffs:
            more = f" (+{len(diffs) - 1} more)" if len(diffs) > 1 else ""
            problems.append(f"diagnostics differ at {diffs[0]}{more}")
    return problems


def create_problems(case: Case, engine: Engine, wildcards: Wildcards) -> list[str]:
    want_code = case.expected.get("error_code")
    want_message = str(case.expected.get("message", ""))
    try:
        engine.load(definition_source(case), machine_type=case.machine_type)
    except engine.validation_error as error:
        message = create_message(getattr(error, "diagnostics", ()))
    except engine.definition_error as error:
        message = CREATE_MESSAGE_PREFIX + f"'{error}'"
    else:
        return [f"AWS rejected the definition ({want_code}: {_shorten(_unwrap(want_message))}); the engine accepted it"]
    problems = []
    if want_code != INVALID_DEFINITION:
        problems.append(f"error code: expected {want_code}, got {INVALID_DEFINITION}")
    if not wildcards.string_matches(want_message, message):
        problems.append(f"message: {string_difference(want_message, message)}")
    return problems


def create_message(diagnostics: Sequence[DiagnosticLike]) -> str:
    """The message CreateStateMachine gives for these diagnostics (errors only, comma-separated)."""
    return invalid_definition_message(diagnostics)


def _unwrap(message: str) -> str:
    """``Invalid State Machine Definition: 'X'`` -> ``X``."""
    if message.startswith(CREATE_MESSAGE_PREFIX + "'") and message.endswith("'"):
        return message[len(CREATE_MESSAGE_PREFIX) + 1 : -1]
    return message


def _shorten(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def diagnostic_shape(diagnostic: DiagnosticLike) -> dict[str, Any]:
    """AWS's diagnostic shape: code, message, severity, and location when there is one."""
    shape: dict[str, Any] = {"code": diagnostic.code, "message": diagnostic.message, "severity": diagnostic.severity}
    if diagnostic.location is not None:
        shape["location"] = diagnostic.location
    return shape
