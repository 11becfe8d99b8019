"""jsonata-python, adjusted where it differs from the JSONata AWS runs in ways that crash or leak.

jsonata-python is a port of JSONata (JavaScript) to Python; where JavaScript's arithmetic and
dates fail softly or with JSONata's coded errors, Python raises its own exceptions
(``ZeroDivisionError``, ``OverflowError``, ``OSError``...), and an unknown function makes the
library *print* before raising. This module keeps JSONata's behaviour and wording instead:

* arithmetic follows JavaScript (``5.5 % 2`` is 1.5) and a result that is not a finite number
  (``1/0``, ``0/0``, ``7 % 0``, an overflow) is JSONata's ``D1001: Number out of range``;
* ``$number``, ``$power``, ``$toMillis``, ``$fromMillis`` and ``$sort`` raise the errors JSONata's
  functions raise (``D3030``, ``D3061``, ``D3110``, ``D3070``; JavaScript's ``Invalid time value``),
  never Python's;
* calling something that is not a function is ``T1006`` without a word on stdout: the engine never
  touches process-wide state such as ``sys.stdout``;
* ``$pad`` checks its width against the evaluation's budget before allocating the string.

The subclass overrides two evaluator methods of jsonata-python (``apply_inner`` and
``evaluate_numeric_expression``); ``tests/language/test_jsonata_engine.py`` pins their behaviour.
"""

from __future__ import annotations

import copy
import math
import re
from datetime import UTC, datetime
from typing import Any, Final

import jsonata
from jsonata import functions as _functions
from jsonata import utils as _utils
from jsonata.jexception import JException

from asl_engine.language.jsonata_budget import current_meter, timed_regex_engine

_MAX_JS_MILLIS: Final = 8.64e15
"""JavaScript's Date covers +-100,000,000 days around 1970."""
_ISO_TIMESTAMP = re.compile(r"^\d{4}(-[01]\d)*(-[0-3]\d)*(T[0-2]\d:[0-5]\d:[0-5]\d)*(\.\d+)?([+-][0-2]\d:?[0-5]\d|Z)?$")
"""What JSONata's ``$toMillis`` accepts without a picture (its own ISO 8601 pattern)."""
_JS_NUMBER = re.compile(r"^-?[0-9]+(\.[0-9]+)?([Ee][-+]?[0-9]+)?$")
"""A string ``$number`` converts (JSONata's own test), besides 0x/0B/0O literals."""


def fail(code: str | None, message: str) -> JException:
    """A JSONata error with JSONata's code and our message (rendered as JSONata renders its own)."""
    error = JException(code or "", 0)
    error.error = code
    error.message = message
    return error


def js_number(value: float) -> str:
    """A number as JavaScript's String() writes it (what JSONata's messages show)."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return str(int(value)) if value.is_integer() and abs(value) < 1e21 else repr(value)


def js_json(value: Any) -> str:
    """A value as JSON.stringify writes it in JSONata's messages."""
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return js_number(value) if math.isfinite(value) else "null"
    return str(value)


def _is_function(proc: Any) -> bool:
    return (
        _functions.Functions.is_lambda(proc)
        or isinstance(proc, jsonata.Jsonata.JFunction | jsonata.Jsonata.JLambda)
        or _functions.Functions.is_regex(proc)
    )


class GuardedJsonata(jsonata.Jsonata):  # type: ignore[misc]  # jsonata-python has no type hints
    """A jsonata-python expression with JSONata's (JavaScript's) failure behaviour; see the module."""

    def __init__(self, expression: str) -> None:
        super().__init__(expression, timed_regex_engine)
        for name, function in _FUNCTIONS.items():
            self.register_function(name, function)

    def apply_inner(self, proc: Any, args: Any, input: Any, environment: Any) -> Any:
        if not _is_function(proc):
            # jsonata-python prints "Proc not found" on stdout before raising this.
            raise JException("T1006", 0)
        return super().apply_inner(proc, args, input, environment)

    def evaluate_numeric_expression(self, lhs: Any, rhs: Any, op: Any) -> Any:
        if lhs is not None and not _utils.Utils.is_numeric(lhs):
            raise JException("T2001", -1, op, lhs)
        if rhs is not None and not _utils.Utils.is_numeric(rhs):
            raise JException("T2002", -1, op, rhs)
        if lhs is None or rhs is None:
            return None
        left, right = float(lhs), float(rhs)
        try:
            if op == "+":
                result = left + right
            elif op == "-":
                result = left - right
            elif op == "*":
                result = left * right
            elif op == "/":
                result = left / right if right else _js_division_by_zero(left, right)
            else:  # "%": JavaScript's remainder keeps the dividend's sign and the fraction
                result = math.fmod(left, right) if right else math.nan
        except OverflowError:
            result = math.inf
        if not math.isfinite(result):
            raise fail("D1001", f"Number out of range: {js_number(result)}")
        return _utils.Utils.convert_number(result)


