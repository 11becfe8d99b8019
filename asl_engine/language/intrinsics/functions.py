"""The 18 intrinsic functions, with AWS's observed behaviour.

Quirks kept on purpose because AWS has them (each seen in recorded executions): ``States.Format``
renders objects the way Java's ``Map.toString`` does (``{Arg1=1, Arg2=[]}``); ``States.StringSplit``
splits on every character of its delimiter string and drops empty tokens; integer arguments are
rounded like Java's ``Math.round`` (1.5 -> 2, -1.5 -> -1); ``States.StringToJson`` of a blank string
is ``null``; ``States.JsonMerge`` is shallow only.

AWS's exact error texts for failing intrinsics were not captured in our evidence. Failures raise
``States.Runtime`` (what AWS uses for data errors in paths and templates, and what the
AWS-validated LocalStack suite expects) with a message naming the function and the problem.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from asl_engine.language.errors import EvaluationError
from asl_engine.language.scope import EvaluationScope

RUNTIME = "States.Runtime"
MAX_ARRAY_RANGE = 1000
MAX_ENCODING_INPUT = 10_000
INT32 = (-(2**31), 2**31 - 1)


def failure(name: str, message: str) -> EvaluationError:
    return EvaluationError(RUNTIME, f"The intrinsic function {name} failed: {message}")


def is_number(value: Any) -> bool:
    return type(value) in (int, float)


def java_round(value: float) -> int:
    """Java's Math.round: halves round towards positive infinity."""
    return math.floor(value + 0.5)


def as_integer(name: str, value: Any, what: str) -> int:
    if not is_number(value) or not math.isfinite(value):
        raise failure(name, f"{what} must be a number, but was {render_json(value)}")
    return value if type(value) is int else java_round(value)


def require_string(name: str, value: Any, what: str) -> str:
    if type(value) is not str:
        raise failure(name, f"{what} must be a string, but was {render_json(value)}")
    return value


def require_array(name: str, value: Any, what: str) -> list[Any]:
    if type(value) is not list:
        raise failure(name, f"{what} must be an array, but was {render_json(value)}")
    return value


def render_json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def java_number(value: float) -> str:
    """Java's Double.toString: plain between 10^-3 and 10^7, else ``d.dddE±n`` (shortest digits)."""
    if value == 0 or 1e-3 <= abs(value) < 1e7:
        return repr(value)
    sign, digits, exponent = Decimal(repr(value)).normalize().as_tuple()
    assert isinstance(exponent, int)
    text = "".join(map(str, digits))
    mantissa = text[0] + "." + (text[1:] or "0")
    return f"{'-' if sign else ''}{mantissa}E{len(text) - 1 + exponent}"


