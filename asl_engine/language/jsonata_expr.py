"""JSONata expressions as Step Functions runs them, on top of the ``jsonata-python`` package.

What is ours here, and why:
* expressions are parsed once (``compile_expression``) and evaluated many times;
* the functions Step Functions adds (``$partition``, ``$range``, ``$hash``, ``$random``,
  ``$uuid``, ``$parse``) and the one it forbids (``$eval``); ``$now``/``$millis`` follow the
  engine's clock so virtual time is respected;
* *undefined* is kept distinct from JSON ``null`` (AWS fails a field whose expression returns
  nothing), and results are normalised to plain JSON values (JSONata sequences are list
  subclasses; integral numbers are integers, as in JavaScript).
"""

from __future__ import annotations

import decimal
import hashlib
import json
import math
import random
import re
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, Final, Protocol

import jsonata
import regex
from jsonata import utils as _jsonata_utils
from jsonata.jexception import JException

from asl_engine.definition.vocabulary import JSONATA_CLOSE, JSONATA_OPEN
from asl_engine.language.errors import ExpressionSyntaxError
from asl_engine.language.jsonata_budget import (
    DEFAULT_BUDGET,
    BudgetExceeded,
    DeadlineReached,
    EvaluationBudget,
    Meter,
    metering,
)
from asl_engine.language.jsonata_engine import GuardedJsonata, fail

UNDEFINED: Final = object()
"""What an expression returns when it yields nothing (JSONata's ``undefined``)."""

_NULL = _jsonata_utils.Utils.NULL_VALUE
_OPEN, _CLOSE = JSONATA_OPEN, JSONATA_CLOSE


class JsonataEnvironment(Protocol):
    """What the Step Functions functions need from the running execution."""

    @property
    def random(self) -> random.Random: ...

    def now(self) -> float: ...


__all__ = [
    "UNDEFINED",
    "CompiledExpression",
    "DeadlineReached",
    "EvaluationBudget",
    "JsonataEnvironment",
    "JsonataError",
    "compile_expression",
    "compile_jsonata_string",
    "to_json_value",
]


class JsonataError(Exception):
    """An evaluation error, with JSONata's code (``T1006``...) and message as AWS quotes them."""

    def __init__(self, code: str | None, message: str) -> None:
        self.code = code
        self.message = message
        super().__init__(f"{code}: {message}" if code else message)

    @property
    def description(self) -> str:
        return f"{self.code}: {self.message}" if self.code else self.message


_current: ContextVar[JsonataEnvironment | None] = ContextVar("asl_jsonata_environment", default=None)


def _environment() -> JsonataEnvironment:
    environment = _current.get()
    if environment is None:  # evaluation outside an execution (e.g. a unit test of one expression)
        return _DetachedEnvironment()
    return environment


class _DetachedEnvironment:
    def __init__(self) -> None:
        self._random = random.Random()

    @property
    def random(self) -> random.Random:
        return self._random

    def now(self) -> float:
        return time.time()


class _Native:
    """Adapter giving a Python callable the ``call(input, args)`` shape jsonata-python invokes."""

    def __init__(self, function: Callable[..., Any]) -> None:
        self.function = function

    def call(self, input: Any, args: Any) -> Any:
        return self.function(*(args or []))


def _fail(code: str, message: str) -> JException:
    return fail(code, message)


