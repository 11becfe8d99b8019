"""Against AWS's recordings: rejected definitions get AWS's code and message; accepted ones get no ERROR."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from asl_engine.definition.validate import validate_document
from asl_engine.validation import validate
from tests import recorded

from .support import case_files, errors, resolve_recording_placeholders

VALIDATION = recorded.parameters("validation", [pytest.param(p, id=p.stem[-60:]) for p in case_files("validation")])
ACCEPTED = case_files("self_contained") + case_files("mocked")
_CREATE_MESSAGE = re.compile(
    r"Invalid State Machine Definition: '(?P<code>[A-Z_]+): (?P<message>.*) at (?P<at>\S+)'$", re.DOTALL
)


def _source(case: dict[str, Any]) -> Any:
    raw = case.get("definition_raw")
    return raw if raw is not None else resolve_recording_placeholders(case["definition"])


@pytest.mark.parametrize("path", VALIDATION)
def test_validation_case(path: Path) -> None:
    recorded.require("validation")
    case = json.loads(path.read_text())
    expected = case["expected"]
    found = validate(_source(case), machine_type=case["state_machine_type"])
    shape = [
        {
            "code": d.code,
            "message": d.message,
            "severity": d.severity,
            **({"location": d.location} if d.location is not None else {}),
        }
        for d in found
    ]
    if "validate_result" in expected:
        assert ("FAIL" if errors(found) else "OK") == expected["validate_result"]
        assert shape == expected["diagnostics"]
    else:
        match = _CREATE_MESSAGE.match(expected["message"])
        assert match is not None
        assert [(d.code, d.message, d.location) for d in errors(found)] == [
            (match["code"], match["message"], match["at"])
        ]


def test_no_error_for_any_definition_aws_accepted() -> None:
    recorded.require("self_contained")
    recorded.require("mocked")
    false_positives = []
    for path in ACCEPTED:
        case = json.loads(path.read_text())
        document = resolve_recording_placeholders(case["definition"])
        for diagnostic in errors(validate_document(document, machine_type=case["state_machine_type"])):
            false_positives.append(f"{path.name}: {diagnostic.format()}")
    assert false_positives == []
    assert len(ACCEPTED) > 700
