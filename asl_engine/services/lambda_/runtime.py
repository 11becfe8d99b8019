"""Running a handler the way Lambda's Python runtime does, and what comes back.

The runtime serializes the return value to JSON (``bytes`` are sent as they are), turns an
unhandled exception into the error document ``{"errorMessage", "errorType", "requestId",
"stackTrace"}``, and Lambda itself adds two failures of its own: a function that outlives its
timeout (``Sandbox.Timedout``) and a response over 6 MB (``Function.ResponseSizeTooLarge``).
"""

from __future__ import annotations

import asyncio
import decimal
import json
import threading
import traceback
from dataclasses import dataclass, field
from types import CoroutineType, TracebackType
from typing import Any

from asl_engine.services.lambda_.context import LambdaContext
from asl_engine.services.lambda_.functions import LambdaFunction
from asl_engine.services.lambda_.json_copy import NotPlain, plain_copy

MAX_RESPONSE_BYTES = 6_291_556
"""Lambda's synchronous response limit, as its error message states it."""


class LambdaError(Exception):
    """Raise from a handler to fail with an exact ``errorType`` (and, optionally, stack trace).

    Useful to stand in for functions written in other runtimes, whose error types are not Python
    class names (``"TypeError"`` from Node.js, ``"java.lang.IllegalStateException"``...).
    """

    def __init__(self, error_type: str, message: str = "", stack_trace: list[str] | None = None) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.stack_trace = stack_trace


UNPARSED: Any = object()
"""``Outcome.payload`` when only the body says what the function returned."""


@dataclass(slots=True)
class Outcome:
    """One invocation's result: the response body, and the error document when the function failed.

    ``payload`` is the value the body's JSON text stands for, when the caller asked for the value
    and the function returned plain JSON (the body is then left empty: nobody reads it).
    """

    body: bytes
    error: dict[str, Any] | None = None
    duration: float = 0.0
    log: str = field(default="")
    payload: Any = UNPARSED
    payload_chars: int = -1
    """With ``payload``: an upper bound of the length of its JSON text (``plain_copy``'s), which also
    bounds its UTF-8 size; -1 when not known."""

    @property
    def failed(self) -> bool:
        return self.error is not None


def _json_default(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return float(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


_marshal = json.JSONEncoder(default=_json_default, allow_nan=False).encode
"""``json.dumps(result, default=..., allow_nan=False)``, its encoder built once."""


def marshal(result: Any, request_id: str) -> Outcome:
    """Serialize a return value as the runtime does (``Runtime.MarshalError`` when it cannot)."""
    if isinstance(result, bytes | bytearray):
        return Outcome(bytes(result))
    try:
        text = _marshal(result)
    except (TypeError, ValueError) as error:
        return Outcome(
            b"",
            {
                "errorMessage": f"Unable to marshal response: {error}",
                "errorType": "Runtime.MarshalError",
                "requestId": request_id,
                "stackTrace": [],
            },
        )
    return Outcome(text.encode("utf-8"))


def error_document(error: BaseException, request_id: str, tb: TracebackType | None) -> dict[str, Any]:
    """The runtime's error document for an exception raised by the handler."""
    if isinstance(error, LambdaError):
        error_type, message = error.error_type, error.message
        stack = error.stack_trace if error.stack_trace is not None else _stack_trace(tb)
    else:
        error_type, message, stack = type(error).__name__, str(error), _stack_trace(tb)
    return {"errorMessage": message, "errorType": error_type, "requestId": request_id, "stackTrace": stack}


def _stack_trace(tb: TracebackType | None) -> list[str]:
    # The first frame is ours (the call into the handler); the runtime shows only the user's frames.
    user_frames = tb.tb_next if tb is not None else None
    return traceback.format_list(traceback.extract_tb(user_frames))


def call_handler(function: LambdaFunction, event: Any, context: LambdaContext, *, as_value: bool = False) -> Outcome:
    """Call the handler on this thread and marshal what it returns or raises.

    With ``as_value``, a plain JSON result (``json_copy``) whose text would be within the response
    limit comes back as ``Outcome.payload``, copied as marshalling and parsing it would, without
    making the text: what a caller that only wants the value saves.
    """
    try:
        result = function.handler(event, context)
        if type(result) is CoroutineType:  # ``inspect.iscoroutine`` without the call (no subclass exists)
            result = run_coroutine(result)
    except Exception as error:
        return failed(error, context.aws_request_id)
    if as_value:
        plain = plain_result(result)
        if plain is not None:
            return Outcome(b"", payload=plain[0], payload_chars=plain[1])
    return response(result, context.aws_request_id)


def plain_result(result: Any) -> tuple[Any, int] | None:
    """A handler's ``result`` as the value Lambda would return and its JSON size in characters, when
    it is plain JSON within the function's response limit; None when it must be marshalled the long
    way (``response``: numbers JSON cannot hold, objects to convert, or too large)."""
    try:
        payload, size = plain_copy(result, finite=True)
    except NotPlain:
        return None
    return (payload, size) if size <= MAX_RESPONSE_BYTES else None


def failed(error: Exception, request_id: str) -> Outcome:
    """The outcome of a handler that raised ``error`` (caught in the frame that called the handler:
    the runtime's stack trace starts below it)."""
    return Outcome(b"", error_document(error, request_id, error.__traceback__))


def response(result: Any, request_id: str) -> Outcome:
    """The outcome of a handler that returned ``result``: its marshalled body, or Lambda's failure."""
    outcome = marshal(result, request_id)
    if not outcome.failed and len(outcome.body) > MAX_RESPONSE_BYTES:
        return Outcome(
            b"",
            {
                "errorMessage": (
                    f"Response payload size exceeded maximum allowed payload size ({MAX_RESPONSE_BYTES} bytes)."
                ),
                "errorType": "Function.ResponseSizeTooLarge",
            },
        )
    return outcome


def run_coroutine(coroutine: Any) -> Any:
    """An ``async def`` handler, awaited as Lambda's runtime would: on an event loop of its own (on a
    helper thread when this thread already runs one)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    box: list[Any] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            box.append(asyncio.run(coroutine))
        except BaseException as error:  # re-raised on the calling thread, where the runtime reports it
            failure.append(error)

    worker = threading.Thread(target=run, name="lambda-async-handler", daemon=True)
    worker.start()
    worker.join()
    if failure:
        raise failure[0]
    return box[0]


def timed_out(function: LambdaFunction, request_id: str) -> Outcome:
    return Outcome(
        b"",
        {
            "errorMessage": f"RequestId: {request_id} Error: Task timed out after {function.timeout:.2f} seconds",
            "errorType": "Sandbox.Timedout",
        },
    )


def call_with_timeout(
    function: LambdaFunction, event: Any, context: LambdaContext, *, as_value: bool = False
) -> Outcome:
    """Call the handler on its own thread and stop waiting when the function's timeout passes.

    Python cannot kill a thread: a handler that overruns keeps running in the background, as
    its result is discarded (Lambda would freeze its sandbox instead).
    """
    box: list[Outcome] = []
    worker = threading.Thread(
        target=lambda: box.append(call_handler(function, event, context, as_value=as_value)),
        name=f"lambda-{function.name}",
        daemon=True,
    )
    worker.start()
    worker.join(function.timeout)
    if worker.is_alive() or not box:
        return timed_out(function, context.aws_request_id)
    return box[0]
