"""``States.MathAdd`` and ``States.MathRandom``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from asl_engine.language.intrinsics.failures import invalid_arguments
from asl_engine.language.intrinsics.functions.arguments import (
    INT32_MAX,
    INT32_MIN,
    INT64_MAX,
    INT64_MIN,
    rounded_int,
    truncated_int,
)
from asl_engine.language.intrinsics.javalike.java_random import JavaRandom
from asl_engine.language.scope import EvaluationScope


def math_add(arguments: Sequence[Any], scope: EvaluationScope) -> int:
    """Operands rounded with ``Math.round`` (observed: 1.49 + 1.5 = 3, -1.5 + -1.51 = -3,
    0.5 + 0 = 1, -2.5 + 0 = -2); operands and sum must fit a Java ``int``."""
    first, second = arguments[0], arguments[1]
    if type(first) is int and type(second) is int:  # the usual case, without the conversions
        total = first + second
        # INT32_MIN and INT32_MAX written as constants (no global lookups): this runs once per W2 round
        in_range = -0x80000000 <= first <= 0x7FFFFFFF and -0x80000000 <= second <= 0x7FFFFFFF
        if in_range and -0x80000000 <= total <= 0x7FFFFFFF:
            return total
    name = "States.MathAdd"
    total = rounded_int(name, first) + rounded_int(name, second)
    if not INT32_MIN <= total <= INT32_MAX:
        raise invalid_arguments(name)
    return total


def math_add_range(constant: Any) -> tuple[int, int] | None:
    """For ``States.MathAdd`` of a value and the literal ``constant``: the ints ``low..high`` for
    which the result is simply ``value + constant`` (both operands and the sum fit a Java ``int``),
    or None when ``constant`` is not such an int (the general path decides)."""
    if type(constant) is not int or not INT32_MIN <= constant <= INT32_MAX:
        return None
    return max(INT32_MIN, INT32_MIN - constant), min(INT32_MAX, INT32_MAX - constant)


def math_random(arguments: Sequence[Any], scope: EvaluationScope) -> int:
    """An integer in ``[start, end)``; bounds truncated (observed: ``(1.6, 5.4)`` can give 1).

    With a seed the value is ``new java.util.Random(seed).nextInt(end - start) + start``, which
    reproduces every seeded value recorded on AWS. Without one it comes from the execution's
    random source, so runs are reproducible when the engine is seeded.
    """
    name = "States.MathRandom"
    start = truncated_int(name, arguments[0])
    end = truncated_int(name, arguments[1])
    bound = end - start
    if bound > INT32_MAX:  # Java's int subtraction overflows to a negative bound.
        bound -= 2**32
    if bound <= 0:
        raise invalid_arguments(name)
    if len(arguments) < 3:
        return start + scope.random.randrange(bound)
    seed = truncated_int(name, arguments[2], INT64_MIN, INT64_MAX)  # a Java long
    return start + JavaRandom(seed).next_int(bound)
