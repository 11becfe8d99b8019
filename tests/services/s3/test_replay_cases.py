"""The recorded S3 cases (ItemReaders, ``aws-sdk:s3``) through the embedded S3 and local handlers.

``handlers_from_task_results`` replays what each case's setup put in S3 and lets the embedded S3
answer the tasks, so the recorded outputs (ETags and checksums of the stored bodies, errors) and
the ItemReader results must come out of the engine itself.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from asl_engine import StateMachine
from asl_engine.conformance.handler_replay import handlers_from_task_results, replay_definition, replay_input
from tests import recorded
from tests.services.conformance_compare import compare_execution


def _s3_cases() -> list[Any]:
    selected = []
    for path in recorded.case_files("mocked"):
        case = json.loads(path.read_text())
        if any("s3" in str(call.get("call")) for call in case.get("setup_calls", [])):
            selected.append(pytest.param(case, id=case["id"][:120]))
    return selected


@pytest.mark.parametrize("case", recorded.parameters("mocked", _s3_cases()))
def test_case_through_the_embedded_s3(case: dict[str, Any]) -> None:
    recorded.require("mocked")
    resources = handlers_from_task_results(case)
    machine = StateMachine.from_json(replay_definition(case), machine_type=case["state_machine_type"])
    execution = machine.execute(replay_input(case), resources=resources, seed=5)
    assert compare_execution(case, execution) == []
    expected_types = case["expected"].get("history_event_types")
    if expected_types is not None:
        assert [event["type"] for event in execution.history] == expected_types


def test_the_s3_cases_are_there() -> None:
    recorded.require("mocked")
    assert len(_s3_cases()) >= 25


def test_a_changed_object_is_detected() -> None:
    """The comparison must be able to fail: other data in the bucket gives other items."""
    path = recorded.require_file(
        "mocked", "scenarios_test_base_scenarios_TestBaseScenarios_test_map_item_reader_base_json.json"
    )
    case = json.loads(path.read_text())
    resources = handlers_from_task_results(case)
    resources.s3_object("bucket-name", "file.json", "[1]")
    execution = StateMachine.from_json(replay_definition(case)).execute(replay_input(case), resources=resources)
    assert compare_execution(case, execution) != []