def _js_division_by_zero(left: float, right: float) -> float:
    if left == 0 or math.isnan(left):
        return math.nan
    return math.copysign(math.inf, left) * math.copysign(1.0, right)


# -- functions whose Python port fails with Python's errors ---------------------------------------


def _number(arg: Any) -> Any:
    if isinstance(arg, str) and not arg.startswith(("0x", "0B", "0O")):
        if not _JS_NUMBER.match(arg):
            raise fail("D3030", f"Unable to cast value to a number: {js_json(arg)}")
        value = float(arg)
        if not math.isfinite(value):
            raise fail("D3030", f"Unable to cast value to a number: {js_json(arg)}")
        return value
    if isinstance(arg, float) and not math.isfinite(arg):
        raise fail("D3030", f"Unable to cast value to a number: {js_json(arg)}")
    try:
        return _functions.Functions.number(arg)
    except ValueError:
        raise fail("D3030", f"Unable to cast value to a number: {js_json(arg)}") from None


def _power(base: Any, exponent: Any) -> Any:
    if base is None:
        return None
    try:
        result = float(base) ** float(exponent)
    except (OverflowError, ZeroDivisionError):
        result = math.inf
    if isinstance(result, complex) or not math.isfinite(result):
        raise fail(
            "D3061",
            "The power function has resulted in a value that cannot be represented as a JSON number: "
            f"base={js_json(base)}, exponent={js_json(exponent)}",
        )
    return result


def _from_millis(millis: Any, picture: Any = None, timezone: Any = None) -> Any:
    if millis is None:
        return None
    if not isinstance(millis, int | float) or isinstance(millis, bool) or not math.isfinite(millis):
        raise fail(None, "Invalid time value")
    if abs(millis) > _MAX_JS_MILLIS:
        raise fail(None, "Invalid time value")  # JavaScript's RangeError, as JSONata lets it through
    try:
        datetime.fromtimestamp(millis / 1000, UTC)
    except (OverflowError, OSError, ValueError):
        raise fail(None, f"Invalid time value: {js_number(float(millis))} ms is outside the years 1-9999") from None
    return _functions.Functions.datetime_from_millis(millis, picture, timezone)


def _to_millis(timestamp: Any, picture: Any = None) -> Any:
    if timestamp is None:
        return None
    if picture is None and (not isinstance(timestamp, str) or not _ISO_TIMESTAMP.match(timestamp)):
        raise _d3110(timestamp)
    try:
        return _functions.Functions.datetime_to_millis(timestamp, picture)
    except JException:
        raise
    except (ValueError, OverflowError, OSError):
        raise _d3110(timestamp) from None


def _d3110(timestamp: Any) -> JException:
    return fail(
        "D3110",
        f"The argument of the toMillis function must be an ISO 8601 formatted timestamp. Given {js_json(timestamp)}",
    )


def _pad(string: Any, width: Any, char: Any = None) -> Any:
    meter = current_meter()
    if meter is not None and isinstance(width, int | float) and math.isfinite(width):
        meter.charge(int(abs(width)) >> 4)  # before the string is made, not after
    return _functions.Functions.pad(string, width, char)


def _sort(array: Any, comparator: Any = None) -> Any:
    if comparator is None and isinstance(array, list) and len(array) > 1:
        numbers = all(_utils.Utils.is_numeric(item) for item in array)
        if not numbers and not all(isinstance(item, str) for item in array):
            raise fail(
                "D3070",
                "The single argument form of the sort function can only be applied to an array of strings or an "
                "array of numbers.  Use the second argument to specify a comparison function",
            )
    return _functions.Functions.sort(array, comparator)


def _wrapped(name: str, implementation: Any) -> Any:
    """jsonata-python's built-in ``name`` (its signature and argument checks) running ``implementation``."""
    original = jsonata.Jsonata.static_frame.lookup(name)
    wrapped = copy.copy(original)
    wrapped.method = implementation
    return wrapped


_FUNCTIONS: Final = {
    "number": _wrapped("number", _number),
    "power": _wrapped("power", _power),
    "fromMillis": _wrapped("fromMillis", _from_millis),
    "toMillis": _wrapped("toMillis", _to_millis),
    "pad": _wrapped("pad", _pad),
    "sort": _wrapped("sort", _sort),
}
