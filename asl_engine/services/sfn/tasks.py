"""``arn:aws:states:::aws-sdk:sfn:<action>``: Step Functions' own API, against this account's machines,
the executions its tasks started, the task tokens its executions wait on, and its activities.

Actions: ``startExecution`` (the execution runs in the background, as request-response
``states:startExecution`` does), ``describeExecution``, ``stopExecution``, ``listExecutions``,
``describeStateMachine``, ``listStateMachines``, ``sendTaskSuccess``, ``sendTaskFailure``,
``sendTaskHeartbeat``, ``createActivity``, ``describeActivity``, ``listActivities``,
``deleteActivity``. Results are the API's members as AWS SDK integrations return them (capitalized,
timestamps as ISO-8601 text, no SDK metadata); errors are ``Sfn.<Exception>`` with the SDK's cause
(``Sfn.ExecutionDoesNotExistException``, ``Sfn.InvalidTokenException``...). The executions known are
those tasks of this account started (``states:startExecution`` and ``aws-sdk:sfn:startExecution``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from asl_engine.errors import ConfigurationError
from asl_engine.runtime.callbacks import InvalidOutput
from asl_engine.runtime.handlers import TaskRequest
from asl_engine.runtime.history import format_timestamp
from asl_engine.services.activities.registry import Activities, ActivityDoesNotExist, ActivityInfo
from asl_engine.services.integration import Account
from asl_engine.services.sdk_metadata import compact_json, uuid_request_id
from asl_engine.services.stepfunctions.errors import SDK_SFN
from asl_engine.services.stepfunctions.executions import StateMachines, TrackedExecution, prepare_start
from asl_engine.services.support import environment_of, parameters_object
from asl_engine.services.tokens import InvalidToken

ACTIONS = frozenset(
    {
        "startExecution", "describeExecution", "stopExecution", "listExecutions", "describeStateMachine",
        "listStateMachines", "sendTaskSuccess", "sendTaskFailure", "sendTaskHeartbeat", "createActivity",
        "describeActivity", "listActivities", "deleteActivity",
    }
)  # fmt: skip
MAX_RESULTS = 1000
_EXECUTION_STATUSES = ("RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE")


class SfnCallFailed(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class SfnTask:
    """Answers ``arn:aws:states:::aws-sdk:sfn:<action>`` for the supported actions."""

    def __init__(self, machines: StateMachines, activities: Activities, account: Account, action: str) -> None:
        self.machines = machines
        self.activities = activities
        self.account = account
        actions: dict[str, Callable[[TaskRequest, Mapping[str, Any]], dict[str, Any]]] = {
            "startExecution": self._start,
            "describeExecution": self._describe_execution,
            "stopExecution": self._stop,
            "listExecutions": self._list_executions,
            "describeStateMachine": self._describe_machine,
            "listStateMachines": self._list_machines,
            "sendTaskSuccess": self._send_success,
            "sendTaskFailure": self._send_failure,
            "sendTaskHeartbeat": self._send_heartbeat,
            "createActivity": self._create_activity,
            "describeActivity": self._describe_activity,
            "listActivities": self._list_activities,
            "deleteActivity": self._delete_activity,
        }
        self._call = actions[action]

    def __call__(self, request: TaskRequest) -> dict[str, Any]:
        parameters = parameters_object(request)
        try:
            return self._call(request, parameters)
        except SfnCallFailed as failure:
            env = environment_of(request)
            raise SDK_SFN.error(
                failure.code, failure.message, status_code=400, request_id=uuid_request_id(env.random)
            ) from None

    # -- executions ----------------------------------------------------------------------------------

    def _start(self, request: TaskRequest, parameters: Mapping[str, Any]) -> dict[str, Any]:
        env = environment_of(request)
        request_id = uuid_request_id(env.random)
        start = prepare_start(self.machines, request, parameters, env, request_id, SDK_SFN)
        handle = env.start_background_execution(start.machine, start.input, name=start.name, handlers=[self.account])
        self.machines.started.append(handle)
        self.machines.track(start, handle=handle)
        return {"ExecutionArn": start.execution_arn, "StartDate": format_timestamp(start.start_time)}

    def _tracked(self, parameters: Mapping[str, Any]) -> TrackedExecution:
        arn = _required_text(parameters, "ExecutionArn")
        _check_arn(arn)
        tracked = self.machines.execution(arn)
        if tracked is None:
            raise SfnCallFailed("ExecutionDoesNotExist", f"Execution Does Not Exist: '{arn}'")
        return tracked

    def _describe_execution(self, request: TaskRequest, parameters: Mapping[str, Any]) -> dict[str, Any]:
        return describe_execution(self._tracked(parameters))

    def _stop(self, request: TaskRequest, parameters: Mapping[str, Any]) -> dict[str, Any]:
        tracked = self._tracked(parameters)
        error, cause = parameters.get("Error"), parameters.get("Cause")
        for name, value in (("Error", error), ("Cause", cause)):
            if value is not None and not isinstance(value, str):
                raise SfnCallFailed("ValidationException", f"Invalid value for parameter {name}: expected a string")
        if tracked.handle is not None and tracked.view.status == "RUNNING":
            tracked.handle.stop(error, cause)
        return {"StopDate": format_timestamp(environment_of(request).now())}

    def _list_executions(self, request: TaskRequest, parameters: Mapping[str, Any]) -> dict[str, Any]:
        env = environment_of(request)
        machine_arn = _required_text(parameters, "StateMachineArn")
        _check_arn(machine_arn)
        if self.machines.find(machine_arn, env) is None:
            raise SfnCallFailed("StateMachineDoesNotExist", f"State Machine Does Not Exist: '{machine_arn}'")
        status = parameters.get("StatusFilter")
        if status is not None and status not in _EXECUTION_STATUSES:
            raise SfnCallFailed(
                "ValidationException",
                f"1 validation error detected: Value '{status}' at 'statusFilter' failed to satisfy constraint: "
                f"Member must satisfy enum value set: [{', '.join(_EXECUTION_STATUSES)}]",
            )
        found = [
            tracked
            for tracked in reversed(self.machines.executions())
            if tracked.start.machine_arn == machine_arn and (status is None or tracked.view.status == status)
        ]
        items, token = _page(found, parameters)
        answer: dict[str, Any] = {"Executions": [_execution_item(tracked) for tracked in items]}
        if token is not None:
            answer["NextToken"] = token
        return answer

    # -- state machines ------------------------------------------------------------------------------

    def _describe_machine(self, request: TaskRequest, parameters: Mapping[str, Any]) -> dict[str, Any]:
        env = environment_of(request)
        arn = _required_text(parameters, "StateMachineArn")
        _check_arn(arn)
        registered = self.machines.find(arn, env)
        if registered is None:
            raise SfnCallFailed("StateMachineDoesNotExist", f"State Machine Does Not Exist: '{arn}'")
        compiled = registered.machine.compiled
        name = registered.machine.name
        return {
            "CreationDate": format_timestamp(registered.created),
            "Definition": compact_json(compiled.definition),
            "LoggingConfiguration": {"IncludeExecutionData": False, "Level": "OFF"},
            "Name": name,
            "RoleArn": f"arn:aws:iam::{env.account}:role/StepFunctions-{name}-role",
            "StateMachineArn": registered.arn_in(env),
            "Status": "ACTIVE",
            "TracingConfiguration": {"Enabled": False},
            "Type": compiled.machine_type,
        }

    def _list_machines(self, request: TaskRequest, parameters: Mapping[str, Any]) -> dict[str, Any]:
        env = environment_of(request)
        items, token = _page(self.machines.registered(), parameters)
        answer: dict[str, Any] = {
            "StateMachines": [
                {
                    "CreationDate": format_timestamp(registered.created),
                    "Name": registered.machine.name,
                    "StateMachineArn": registered.arn_in(env),
                    "Type": registered.machine.compiled.machine_type,
                }
                for registered in items
            ]
        }
        if token is not None:
            answer["NextToken"] = token
        return answer

    # -- task tokens ---------------------------------------------------------------------------------

    def _send_success(self, request: TaskRequest, parameters: Mapping[str, Any]) -> dict[str, Any]:
        token = _required_text(parameters, "TaskToken")
        if "Output" not in parameters:
            raise SfnCallFailed(
                "ValidationException", "Value null at 'output' failed to satisfy constraint: Member must not be null"
            )
        output = parameters["Output"]
        try:
            self.account.task_tokens.send_task_success(token, output)
        except InvalidToken:
            raise SfnCallFailed("InvalidToken", "Invalid Token: 'Invalid token'") from None
        except InvalidOutput as problem:
            raise SfnCallFailed("InvalidOutput", str(problem)) from None
        return {}

    def _send_failure(self, request: TaskRequest, parameters: Mapping[str, Any]) -> dict[str, Any]:
        token = _required_text(parameters, "TaskToken")
        error, cause = parameters.get("Error"), parameters.get("Cause")
        for name, value in (("Error", error), ("Cause", cause)):
            if value is not None and not isinstance(value, str):
                raise SfnCallFailed("ValidationException", f"Invalid value for parameter {name}: expected a string")
        try:
            self.account.task_tokens.send_task_failure(token, error, cause)
        except InvalidToken:
            raise SfnCallFailed("InvalidToken", "Invalid Token: 'Invalid token'") from None
        return {}

    def _send_heartbeat(self, request: TaskRequest, parameters: Mapping[str, Any]) -> dict[str, Any]:
        token = _required_text(parameters, "TaskToken")
        try:
            self.account.task_tokens.send_task_heartbeat(token)
        except InvalidToken:
            raise SfnCallFailed("InvalidToken", "Invalid Token: 'Invalid token'") from None
        return {}

    # -- activities ----------------------------------------------------------------------------------

    def _create_activity(self, request: TaskRequest, parameters: Mapping[str, Any]) -> dict[str, Any]:
        env = environment_of(request)
        name = _required_text(parameters, "Name")
        try:
            activity = self.activities.create(name, region=env.region, account=env.account, now=env.now())
        except ConfigurationError:
            raise SfnCallFailed("InvalidName", f"Invalid Name: '{name}'") from None
        return {"ActivityArn": activity.arn, "CreationDate": format_timestamp(activity.created)}

    def _describe_activity(self, request: TaskRequest, parameters: Mapping[str, Any]) -> dict[str, Any]:
        arn = _required_text(parameters, "ActivityArn")
        _check_arn(arn)
        try:
            info = self.activities.describe(arn)
        except ActivityDoesNotExist:
            raise SfnCallFailed("ActivityDoesNotExist", f"Activity Does Not Exist: '{arn}'") from None
        return _activity_item(info)

    def _list_activities(self, request: TaskRequest, parameters: Mapping[str, Any]) -> dict[str, Any]:
        items, token = _page(self.activities.list(), parameters)
        answer: dict[str, Any] = {"Activities": [_activity_item(info) for info in items]}
        if token is not None:
            answer["NextToken"] = token
        return answer

    def _delete_activity(self, request: TaskRequest, parameters: Mapping[str, Any]) -> dict[str, Any]:
        arn = _required_text(parameters, "ActivityArn")
        _check_arn(arn)
        self.activities.delete(arn)
        return {}


def describe_execution(tracked: TrackedExecution) -> dict[str, Any]:
    """DescribeExecution's answer as an AWS SDK integration returns it."""
    view, start = tracked.view, tracked.start
    described: dict[str, Any] = {
        "ExecutionArn": start.execution_arn,
        "Input": compact_json(view.input),
        "InputDetails": {"Included": True},
        "Name": start.name,
        "StartDate": format_timestamp(view.start_date.timestamp()),
        "StateMachineArn": start.machine_arn,
        "Status": view.status,
    }
    if view.stop_date is not None:
        described["StopDate"] = format_timestamp(view.stop_date.timestamp())
    if view.status == "SUCCEEDED":
        described["Output"] = compact_json(view.output)
        described["OutputDetails"] = {"Included": True}
    if view.error is not None:
        described["Error"] = view.error
    if view.cause is not None:
        described["Cause"] = view.cause
    return dict(sorted(described.items()))


