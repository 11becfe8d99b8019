"""``States.MathAdd`` and ``States.MathRandom``."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Final

from asl_engine.language.intrinsics.failures import invalid_arguments
from asl_engine.language.intrinsics.functions.arguments import INT32_MAX, INT32_MIN, rounded_int, truncated_int
from asl_engine.language.intrinsics.javalike.java_random import JavaRandom
from asl_engine.language.scope import EvaluationScope

_INT64_MIN: Final = -(2**63)
_INT64_MAX: Final = 2**63 - 1


def math_add(arguments: Sequence[Any], scope: EvaluationScope) -> int:
    """Operands rounded with ``Math.round`` (observed: 1.49 + 1.5 = 3, -1.5 + -1.51 = -3,
    0.5 + 0 = 1, -2.5 + 0 = -2); operands and sum must fit a Java ``int``."""
    name = "States.MathAdd"
    total = rounded_int(name, arguments[0]) + rounded_int(name, arguments[1])
    if not INT32_MIN <= total <= INT32_MAX:
        raise invalid_arguments(name)
    return total


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
    seed = arguments[2]
    if type(seed) is int:
        whole: int = seed
    elif type(seed) is float and math.isfinite(seed):
        whole = math.trunc(seed)
    else:
        raise invalid_arguments(name)
    if not _INT64_MIN <= whole <= _INT64_MAX:
        raise invalid_arguments(name)
    return start + JavaRandom(whole).next_int(bound)
