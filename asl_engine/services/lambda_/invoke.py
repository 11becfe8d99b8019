"""Invoking a local function as the Lambda service would: resolution, context, sync or in a worker.

Both Step Functions forms (the legacy function ARN and ``lambda:invoke``) go through
``LambdaService.prepare``, which resolves the function (answering with Lambda's own errors when
it cannot), builds the event and the context, and returns a ``PreparedCall`` to run either on the
scheduler's thread (virtual clock: deterministic, and virtual time stands still during the call)
or on a worker thread (real clock: the function's timeout is enforced and the Task's
TimeoutSeconds can interrupt the wait).
"""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from asl_engine.errors import StatesError
from asl_engine.runtime.environment import TaskEnvironment
from asl_engine.runtime.handlers import MissingTarget, TaskRequest
from asl_engine.services.lambda_.context import ClientContext, LambdaContext, static_fields
from asl_engine.services.lambda_.errors import LAMBDA
from asl_engine.services.lambda_.functions import LambdaFunction, LambdaFunctions
from asl_engine.services.lambda_.json_copy import NotPlain, plain_copy
from asl_engine.services.lambda_.names import FunctionRef
from asl_engine.services.lambda_.runtime import UNPARSED, Outcome, call_handler, call_with_timeout
from asl_engine.services.sdk_metadata import uuid_request_id
from asl_engine.services.support import not_found

LATEST = "$LATEST"


@dataclass(slots=True)
class PreparedCall:
    """Everything needed to run one invocation, decided on the scheduler's thread."""

    function: LambdaFunction
    event: Any
    context: LambdaContext
    executed_version: str
    clock: Callable[[], float]

    def run_inline(self, *, as_value: bool = False) -> Outcome:
        """Run on this thread (``as_value``: see ``call_handler``). ``_finish`` written out: every
        invocation under a virtual clock comes here, and most handlers never log."""
        clock = self.clock
        started = clock()
        context = self.context
        outcome = call_handler(self.function, self.event, context, as_value=as_value)
        outcome.duration = max(0.0, clock() - started)
        if context._log is not None:
            outcome.log = context._log.getvalue()
        return outcome

    def run_with_timeout(self, *, as_value: bool = False) -> Outcome:
        started = self.clock()
        outcome = call_with_timeout(self.function, self.event, self.context, as_value=as_value)
        return self._finish(outcome, started)

    def _finish(self, outcome: Outcome, started: float) -> Outcome:
        outcome.duration = max(0.0, self.clock() - started)
        outcome.log = self.context.logged
        return outcome


class LambdaService:
    """The Lambda service of one ``Resources``: its functions, invoked with Lambda's semantics."""

    def __init__(self, functions: LambdaFunctions) -> None:
        self.functions = functions

    def resolve(
        self,
        env: TaskEnvironment,
        raw_name: str,
        ref: FunctionRef,
        qualifier: str | None,
        request_id: str,
        request: TaskRequest | None = None,
    ) -> LambdaFunction:
        """The function an invocation reaches, or Lambda's ResourceNotFoundException (which, for a task,
        also says what was missing: ``UnansweredTask``)."""
        function = self.functions.find_exact(raw_name) or self.functions.find(ref, qualifier)
        if function is None:
            arn = ref.arn(env.region, env.account, qualifier=qualifier or LATEST)
            error = LAMBDA.error(
                "ResourceNotFoundException", f"Function not found: {arn}", status_code=404, request_id=request_id
            )
            if request is None:
                raise error
            raise not_found(
                request,
                error,
                MissingTarget(
                    "Lambda function",
                    ref.name,
                    "lambda",
                    f'{ref.name} = "module:function"',
                    f'resources.lambda_function("{ref.name}", handler)',
                ),
            )
        return function

    def prepare(
        self,
        env: TaskEnvironment,
        function: LambdaFunction,
        ref: FunctionRef,
        qualifier: str | None,
        event: Any,
        *,
        request_id: str,
        task_timeout: float | None,
        client_context: ClientContext | None = None,
    ) -> PreparedCall:
        version = qualifier if qualifier is not None and qualifier.isdigit() else LATEST
        now = env.clock.now()
        limit = function.timeout if task_timeout is None else min(function.timeout, task_timeout)
        stream_id = "%032x" % env.random.getrandbits(128)  # noqa: UP031 - half the time of a format spec
        fields = context_fields(function.name, function.memory_size, ref, env.region, env.account, qualifier, version)
        context = LambdaContext.from_fields(
            fields,
            aws_request_id=request_id,
            log_stream_name=log_prefix(int(now // 86_400), version) + stream_id,
            deadline=now + limit,
            clock=env.clock.now,
            client_context=client_context,
        )
        # The function receives JSON, never the engine's own objects: what it does to its event
        # must not leak into the execution (the history still references the parameters).
        try:
            copied, _ = plain_copy(event, finite=False)
        except NotPlain:
            copied = json.loads(json.dumps(event))
        return PreparedCall(function, copied, context, version, env.clock.now)


@functools.lru_cache(maxsize=256)
def context_fields(
    name: str, memory_size: int, ref: FunctionRef, region: str, account: str, qualifier: str | None, version: str
) -> dict[str, Any]:
    """A context's attributes fixed for a function invoked through one ARN (the same few per
    execution, asked for on every invocation; ``LambdaContext.from_fields`` copies them)."""
    return static_fields(name, version, ref.arn(region, account, qualifier=qualifier), memory_size)


@functools.lru_cache(maxsize=64)
def log_prefix(day: int, version: str) -> str:
    """``2025/02/04/[$LATEST]``: a log stream's name before its id, from the date (UTC, days since the
    epoch) and the function's version (the same few per execution)."""
    return f"{time.strftime('%Y/%m/%d', time.gmtime(day * 86_400))}/[{version}]"


def new_request_id(env: TaskEnvironment) -> str:
    return uuid_request_id(env.random)


def payload_of(outcome: Outcome) -> Any:
    """What Step Functions makes of a successful invocation's response (see ``decode_payload``)."""
    if outcome.payload is not UNPARSED:
        return outcome.payload
    return decode_payload(outcome.body)


def decode_payload(body: bytes) -> Any:
    """What Step Functions makes of a response body: its JSON value, or the text when it is not JSON."""
    text = body.decode("utf-8", errors="replace")
    try:
        return json.loads(text)
    except ValueError:
        return text


def function_error(error: dict[str, Any], cause: str) -> StatesError:
    """A failed invocation: the error is the document's ``errorType`` (``Lambda.Unknown`` without one)."""
    error_type = error.get("errorType")
    return StatesError(error_type if isinstance(error_type, str) and error_type else "Lambda.Unknown", cause)
