"""Turning a mocked case's recorded task events into the engine's per-state mocks.

For each state, in recorded order, a ``*Succeeded`` event's output becomes ``{"Return": output}``
and a ``*Failed`` event becomes ``{"Throw": {"Error": error, "Cause": cause}}``. Scheduled,
started and submitted events carry no result.

A few recordings hid a Task's ``Resource`` behind a placeholder (``activity_arn``). AWS saw a real
ARN there, and the engine needs one to know the kind of task. The recorded events say which kind
(``Activity*``, ``LambdaFunction*``); without events, the placeholder's own name does
(``activity_arn``, ``<lambda_function_arn>``). An ARN of that kind is put in its place.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from asl_engine.conformance.case import Case

MockSpec = dict[str, list[dict[str, Any]]]

RECORDING_REGION = "us-east-1"
RECORDING_ACCOUNT = "111111111111"
_ARN_KIND_BY_EVENT_PREFIX = {
    "Activity": f"arn:aws:states:{RECORDING_REGION}:{RECORDING_ACCOUNT}:activity:{{name}}",
    "LambdaFunction": f"arn:aws:lambda:{RECORDING_REGION}:{RECORDING_ACCOUNT}:function:{{name}}",
}
_NAME_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")
_ARN_PLACEHOLDER = re.compile(r"[a-z0-9_]+_arn")


def build_mocks(task_results: Sequence[Mapping[str, Any]]) -> MockSpec:
    """``{state: [response, ...]}`` in invocation order, from the recorded task events."""
    mocks: MockSpec = {}
    for result in task_results:
        event = str(result.get("event", ""))
        state = str(result.get("state"))
        if event.endswith("Succeeded"):
            mocks.setdefault(state, []).append({"Return": result.get("output")})
        elif event.endswith("Failed"):
            thrown: dict[str, Any] = {}
            if result.get("error") is not None:
                thrown["Error"] = result["error"]
            if result.get("cause") is not None:
                thrown["Cause"] = cause_text(result["cause"])
            mocks.setdefault(state, []).append({"Throw": thrown})
    return mocks


def cause_text(cause: Any) -> str:
    """AWS's cause is text; the recordings parsed JSON causes, so they are serialized back compactly."""
    if isinstance(cause, str):
        return cause
    return json.dumps(cause, ensure_ascii=False, separators=(",", ":"))


def resolve_resource_placeholders(case: Case) -> Any:
    """The case's definition with placeholder Task resources replaced (the same object if none)."""
    kinds = _task_kinds(case.task_results)

    def replace(state_name: str, resource: Any) -> Any:
        if not isinstance(resource, str) or resource.startswith("arn:"):
            return resource
        if not _is_placeholder(resource, case.placeholders):
            return resource
        template = kinds.get(state_name) or _kind_from_name(resource)
        if template is None:
            return resource
        return template.format(name=placeholder_resource_name(resource))

    return _map_task_resources(case.definition, replace)


def placeholder_resource_name(resource: str) -> str:
    """The name an ARN put in place of a placeholder Resource carries (``activity_arn`` -> ``activity_arn``)."""
    return _NAME_UNSAFE.sub("-", resource.strip("<>")).strip("-") or "recorded"


def _is_placeholder(resource: str, placeholders: frozenset[str]) -> bool:
    """Listed placeholders, ``<...>`` and the recordings' ``*_arn`` names (validation cases list none)."""
    return (
        resource in placeholders
        or (resource.startswith("<") and resource.endswith(">"))
        or _ARN_PLACEHOLDER.fullmatch(resource) is not None
    )


def _kind_from_name(placeholder: str) -> str | None:
    lowered = placeholder.lower()
    if "activity" in lowered:
        return _ARN_KIND_BY_EVENT_PREFIX["Activity"]
    if "lambda" in lowered or "function" in lowered:
        return _ARN_KIND_BY_EVENT_PREFIX["LambdaFunction"]
    return None


def _task_kinds(task_results: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    kinds: dict[str, str] = {}
    for result in task_results:
        event = str(result.get("event", ""))
        for prefix, template in _ARN_KIND_BY_EVENT_PREFIX.items():
            if event.startswith(prefix):
                kinds.setdefault(str(result.get("state")), template)
    return kinds


def _map_task_resources(machine: Any, replace: Any) -> Any:
    """Copy-on-write walk over every States block (top level, branches, iterators, item processors)."""
    if not isinstance(machine, dict) or not isinstance(machine.get("States"), dict):
        return machine
    states = machine["States"]
    new_states: dict[str, Any] | None = None
    for name, state in states.items():
        updated = _map_state(name, state, replace)
        if updated is not state:
            if new_states is None:
                new_states = dict(states)
            new_states[name] = updated
    return machine if new_states is None else {**machine, "States": new_states}


def _map_state(name: str, state: Any, replace: Any) -> Any:
    if not isinstance(state, dict):
        return state
    changes: dict[str, Any] = {}
    if state.get("Type") == "Task" and "Resource" in state:
        resource = replace(name, state["Resource"])
        if resource is not state["Resource"]:
            changes["Resource"] = resource
    for key in ("Iterator", "ItemProcessor"):
        if key in state:
            inner = _map_task_resources(state[key], replace)
            if inner is not state[key]:
                changes[key] = inner
    if isinstance(state.get("Branches"), list):
        branches = [_map_task_resources(branch, replace) for branch in state["Branches"]]
        if any(new is not old for new, old in zip(branches, state["Branches"], strict=True)):
            changes["Branches"] = branches
    return {**state, **changes} if changes else state
