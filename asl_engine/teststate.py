"""TestState: run one state of a definition once, the way AWS's TestState API does.

``run_test_state`` takes a state machine definition and a state name (or one state's definition
on its own), an input, and TestState's optional fields: a mocked result or error (``mock``),
``variables``, a ``context`` object, the ``inspection_level`` (INFO, DEBUG, TRACE) and the retries
already made (``retrier_retry_count``, AWS's ``stateConfiguration.retrierRetryCount``). It returns a
``TestStateResult``: ``status`` (SUCCEEDED, FAILED, RETRIABLE, CAUGHT_ERROR), ``output``,
``error``, ``cause``, ``next_state`` and ``inspection_data``; ``to_api()`` gives AWS's response
shape. ``test_state_request`` reads AWS's request shape (JSON strings) and is what the API server's
``TestState`` operation calls; ``StateMachine.test_state`` and ``StateMachine.test_state_definition``
are the library's way in.

A request AWS would refuse raises ``TestStateError`` with AWS's error code and message (a state name
that is not in the definition, a mock for a state type that takes none, a Map or Parallel state
without a mock, a context object with fields AWS does not allow...); an invalid definition raises it
with the code ``InvalidDefinition`` and the validator's diagnostics.

Not modelled: ``fieldValidationMode`` is accepted but mocked results are not checked against the
services' API models (every mode behaves as ``NONE``); ``stateConfiguration`` fields other than
``retrierRetryCount`` (``errorCausedByState``, ``mapIterationFailureCount``, ``mapItemReaderData``)
are refused. At TRACE, an HTTP Task (``arn:aws:states:::http:invoke``) answered by a local handler
or a real endpoint adds its ``request`` and ``response``; what its EventBridge connection added is
shown only with ``revealSecrets``.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from asl_engine.definition.arns import DEFAULT_ACCOUNT, DEFAULT_REGION, partition_of
from asl_engine.definition.diagnostics import Diagnostic
from asl_engine.definition.suggest import did_you_mean
from asl_engine.definition.validate import validate_state
from asl_engine.definition.walk import all_states, collect_scopes, machine_query_language
from asl_engine.errors import AslEngineError, ConfigurationError, ValidationError
from asl_engine.runtime.handlers import HandlerSource
from asl_engine.runtime.json_text import to_json_text, to_strict_json_text
from asl_engine.runtime.loading import compile_definition
from asl_engine.runtime.run import Identity
from asl_engine.runtime.single_state import (
    StateMock,
    StateUnderTest,
    compile_state_under_test,
    run_state_once,
)
from asl_engine.runtime.starter import ExecutionStarter
from asl_engine.services.http.inspection import trace_inspection
from asl_engine.services.mocks import MockResponse
from asl_engine.services.registry import Resources

INSPECTION_LEVELS = ("INFO", "DEBUG", "TRACE")
STATUSES = ("SUCCEEDED", "FAILED", "RETRIABLE", "CAUGHT_ERROR")
ANONYMOUS_STATE = "StateName"
"""What AWS calls the state under test in its context object (``$$.State.Name``), and the name of a
state tested from its definition alone."""
TEST_STATE_MACHINE = "TestStateMachine"
"""The state machine name in the context object of a state tested from its definition alone."""

_MOCKABLE = ("Task", "Map", "Parallel")
_NEEDS_MOCK = ("Map", "Parallel")
_UNSUPPORTED_WITHOUT_MOCK = (
    "TestState API does not support Map or Parallel states. Supported state types include: "
    "[Task, Wait, Pass, Succeed, Fail, Choice]"
)
_CONTEXT_FIELDS = {
    "Execution": ("Id", "Input", "Name", "RoleArn", "StartTime", "RedriveCount", "RedriveTime"),
    "State": ("EnteredTime", "Name", "RetryCount"),
    "StateMachine": ("Id", "Name"),
    "Task": ("Token",),
}
_CONTEXT_STRINGS = {
    "Execution": ("Id", "Name", "RoleArn", "StartTime", "RedriveTime"),
    "State": ("EnteredTime", "Name"),
    "StateMachine": ("Id", "Name"),
    "Task": ("Token",),
}


class TestStateError(AslEngineError):
    """A TestState request AWS would refuse: ``code`` is AWS's error code (``ValidationException``,
    ``InvalidDefinition``, ``InvalidExecutionInput``), the message AWS's text where known."""

    __test__ = False  # not a pytest test class

    def __init__(
        self, code: str, message: str, diagnostics: Sequence[Diagnostic] = (), *, hint: str | None = None
    ) -> None:
        self.code = code
        self.message = message
        self.diagnostics = list(diagnostics)
        self.hint = hint
        """Our addition to AWS's message: what would fix it."""
        details = "".join(f"\n  {diagnostic.format()}" for diagnostic in self.diagnostics)
        shown = f" ({hint})" if hint else ""
        super().__init__(f"{code}: {message}{shown}{details}")


