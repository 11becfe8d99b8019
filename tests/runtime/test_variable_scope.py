"""A variable scope starts with shared read-only empty mappings (``frame._NONE``) and gets dicts of its
own at its first Assign (``ExecutionRun.assign_variables``): nothing assigned in one scope, execution
or branch may show in another, and the quota must count as before.
"""

from __future__ import annotations

from typing import Any

import pytest

from asl_engine import StateMachine
from asl_engine.runtime import frame as frame_module
from asl_engine.runtime.frame import VariableScope

ASSIGNING = {
    "StartAt": "Set",
    "States": {
        "Set": {"Type": "Pass", "Assign": {"x.$": "$.x"}, "Next": "Read"},
        "Read": {"Type": "Pass", "Parameters": {"x.$": "$x"}, "Assign": {"y": "long text"}, "Next": "Shrink"},
        "Shrink": {"Type": "Pass", "Assign": {"y": "s"}, "End": True},
    },
}


def test_a_new_scope_shares_read_only_empty_mappings() -> None:
    scope, other = VariableScope(), VariableScope(VariableScope())
    assert scope.values is other.values is scope.sizes is frame_module._NONE
    assert not scope.values and not scope.sizes
    with pytest.raises(TypeError):
        scope.values["x"] = 1  # type: ignore[index]
    assert scope.to_data() == {"values": {}, "parent": None}


def test_executions_that_assign_leave_the_shared_mapping_empty() -> None:
    machine = StateMachine.from_json(ASSIGNING)
    first = machine.execute({"x": 1})
    second = machine.execute({"x": 2})
    assert (first.output, second.output) == ({"x": 1}, {"x": 2})
    assert dict(frame_module._NONE) == {}
    # Each state's assignedVariables are its own (the scope copies the first Assign, never keeps it).
    assigned = [
        e["stateExitedEventDetails"].get("assignedVariables") for e in first.history if "stateExitedEventDetails" in e
    ]
    assert assigned == [{"x": "1"}, {"y": '"long text"'}, {"y": '"s"'}]


def test_the_first_assign_gives_the_scope_its_own_dicts_and_the_quota_counts_alike() -> None:
    """Assigning to two scopes that started alike: each has its own values and sizes; assigning again
    updates them, and the run's byte count grows and shrinks with the sizes (the 10 MiB quota)."""
    machine = StateMachine.from_json(ASSIGNING)
    execution = machine.execute({"x": 1})
    run: Any = execution._run
    first, second = VariableScope(), VariableScope()
    before = run.variable_bytes
    run.assign_variables(first, {"a": "xxxx"})
    assert dict(first.values) == {"a": "xxxx"} and dict(first.sizes) == {"a": 6}
    assert second.values is frame_module._NONE and second.sizes is frame_module._NONE
    run.assign_variables(first, {"a": "x", "b": 1})
    assert dict(first.values) == {"a": "x", "b": 1} and dict(first.sizes) == {"a": 3, "b": 1}
    assert run.variable_bytes == before + 4
    run.assign_variables(first, {"e": 22})
    assert dict(first.sizes) == {"a": 3, "b": 1, "e": 2} and dict(first.values) == {"a": "x", "b": 1, "e": 22}
    run.assign_variables(second, {"c": None})
    assert dict(second.values) == {"c": None} and "c" not in first.values
    assert first.stored_bytes == 6 and second.stored_bytes == 4


def test_a_given_dict_of_values_is_kept_and_updated() -> None:
    """A scope made with values (a TestState's variables) keeps that dict and assigns into it."""
    machine = StateMachine.from_json(ASSIGNING)
    run: Any = machine.execute({"x": 1})._run
    values = {"v": 1}
    scope = VariableScope(values=values)
    run.assign_variables(scope, {"w": 2})
    assert scope.values is values and values == {"v": 1, "w": 2}