def _execution_item(tracked: TrackedExecution) -> dict[str, Any]:
    view, start = tracked.view, tracked.start
    item: dict[str, Any] = {
        "ExecutionArn": start.execution_arn,
        "Name": start.name,
        "StartDate": format_timestamp(view.start_date.timestamp()),
        "StateMachineArn": start.machine_arn,
        "Status": view.status,
    }
    if view.stop_date is not None:
        item["StopDate"] = format_timestamp(view.stop_date.timestamp())
    return item


def _activity_item(info: ActivityInfo) -> dict[str, Any]:
    return {
        "ActivityArn": info.arn,
        "CreationDate": format_timestamp(info.creation_date.timestamp()),
        "Name": info.name,
    }


def _required_text(parameters: Mapping[str, Any], name: str) -> str:
    value = parameters.get(name)
    if not isinstance(value, str) or not value:
        member = name[0].lower() + name[1:]
        raise SfnCallFailed(
            "ValidationException",
            f"1 validation error detected: Value null at '{member}' failed to satisfy constraint: Member must not "
            "be null",
        )
    return value


def _check_arn(arn: str) -> None:
    if not arn.startswith("arn:"):
        raise SfnCallFailed("InvalidArn", f"Invalid Arn: 'Invalid ARN prefix: {arn}'")


def _page(items: list[Any], parameters: Mapping[str, Any]) -> tuple[list[Any], str | None]:
    limit = parameters.get("MaxResults", 100) or 100
    if isinstance(limit, bool) or not isinstance(limit, int) or not 0 <= limit <= MAX_RESULTS:
        raise SfnCallFailed("ValidationException", f"Invalid value for parameter MaxResults: {limit}")
    token = parameters.get("NextToken")
    start = 0
    if token is not None:
        try:
            start = int(json.loads(str(token))["offset"])
        except (ValueError, KeyError, TypeError):
            raise SfnCallFailed("InvalidToken", "Invalid Token: 'Invalid token'") from None
    page = items[start : start + limit]
    following = start + limit
    return page, compact_json({"offset": following}) if following < len(items) else None