@dataclass(frozen=True, slots=True)
class TestStateResult:
    """What testing one state gave: AWS's TestState answer, with JSON values rather than JSON text."""

    __test__ = False  # not a pytest test class

    status: str
    """SUCCEEDED, FAILED, RETRIABLE (a retrier would retry the error) or CAUGHT_ERROR (a catcher took it)."""
    output: Any = None
    """The state's output (for CAUGHT_ERROR, the catcher's); see ``has_output``."""
    error: str | None = None
    cause: str | None = None
    next_state: str | None = None
    """The state the execution would go to next (None when the state ends its scope, or failed)."""
    inspection_data: dict[str, Any] = field(default_factory=dict)
    """By AWS's names (DEBUG and TRACE only): ``input``, ``afterInputPath``, ``afterParameters`` or
    ``afterArguments``, ``result``, ``afterResultSelector``, ``afterResultPath``, ``variables`` (after
    Assign), for a Map ``afterItemsPath``, ``afterItemSelector``, ``maxConcurrency`` and the tolerated
    failures, and ``errorDetails`` (``retryIndex`` and ``retryBackoffIntervalSeconds``, or ``catchIndex``)."""
    has_output: bool = False
    """Whether the state produced an output (its output may be JSON null)."""

    def to_api(self) -> dict[str, Any]:
        """AWS's TestState response: JSON values as JSON text, absent fields left out."""
        response: dict[str, Any] = {"status": self.status}
        if self.has_output:
            response["output"] = to_json_text(self.output)
        if self.error is not None:
            response["error"] = self.error
        if self.cause is not None:
            response["cause"] = self.cause
        if self.next_state is not None:
            response["nextState"] = self.next_state
        if self.inspection_data:
            response["inspectionData"] = {
                stage: value if stage in _STRUCTURED_STAGES else to_json_text(value)
                for stage, value in self.inspection_data.items()
            }
        return response


_STRUCTURED_STAGES = frozenset(
    {"errorDetails", "maxConcurrency", "toleratedFailureCount", "toleratedFailurePercentage", "request", "response"}
)
"""Stages AWS answers as numbers or objects; the others are JSON text."""


