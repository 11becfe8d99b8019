"""Replaying a recorded conformance case through local handlers instead of mocks.

A mocked conformance case (``../shared/conformance/cases/mocked``) lists, per state, what AWS
recorded for each task: what was scheduled and what came back. Replaying those outcomes as *mocks*
checks the engine's data flow; replaying them through *local handlers* also checks the
integrations, because the recorded outcome is produced one level lower and must come back in
exactly AWS's shape:

* Lambda (both forms): a local function returns the recorded return value or raises the
  recorded error (``LambdaError`` with the recorded type, message and stack trace); the
  integration wraps it (``lambda:invoke`` response and metadata, error names, spaced or compact
  causes). An invocation AWS answered with ``Lambda.ResourceNotFoundException`` gets no function.
* DynamoDB (optimized and ``aws-sdk``): the embedded DynamoDB answers; a table the recording
  implies exists is created when first used, keyed as the recorded requests show.
* ``states:startExecution``: the child is a local machine that ends as the recorded child did
  (a Pass state with the recorded output, or a Fail state with the recorded error and cause).
* S3 (``aws-sdk:s3`` tasks, ItemReaders): the embedded S3 answers, holding the buckets and
  objects the case's setup calls created (see ``replay_setup``).

Recordings hide some values behind placeholders (``<lambda_function_name>``, ``<region>``) and a
few Task resources are unresolved. ``replay_definition`` and ``replay_input`` give the definition
and input with placeholders turned into usable names (``lambda_function_name``; ``aws``,
``us-east-1``), the same names the handlers are registered under. Expected values keep their
placeholders, which the comparison treats as wildcards. Cases that need what local handlers cannot
give (timeouts, callbacks from outside, other services) raise ``NotReplayable``.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from asl_engine import VirtualClock
from asl_engine.conformance.replay_setup import replay_setup_calls
from asl_engine.conformance.service_replay import (
    REPLAYED_EXTERNAL_ACTIONS,
    add_activity,
    rename,
    resource_names,
    set_up_services,
)
from asl_engine.errors import ConfigurationError
from asl_engine.services.dynamodb import DynamoDBService, DynamoDBServiceError, TableSpec
from asl_engine.services.lambda_ import LambdaError
from asl_engine.services.lambda_.names import InvalidFunctionName, parse_function_name
from asl_engine.services.registry import Resources

REPLAY_REGION = "us-east-1"
REPLAY_START = datetime(2024, 1, 1, tzinfo=UTC)
_PLACEHOLDER = re.compile(r"<([^<>]*)>")
_SCHEDULED = ("LambdaFunctionScheduled", "TaskScheduled", "ActivityScheduled")
_TERMINAL = (
    "LambdaFunctionSucceeded", "LambdaFunctionFailed", "TaskSucceeded", "TaskFailed", "ActivitySucceeded",
    "ActivityFailed",
)  # fmt: skip
_TIMED_OUT = ("LambdaFunctionTimedOut", "TaskTimedOut", "ActivityTimedOut")
_EMBEDDED = (
    "dynamodb",
    "aws-sdk:dynamodb",
    "aws-sdk:s3",
    "sqs",
    "sns",
    "events",
    "apigateway",
    "aws-sdk:secretsmanager",
)
"""Kinds of task the embedded services answer as they are (their setup aside)."""
_OVERSIZED_RESULT = "x" * 262_144
"""A return value over Step Functions' 256 KiB limit, for recordings of States.DataLimitExceeded."""


class NotReplayable(ConfigurationError):
    """The case needs behaviour local handlers cannot reproduce (timeouts, outside callbacks...)."""


def sanitize(value: Any) -> Any:
    """Replace recording placeholders in every string of a JSON value with usable names."""
    if isinstance(value, str):
        return _PLACEHOLDER.sub(_replacement, value)
    if isinstance(value, list):
        return [sanitize(item) for item in value]
    if isinstance(value, dict):
        return {sanitize(key): sanitize(item) for key, item in value.items()}
    return value


