"""The floor interpreter is a real (if tiny) interpreter: right semantics for what it supports,
no mutation of shared values, and a clear refusal of everything else."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from benchmarks.floor import (
    FloorFailure,
    FloorMachine,
    Unsupported,
    compile_getter,
    compile_intrinsic,
    compile_result_path,
    compile_rule,
    compile_template,
    parse_path,
)

field_names = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True)


@given(st.lists(st.one_of(field_names, st.integers(0, 5)), max_size=6), st.integers())
def test_a_compiled_path_reads_what_it_names(steps: list[Any], leaf: int) -> None:
    value: Any = leaf
    for step in reversed(steps):
        value = {step: value} if isinstance(step, str) else [None] * step + [value]
    path = "$" + "".join(f".{step}" if isinstance(step, str) else f"[{step}]" for step in steps)
    assert parse_path(path) == steps
    assert compile_getter(path)(value) == leaf


@pytest.mark.parametrize("value", [{}, {"a": 1}, {"a": {"c": 1}}, {"a": "text"}, {"a": [1]}, [1], "ab", 3])
def test_a_missing_path_fails_as_a_runtime_error(value: Any) -> None:
    with pytest.raises(FloorFailure) as raised:
        compile_getter("$.a.b")(value)
    assert raised.value.error == "States.Runtime"


def test_an_index_into_a_string_is_missing_not_a_character() -> None:
    with pytest.raises(FloorFailure):
        compile_getter("$.a[0]")({"a": "text"})


@pytest.mark.parametrize("path", ["$.a[*]", "$..a", "$$.Map.Item.Value", "a.b", "$.a[?(@.b)]", "$['a']"])
def test_richer_paths_are_refused(path: str) -> None:
    with pytest.raises(Unsupported):
        compile_getter(path)


def test_result_path_copies_along_its_path_and_never_mutates_the_input() -> None:
    merge = compile_result_path("$.a.b")
    original = {"a": {"b": 1, "keep": [1]}, "other": {"x": 1}}
    merged = merge(original, 2)
    assert merged == {"a": {"b": 2, "keep": [1]}, "other": {"x": 1}}
    assert original == {"a": {"b": 1, "keep": [1]}, "other": {"x": 1}}
    assert merged["other"] is original["other"]  # untouched branches are shared, not copied
    assert compile_result_path("$.new.deep")({}, 1) == {"new": {"deep": 1}}
    assert compile_result_path(None)({"a": 1}, 2) == {"a": 1}
    assert compile_result_path("$")({"a": 1}, 2) == 2
    with pytest.raises(FloorFailure):
        merge([1, 2], 3)


def test_templates_evaluate_paths_and_intrinsics_and_keep_constants() -> None:
    template = compile_template({"a.$": "$.x", "b": {"c.$": "States.MathAdd($.x, 2)"}, "d": [1, {"e.$": "$"}]})
    assert template({"x": 40}) == {"a": 40, "b": {"c": 42}, "d": [1, {"e": {"x": 40}}]}
    constant = {"k": [1, 2]}
    assert compile_template(constant)({}) is constant


def test_intrinsics_nest_and_check_their_arguments() -> None:
    assert compile_intrinsic("States.MathAdd(States.MathAdd($.a, 1), -3)")({"a": 5}) == 3
    with pytest.raises(FloorFailure):
        compile_intrinsic("States.MathAdd($.a, 1)")({"a": "5"})
    with pytest.raises(Unsupported):
        compile_intrinsic("States.Format('{}', $.a)")
    with pytest.raises(Unsupported):
        compile_intrinsic("States.MathAdd($.a)")


def test_choice_rules() -> None:
    rule = compile_rule(
        {"And": [{"Variable": "$.n", "NumericGreaterThan": 1}, {"Not": {"Variable": "$.n", "NumericEquals": 5}}]}
    )
    assert rule({"n": 2}) and not rule({"n": 5}) and not rule({"n": 1})
    assert not compile_rule({"Variable": "$.n", "NumericEquals": 1})({"n": "1"})  # a string is not a number
    assert not compile_rule({"Variable": "$.n", "NumericEquals": 1})({"n": True})
    with pytest.raises(Unsupported):
        compile_rule({"Variable": "$.n", "StringEquals": "a"})


def test_a_machine_records_one_event_per_state_entered() -> None:
    machine = FloorMachine(
        {
            "StartAt": "Add",
            "States": {
                "Add": {"Type": "Pass", "Parameters": {"n.$": "States.MathAdd($.n, 1)"}, "Next": "Check"},
                "Check": {
                    "Type": "Choice",
                    "Choices": [{"Variable": "$.n", "NumericLessThan": 3, "Next": "Add"}],
                    "Default": "Fan",
                },
                "Fan": {
                    "Type": "Parallel",
                    "ResultPath": "$.branches",
                    "Next": "Done",
                    "Branches": [{"StartAt": "B", "States": {"B": {"Type": "Pass", "Result": "b", "End": True}}}],
                },
                "Done": {"Type": "Succeed", "OutputPath": "$.branches"},
            },
        }
    )
    execution = machine.execute({"n": 0})
    assert execution.status == "SUCCEEDED" and execution.output == ["b"]
    assert execution.history is not None
    assert [name for _, name, _ in execution.history] == ["Add", "Check"] * 3 + ["B", "Fan", "Done"]
    assert machine.execute({"n": 0}, history=False).history is None


def test_failures_end_the_execution() -> None:
    machine = FloorMachine(
        {
            "StartAt": "C",
            "States": {
                "C": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericEquals": 1, "Next": "D"}]},
                "D": {"Type": "Succeed"},
            },
        }
    )
    failed = machine.execute({"n": 2})
    assert (failed.status, failed.error, failed.cause) == ("FAILED", "States.NoChoiceMatched", "No Matches!")
    mapped = FloorMachine(
        {
            "StartAt": "M",
            "States": {
                "M": {
                    "Type": "Map",
                    "ItemsPath": "$.x",
                    "End": True,
                    "Iterator": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
                }
            },
        }
    )
    assert mapped.execute({"x": 1}).error == "States.Runtime"
    assert mapped.execute({"x": [1, 2]}).output == [1, 2]


@pytest.mark.parametrize(
    "state",
    [
        {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:f", "End": True},
        {"Type": "Wait", "Seconds": 1, "End": True},
        {"Type": "Pass", "ResultSelector": {}, "End": True},
        {
            "Type": "Map",
            "ItemSelector": {},
            "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Succeed"}}},
            "End": True,
        },
    ],
)
def test_what_the_floor_does_not_implement_is_refused_when_compiling(state: dict[str, Any]) -> None:
    with pytest.raises(Unsupported):
        FloorMachine({"StartAt": "S", "States": {"S": state}})