def run_test_state(
    definition: Mapping[str, Any],
    *,
    state_name: str | None = None,
    input: Any = None,
    mock: Mapping[str, Any] | None = None,
    variables: Mapping[str, Any] | None = None,
    context: Mapping[str, Any] | None = None,
    inspection_level: str = "INFO",
    resources: HandlerSource | Sequence[HandlerSource] | None = None,
    role_arn: str | None = None,
    retrier_retry_count: int = 0,
    reveal_secrets: bool = False,
    machine_type: str = "STANDARD",
    machine_name: str | None = None,
    region: str = DEFAULT_REGION,
    account: str = DEFAULT_ACCOUNT,
    seed: int | None = None,
    starter: ExecutionStarter | None = None,
    checked: bool = False,
) -> TestStateResult:
    """Run one state once (see the module docstring).

    ``definition`` is a state machine definition when ``state_name`` names one of its states (at any
    depth), else the definition of one state. ``mock`` is one response as ``mocks=`` takes them:
    ``{"Return": value}`` or ``{"Throw": {"Error": ..., "Cause": ...}}``. ``resources`` answer a Task
    state that is not mocked. ``checked``: the machine definition was validated already.
    """
    level = _inspection_level(inspection_level)
    if mock is not None and reveal_secrets:
        message = "TestState does not support RevealSecrets when a mock is specified."
        raise TestStateError("ValidationException", message)
    if isinstance(retrier_retry_count, bool) or not isinstance(retrier_retry_count, int) or retrier_retry_count < 0:
        raise TestStateError("ValidationException", "retrierRetryCount must be a non-negative integer")
    state = _state_under_test(definition, state_name, machine_type, checked)
    node = state.node
    kind = node.state_type
    response = _mock(mock) if mock is not None else None
    if response is not None and kind not in _MOCKABLE:
        raise TestStateError("ValidationException", f"State type '{kind}' is not supported when a mock is specified")
    if response is None and kind in _NEEDS_MOCK:
        raise TestStateError("InvalidDefinition", _UNSUPPORTED_WITHOUT_MOCK)
    if response is not None and response.error is None:
        _check_mocked_result(node, response.value)
    if context is not None:
        _check_context(context, node, mocked=response is not None)
    if variables is not None and not isinstance(variables, Mapping):
        raise TestStateError("ValidationException", "variables must be a JSON object mapping names to values")
    value = {} if input is None else input
    try:
        to_strict_json_text(value)
    except (TypeError, ValueError) as error:
        raise TestStateError("InvalidExecutionInput", f"Invalid State Machine Execution Input: {error}") from None
    rng = random.Random(seed)
    name = machine_name or TEST_STATE_MACHINE
    execution_name = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    identity = Identity(name, execution_name, region=region, account=account, partition=partition_of(region))
    handlers: list[HandlerSource] = []
    if resources is not None:
        handlers.extend(resources if isinstance(resources, list | tuple) else [cast(HandlerSource, resources)])
    try:
        outcome = run_state_once(
            state,
            value,
            identity=identity,
            handlers=handlers,
            mock=response,
            variables=variables,
            context=context,
            context_state_name=ANONYMOUS_STATE,
            execution_context={
                # TestState runs the state in an Express execution of its own, under the given role.
                "Id": f"arn:{identity.partition}:states:{region}:{account}:express:{name}:{execution_name}",
                "RoleArn": role_arn,
            },
            retry_count=retrier_retry_count,
            rng=rng,
            starter=starter,
        )
    except ConfigurationError as error:
        raise TestStateError("ValidationException", str(error)) from None
    stages = outcome.stages if level != "INFO" else {}
    if level == "TRACE" and response is None:
        stages = {**stages, **_http_trace(handlers, identity.execution_arn, reveal_secrets)}
    return TestStateResult(
        outcome.status,
        outcome.output,
        outcome.error,
        outcome.cause,
        outcome.next_state,
        stages,
        outcome.has_output,
    )


def _http_trace(handlers: Sequence[HandlerSource], execution_arn: str, reveal_secrets: bool) -> dict[str, Any]:
    """TRACE's ``request`` and ``response``: the last HTTP exchange the state under test made, if any."""
    for source in handlers:
        if isinstance(source, Resources):
            exchanges = source.http.exchanges(execution_arn)
            if exchanges:
                return trace_inspection(exchanges[-1], reveal_secrets=reveal_secrets)
    return {}


