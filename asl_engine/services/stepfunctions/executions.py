"""Nested workflows: ``arn:aws:states:::states:startExecution`` against registered local machines.

* Request-response (and ``.waitForTaskToken``): StartExecution's answer ``{ExecutionArn,
  StartDate}`` with the SDK metadata; the child runs on independently (on its own thread, with its
  own clock starting at the parent's current time), as on AWS.
* ``.sync``: ``TaskSubmitted`` records that answer, the child runs as a nested execution on the
  parent's scheduler and clock, and the result is DescribeExecution's shape with ``Input`` and
  ``Output`` as JSON text; ``.sync:2`` gives them as JSON values. A child that does not succeed
  fails the task with ``States.TaskFailed`` and a cause describing it (its Error, Cause, ARNs,
  Input, dates and Status).

Machines are found by the ``StateMachineArn`` parameter: the ARN of a registered machine (its
name in the execution's region and account, or the explicit ARN it was registered with), or the
exact string it was registered under. Errors are the StepFunctions.* ones AWS gives (unknown
machine, invalid ARN, invalid name, a name already used).
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from asl_engine.errors import ConfigurationError, StatesError
from asl_engine.runtime.compiler import CompiledMachine
from asl_engine.runtime.environment import TaskEnvironment
from asl_engine.runtime.handlers import HandlerSource, MissingTarget, TaskRequest
from asl_engine.runtime.starter import BackgroundExecution, ExecutionView, LoadedMachine, StartableMachine
from asl_engine.services.sdk_errors import OptimizedService, SdkService
from asl_engine.services.sdk_metadata import (
    compact_json,
    epoch_millis,
    java_double,
    json_protocol_headers,
    uuid_request_id,
    with_metadata,
)
from asl_engine.services.stepfunctions.errors import STEP_FUNCTIONS
from asl_engine.services.support import environment_of, not_found, parameters_error, parameters_object

_STATE_MACHINE_ARN = re.compile(
    r"arn:(?P<partition>aws[\w-]*):states:(?P<region>[\w-]+):(?P<account>\d{12}):stateMachine:(?P<name>[^:]+)"
    r"(?::(?P<qualifier>[^:]+))?\Z"
)
_INVALID_NAME = re.compile(r"[\s?*<>{}\[\]\"#%\\^|~`$&,;:/\x00-\x1f\x7f-\x9f]")
MAX_NAME_LENGTH = 80


@dataclass(slots=True)
class RegisteredMachine:
    machine: StartableMachine
    arn: str | None
    """The ARN it was registered with; None: its name in the calling execution's region and account."""
    created: float = field(default_factory=lambda: round(time.time(), 3))
    """When it was registered (DescribeStateMachine's ``CreationDate``)."""

    def arn_in(self, env: TaskEnvironment) -> str:
        if self.arn is not None and _STATE_MACHINE_ARN.match(self.arn):
            return self.arn
        return f"arn:aws:states:{env.region}:{env.account}:stateMachine:{self.machine.name}"


