"""Per-test mocks: sequences, repeats, callables, the engine's shape, usage tracking, MockConfigFile."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from asl_engine import ConfigurationError, StatesError
from asl_engine.runtime.handlers import TaskRequest
from asl_engine.testing import AslEnvironment, MockConfig, MockSet, Return, Throw
from tests.testing.machines import order_machine

PLAIN = {"kind": "plain", "total": 5}


def test_a_sequence_of_errors_then_a_result_drives_retry() -> None:
    environment = AslEnvironment()
    environment.mocks.raises("Charge", "Card.Busy", times=2).returns("Charge", {"id": 7}).returns("Ship", {})
    execution = environment.execute(order_machine(), PLAIN)
    assert execution.output == {**PLAIN, "charge": {"id": 7}}
    assert [r.invocation for r in environment.mocks.calls("Charge")] == [0, 1, 2]


def test_a_callable_sees_the_task_input_and_may_fail_the_task() -> None:
    seen: list[Any] = []

    def charge(request: TaskRequest) -> Any:
        seen.append((request.state_name, request.parameters, request.invocation))
        if request.parameters["total"] > 100:
            raise StatesError("Card.Declined", "over the limit")
        return {"charged": request.parameters["total"]}

    environment = AslEnvironment()
    environment.mocks.answers("Charge", charge).returns("Ship", None)
    assert environment.execute(order_machine(), PLAIN).output["charge"] == {"charged": 5}
    declined = environment.execute(order_machine(), {"kind": "plain", "total": 500})
    assert declined.output == "refunded"
    assert seen == [("Charge", PLAIN, 0), ("Charge", {"kind": "plain", "total": 500}, 0)]


def test_responses_in_the_engine_shape_are_accepted() -> None:
    mocks = MockSet()
    mocks["Charge"] = {"0": {"Throw": {"Error": "Card.Busy", "Cause": "c"}}, "1-2": {"Return": 1}}
    mocks["Ship"] = Return({"MessageId": "x"})
    assert mocks["Charge"].responses == [Throw("Card.Busy", "c"), Return(1), Return(1)]
    assert mocks["Ship"].repeat == Return({"MessageId": "x"})
    with pytest.raises(ConfigurationError, match="contiguous"):
        mocks["Charge"] = {"0": {"Return": 1}, "2": {"Return": 2}}
    with pytest.raises(ConfigurationError, match='"Return": value'):
        mocks["Charge"] = [{"Retrun": 1}]


def test_a_repeating_response_must_be_last() -> None:
    mocks = MockSet().returns("Charge", 1)
    with pytest.raises(ConfigurationError, match="already answers every invocation"):
        mocks.raises("Charge", "Boom")
    with pytest.raises(ConfigurationError, match="positive integer"):
        MockSet().returns("Charge", 1, times=0)


def test_running_past_the_last_response_fails_the_task_with_a_hint() -> None:
    environment = AslEnvironment()
    environment.mocks.raises("Charge", "Card.Busy").returns("Ship", {})
    execution = environment.execute(order_machine(), PLAIN)
    assert execution.error == "States.Runtime"
    assert "invoked 2 times but its mock defines only 1 response(s)" in (execution.cause or "")


def test_unused_mocks_are_listed_with_a_did_you_mean() -> None:
    mocks = MockSet().returns("Chrage", 1).raises("Ship", "X", times=2)
    environment = AslEnvironment(mocks=mocks)
    mocks.returns("Charge", {})
    environment.execute(order_machine(), PLAIN)
    assert mocks.unused(order_machine().compiled.all_states) == [
        "the mock for 'Chrage' was never called (no state 'Chrage' ran; did you mean 'Charge'?)",
        "the mock for 'Ship' left response #1 (throws X) unused",
    ]


def test_a_mock_set_also_works_with_a_plain_execute() -> None:
    mocks = MockSet().returns("Charge", 1).returns("Ship", 2)
    execution = order_machine().execute(PLAIN, resources=mocks)
    assert execution.status == "SUCCEEDED"
    assert len(mocks.calls("Ship")) == 1 and mocks.unused() == []


# -- MockConfigFile ---------------------------------------------------------------------------------------

CONFIG = {
    "StateMachines": {
        "order": {
            "TestCases": {
                "HappyPath": {"Charge": "ChargeOk", "Ship": "Sent"},
                "BusyThenDeclined": {"Charge": "BusyThenDeclined"},
            }
        },
        "other": {"TestCases": {"HappyPath": {"X": "Sent"}}},
    },
    "MockedResponses": {
        "ChargeOk": {"0": {"Return": {"id": 1}}},
        "Sent": {"0": {"Return": {"MessageId": "m"}}},
        "BusyThenDeclined": {"0-1": {"Throw": {"Error": "Card.Busy"}}, "2": {"Throw": {"Error": "Card.Declined"}}},
    },
}


def write(tmp_path: Path, document: Any) -> Path:
    path = tmp_path / "MockConfigFile.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_a_test_case_of_a_mock_config_file_mocks_its_states(tmp_path: Path) -> None:
    path = write(tmp_path, CONFIG)
    environment = AslEnvironment(mocks=MockSet(mock_config=path))
    environment.mocks.use_test_case("BusyThenDeclined", state_machine="order")
    execution = environment.execute(order_machine(), PLAIN)
    assert execution.output == "refunded"
    assert MockConfig.load(path).test_cases("order") == ["HappyPath", "BusyThenDeclined"]
    assert MockConfig.load(path) is MockConfig.load(path)  # read once


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ([], "at /: a MockConfigFile is an object"),
        ({"StateMachines": {"m": {}}}, 'at /StateMachines/m: expected an object with "TestCases"'),
        (
            {"StateMachines": {"m": {"TestCases": {"c": {"S": "Missing"}}}}, "MockedResponses": {"R": {}}},
            "at /StateMachines/m/TestCases/c/S: no mocked response named 'Missing' in MockedResponses (defined: R)",
        ),
        ({"MockedResponses": {"R": {"0": {"Return": 1}, "x": {}}}}, "at /MockedResponses/R: mock for state 'R'"),
    ],
)
def test_a_broken_mock_config_file_says_where(tmp_path: Path, document: Any, message: str) -> None:
    with pytest.raises(ConfigurationError) as error:
        MockConfig.load(write(tmp_path, document))
    assert message in str(error.value)


def test_picking_a_test_case(tmp_path: Path) -> None:
    config = MockConfig.load(write(tmp_path, CONFIG))
    assert config.test_case("BusyThenDeclined")["Charge"]["2"] == {"Throw": {"Error": "Card.Declined"}}
    with pytest.raises(
        ConfigurationError, match=r"several state machines have a test case 'HappyPath' \(order, other\)"
    ):
        config.test_case("HappyPath")
    with pytest.raises(ConfigurationError, match=r"has no test case 'Nope' \(its test cases: HappyPath, Busy"):
        config.test_case("Nope", state_machine="order")
    with pytest.raises(ConfigurationError, match="needs a MockConfigFile"):
        MockSet().use_test_case("HappyPath")
