"""Whether an execution reproduced the recording (the README's definition of "pass").

Status must be equal. On SUCCEEDED the output must match; otherwise the error must be equal and
the cause must match (parsed as JSON when the case says ``cause_is_json``), and when AWS recorded
no cause the engine must give none. Each problem is one line saying what differed.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping
from typing import Any

from asl_engine.conformance.match import describe, differences, string_difference
from asl_engine.conformance.wildcards import Wildcards

_NO_VALUE = object()


def outcome_problems(
    expected: Mapping[str, Any], status: str, output: Any, error: str | None, cause: str | None, wildcards: Wildcards
) -> list[str]:
    """Every way the execution's outcome differs from ``expected`` (empty when it passes)."""
    want_status = expected.get("status")
    if status != want_status:
        got = status if status == "SUCCEEDED" else f"{status} ({_failure_summary(error, cause)})"
        return [f"status: expected {want_status}, got {got}"]
    if status == "SUCCEEDED":
        return _output_problems(expected, output, wildcards)
    problems = []
    want_error = expected.get("error")
    if error != want_error:
        problems.append(f"error: expected {describe(want_error)}, got {describe(error)}")
    problems.extend(_cause_problems(expected, cause, wildcards))
    return problems


def _output_problems(expected: Mapping[str, Any], output: Any, wildcards: Wildcards) -> list[str]:
    if "output" not in expected:
        return []
    found = differences(expected["output"], output, wildcards)
    if not found:
        return []
    more = f" (+{len(found) - 1} more)" if len(found) > 1 else ""
    return [f"output differs at {found[0]}{more}"]


def _cause_problems(expected: Mapping[str, Any], cause: str | None, wildcards: Wildcards) -> list[str]:
    want = expected.get("cause", _NO_VALUE)
    if want is _NO_VALUE or want is None:
        return [] if cause is None else [f"cause: AWS reported none, got {describe(cause)}"]
    if cause is None:
        return [f"cause: expected {describe(want)}, got none"]
    if expected.get("cause_is_json"):
        return _json_cause_problems(want, cause, wildcards)
    if not isinstance(want, str):
        want = json.dumps(want, ensure_ascii=False, separators=(",", ":"))
    if wildcards.string_matches(want, cause):
        return []
    return [f"cause: {string_difference(want, cause)}"]


def _json_cause_problems(want: Any, cause: str, wildcards: Wildcards) -> list[str]:
    if isinstance(want, str):
        with contextlib.suppress(ValueError):  # if AWS's own cause is not JSON, compare it as text
            want = json.loads(want)
    try:
        actual = json.loads(cause)
    except ValueError:
        return [f"cause: expected JSON {describe(want)}, got non-JSON {describe(cause)}"]
    found = differences(want, actual, wildcards, path="cause")
    if not found:
        return []
    more = f" (+{len(found) - 1} more)" if len(found) > 1 else ""
    return [f"cause differs at {found[0]}{more}"]


def _failure_summary(error: str | None, cause: str | None) -> str:
    text = error or "no error"
    if cause:
        text += ": " + (cause if len(cause) <= 80 else cause[:79] + "…")
    return text
