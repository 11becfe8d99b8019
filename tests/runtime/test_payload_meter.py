"""Large payloads: measured piecewise against the quota, encoded for the history only when read."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from asl_engine import InvalidExecutionInput, StateMachine
from asl_engine.runtime.payload_meter import LARGE_TEXT_CHARS, LazyText, PayloadMeter, payload_text

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=20,
)


def encoded_size(value: Any) -> int:
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return len(text.encode("utf-8", "surrogatepass"))


@given(json_values)
def test_the_meter_measures_what_the_encoder_would(value: Any) -> None:
    assert PayloadMeter().size(value) == encoded_size(value)


@given(st.dictionaries(st.text(max_size=4), json_values, max_size=3))
def test_remembered_members_keep_their_size(extra: dict[str, Any]) -> None:
    meter = PayloadMeter()
    shared = {"rows": ["é" * 50] * (LARGE_TEXT_CHARS // 40)}
    first = {"blob": shared, "n": 1}
    assert meter.size(first) == encoded_size(first)
    second = {**extra, "blob": shared}  # a new document sharing the large member
    assert meter.size(second) == encoded_size(second)


def test_long_containers_are_measured_whole() -> None:
    results = [{"index": index} for index in range(1000)]
    assert PayloadMeter().size(results) == encoded_size(results)
    assert PayloadMeter().size({str(index): index for index in range(100)}) == encoded_size(
        {str(index): index for index in range(100)}
    )


def test_lazy_text_encodes_once_on_demand() -> None:
    lazy = LazyText({"a": [1, "ü"]})
    assert payload_text(lazy) == '{"a":[1,"ü"]}'
    assert payload_text(lazy) is payload_text(lazy)
    assert payload_text("[1]") == "[1]"


def chain(count: int, grow: bool = False) -> StateMachine:
    states: dict[str, Any] = {}
    for index in range(count):
        state: dict[str, Any] = {
            "Type": "Pass",
            "InputPath": "$.meta",
            "Parameters": {"count.$": "States.MathAdd($.count, 1)"},
            "ResultPath": "$.meta",
        }
        if grow:  # every state adds one more copy of the blob to the document
            state = {"Type": "Pass", "InputPath": "$.blob", "ResultPath": f"$.copy{index}"}
        states[f"S{index}"] = {**state, "Next": f"S{index + 1}"} if index + 1 < count else {**state, "End": True}
    return StateMachine.from_json({"StartAt": "S0", "States": states})


BLOB = {"items": [{"id": index, "name": f"item-{index}", "tag": "ü"} for index in range(2000)]}


def test_a_large_document_flows_through_with_an_exact_history() -> None:
    execution = chain(5).execute({"meta": {"count": 0}, "blob": BLOB})
    assert execution.output == {"meta": {"count": 5}, "blob": BLOB}
    exited = [event for event in execution.history if event["type"] == "PassStateExited"]
    for index, event in enumerate(exited, start=1):
        text = event["stateExitedEventDetails"]["output"]
        assert json.loads(text) == {"meta": {"count": index}, "blob": BLOB}
        assert text == json.dumps(json.loads(text), separators=(",", ":"), ensure_ascii=False)


@pytest.mark.parametrize("history", [True, False])
def test_a_large_document_that_outgrows_the_quota_fails_at_the_state_that_grew_it(history: bool) -> None:
    blob = {"text": "x" * 70_000}
    execution = chain(5, grow=True).execute({"meta": {}, "blob": blob}, history=history)
    assert execution.error == "States.DataLimitExceeded"
    # S0 holds the blob twice (~140 KB), S1 three times (~210 KB), S2 four times (~280 KB > 256 KiB).
    assert execution.cause is not None and "'S2'" in execution.cause
    if history:
        assert [event.state_name for event in execution.events if event.type == "PassStateExited"] == ["S0", "S1"]


def cyclic() -> dict[str, Any]:
    value: dict[str, Any] = {}
    value["self"] = value
    return value


@pytest.mark.parametrize(
    ("bad_input", "says"),
    [
        ({"x": float("nan")}, "Out of range float values"),
        ({"x": object()}, "not JSON serializable"),
        (cyclic(), "circular reference"),
    ],
)
def test_an_input_that_is_not_json_is_refused_before_anything_runs(bad_input: Any, says: str) -> None:
    machine = StateMachine.from_json({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    with pytest.raises(InvalidExecutionInput, match="Invalid State Machine Execution Input: .*" + says):
        machine.execute(bad_input)


def test_an_input_over_the_quota_fails_the_execution_as_on_aws() -> None:
    machine = StateMachine.from_json({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    execution = machine.execute({"blob": "é" * 140_000})  # 140,000 characters, 280,000 UTF-8 bytes
    assert execution.error == "States.DataLimitExceeded"
    assert [event.type for event in execution.events] == ["ExecutionStarted", "ExecutionFailed"]
