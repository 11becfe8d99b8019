"""What full executions show at each stage of one state's data flow, to hold TestState against.

For a state ``S`` tested with TestState, each stage it reports is worked out again from ordinary
executions of machines built around the same state: the input from ``S``'s ``StateEntered`` event,
the effective input of a Task from its ``TaskScheduled`` parameters, its result from
``TaskSucceeded``, ``afterResultSelector`` from ``S`` without ResultPath and OutputPath,
``afterResultPath`` from ``S`` without OutputPath, ``afterInputPath`` from a Pass state that applies
only ``S``'s InputPath, the variables from a state that assigns them first and ``S``'s
``assignedVariables``, Retry and Catch from the execution's decisions. A Map's or Parallel's
mocked result is produced for real: the item processor passes each item through, and each branch
returns the mocked value for its index.
"""

from __future__ import annotations

import copy
from typing import Any

from asl_engine import Execution, StateMachine
from asl_engine.teststate import TestStateResult

AFTER = "After"
SETUP = "Setup"
JSONATA = "JSONata"


def machine_around(spec: dict[str, Any], *, variables: dict[str, Any] | None, language: str | None) -> dict[str, Any]:
    """``S`` in a machine: a Setup state assigning ``variables`` first, ``After`` (Succeed) and every
    Catch target after it."""
    states: dict[str, Any] = {}
    start = "S"
    if variables:
        states[SETUP] = {"Type": "Pass", "Assign": variables, "Next": "S"}
        if language == JSONATA:
            states[SETUP]["QueryLanguage"] = JSONATA
        start = SETUP
    states["S"] = spec
    targets = {spec["Next"]} if "Next" in spec else set()
    for rule in spec.get("Choices", []):
        targets.add(rule["Next"])
    if "Default" in spec:
        targets.add(spec["Default"])
    for catcher in spec.get("Catch", []):
        targets.add(catcher["Next"])
    for target in sorted(targets):
        states[target] = {"Type": "Succeed"}
    document: dict[str, Any] = {"StartAt": start, "States": states}
    if language is not None:
        document["QueryLanguage"] = language
    return document


def with_next(spec: dict[str, Any]) -> dict[str, Any]:
    spec = copy.deepcopy(spec)
    if spec["Type"] not in ("Choice", "Succeed", "Fail"):
        spec.pop("End", None)
        spec["Next"] = AFTER
    return spec


def run(
    spec: dict[str, Any],
    state_input: Any,
    *,
    mocks: list[dict[str, Any]] | None = None,
    variables: dict[str, Any] | None = None,
    language: str | None = None,
    resources: Any = None,
) -> Execution:
    machine = StateMachine.from_json(machine_around(with_next(spec), variables=variables, language=language))
    options: dict[str, Any] = {"seed": 7}
    if mocks is not None:
        options["mocks"] = {"S": mocks}
    if resources is not None:
        options["resources"] = resources
    return machine.execute(state_input, **options)


def event_details(execution: Execution, *types: str) -> dict[str, Any]:
    """Details of the first event of ``types`` that belongs to state ``S``."""
    inside = False
    for event in execution.events:
        if event.type.endswith("StateEntered"):
            inside = event.details is not None and event.details.get("name") == "S"
        elif event.type.endswith("StateExited") and event.details and event.details.get("name") == "S":
            if event.type in types:
                return dict(event.details)
            inside = False
        if inside and event.type in types:
            return dict(event.details or {})
    raise AssertionError(f"no {types} event for S in {[e.type for e in execution.events]}")


def without(spec: dict[str, Any], *fields: str) -> dict[str, Any]:
    return {key: value for key, value in spec.items() if key not in fields}