def test_state_request(
    request: Mapping[str, Any],
    *,
    resources: HandlerSource | Sequence[HandlerSource] | None = None,
    starter: ExecutionStarter | None = None,
) -> TestStateResult:
    """The TestState operation: ``request`` in AWS's shape (``definition``, ``stateName``, ``input``,
    ``mock``, ``variables``, ``context`` as JSON text; ``inspectionLevel``, ``revealSecrets``,
    ``roleArn``, ``stateConfiguration``). Raises ``TestStateError`` as AWS would answer."""
    definition_text = request.get("definition")
    if not isinstance(definition_text, str) or not definition_text:
        raise TestStateError("ValidationException", "definition is required: the ASL definition of a state or machine")
    definition = _json_field(definition_text, "definition", "InvalidDefinition")
    if not isinstance(definition, dict):
        raise TestStateError("InvalidDefinition", "Definition must be a valid JSON object")
    state_name = request.get("stateName")
    if state_name is not None and (not isinstance(state_name, str) or not state_name):
        raise TestStateError("ValidationException", "stateName must be a non-empty string")
    input_text = request.get("input")
    value = {} if input_text is None else _json_field(input_text, "input", "InvalidExecutionInput")
    variables = _optional_json(request, "variables")
    context = _optional_json(request, "context")
    configuration = request.get("stateConfiguration") or {}
    unsupported = sorted(set(configuration) - {"retrierRetryCount"})
    if unsupported:
        raise TestStateError(
            "ValidationException",
            f"stateConfiguration.{unsupported[0]} is not supported by this engine (only retrierRetryCount is)",
        )
    return run_test_state(
        definition,
        state_name=state_name,
        input=value,
        mock=_api_mock(request.get("mock")),
        variables=variables,
        context=context,
        inspection_level=request.get("inspectionLevel", "INFO"),
        resources=resources,
        role_arn=request.get("roleArn"),
        retrier_retry_count=configuration.get("retrierRetryCount", 0),
        reveal_secrets=bool(request.get("revealSecrets", False)),
        starter=starter,
    )


# -- the state under test ----------------------------------------------------------------------------------


def _state_under_test(
    definition: Mapping[str, Any], state_name: str | None, machine_type: str, checked: bool
) -> StateUnderTest:
    document = dict(definition)
    if state_name is None:
        if "States" in document and "Type" not in document:
            raise TestStateError(
                "ValidationException",
                "The definition is a state machine: name the state to test (stateName, state_name=)",
            )
        problems = [d for d in validate_state(document, name=ANONYMOUS_STATE) if d.severity == "ERROR"]
        if problems:
            raise TestStateError("InvalidDefinition", "Invalid State Machine Definition", problems)
        return _compile(ANONYMOUS_STATE, document, "", machine_type, "JSONPath")
    if not checked:
        try:
            compile_definition(document, machine_type=machine_type)
        except ValidationError as error:
            raise TestStateError("InvalidDefinition", "Invalid State Machine Definition", error.diagnostics) from None
    states = all_states(collect_scopes(document))
    for state in states:
        if state.name == state_name:
            return _compile(state_name, state.spec, state.pointer, machine_type, machine_query_language(document))
    names = [state.name for state in states]
    close = did_you_mean(state_name, names)
    hint = close or f"its states: {', '.join(names)}"
    raise TestStateError("ValidationException", "State not found in definition", hint=hint)


def _compile(name: str, spec: Any, pointer: str, machine_type: str, query_language: str) -> StateUnderTest:
    try:
        return compile_state_under_test(name, spec, pointer, query_language=query_language, machine_type=machine_type)
    except ValidationError as error:
        raise TestStateError("InvalidDefinition", "Invalid State Machine Definition", error.diagnostics) from None


# -- checks AWS makes ----------------------------------------------------------------------------------------


def _inspection_level(level: Any) -> str:
    if level not in INSPECTION_LEVELS:
        raise TestStateError(
            "ValidationException",
            f"1 validation error detected: Value '{level}' at 'inspectionLevel' failed to satisfy constraint: "
            f"Member must satisfy enum value set: [{', '.join(INSPECTION_LEVELS)}]",
        )
    return str(level)


def _mock(mock: Mapping[str, Any]) -> StateMock:
    try:
        response = MockResponse.parse(mock, "mock")
    except ConfigurationError as error:
        raise TestStateError("ValidationException", str(error)) from None
    return StateMock(response.value, response.error)


