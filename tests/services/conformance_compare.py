"""Comparing an execution with a recorded conformance case (rules of shared/conformance/README.md).

On top of the README's rules: ``SdkHttpMetadata`` and ``SdkResponseMetadata`` carry per-request
values (request ids, dates, trace ids) that recordings replaced by names, so for them the
comparison checks the structure (the same header names, status code, and the Content-Type and
Content-Length values AWS sent) rather than the volatile values.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

_PLACEHOLDER = re.compile(r"<[^<>]*>")
_VOLATILE_HEADERS = {"x-amzn-requestid", "date", "x-amzn-trace-id", "x-amz-crc32", "server"}


class Comparison:
    def __init__(self, case: Mapping[str, Any]) -> None:
        comparison = case.get("comparison", {})
        self.placeholders: list[str] = [p for p in comparison.get("placeholders", []) if p != "111111111111"]
        self.value_placeholders = set(comparison.get("value_placeholders", [])) | {"timestamp", "date"}
        self.problems: list[str] = []

    def same(self, expected: Any, actual: Any, path: str = "$") -> None:
        if isinstance(expected, str) and expected in self.value_placeholders:
            if actual is None:
                self.problems.append(f"{path}: expected a value, got null")
            return
        if isinstance(expected, dict):
            if not isinstance(actual, dict):
                self.problems.append(f"{path}: expected an object, got {actual!r:.200}")
                return
            if set(expected) != set(actual):
                self.problems.append(f"{path}: keys {sorted(expected)} != {sorted(actual)}")
                return
            for key, value in expected.items():
                if key == "SdkHttpMetadata":
                    # The body's length is known only when the recording hid none of its values.
                    hidden = any(_hides_values(v) for k, v in expected.items() if not k.startswith("Sdk"))
                    self._metadata(value, actual[key], f"{path}.{key}", length_known=not hidden)
                elif key == "SdkResponseMetadata":
                    if set(value) != set(actual[key]):
                        self.problems.append(f"{path}.{key}: keys differ")
                else:
                    self.same(value, actual[key], f"{path}.{key}")
            return
        if isinstance(expected, list):
            if not isinstance(actual, list) or len(actual) != len(expected):
                self.problems.append(f"{path}: expected {len(expected)} items, got {actual!r:.200}")
                return
            for index, (e, a) in enumerate(zip(expected, actual, strict=True)):
                self.same(e, a, f"{path}[{index}]")
            return
        if isinstance(expected, str):
            if not isinstance(actual, str) or not self.text_matches(expected, actual):
                self.problems.append(f"{path}: expected {expected!r:.300}, got {actual!r:.300}")
            return
        if isinstance(expected, bool) or isinstance(actual, bool):
            if expected is not actual:
                self.problems.append(f"{path}: expected {expected!r}, got {actual!r}")
            return
        if expected != actual:
            self.problems.append(f"{path}: expected {expected!r}, got {actual!r}")

    def text_matches(self, expected: str, actual: str) -> bool:
        pattern = ""
        position = 0
        tokens = sorted(
            [(m.start(), m.end()) for m in _PLACEHOLDER.finditer(expected)]
            + [(m.start(), m.end()) for p in self.placeholders for m in re.finditer(re.escape(p), expected)]
            + [(m.start(), m.end()) for m in re.finditer("111111111111", expected)]
        )
        for start, end in tokens:
            if start < position:
                continue
            pattern += re.escape(expected[position:start])
            pattern += r"\d{12}" if expected[start:end] == "111111111111" else ".*?"
            position = end
        pattern += re.escape(expected[position:])
        return re.fullmatch(pattern, actual, re.DOTALL) is not None

    def _metadata(self, expected: Any, actual: Any, path: str, *, length_known: bool) -> None:
        if not isinstance(actual, dict) or set(expected) != set(actual):
            self.problems.append(f"{path}: expected members {sorted(expected)}, got {actual!r:.200}")
            return
        if expected["HttpStatusCode"] != actual["HttpStatusCode"]:
            self.problems.append(f"{path}.HttpStatusCode: {expected['HttpStatusCode']} != {actual['HttpStatusCode']}")
        volatile = _VOLATILE_HEADERS if length_known else _VOLATILE_HEADERS | {"content-length"}
        for member in ("HttpHeaders", "AllHttpHeaders"):
            # Header names are case-insensitive (AWS's front ends vary: x-amzn-RequestId, x-amzn-requestid).
            wanted = {name.lower(): value for name, value in expected[member].items()}
            got = {name.lower(): value for name, value in actual[member].items()}
            if set(wanted) != set(got):
                self.problems.append(f"{path}.{member}: names {sorted(wanted)} != {sorted(got)}")
                continue
            for name, value in wanted.items():
                if name not in volatile:
                    self.same(value, got[name], f"{path}.{member}.{name}")


def _hides_values(value: Any) -> bool:
    if isinstance(value, str):
        return bool(_PLACEHOLDER.search(value)) or "111111111111" in value
    if isinstance(value, dict):
        return any(_hides_values(v) for v in value.values())
    if isinstance(value, list):
        return any(_hides_values(v) for v in value)
    return False


def compare_execution(case: Mapping[str, Any], execution: Any) -> list[str]:
    """Every difference between the recorded outcome and the execution (empty: it passes)."""
    expected = case["expected"]
    check = Comparison(case)
    if execution.status != expected["status"]:
        return [f"status {execution.status} ({execution.error}: {execution.cause}) != {expected['status']}"]
    if expected["status"] == "SUCCEEDED":
        check.same(expected.get("output"), execution.output)
    else:
        check.same(expected.get("error"), execution.error, "error")
        if "cause" in expected:
            cause: Any = execution.cause
            if expected.get("cause_is_json") and isinstance(cause, str):
                cause = json.loads(cause)
            check.same(expected["cause"], cause, "cause")
    entered = expected.get("states_entered")
    if entered is not None:
        definition_text = json.dumps(case["definition"])
        unordered = '"Parallel"' in definition_text or '"Map"' in definition_text
        actual = execution.states_entered
        if (sorted(actual) != sorted(entered)) if unordered else (actual != entered):
            check.problems.append(f"states entered {actual} != {entered}")
    return check.problems
