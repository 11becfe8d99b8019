"""Map iterations that never assign share the Map's variable scope (issue 20): same values, same
quota accounting. Whole histories against scopes of their own: ``test_state_fast_paths.py``."""

from __future__ import annotations

from typing import Any

import pytest

from asl_engine import StateMachine
from asl_engine.runtime.frame import VariableScope
from asl_engine.runtime.run import ExecutionRun
from asl_engine.runtime.states.map_ import MapState, assigns_variables


def machine(processor_states: dict[str, Any]) -> dict[str, Any]:
    return {
        "StartAt": "Set",
        "States": {
            "Set": {"Type": "Pass", "Assign": {"factor": 10, "label": "x"}, "Next": "Each"},
            "Each": {
                "Type": "Map",
                "ItemProcessor": {"StartAt": "Use", "States": processor_states},
                "Next": "After",
            },
            "After": {"Type": "Pass", "Parameters": {"results.$": "$", "label.$": "$label"}, "End": True},
        },
    }


READS = {"Use": {"Type": "Pass", "Parameters": {"n.$": "States.MathAdd($, $factor)"}, "End": True}}
WRITES = {
    "Use": {"Type": "Pass", "Assign": {"mine.$": "$"}, "Next": "Read"},
    "Read": {"Type": "Pass", "Parameters": {"n.$": "$mine"}, "End": True},
}


@pytest.mark.parametrize(
    ("states", "shared"),
    [
        (READS, True),
        (WRITES, False),
        (
            {
                "Use": {
                    "Type": "Choice",
                    "Choices": [{"Next": "E", "Variable": "$", "IsNumeric": True, "Assign": {"a": 1}}],
                },
                "E": {"Type": "Succeed"},
            },
            False,
        ),
        (
            {
                "Use": {
                    "Type": "Map",
                    "ItemProcessor": {
                        "StartAt": "In",
                        "States": {"In": {"Type": "Pass", "Assign": {"b": 1}, "End": True}},
                    },
                    "End": True,
                }
            },
            True,
        ),
    ],
)
def test_a_processor_shares_the_scope_only_when_no_state_of_it_assigns(states: dict[str, Any], shared: bool) -> None:
    assert assigns_variables({"States": states}) is not shared
    compiled = StateMachine.from_json(machine(states))._compiled.all_states["Each"]
    assert isinstance(compiled, MapState) and compiled.iterations_share_variables is shared


@pytest.mark.parametrize("states", [READS, WRITES])
def test_iterations_read_the_same_variables_and_release_only_their_own(
    states: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    released: list[VariableScope] = []
    release = ExecutionRun.release_variables

    def watched(self: ExecutionRun, scope: VariableScope) -> None:
        released.append(scope)
        release(self, scope)

    monkeypatch.setattr(ExecutionRun, "release_variables", watched)
    execution = StateMachine.from_json(machine(states)).execute([1, 2, 3])
    assert execution.status == "SUCCEEDED", execution.cause
    expected = [11, 12, 13] if states is READS else [1, 2, 3]
    assert execution.output == {"results": [{"n": n} for n in expected], "label": "x"}
    # The Map's own scope (holding factor and label) is never released by an iteration.
    assert all("factor" not in scope.values for scope in released)
    assert len(released) == (0 if states is READS else 3)