def _check_mocked_result(node: Any, value: Any) -> None:
    kind = node.state_type
    if kind == "Map":
        if node.data.writer is not None:
            if not isinstance(value, dict):
                raise TestStateError("ValidationException", "Mocked result must be a JSON object.")
        elif not isinstance(value, list):
            raise TestStateError("ValidationException", "Mocked result must be an array.")
    elif kind == "Parallel":
        if not isinstance(value, list):
            raise TestStateError("ValidationException", "Mocked result must be an array.")
        if len(value) != len(node.branches):
            raise TestStateError(
                "ValidationException",
                "Mocked result must contain the same number of items as number of Parallel branches.",
            )


def _check_context(context: Any, node: Any, *, mocked: bool) -> None:
    def invalid(message: str) -> TestStateError:
        return TestStateError("ValidationException", f"Invalid Context object provided: {message}")

    if not isinstance(context, Mapping):
        raise invalid("the context object must be a JSON object")
    if not mocked:
        raise TestStateError(
            "ValidationException", "A context object can be given only with a mock (as AWS's TestState requires)"
        )
    for key, value in context.items():
        if key == "Map":
            raise invalid("'Map' field is not supported when mocking a Context object")
        if key not in _CONTEXT_FIELDS:
            raise invalid(f"Field '{key}' is not allowed")
        if not isinstance(value, Mapping):
            raise invalid(f"{key} must be an object")
        for member, item in value.items():
            if member not in _CONTEXT_FIELDS[key]:
                raise invalid(f"Field '{member}' is not allowed")
            if member in _CONTEXT_STRINGS[key] and not isinstance(item, str):
                raise invalid(f"{key}.{member} must be a string")
    if "Task" in context:
        resource = getattr(node, "resource", None)
        if resource is None or resource.pattern not in ("sync", "sync:2", "wait-for-task-token"):
            raise invalid(
                "Context object contains 'Task' when state is not a Task state with a '.sync' or "
                "'.waitForTaskToken' service integration pattern"
            )


# -- AWS's request shape -------------------------------------------------------------------------------------


def _json_field(text: Any, name: str, code: str) -> Any:
    if not isinstance(text, str):
        raise TestStateError("ValidationException", f"{name} must be a string of JSON")
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        where = f"line {error.lineno}, column {error.colno}"
        raise TestStateError(code, f"{name} is not valid JSON: {error.msg} ({where})") from None


def _optional_json(request: Mapping[str, Any], name: str) -> Any:
    text = request.get(name)
    return None if text is None else _json_field(text, name, "ValidationException")


def _api_mock(mock: Any) -> dict[str, Any] | None:
    """AWS's ``mock`` (``result`` as JSON text, or ``errorOutput``) as a ``mocks=`` response."""
    if mock is None:
        return None
    if not isinstance(mock, Mapping):
        raise TestStateError("ValidationException", "mock must be an object with result or errorOutput")
    if "result" in mock and "errorOutput" in mock:
        raise TestStateError(
            "ValidationException", "A test mock should have only one of the following fields: [result, errorOutput]."
        )
    mode = mock.get("fieldValidationMode", "STRICT")
    if mode not in ("STRICT", "PRESENT", "NONE"):
        raise TestStateError(
            "ValidationException",
            f"1 validation error detected: Value '{mode}' at 'mock.fieldValidationMode' failed to satisfy "
            "constraint: Member must satisfy enum value set: [STRICT, PRESENT, NONE]",
        )
    if "result" in mock:
        return {"Return": _json_field(mock["result"], "mock.result", "ValidationException")}
    error_output = mock.get("errorOutput")
    if not isinstance(error_output, Mapping) or not isinstance(error_output.get("error"), str):
        raise TestStateError("ValidationException", "mock.errorOutput.error is required when errorOutput is specified")
    return {"Throw": {"Error": error_output["error"], "Cause": error_output.get("cause")}}


__all__ = [
    "INSPECTION_LEVELS",
    "STATUSES",
    "TestStateError",
    "TestStateResult",
    "run_test_state",
    "test_state_request",
]
