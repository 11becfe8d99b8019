"""The two ways a Task calls Lambda, answered by local functions.

* The legacy resource ``arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]``: the
  effective input is the event and the result is the function's return value. A function error
  fails the task with the error document exactly as the runtime wrote it (spaced JSON).
* ``arn:aws:states:::lambda:invoke`` (and ``.waitForTaskToken``): Parameters are the Invoke API's
  (``FunctionName``, ``Payload``, ``Qualifier``, ``InvocationType``, ``ClientContext``,
  ``LogType``) and the result is Invoke's response with the SDK's metadata; a function error's
  cause is the error document re-serialized compactly, as Step Functions does.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import math
import threading
from collections.abc import Mapping
from types import CoroutineType
from typing import TYPE_CHECKING, Any

from asl_engine.runtime.environment import TaskEnvironment
from asl_engine.runtime.handlers import TaskRequest
from asl_engine.runtime.limits import PAYLOAD_LIMIT_BYTES
from asl_engine.services.lambda_.context import ClientContext, LambdaContext
from asl_engine.services.lambda_.errors import LAMBDA
from asl_engine.services.lambda_.invoke import (
    LATEST,
    LambdaService,
    PreparedCall,
    context_fields,
    decode_payload,
    function_error,
    log_prefix,
    new_request_id,
    payload_of,
)
from asl_engine.services.lambda_.json_copy import NotPlain, plain_copy
from asl_engine.services.lambda_.names import FunctionRef, InvalidFunctionName, check_qualifier, parse_function_name
from asl_engine.services.lambda_.runtime import (
    UNPARSED,
    Outcome,
    failed,
    plain_result,
    response,
    run_coroutine,
)
from asl_engine.services.sdk_metadata import lambda_headers, trace_id, uuid4_text, with_metadata
from asl_engine.services.support import environment_of, parameters_error, parameters_object

if TYPE_CHECKING:
    from random import Random

    from asl_engine.definition.arns import ResourceRef
    from asl_engine.runtime.clock import Clock
    from asl_engine.runtime.handlers import LoneInvoke
    from asl_engine.services.lambda_.functions import LambdaFunction

INVOCATION_TYPES = ("Event", "RequestResponse", "DryRun")
LOG_TYPES = ("None", "Tail")
LOG_TAIL_BYTES = 4096


class LegacyLambdaTask:
    """Answers ``arn:aws:lambda:...:function:<name>`` Task states."""

    def __init__(self, service: LambdaService) -> None:
        self.service = service

    def __call__(self, request: TaskRequest) -> Any:
        env = environment_of(request)
        resource = request.resource
        ref = _function_ref(resource)
        request_id = uuid4_text(env.random.getrandbits(128))  # ``new_request_id``, two calls fewer
        function = self.service.resolve(env, resource.arn, ref, ref.qualifier, request_id, request)
        call = self.service.prepare(
            env, function, ref, ref.qualifier, request.parameters,
            request_id=request_id, task_timeout=request.timeout_seconds,
        )  # fmt: skip
        # The legacy form's result is the payload alone: a plain JSON one is copied, not marshalled
        # to text and parsed back.
        if env.clock.virtual:
            outcome = call.run_inline(as_value=True)
            if outcome.error is None and outcome.payload is not UNPARSED:
                if 0 <= outcome.payload_chars <= PAYLOAD_LIMIT_BYTES:
                    # A copied result whose JSON text is bounded within the quota: the Task need not measure it.
                    request.result_within_quota = True
                return outcome.payload  # ``_legacy_result``'s answer, without its two calls
            return _legacy_result(outcome)
        return _legacy_result_later(env, call)

    def lone_invoker(self, resource: ResourceRef, region: str, account: str, clock: Clock) -> LoneInvoke | None:
        """``InvokesAlone``: the function's invocations for a Map Run's children, under a virtual clock
        (None under a real one, or when the function does not exist: the call's errors say so)."""
        if not clock.virtual:
            return None
        ref = _function_ref(resource)
        functions = self.service.functions
        function = functions.find_exact(resource.arn) or functions.find(ref, ref.qualifier)
        if function is None:
            return None
        return _LoneLegacyCall(function, ref, region, account, clock)


class _LoneLegacyCall:
    """``LegacyLambdaTask.__call__`` under a virtual clock, for one function found already: what
    ``LambdaService.prepare`` reads of the function, its reference and the region is read once, and
    each call makes the request id, the context (from the same draws of the child's random source,
    in the same order), the event's copy and the handler's outcome as ``__call__`` does
    (``tests/runtime/map_run/test_lone_task_children.py`` compares what handlers see)."""

    __slots__ = ("_day", "_fields", "_handler", "_limit", "_log_prefix", "_now", "_version")

    def __init__(self, function: LambdaFunction, ref: FunctionRef, region: str, account: str, clock: Clock) -> None:
        qualifier = ref.qualifier
        self._version = version = qualifier if qualifier is not None and qualifier.isdigit() else LATEST
        self._fields = context_fields(function.name, function.memory_size, ref, region, account, qualifier, version)
        self._handler = function.handler
        self._limit = function.timeout  # an untimed Task: the function's own timeout
        self._now = clock.now
        self._day = -1
        self._log_prefix = ""
        """``log_prefix`` of ``_day`` (the children of a Map Run share a day or two)."""

    def __call__(self, event: Any, rng: Random) -> tuple[Any, bool]:
        request_id = uuid4_text(rng.getrandbits(128))
        now_of = self._now
        now = now_of()
        stream_id = "%032x" % rng.getrandbits(128)  # noqa: UP031 - as ``prepare`` draws it
        day = int(now // 86_400)
        if day != self._day:
            self._day, self._log_prefix = day, log_prefix(day, self._version)
        context = LambdaContext.from_fields(
            self._fields,
            aws_request_id=request_id,
            log_stream_name=self._log_prefix + stream_id,
            deadline=now + self._limit,
            clock=now_of,
            client_context=None,
        )
        try:
            copied, _ = plain_copy(event, finite=False)
        except NotPlain:
            copied = json.loads(json.dumps(event))
        # ``call_handler(as_value=True)`` written out, its usual outcome (a plain result) not made.
        try:
            result = self._handler(copied, context)
            if type(result) is CoroutineType:
                result = run_coroutine(result)
        except Exception as error:
            return _legacy_result(failed(error, request_id)), False  # raises the function's error
        plain = plain_result(result)
        if plain is not None:
            return plain[0], plain[1] <= PAYLOAD_LIMIT_BYTES
        return _legacy_result(response(result, request_id)), False


def _function_ref(resource: ResourceRef) -> FunctionRef:
    """The function a legacy Lambda Task's resource names (the same few, on every invocation), kept by
    the resource's ARN, which says everything the reference holds (a string's hash is kept with it)."""
    ref = _FUNCTION_REFS.get(resource.arn)
    if ref is None:
        if len(_FUNCTION_REFS) >= 256:
            _FUNCTION_REFS.clear()
        ref = _FUNCTION_REFS[resource.arn] = FunctionRef(
            resource.action, resource.qualifier, resource.region, resource.account
        )
    return ref


_FUNCTION_REFS: dict[str, FunctionRef] = {}


async def _legacy_result_later(env: TaskEnvironment, call: PreparedCall) -> Any:
    return _legacy_result(await env.run_in_thread(functools.partial(call.run_with_timeout, as_value=True)))


def _legacy_result(outcome: Outcome) -> Any:
    if outcome.error is not None:
        raise function_error(outcome.error, json.dumps(outcome.error))
    return payload_of(outcome)


class LambdaInvokeTask:
    """Answers ``arn:aws:states:::lambda:invoke`` (request-response and ``.waitForTaskToken``)."""

    def __init__(self, service: LambdaService) -> None:
        self.service = service

    def __call__(self, request: TaskRequest) -> Any:
        env = environment_of(request)
        parameters = parameters_object(request)
        request_id = new_request_id(env)
        invoke = _InvokeRequest.read(request, parameters, request_id)
        ref, qualifier = invoke.target(request_id)
        function = self.service.resolve(env, invoke.function_name, ref, qualifier, request_id, request)
        call = self.service.prepare(
            env, function, ref, qualifier, invoke.event,
            request_id=request_id, task_timeout=request.timeout_seconds, client_context=invoke.client_context,
        )  # fmt: skip
        trace = trace_id(env.random, env.clock.now())
        if invoke.invocation_type == "DryRun":
            return _empty_response(env, 204, request_id, trace)
        if invoke.invocation_type == "Event":
            _run_detached(env, call)
            return _empty_response(env, 202, request_id, trace)
        if env.clock.virtual:
            return _invoke_response(env, invoke, call, call.run_inline(), request_id, trace)
        return _invoke_response_later(env, invoke, call, request_id, trace)


async def _invoke_response_later(
    env: TaskEnvironment, invoke: _InvokeRequest, call: PreparedCall, request_id: str, trace: str
) -> dict[str, Any]:
    outcome = await env.run_in_thread(call.run_with_timeout)
    return _invoke_response(env, invoke, call, outcome, request_id, trace)


def _invoke_response(
    env: TaskEnvironment, invoke: _InvokeRequest, call: PreparedCall, outcome: Outcome, request_id: str, trace: str
) -> dict[str, Any]:
    if outcome.error is not None:
        compact = json.dumps(outcome.error, separators=(",", ":"), ensure_ascii=False)
        raise function_error(outcome.error, compact)
    members: dict[str, Any] = {
        "ExecutedVersion": call.executed_version,
        "Payload": decode_payload(outcome.body),
        "StatusCode": 200,
    }
    if invoke.log_type == "Tail":
        members["LogResult"] = _log_result(call, outcome)
    headers = lambda_headers(len(outcome.body), request_id, env.clock.now(), call.executed_version, trace)
    return with_metadata(members, status_code=200, request_id=request_id, headers=headers)


def _empty_response(env: TaskEnvironment, status: int, request_id: str, trace: str) -> dict[str, Any]:
    headers = lambda_headers(0, request_id, env.clock.now(), None, trace)
    return with_metadata(
        {"Payload": "", "StatusCode": status}, status_code=status, request_id=request_id, headers=headers
    )


def _run_detached(env: TaskEnvironment, call: PreparedCall) -> None:
    """An ``Event`` invocation: Lambda queues it and the caller does not wait or hear of its errors.

    Under a virtual clock it runs at once (deterministically); under a real clock on a thread of
    its own. Lambda's retries of failed asynchronous invocations are not emulated.
    """
    if env.clock.virtual:
        call.run_inline()
    else:
        threading.Thread(target=call.run_with_timeout, name=f"lambda-event-{call.function.name}", daemon=True).start()


def _log_result(call: PreparedCall, outcome: Outcome) -> str:
    """``LogResult``: the last 4 KB of the invocation's log, base64-encoded, as Lambda returns it."""
    request_id = call.context.aws_request_id
    millis = outcome.duration * 1000
    log = (
        f"START RequestId: {request_id} Version: {call.executed_version}\n"
        f"{outcome.log}"
        f"END RequestId: {request_id}\n"
        f"REPORT RequestId: {request_id}\tDuration: {millis:.2f} ms\tBilled Duration: {max(1, math.ceil(millis))} ms"
        f"\tMemory Size: {call.function.memory_size} MB\t\n"
    )
    return base64.b64encode(log.encode("utf-8")[-LOG_TAIL_BYTES:]).decode("ascii")


class _InvokeRequest:
    """The Invoke API request a ``lambda:invoke`` Task's Parameters describe."""

    __slots__ = ("client_context", "event", "function_name", "invocation_type", "log_type", "qualifier")

    def __init__(
        self,
        function_name: str,
        event: Any,
        qualifier: str | None,
        invocation_type: str,
        log_type: str,
        client_context: ClientContext | None,
    ) -> None:
        self.function_name = function_name
        self.event = event
        self.qualifier = qualifier
        self.invocation_type = invocation_type
        self.log_type = log_type
        self.client_context = client_context

    @classmethod
    def read(cls, request: TaskRequest, parameters: Mapping[str, Any], request_id: str) -> _InvokeRequest:
        function_name = parameters.get("FunctionName")
        if not isinstance(function_name, str):
            raise parameters_error(request, "The value of the field 'FunctionName' must be a string")
        qualifier = parameters.get("Qualifier")
        if qualifier is not None and not isinstance(qualifier, str):
            raise parameters_error(request, "The value of the field 'Qualifier' must be a string")
        invocation_type = _enum(parameters, "InvocationType", "invocationType", INVOCATION_TYPES, request_id)
        log_type = _enum(parameters, "LogType", "logType", LOG_TYPES, request_id)
        client_context = _client_context(parameters.get("ClientContext"), request, request_id)
        return cls(
            function_name, _event(parameters.get("Payload")), qualifier, invocation_type, log_type, client_context
        )

    def target(self, request_id: str) -> tuple[FunctionRef, str | None]:
        """The function reference and effective qualifier, with Lambda's validation errors."""
        try:
            ref = parse_function_name(self.function_name)
            if self.qualifier is not None:
                check_qualifier(self.qualifier)
        except InvalidFunctionName as invalid:
            raise LAMBDA.error("ValidationException", invalid.message, status_code=400, request_id=request_id) from None
        if ref.qualifier is not None and self.qualifier is not None and ref.qualifier != self.qualifier:
            raise LAMBDA.error(
                "InvalidParameterValueException",
                "The derived qualifier from the function name does not match the specified qualifier.",
                status_code=400, request_id=request_id,
            )  # fmt: skip
        return ref, self.qualifier if self.qualifier is not None else ref.qualifier


def _event(payload: Any) -> Any:
    """The event a Payload delivers: JSON text is sent as it is, any other value JSON-encoded."""
    if payload is None:
        return {}
    if isinstance(payload, str):
        try:
            return json.loads(payload)
        except ValueError:
            return payload
    return payload


def _enum(parameters: Mapping[str, Any], field: str, wire: str, allowed: tuple[str, ...], request_id: str) -> str:
    value = parameters.get(field, allowed[1] if field == "InvocationType" else "None")
    if value not in allowed:
        raise LAMBDA.error(
            "ValidationException",
            f"1 validation error detected: Value '{value}' at '{wire}' failed to satisfy constraint: "
            f"Member must satisfy enum value set: [{', '.join(allowed)}]",
            status_code=400, request_id=request_id,
        )  # fmt: skip
    return str(value)


def _client_context(value: Any, request: TaskRequest, request_id: str) -> ClientContext | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise parameters_error(request, "The value of the field 'ClientContext' must be a string")
    try:
        decoded = json.loads(base64.b64decode(value, validate=True))
    except (binascii.Error, ValueError):
        decoded = None
    if not isinstance(decoded, dict):
        raise LAMBDA.error(
            "InvalidRequestContentException", "Client context must be a valid Base64-encoded JSON object.",
            status_code=400, request_id=request_id,
        )  # fmt: skip
    return ClientContext(decoded)