def _replacement(match: re.Match[str]) -> str:
    token = match.group(1)
    if token == "partition":
        return "aws"
    if token == "region":
        return REPLAY_REGION
    return re.sub(r"[^A-Za-z0-9_-]+", "_", token).strip("_") or "placeholder"


def replay_input(case: Mapping[str, Any]) -> Any:
    """The case's execution input with placeholders replaced (see ``sanitize``), queue URLs and topic ARNs
    the recording hid naming the local ones (``service_replay.resource_names``)."""
    return rename(sanitize(case.get("input")), resource_names(case, sanitize))


def replay_definition(case: Mapping[str, Any]) -> dict[str, Any]:
    """The case's definition with placeholders replaced and unresolved values filled in.

    A Task's unresolved ``Resource`` becomes the function ARN its state was recorded calling; an
    unresolved Parameters/Arguments value (``FunctionName``) becomes the value recorded for it.
    """
    definition = json.loads(json.dumps(case["definition"]))
    recorded = _recorded_requests(case, definition)
    for name, state, _ in _task_states(definition):
        scheduled = recorded.get(name, {})
        resource = state.get("Resource")
        if _unresolved(resource):
            if "resource" not in scheduled or not str(scheduled["resource"]).startswith("arn:"):
                raise NotReplayable(f"the Resource of state {name!r} is unresolved and no recorded call names it")
            state["Resource"] = scheduled["resource"]
        for field_name in ("Parameters", "Arguments"):
            block = state.get(field_name)
            if not isinstance(block, dict):
                continue
            for key, value in list(block.items()):
                if _unresolved(value):
                    recorded_value = (scheduled.get("parameters") or {}).get(key)
                    if recorded_value is None:
                        raise NotReplayable(f"{field_name}.{key} of state {name!r} is unresolved and was not recorded")
                    block[key] = recorded_value
    sanitized: dict[str, Any] = rename(sanitize(definition), resource_names(case, sanitize))
    return sanitized