def java_text(value: Any) -> str:
    """How AWS renders a value inside States.Format: Java's toString of the JSON node's value."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if type(value) is float:
        return java_number(value)
    if type(value) is int:
        return str(value)
    if type(value) is str:
        return value
    if type(value) is list:
        return "[" + ", ".join(java_text(item) for item in value) + "]"
    return "{" + ", ".join(f"{key}={java_text(item)}" for key, item in value.items()) + "}"


def json_equal(left: Any, right: Any) -> bool:
    """JSON equality: 1 == 1.0, but booleans only equal booleans."""
    if type(left) is bool or type(right) is bool:
        return type(left) is type(right) and left == right
    if is_number(left) and is_number(right):
        return bool(left == right)
    if type(left) is not type(right):
        return False
    if type(left) is list:
        return len(left) == len(right) and all(json_equal(a, b) for a, b in zip(left, right, strict=True))
    if type(left) is dict:
        return left.keys() == right.keys() and all(json_equal(left[key], right[key]) for key in left)
    return bool(left == right)


# -- the functions ----------------------------------------------------------------------------------------


def fn_format(args: list[Any], scope: EvaluationScope) -> str:
    name = "States.Format"
    template = require_string(name, args[0], "the template")
    values = args[1:]
    pieces: list[str] = []
    used = 0
    index = 0
    while index < len(template):
        char = template[index]
        if char == "\\" and index + 1 < len(template) and template[index + 1] in "{}":
            pieces.append(template[index + 1])
            index += 2
            continue
        if char == "{" and template.startswith("{}", index):
            if used >= len(values):
                raise failure(name, f"the template has more placeholders than the {len(values)} argument(s) given")
            pieces.append(java_text(values[used]))
            used += 1
            index += 2
            continue
        pieces.append(char)
        index += 1
    if used != len(values):
        raise failure(name, f"the template has {used} placeholder(s) but {len(values)} argument(s) were given")
    return "".join(pieces)


def fn_string_to_json(args: list[Any], scope: EvaluationScope) -> Any:
    text = require_string("States.StringToJson", args[0], "the argument")
    if not text.strip():
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise failure("States.StringToJson", f"the string is not valid JSON: {error.msg}") from None


def fn_json_to_string(args: list[Any], scope: EvaluationScope) -> str:
    return render_json(args[0])


def fn_array(args: list[Any], scope: EvaluationScope) -> list[Any]:
    return list(args)


def fn_array_partition(args: list[Any], scope: EvaluationScope) -> list[Any]:
    name = "States.ArrayPartition"
    array = require_array(name, args[0], "the first argument")
    size = as_integer(name, args[1], "the chunk size")
    if size <= 0:
        raise failure(name, f"the chunk size must be a positive integer, but was {size}")
    return [array[i:i + size] for i in range(0, len(array), size)]


def fn_array_contains(args: list[Any], scope: EvaluationScope) -> bool:
    array = require_array("States.ArrayContains", args[0], "the first argument")
    return any(json_equal(item, args[1]) for item in array)


def fn_array_range(args: list[Any], scope: EvaluationScope) -> list[int]:
    name = "States.ArrayRange"
    start, end, step = (as_integer(name, value, what) for value, what in zip(args, ("the start", "the end", "the step"),
                                                                             strict=True))
    if step == 0:
        raise failure(name, "the step cannot be 0")
    values = range(start, end + (1 if step > 0 else -1), step)
    if len(values) > MAX_ARRAY_RANGE:
        raise failure(name, f"the range would have {len(values)} items; at most {MAX_ARRAY_RANGE} are allowed")
    return list(values)


def fn_array_get_item(args: list[Any], scope: EvaluationScope) -> Any:
    name = "States.ArrayGetItem"
    array = require_array(name, args[0], "the first argument")
    index = as_integer(name, args[1], "the index")
    if not 0 <= index < len(array):
        raise failure(name, f"the index {index} is out of bounds for an array of length {len(array)}")
    return array[index]


def fn_array_length(args: list[Any], scope: EvaluationScope) -> int:
    return len(require_array("States.ArrayLength", args[0], "the argument"))


def fn_array_unique(args: list[Any], scope: EvaluationScope) -> list[Any]:
    unique: list[Any] = []
    for item in require_array("States.ArrayUnique", args[0], "the argument"):
        if not any(json_equal(item, seen) for seen in unique):
            unique.append(item)
    return unique


def _limited_text(name: str, value: Any) -> str:
    text = require_string(name, value, "the argument")
    if len(text) > MAX_ENCODING_INPUT:
        raise failure(name, f"the input is {len(text)} characters long; at most {MAX_ENCODING_INPUT} are allowed")
    return text


def fn_base64_encode(args: list[Any], scope: EvaluationScope) -> str:
    return base64.b64encode(_limited_text("States.Base64Encode", args[0]).encode("utf-8")).decode("ascii")


def fn_base64_decode(args: list[Any], scope: EvaluationScope) -> str:
    name = "States.Base64Decode"
    text = _limited_text(name, args[0])
    try:
        return base64.b64decode(text, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        raise failure(name, "the argument is not valid Base64 text") from None


_HASH_ALGORITHMS = {"MD5": "md5", "SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512"}


def fn_hash(args: list[Any], scope: EvaluationScope) -> str:
    name = "States.Hash"
    data, algorithm = args
    text = data if type(data) is str else render_json(data)
    if len(text) > MAX_ENCODING_INPUT:
        raise failure(name, f"the input is {len(text)} characters long; at most {MAX_ENCODING_INPUT} are allowed")
    digest = _HASH_ALGORITHMS.get(algorithm) if type(algorithm) is str else None
    if digest is None:
        raise failure(name, f"the algorithm must be one of {', '.join(_HASH_ALGORITHMS)}, but was {render_json(algorithm)}")
    return hashlib.new(digest, text.encode("utf-8")).hexdigest()


def fn_json_merge(args: list[Any], scope: EvaluationScope) -> dict[str, Any]:
    name = "States.JsonMerge"
    first, second, deep = args
    if type(first) is not dict or type(second) is not dict:
        raise failure(name, "both arguments to merge must be JSON objects")
    if deep is not False:
        raise failure(name, "only shallow merging is supported: the third argument must be false")
    return {**first, **second}


def fn_math_random(args: list[Any], scope: EvaluationScope) -> int:
    name = "States.MathRandom"
    start = as_integer(name, args[0], "the start")
    end = as_integer(name, args[1], "the end")
    if end <= start:
        raise failure(name, f"the end ({end}) must be greater than the start ({start})")
    rng = random.Random(as_integer(name, args[2], "the seed")) if len(args) == 3 else scope.random
    return rng.randrange(start, end)


def fn_math_add(args: list[Any], scope: EvaluationScope) -> int:
    name = "States.MathAdd"
    left, right = (as_integer(name, value, "an operand") for value in args)
    for value in (left, right):
        if not INT32[0] <= value <= INT32[1]:
            raise failure(name, f"the operand {value} is outside the 32-bit integer range")
    return left + right


def fn_string_split(args: list[Any], scope: EvaluationScope) -> list[str]:
    name = "States.StringSplit"
    text = require_string(name, args[0], "the string")
    delimiters = require_string(name, args[1], "the delimiter")
    tokens: list[str] = []
    current: list[str] = []
    for char in text:
        if char in delimiters:
            if current:
                tokens.append("".join(current))
            current = []
        else:
            current.append(char)
    if current:
        tokens.append("".join(current))
    return tokens


def fn_uuid(args: list[Any], scope: EvaluationScope) -> str:
    return str(uuid.UUID(int=scope.random.getrandbits(128), version=4))


@dataclass(frozen=True, slots=True)
class Signature:
    function: Callable[[list[Any], EvaluationScope], Any]
    min_args: int
    max_args: int


FUNCTIONS: dict[str, Signature] = {
    "States.Format": Signature(fn_format, 1, 1_000),
    "States.StringToJson": Signature(fn_string_to_json, 1, 1),
    "States.JsonToString": Signature(fn_json_to_string, 1, 1),
    "States.Array": Signature(fn_array, 0, 1_000),
    "States.ArrayPartition": Signature(fn_array_partition, 2, 2),
    "States.ArrayContains": Signature(fn_array_contains, 2, 2),
    "States.ArrayRange": Signature(fn_array_range, 3, 3),
    "States.ArrayGetItem": Signature(fn_array_get_item, 2, 2),
    "States.ArrayLength": Signature(fn_array_length, 1, 1),
    "States.ArrayUnique": Signature(fn_array_unique, 1, 1),
    "States.Base64Encode": Signature(fn_base64_encode, 1, 1),
    "States.Base64Decode": Signature(fn_base64_decode, 1, 1),
    "States.Hash": Signature(fn_hash, 2, 2),
    "States.JsonMerge": Signature(fn_json_merge, 3, 3),
    "States.MathRandom": Signature(fn_math_random, 2, 3),
    "States.MathAdd": Signature(fn_math_add, 2, 2),
    "States.StringSplit": Signature(fn_string_split, 2, 2),
    "States.UUID": Signature(fn_uuid, 0, 0),
}