def _integer(value: Any, name: str, position: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _fail("T0410", f"Argument {position} of function {name} does not match function signature")
    return math.floor(value)  # Step Functions rounds integer arguments of its functions down


def _partition(array: Any, size: Any) -> Any:
    if not isinstance(array, list):
        array = [array]
    chunk = _integer(size, "$partition", 2)
    if chunk <= 0:
        raise _fail("D3001", "The chunk size of $partition must be a positive integer")
    return [list(array[i : i + chunk]) for i in range(0, len(array), chunk)]


def _range(start: Any, end: Any, step: Any = 1) -> Any:
    first, last, stride = _integer(start, "$range", 1), _integer(end, "$range", 2), _integer(step, "$range", 3)
    if stride == 0:
        raise _fail("D3001", "The step of $range cannot be zero")
    values = range(first, last + (1 if stride > 0 else -1), stride)
    if len(values) > 1000:
        raise _fail("D3001", "$range cannot produce more than 1000 items")
    # A JSONata sequence, so a single value collapses to a scalar: AWS gives 1 for $range(1, 9, 9).
    return _sequence(values)


_HASHES = {"MD5": "md5", "SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512"}


def _sequence(values: Any) -> Any:
    sequence = _jsonata_utils.Utils.create_sequence()
    sequence.extend(values)
    return sequence


def _hash(data: Any, algorithm: Any) -> Any:
    name = _HASHES.get(algorithm) if isinstance(algorithm, str) else None
    if name is None:
        raise _fail("D3001", f"$hash algorithm must be one of {', '.join(_HASHES)}")
    text = data if isinstance(data, str) else json.dumps(data, separators=(",", ":"))
    return hashlib.new(name, text.encode("utf-8")).hexdigest()


def _random(seed: Any = None) -> float:
    if seed is None:
        return _environment().random.random()
    return random.Random(_integer(seed, "$random", 1)).random()


def _uuid() -> str:
    return str(uuid.UUID(int=_environment().random.getrandbits(128), version=4))


def _parse(text: Any) -> Any:
    if not isinstance(text, str):
        raise _fail("D3001", "$parse expects a JSON string")
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise _fail("D3001", f"$parse could not parse the string as JSON: {error.msg}") from None
    return _to_jsonata(value)


def _now(picture: Any = None, timezone: Any = None) -> str:
    moment = datetime.fromtimestamp(_environment().now(), UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _millis() -> int:
    return int(_environment().now() * 1000)


def _eval(*args: Any) -> Any:
    raise _fail("D3001", "The $eval function is not supported in Step Functions workflows")


_STEP_FUNCTIONS_FUNCTIONS: dict[str, tuple[Callable[..., Any], str | None]] = {
    "partition": (_partition, None),
    "range": (_range, None),
    "hash": (_hash, None),
    "random": (_random, None),
    "uuid": (_uuid, None),
    "parse": (_parse, None),
    "now": (_now, None),
    "millis": (_millis, None),
    "eval": (_eval, None),
}

_LOCAL_BINDING = re.compile(r"\$([A-Za-z_]\w*)\s*:=")
_VARIABLE = re.compile(r"\$([A-Za-z_]\w*)")


class CompiledExpression:
    """One JSONata expression (the text between ``{%`` and ``%}``), parsed once."""

    __slots__ = ("_engine", "text", "variables")

    def __init__(self, text: str) -> None:
        self.text = text
        try:
            engine = GuardedJsonata(text)
        except JException as error:
            raise ExpressionSyntaxError(f"Invalid JSONata expression: {_describe(error).description}", text) from None
        except (ValueError, TypeError, AttributeError, IndexError, RecursionError, regex.error) as error:
            raise ExpressionSyntaxError(f"Invalid JSONata expression: {error}", text) from None
        engine.set_output_convert_nulls(False)
        for name, (function, signature) in _STEP_FUNCTIONS_FUNCTIONS.items():
            engine.register_function(name, jsonata.Jsonata.JFunction(_Native(function), signature))
        self._engine = engine
        local = set(_LOCAL_BINDING.findall(text))
        self.variables: frozenset[str] = frozenset(
            name for name in _VARIABLE.findall(text) if name not in _STEP_FUNCTIONS_FUNCTIONS and name not in local
        )
        """Workflow variables (and ``states``) the expression may read; only these are bound."""

    def __repr__(self) -> str:
        return f"CompiledExpression({self.text!r})"

    def evaluate(self, bindings: dict[str, Any], environment: JsonataEnvironment | None = None) -> Any:
        """The value, or ``UNDEFINED``; raises JsonataError on evaluation errors.

        The evaluation runs under the environment's ``jsonata_budget`` (``EvaluationBudget``:
        steps, seconds, values produced, a deadline); going over it is a ``JsonataError`` naming
        the budget, and reaching the deadline raises ``DeadlineReached``.
        """
        budget: EvaluationBudget = getattr(environment, "jsonata_budget", DEFAULT_BUDGET)
        meter = Meter(budget)
        prepared = {name: (_NULL if value is None else value) for name, value in bindings.items()}
        prepared["__evaluate_entry"] = meter.on_entry
        prepared["__evaluate_exit"] = meter.on_exit
        token = _current.set(environment)
        unmeter = metering(meter)
        try:
            result = self._engine.evaluate(None, prepared)
            if result is None:
                return UNDEFINED
            return to_json_value(result)
        except UnsupportedResult:
            raise
        except JException as error:
            raise _describe(error) from None
        except BudgetExceeded as error:
            raise JsonataError(None, str(error)) from None
        except TimeoutError:  # a regular expression ran out of the evaluation's time
            raise JsonataError(None, meter.time_message()) from None
        except RecursionError:
            raise JsonataError("U1001", "Stack overflow error: Check for non-terminating recursive function.") from None
        except MemoryError:
            raise JsonataError(None, "The expression ran out of memory: its result is too large.") from None
        except Exception as error:  # jsonata-python lets Python's own errors through
            raise _from_python(error) from None
        finally:
            unmeter()
            _current.reset(token)


def _describe(error: JException) -> JsonataError:
    code = getattr(error, "error", None)
    message = getattr(error, "message", None) or str(error)
    return JsonataError(code, message)


def _from_python(error: Exception) -> JsonataError:
    """A Python exception raised inside jsonata-python, as the JSONata error AWS's engine would raise.

    Where jsonata-python fails in Python (a cast, an overflow) JSONata itself throws one of its coded
    errors; the known cases get that code and text, anything else its own message. Either way the
    execution fails with States.QueryEvaluationError: an expression never crashes the engine.
    """
    text = str(error)
    if isinstance(error, ValueError) and text.startswith(_FAILED_CASTS):
        return JsonataError("D3030", "Unable to cast value to a number")
    if isinstance(error, ZeroDivisionError | OverflowError | decimal.InvalidOperation):
        return JsonataError("D1001", "Number out of range")
    return JsonataError(None, text or type(error).__name__)


_FAILED_CASTS = ("could not convert string to float", "invalid literal for int()")
"""What Python's ``float``/``int`` say where JSONata's ``$number`` throws D3030."""


def compile_expression(text: str) -> CompiledExpression:
    return CompiledExpression(text)


def compile_jsonata_string(value: str) -> CompiledExpression:
    """Compile a ``{% ... %}`` string; the expression is the text between the delimiters."""
    return CompiledExpression(value[len(_OPEN) : -len(_CLOSE)].strip())


def _to_jsonata(value: Any) -> Any:
    if value is None:
        return _NULL
    return value


def to_json_value(value: Any) -> Any:
    """Plain JSON types: lists for sequences, None for null, integers for integral numbers."""
    if value is _NULL:
        return None
    kind = type(value)
    if kind is dict or isinstance(value, dict):
        return {key: to_json_value(item) for key, item in value.items()}
    if kind is list or isinstance(value, list):
        return [to_json_value(item) for item in value]
    if kind is float:
        if value.is_integer() and abs(value) < 2**53:
            return int(value)
        return value
    if kind in (bool, int, str) or value is None:
        return value
    raise UnsupportedResult(value)


class UnsupportedResult(Exception):
    """An expression produced something that is not JSON (a function, a regex)."""

    def __init__(self, value: Any) -> None:
        super().__init__(type(value).__name__)
        self.value = value
