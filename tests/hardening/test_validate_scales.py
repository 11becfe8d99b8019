"""validate() is linear in the number of problems: 1,000 errors took 3 s, 3,000 took 25 s, 10,000
took 434 s (suggestions compared every missing name with every state; positions re-scanned the text
for every problem; sorting re-listed every object's keys). The timing target lives in
benchmarks/validate_many.py; here the algorithmic property is asserted by counting the work."""

from __future__ import annotations

import json
from typing import Any

import pytest

from asl_engine import validate
from asl_engine.definition import pointers, suggest


def _missing_targets(count: int) -> dict[str, Any]:
    states: dict[str, Any] = {f"S{i}": {"Type": "Pass", "Next": f"Missing{i}"} for i in range(count)}
    states["S0"] = {"Type": "Pass", "End": True}
    return {"StartAt": "S0", "States": states}


@pytest.mark.parametrize("count", [300, 3_000])
def test_fuzzy_suggestions_spend_a_bounded_budget(count: int, monkeypatch: pytest.MonkeyPatch) -> None:
    budgets: list[suggest.Budget] = []
    original = suggest.Budget.__init__

    def recording(self: suggest.Budget, comparisons: int = suggest.FUZZY_COMPARISONS) -> None:
        original(self, comparisons)
        budgets.append(self)

    monkeypatch.setattr(suggest.Budget, "__init__", recording)
    diagnostics = validate(_missing_targets(count))
    assert sum(d.code == "MISSING_TRANSITION_TARGET" for d in diagnostics) >= count - 1
    assert len(budgets) == 1 and budgets[0].spent <= suggest.FUZZY_COMPARISONS
    assert any(d.suggestion for d in diagnostics if d.code == "MISSING_TRANSITION_TARGET")


def test_a_case_slip_is_still_suggested_after_the_budget_is_spent() -> None:
    document = _missing_targets(3_000)
    document["States"]["S2999"]["Next"] = "s5"
    found = [d for d in validate(document) if d.location == "/States/S2999/Next"]
    assert found[0].suggestion == "did you mean 'S5'?"


def test_positions_scan_each_object_of_the_text_once(monkeypatch: pytest.MonkeyPatch) -> None:
    scanned: list[int] = []
    original = pointers._scan_members

    def counting(text: str, index: int) -> dict[str, tuple[int, int]]:
        scanned.append(index)
        return original(text, index)

    monkeypatch.setattr(pointers, "_scan_members", counting)
    text = json.dumps(_missing_targets(2_000), indent=2)
    diagnostics = validate(text)
    assert len(diagnostics) > 2_000 and all(d.line is not None for d in diagnostics if d.location)
    assert len(scanned) == len(set(scanned))  # no object scanned twice
    assert len(scanned) <= 2_000 + 2  # the root, States, and each state with a problem


def test_the_locator_agrees_with_the_one_shot_scan() -> None:
    text = '{\n "a": {"b": [1, {"c": 2}], "b2": "x"},\n "a": {"b": [3]}, "d": [[], {"e": null}]\n}'
    locator = pointers.JsonLocator(text)
    for pointer in ("", "/a", "/a/b", "/a/b/0", "/a/b/1", "/d/1/e", "/d/0", "/missing", "/d/5", "/a/b/x"):
        assert locator.locate(pointer) == pointers.locate_in_json(text, pointer), pointer


def test_a_500_deep_parallel_nest_with_duplicate_names_is_refused_at_once() -> None:
    nest: dict[str, Any] = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}
    for _ in range(500):
        nest = {"StartAt": "A", "States": {"A": {"Type": "Parallel", "Branches": [nest], "End": True}}}
    assert [d.code for d in validate(nest)] == ["NESTING_TOO_DEEP"]
    shallow: dict[str, Any] = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}
    for _ in range(30):
        shallow = {"StartAt": "A", "States": {"A": {"Type": "Parallel", "Branches": [shallow], "End": True}}}
    assert {d.code for d in validate(json.dumps(shallow))} == {"DUPLICATE_STATE_NAME"}