def _unresolved(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("<unresolved:")


def _recorded_requests(case: Mapping[str, Any], definition: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The first recorded request of each state (``resource``/``parameters``), sanitized.

    Some recordings lost the state names of their task events; those are given, in order, to the
    Task states that have unresolved values and no named recording.
    """
    named: dict[str, dict[str, Any]] = {}
    anonymous: list[dict[str, Any]] = []
    for event in case.get("task_results", []):
        if event.get("event") not in _SCHEDULED:
            continue
        if event.get("state") is None:
            anonymous.append(sanitize(event))
        else:
            named.setdefault(event["state"], sanitize(event))
    for name, state, _ in _task_states(definition):
        needs = _unresolved(state.get("Resource")) or any(
            _unresolved(value)
            for block in (state.get("Parameters"), state.get("Arguments"))
            if isinstance(block, dict)
            for value in block.values()
        )
        if needs and name not in named and anonymous:
            named[name] = anonymous.pop(0)
    return named


def _task_states(scope: Mapping[str, Any], distributed: bool = False) -> Iterator[tuple[str, dict[str, Any], bool]]:
    """Every Task state (name, state, whether it runs inside a Distributed Map), nested ones included."""
    for name, state in scope.get("States", {}).items():
        if not isinstance(state, dict):
            continue
        if state.get("Type") == "Task":
            yield name, state, distributed
        for branch in state.get("Branches", []) or []:
            yield from _task_states(branch, distributed)
        for key in ("ItemProcessor", "Iterator"):
            processor = state.get(key)
            if isinstance(processor, dict):
                mode = (processor.get("ProcessorConfig") or {}).get("Mode")
                yield from _task_states(processor, distributed or mode == "DISTRIBUTED")


@dataclass(slots=True)
class _Call:
    """One recorded task invocation: what was scheduled and how it ended."""

    state: str
    scheduled: dict[str, Any]
    outcome: dict[str, Any] | None = None

    @property
    def resource_type(self) -> str:
        if self.scheduled["event"] == "LambdaFunctionScheduled":
            return "legacy-lambda"
        if self.scheduled["event"] == "ActivityScheduled":
            return "activity"
        return str(self.scheduled.get("resourceType"))

    @property
    def resource(self) -> str:
        return str(self.scheduled.get("resource"))


def _recorded_calls(case: Mapping[str, Any]) -> list[_Call]:
    """The recorded calls, each paired with its outcome (per state, first come first served;
    some recordings list an outcome before its scheduling)."""
    calls: list[_Call] = []
    waiting_calls: dict[Any, list[_Call]] = {}
    waiting_outcomes: dict[Any, list[dict[str, Any]]] = {}
    for raw in case.get("task_results", []):
        event = sanitize(raw)
        kind, state = event.get("event"), event.get("state")
        if kind in _SCHEDULED:
            call = _Call(state, event)
            calls.append(call)
            waiting_calls.setdefault(state, []).append(call)
        elif kind in _TERMINAL or kind in _TIMED_OUT:
            waiting_outcomes.setdefault(state, []).append(event)
        else:
            continue
        pending, outcomes = waiting_calls.get(state, []), waiting_outcomes.get(state, [])
        while pending and outcomes:
            pending.pop(0).outcome = outcomes.pop(0)
    unfinished = [call.state for call in calls if call.outcome is None]
    if unfinished:
        raise NotReplayable(f"recorded calls of {unfinished} never finished (callbacks or aborts)")
    if any(waiting_outcomes.values()):
        raise NotReplayable("the recording has task outcomes without a scheduled call")
    return calls


@dataclass(frozen=True, slots=True)
class HandlerReplay:
    """What replays a case: the local account, and the virtual clock to run it on (a recorded timeout
    is replayed by letting the clock move on, as the recorded test waited)."""

    resources: Resources
    clock: VirtualClock


def handlers_from_task_results(case: Mapping[str, Any]) -> Resources:
    """Local handlers that reproduce a case's recorded task outcomes (see the module docstring).

    Run ``replay_definition(case)`` with ``replay_input(case)`` and these resources (on the clock of
    ``replay_handlers`` when the case records a timeout).
    """
    return replay_handlers(case).resources


def replay_handlers(case: Mapping[str, Any]) -> HandlerReplay:
    """The account and clock that reproduce a case's recorded task outcomes."""
    outside = [action for action in case.get("external_actions") or [] if action not in REPLAYED_EXTERNAL_ACTIONS]
    if outside:
        raise NotReplayable(f"the recording acted on the execution from outside ({', '.join(outside)})")
    if case.get("state_machine_type") == "EXPRESS" and not case.get("task_results"):
        raise NotReplayable("Express executions record no history, so the case holds no task results")
    inside_distributed = [name for name, _, distributed in _task_states(case["definition"]) if distributed]
    if inside_distributed:
        raise NotReplayable(
            f"states {inside_distributed} run in Distributed Map child executions, whose calls the recording "
            "does not hold"
        )
    calls = _recorded_calls(case)
    resources = Resources(dynamodb=_ReplayDynamoDB(calls))
    clock = VirtualClock(REPLAY_START)
    answers = set_up_services(resources, clock, case, sanitize)
    functions: dict[str, _ReplayFunction] = {}
    activities: dict[str, list[_Call]] = {}
    for call in calls:
        kind = call.resource_type
        timed_out = str((call.outcome or {}).get("event", "")).endswith("TimedOut")
        if timed_out and not (kind == "activity" or call.resource.endswith(".waitForTaskToken")):
            raise NotReplayable(f"state {call.state!r} timed out on AWS; local handlers do not take recorded time")
        if kind == "legacy-lambda":
            _add_legacy_call(functions, call)
        elif kind == "lambda" and call.resource == "invoke":
            _add_invoke_call(functions, call)
        elif kind in _EMBEDDED:
            if call.resource.endswith(".waitForTaskToken") and call.outcome is not None:
                answers.expect(call.state, call.outcome, call.scheduled)  # answered by a consumer of the message
        elif kind == "activity":
            activities.setdefault(call.resource, []).append(call)
        elif (
            kind in ("states", "aws-sdk:sfn")
            and call.resource.startswith("startExecution")
            and not call.resource.endswith("waitForTaskToken")
        ):
            _add_child_machine(resources, call)
        else:
            raise NotReplayable(f"state {call.state!r} calls {kind}:{call.resource}, which has no local handler")
    for resource, recorded in activities.items():
        started = _worker_names(case, {call.state for call in recorded})
        add_activity(resources, clock, resource, [(call.outcome or {}, call.scheduled) for call in recorded], started)
    for name, function in functions.items():
        resources.lambda_function(name, function, timeout=900)
    replay_setup_calls(resources, case.get("setup_calls", []), _placeholders(case))
    return HandlerReplay(resources, clock)


def _worker_names(case: Mapping[str, Any], states: set[str]) -> str | None:
    """The worker name the recorded ``ActivityStarted`` events of these states show."""
    for event in case.get("task_results", []):
        if event.get("event") == "ActivityStarted" and event.get("state") in states:
            name = event.get("workerName")
            return name if isinstance(name, str) else None
    return None


def _placeholders(case: Mapping[str, Any]) -> list[str]:
    """The case's placeholder names (a case file keeps them under ``comparison``)."""
    listed = case.get("placeholders") or (case.get("comparison") or {}).get("placeholders") or []
    return [str(name) for name in listed]


# -- Lambda --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _ReplayFunction:
    """A Lambda handler giving back recorded outcomes, picking the one recorded for this event."""

    outcomes: list[tuple[Any, Callable[[], Any]]] = field(default_factory=list)
    used: set[int] = field(default_factory=set)

    def __call__(self, event: Any, context: Any) -> Any:
        free = [i for i in range(len(self.outcomes)) if i not in self.used]
        if not free:
            raise LambdaError("ReplayExhausted", f"more invocations than the {len(self.outcomes)} recorded")
        chosen = next((i for i in free if self.outcomes[i][0] == event), free[0])
        self.used.add(chosen)
        return self.outcomes[chosen][1]()


def _add_legacy_call(functions: dict[str, _ReplayFunction], call: _Call) -> None:
    outcome = call.outcome or {}
    if outcome.get("error") == "Lambda.ResourceNotFoundException":
        return
    try:
        name = parse_function_name(call.resource).name
    except InvalidFunctionName:
        raise NotReplayable(f"state {call.state!r} calls {call.resource!r}, not a function ARN") from None
    output = outcome.get("output")
    if isinstance(output, str):  # the recording keeps JSON text for scalars ("0.0", "\"HelloWorld\"")
        output = _json_or_text(output)
    functions.setdefault(name, _ReplayFunction()).outcomes.append(
        (call.scheduled.get("input"), _returning(outcome, output))
    )


def _add_invoke_call(functions: dict[str, _ReplayFunction], call: _Call) -> None:
    outcome = call.outcome or {}
    parameters = call.scheduled.get("parameters") or {}
    name = parameters.get("FunctionName")
    if not isinstance(name, str):
        raise NotReplayable(f"state {call.state!r}: the recorded FunctionName is not a string")
    error = outcome.get("error")
    if error == "Lambda.ResourceNotFoundException":
        return
    if isinstance(error, str) and error.startswith("Lambda."):
        raise NotReplayable(f"state {call.state!r}: Lambda service error {error} cannot be produced by a handler")
    output = outcome.get("output")
    payload = output.get("Payload") if isinstance(output, dict) else None
    event = parameters.get("Payload")
    event = {} if event is None else _json_or_text(event) if isinstance(event, str) else event
    functions.setdefault(name, _ReplayFunction()).outcomes.append((event, _returning(outcome, payload)))


def _returning(outcome: Mapping[str, Any], value: Any) -> Callable[[], Any]:
    """What the function does to reproduce ``outcome``: return the value or raise the error."""
    if outcome.get("event") in ("LambdaFunctionSucceeded", "TaskSucceeded"):
        return lambda: value
    error, cause = outcome.get("error"), outcome.get("cause")
    if error == "States.DataLimitExceeded":
        return lambda: _OVERSIZED_RESULT
    if isinstance(cause, str):
        cause = _json_or_text(cause)
    if not isinstance(cause, dict) or "errorType" not in cause:
        raise NotReplayable(f"recorded failure {error!r} is not a function error document")
    document = cause

    def fail() -> Any:
        raise LambdaError(
            str(document["errorType"]), str(document.get("errorMessage", "")), list(document.get("stackTrace", []))
        )

    return fail


def _json_or_text(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


# -- DynamoDB --------------------------------------------------------------------------------------------


class _ReplayDynamoDB(DynamoDBService):
    """The embedded DynamoDB, creating the table a recorded call found when it is first used."""

    def __init__(self, calls: list[_Call]) -> None:
        super().__init__(region=REPLAY_REGION)
        recorded = [c for c in calls if c.resource_type in ("dynamodb", "aws-sdk:dynamodb")]
        self._found_table = [
            not str((c.outcome or {}).get("error") or "").endswith("ResourceNotFoundException") for c in recorded
        ]
        self._keys = _key_schema(recorded)
        self._position = 0

    def call(self, action: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        position, self._position = self._position, self._position + 1
        table = params.get("TableName") if isinstance(params, Mapping) else None
        expected_table = position < len(self._found_table) and self._found_table[position]
        if expected_table and isinstance(table, str) and table not in self.table_names() and self._keys:
            with contextlib.suppress(DynamoDBServiceError):  # an invalid name: the call itself reports it
                self.create_table(TableSpec(table, *self._keys))
        return super().call(action, params)


def _key_schema(calls: list[_Call]) -> tuple[tuple[str, str], tuple[str, str] | None] | None:
    """The key schema the recorded requests imply (their ``Key``, or a key condition's attribute)."""
    for call in calls:
        parameters = call.scheduled.get("parameters") or {}
        key = parameters.get("Key")
        if isinstance(key, dict) and key:
            attributes = [(name, next(iter(value))) for name, value in key.items() if isinstance(value, dict)]
            if attributes:
                return attributes[0], attributes[1] if len(attributes) > 1 else None
    for call in calls:
        parameters = call.scheduled.get("parameters") or {}
        condition = parameters.get("KeyConditionExpression")
        values = parameters.get("ExpressionAttributeValues") or {}
        match = re.match(r"\s*([A-Za-z0-9_]+)\s*=\s*(:[A-Za-z0-9_]+)", condition or "")
        if match and isinstance(values.get(match.group(2)), dict):
            return (match.group(1), next(iter(values[match.group(2)]))), None
    return None


# -- nested executions -----------------------------------------------------------------------------------


def _add_child_machine(resources: Resources, call: _Call) -> None:
    from asl_engine import StateMachine

    parameters = call.scheduled.get("parameters") or {}
    target = parameters.get("StateMachineArn")
    if not isinstance(target, str):
        raise NotReplayable(f"state {call.state!r}: the recorded StateMachineArn is not a string")
    outcome = call.outcome or {}
    if outcome.get("event") == "TaskSucceeded":
        output = (outcome.get("output") or {}).get("Output")
        end: dict[str, Any] = {"Type": "Pass", "End": True}
        if output is not None:
            end["Result"] = _json_or_text(output) if isinstance(output, str) else output
    else:
        cause = outcome.get("cause")
        described = _json_or_text(cause) if isinstance(cause, str) else cause
        if outcome.get("error") != "States.TaskFailed" or not isinstance(described, dict):
            raise NotReplayable(f"state {call.state!r}: StartExecution failed with {outcome.get('error')!r}")
        end = {"Type": "Fail"}
        for field_name in ("Error", "Cause"):
            if isinstance(described.get(field_name), str):
                end[field_name] = described[field_name]
    name = target.rsplit(":", 1)[-1] if target.startswith("arn:") else "ReplayedChild"
    machine = StateMachine.from_json({"StartAt": "End", "States": {"End": end}}, name=name)
    resources.state_machine(machine, arn=target)