class StateMachines:
    """The state machines of one ``Resources`` and the executions started on them."""

    def __init__(self) -> None:
        self._by_key: dict[str, RegisteredMachine] = {}
        self._by_name: dict[str, RegisteredMachine] = {}
        self._names_used: set[str] = set()
        self._lock = threading.Lock()
        self.started: list[BackgroundExecution] = []
        """Children started by request-response tasks (running on their own); ``wait()`` on them."""
        self.completed: list[ExecutionView] = []
        """Children of ``.sync`` tasks, finished."""
        self._executions: dict[str, TrackedExecution] = {}

    def add(self, machine: StartableMachine, *, name: str | None = None, arn: str | None = None) -> StartableMachine:
        if not isinstance(getattr(machine, "compiled", None), CompiledMachine):
            raise ConfigurationError(f"state_machine() expects a StateMachine, got {type(machine).__name__}")
        name = name or machine.name
        _check_name(name, "state machine name")
        if name != machine.name:
            machine = LoadedMachine(name, machine.compiled, machine.source)
        registered = RegisteredMachine(machine, arn)
        self._by_name[name] = registered
        self._by_key[name] = registered
        if arn is not None:
            self._by_key[arn] = registered
        return machine

    def names(self) -> list[str]:
        return list(self._by_name)

    def by_name(self, name: str) -> StartableMachine | None:
        """The machine registered under ``name``, if any."""
        registered = self._by_name.get(name)
        return registered.machine if registered is not None else None

    def find(self, target: str, env: TaskEnvironment) -> RegisteredMachine | None:
        registered = self._by_key.get(target)
        if registered is not None:
            return registered
        match = _STATE_MACHINE_ARN.match(target)
        candidate = self._by_name.get(match["name"]) if match else None
        if match is None or candidate is None:
            return None
        # A version or alias ARN (``...:stateMachine:name:1``) runs the machine itself locally.
        unqualified = target if match["qualifier"] is None else target.rsplit(":", 1)[0]
        return candidate if candidate.arn_in(env) == unqualified else None

    def registered(self) -> list[RegisteredMachine]:
        return list(self._by_name.values())

    def track(
        self, start: ExecutionStart, *, handle: BackgroundExecution | None = None, view: ExecutionView | None = None
    ) -> None:
        """Keep an execution a task started, for DescribeExecution, ListExecutions and StopExecution."""
        with self._lock:
            self._executions[start.execution_arn] = TrackedExecution(start, handle, view)

    def execution(self, execution_arn: str) -> TrackedExecution | None:
        with self._lock:
            return self._executions.get(execution_arn)

    def executions(self) -> list[TrackedExecution]:
        """The executions tasks started, oldest first."""
        with self._lock:
            return list(self._executions.values())

    def claim_name(self, execution_arn: str) -> bool:
        """Reserve an execution name (AWS refuses to reuse one on the same machine)."""
        with self._lock:
            if execution_arn in self._names_used:
                return False
            self._names_used.add(execution_arn)
            return True


@dataclass(frozen=True, slots=True)
class TrackedExecution:
    """An execution a task of this account started: in the background (``handle``) or nested and finished."""

    start: ExecutionStart
    handle: BackgroundExecution | None = None
    finished: ExecutionView | None = None

    @property
    def view(self) -> ExecutionView:
        if self.handle is not None:
            return self.handle.execution
        assert self.finished is not None
        return self.finished


def _check_name(name: str, what: str) -> None:
    if not isinstance(name, str) or not 1 <= len(name) <= MAX_NAME_LENGTH or _INVALID_NAME.search(name):
        raise ConfigurationError(
            f"invalid {what} {name!r}: 1 to 80 characters, without whitespace, brackets, wildcards or "
            'any of " # % \\ ^ | ~ ` $ & , ; : /'
        )


class StartExecutionTask:
    """Answers ``arn:aws:states:::states:startExecution`` in all its patterns."""

    def __init__(self, machines: StateMachines, children_resources: HandlerSource) -> None:
        self.machines = machines
        self.children_resources = children_resources
        """What answers the Task states of children started in the background (the owning ``Resources``)."""

    def __call__(self, request: TaskRequest) -> Any:
        env = environment_of(request)
        parameters = parameters_object(request)
        request_id = uuid_request_id(env.random)
        start = prepare_start(self.machines, request, parameters, env, request_id, STEP_FUNCTIONS)
        body = compact_json({"executionArn": start.execution_arn, "startDate": None}).replace(
            "null", java_double(round(start.start_time, 3))
        )
        started = with_metadata(
            {"ExecutionArn": start.execution_arn, "StartDate": epoch_millis(start.start_time)},
            status_code=200,
            request_id=request_id,
            headers=json_protocol_headers(body, request_id, env.clock.now()),
        )
        if request.resource.pattern in ("sync", "sync:2"):
            request.submit(started)
            return self._run_to_completion(env, start, parsed=request.resource.pattern == "sync:2")
        self._run_detached(env, start)
        return started

    async def _run_to_completion(self, env: TaskEnvironment, start: ExecutionStart, *, parsed: bool) -> dict[str, Any]:
        execution = await env.run_execution(start.machine, start.input, name=start.name)
        self.machines.completed.append(execution)
        self.machines.track(start, view=execution)
        described = describe(execution, start, parsed=parsed)
        if execution.status != "SUCCEEDED":
            raise StatesError("States.TaskFailed", compact_json(described))
        return described

    def _run_detached(self, env: TaskEnvironment, start: ExecutionStart) -> None:
        handle = env.start_background_execution(
            start.machine, start.input, name=start.name, handlers=[self.children_resources]
        )
        self.machines.started.append(handle)
        self.machines.track(start, handle=handle)