def full_execution_stages(
    spec: dict[str, Any],
    state_input: Any,
    *,
    mock: dict[str, Any] | None = None,
    variables: dict[str, Any] | None = None,
    language: str | None = None,
    resources: Any = None,
) -> dict[str, Any]:
    """Every stage TestState may report for ``spec``, as full executions show it."""
    jsonata = (spec.get("QueryLanguage") or language) == JSONATA
    kind = spec["Type"]
    stages: dict[str, Any] = {}
    mocks, real = _realised(spec, mock)
    execution = run(real, state_input, mocks=mocks, variables=variables, language=language, resources=resources)
    stages["input"] = event_details(execution, f"{kind}StateEntered")["input"]
    if not jsonata:
        pass_input = {"Type": "Pass", **({"InputPath": spec["InputPath"]} if "InputPath" in spec else {})}
        stages["afterInputPath"] = run(pass_input, state_input, variables=variables).output
    if kind == "Task":
        scheduled = event_details(execution, "TaskScheduled", "LambdaFunctionScheduled")
        effective = scheduled.get("parameters", scheduled.get("input"))
        stages["afterArguments" if jsonata else "afterParameters"] = effective
        succeeded = _optional(execution, "TaskSucceeded", "LambdaFunctionSucceeded")
        if succeeded is not None:
            stages["result"] = succeeded["output"]
    elif kind == "Pass" and not jsonata:
        if "Result" in spec:
            stages["result"] = spec["Result"]
        else:
            parameters = run(without(spec, "ResultPath", "OutputPath", "Assign"), state_input, variables=variables)
            stages["afterParameters"] = parameters.output
    elif kind == "Parallel":
        identity = {**real, "Branches": [_echo(index) for index in range(len(spec["Branches"]))]}
        fields = ("ResultSelector", "ResultPath", "OutputPath", "Output", "Assign", "Catch", "Retry")
        branch_inputs = run(without(identity, *fields), state_input, variables=variables, language=language)
        stages["afterArguments" if jsonata else "afterParameters"] = branch_inputs.output[0]
        results = run(without(real, *fields), state_input, variables=variables, language=language)
        if results.status == "SUCCEEDED":
            stages["result"] = results.output
    elif kind == "Map":
        selector = without(real, "ResultSelector", "ResultPath", "OutputPath", "Output", "Assign", "Catch", "Retry")
        stages["afterItemSelector"] = run(selector, state_input, variables=variables, language=language).output
        if not jsonata and "ItemsPath" in spec:
            items = {"Type": "Pass", "OutputPath": spec["ItemsPath"], **_input_path(spec)}
            stages["afterItemsPath"] = run(items, state_input, variables=variables).output
        elif not jsonata:
            stages["afterItemsPath"] = stages["afterInputPath"]
    if not jsonata and kind in ("Task", "Pass", "Map", "Parallel") and execution.status == "SUCCEEDED":
        for stage, dropped in (
            ("afterResultSelector", ("ResultPath", "OutputPath", "Assign", "Catch")),
            ("afterResultPath", ("OutputPath", "Assign", "Catch")),
        ):
            partial = run(without(real, *dropped), state_input, mocks=mocks, variables=variables, resources=resources)
            stages[stage] = partial.output
    exited = _optional(execution, f"{kind}StateExited")
    visible = dict(variables or {})
    if exited is not None:
        visible.update(exited.get("assignedVariables") or {})
    if visible:
        stages["variables"] = visible
    stages["status"] = execution.status
    stages["execution"] = execution
    return stages


def _optional(execution: Execution, *types: str) -> dict[str, Any] | None:
    try:
        return event_details(execution, *types)
    except AssertionError:
        return None


def _input_path(spec: dict[str, Any]) -> dict[str, Any]:
    return {"InputPath": spec["InputPath"]} if "InputPath" in spec else {}


_IDENTITY = {"StartAt": "Echo", "States": {"Echo": {"Type": "Pass", "End": True}}}


def _echo(index: int) -> dict[str, Any]:
    """A branch passing its input through (state names are unique across a machine)."""
    return {"StartAt": f"Echo{index}", "States": {f"Echo{index}": {"Type": "Pass", "End": True}}}


def _realised(spec: dict[str, Any], mock: dict[str, Any] | None) -> tuple[list[dict[str, Any]] | None, dict[str, Any]]:
    """The mocks of a full execution, and the state made to produce a Map's or Parallel's mocked
    result for real (a Task keeps its spec and gets the mock)."""
    if mock is None:
        return None, spec
    if spec["Type"] == "Task":
        return [mock], spec
    real = copy.deepcopy(spec)
    failure = {"Type": "Fail", **{k: v for k, v in mock.get("Throw", {}).items() if v is not None}}
    if spec["Type"] == "Parallel":
        if "Throw" in mock:
            real["Branches"] = [
                {"StartAt": f"Boom{index}", "States": {f"Boom{index}": failure}}
                for index in range(len(spec["Branches"]))
            ]
        else:
            real["Branches"] = [
                {
                    "StartAt": f"Value{index}",
                    "States": {f"Value{index}": {"Type": "Pass", "Result": value, "End": True}},
                }
                for index, value in enumerate(mock["Return"])
            ]
        if (spec.get("QueryLanguage")) == JSONATA:
            for item in real["Branches"]:
                for state in item["States"].values():
                    state["QueryLanguage"] = JSONATA
                    if "Result" in state:
                        state["Output"] = state.pop("Result")
        return None, real
    processor = {"StartAt": "Boom", "States": {"Boom": failure}} if "Throw" in mock else _IDENTITY
    real["ItemProcessor"] = {"ProcessorConfig": {"Mode": "INLINE"}, **processor}
    return None, real


def assert_matches_full_execution(result: TestStateResult, stages: dict[str, Any]) -> None:
    """Every stage TestState reported equals what the full executions showed, and so do the output
    and the next state."""
    assert result.inspection_data, "DEBUG must report inspection data"
    for stage, value in result.inspection_data.items():
        if stage in ("errorDetails", "maxConcurrency", "toleratedFailureCount", "toleratedFailurePercentage"):
            continue
        assert stage in stages, f"TestState reported {stage}, which no full execution shows"
        assert value == stages[stage], f"{stage}: TestState {value!r}, full execution {stages[stage]!r}"
    execution: Execution = stages["execution"]
    if result.status in ("SUCCEEDED", "CAUGHT_ERROR"):
        exited = [e for e in execution.events if e.type.endswith("StateExited") and e.details["name"] == "S"]
        assert exited, "the full execution did not finish S"
        assert result.output == exited[-1].details["output"]
        after_exit = [e for e in execution.events if e.id > exited[-1].id]
        following = next((e.details["name"] for e in after_exit if e.type.endswith("StateEntered")), None)
        assert result.next_state == following
    else:
        assert (result.error, result.cause) == (execution.error, execution.cause)