def prepare_start(
    machines: StateMachines,
    request: TaskRequest,
    parameters: Mapping[str, Any],
    env: TaskEnvironment,
    request_id: str,
    errors: OptimizedService | SdkService,
) -> ExecutionStart:
    """StartExecution's checks (the machine, the name, the input), reporting failures as ``errors`` names
    them (``StepFunctions.*`` for the optimized integration, ``Sfn.*`` for the AWS SDK one)."""
    target = parameters.get("StateMachineArn")
    if not isinstance(target, str):
        raise parameters_error(request, "The value of the field 'StateMachineArn' must be a string")
    registered = machines.find(target, env)
    if registered is None:
        if not target.startswith("arn:"):
            raise errors.error(
                "InvalidArn", f"Invalid Arn: 'Invalid ARN prefix: {target}'", status_code=400, request_id=request_id
            )
        named = _STATE_MACHINE_ARN.match(target)
        shown = named["name"] if named else target
        raise not_found(
            request,
            errors.error(
                "StateMachineDoesNotExist",
                f"State Machine Does Not Exist: '{target}'",
                status_code=400,
                request_id=request_id,
            ),
            MissingTarget(
                "state machine",
                shown,
                "state_machines",
                f'{shown} = "{shown}.json"',
                f'resources.state_machine(StateMachine.from_file("{shown}.json"), name="{shown}")',
            ),
        )
    name: Any = parameters.get("Name")
    if name is None:
        name = uuid_request_id(env.random)
    elif not isinstance(name, str) or not 1 <= len(name) <= MAX_NAME_LENGTH or _INVALID_NAME.search(name):
        raise errors.error("InvalidName", f"Invalid Name: '{name}'", status_code=400, request_id=request_id)
    child_input = _child_input(parameters.get("Input"), request_id, errors)
    machine_arn = registered.arn_in(env)
    execution_arn = machine_arn.replace(":stateMachine:", ":execution:", 1) + f":{name}"
    if not machines.claim_name(execution_arn):
        raise errors.error(
            "ExecutionAlreadyExists",
            f"Execution Already Exists: '{execution_arn}'",
            status_code=400,
            request_id=request_id,
        )
    return ExecutionStart(registered.machine, name, child_input, machine_arn, execution_arn, env.clock.now())


@dataclass(frozen=True, slots=True)
class ExecutionStart:
    machine: StartableMachine
    name: str
    input: Any
    machine_arn: str
    execution_arn: str
    start_time: float


def _child_input(value: Any, request_id: str, errors: OptimizedService | SdkService) -> Any:
    """``Input``: a JSON value, or JSON text; absent or null starts the child with ``{}``."""
    if value is None:
        return {}
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError as error:
            raise errors.error(
                "InvalidExecutionInput",
                f"Invalid State Machine Execution Input: '{error}'",
                status_code=400,
                request_id=request_id,
            ) from None
    return value


def describe(execution: ExecutionView, start: ExecutionStart, *, parsed: bool) -> dict[str, Any]:
    """DescribeExecution's members for a finished child, as ``.sync`` (``parsed``: ``.sync:2``) returns them."""

    def data(value: Any) -> Any:
        return value if parsed else compact_json(value)

    stop = execution.stop_date
    described: dict[str, Any] = {
        "ExecutionArn": start.execution_arn,
        "Input": data(execution.input),
        "InputDetails": {"Included": True},
        "Name": start.name,
        "StartDate": epoch_millis(execution.start_date.timestamp()),
        "StateMachineArn": start.machine_arn,
        "Status": execution.status,
    }
    if stop is not None:
        described["StopDate"] = epoch_millis(stop.timestamp())
    if execution.status == "SUCCEEDED":
        described["Output"] = data(execution.output)
        described["OutputDetails"] = {"Included": True}
        # Recorded on AWS since executions became redrivable (2023-11); only successes are recorded.
        described["RedriveCount"] = 0
        described["RedriveStatus"] = "NOT_REDRIVABLE"
        described["RedriveStatusReason"] = "Execution is SUCCEEDED and cannot be redriven"
    else:
        # A timed-out execution has neither error nor cause itself, but the .sync task names it.
        error = execution.error if execution.status != "TIMED_OUT" else execution.error or "States.Timeout"
        if error is not None:
            described["Error"] = error
        if execution.cause is not None:
            described["Cause"] = execution.cause
    return dict(sorted(described.items()))
