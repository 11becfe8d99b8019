"""``States.Array`` and the ``States.Array*`` functions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from asl_engine.language.intrinsics.failures import invalid_arguments
from asl_engine.language.intrinsics.functions.arguments import require_list, truncated_int
from asl_engine.language.intrinsics.javalike.hash_set import hash_set_order
from asl_engine.language.intrinsics.javalike.text import java_string
from asl_engine.language.scope import EvaluationScope

ARRAY_RANGE_LIMIT: Final = 1000


def array(arguments: Sequence[Any], scope: EvaluationScope) -> list[Any]:
    return list(arguments)


def array_partition(arguments: Sequence[Any], scope: EvaluationScope) -> list[list[Any]]:
    name = "States.ArrayPartition"
    items = require_list(name, arguments[0])
    size = truncated_int(name, arguments[1])
    if size <= 0:
        raise invalid_arguments(name)
    return [items[start : start + size] for start in range(0, len(items), size)]


def array_contains(arguments: Sequence[Any], scope: EvaluationScope) -> bool:
    """Membership by Java ``toString`` text, as observed: ``true`` is found among ``["true"]``,
    ``{"b": 2, "a": 1}`` is not found among ``[{"a": 1, "b": 2}]``, ``0`` does not match ``false``."""
    items = require_list("States.ArrayContains", arguments[0])
    target = java_string(arguments[1])
    return any(java_string(item) == target for item in items)


def array_range(arguments: Sequence[Any], scope: EvaluationScope) -> list[int]:
    name = "States.ArrayRange"
    start = truncated_int(name, arguments[0])
    end = truncated_int(name, arguments[1])
    step = truncated_int(name, arguments[2])
    if step == 0:
        raise invalid_arguments(name)
    if step > 0:
        count = (end - start) // step + 1 if end >= start else 0
    else:
        count = (start - end) // -step + 1 if start >= end else 0
    if count > ARRAY_RANGE_LIMIT:
        raise invalid_arguments(name)
    return list(range(start, start + count * step, step)) if count else []


def array_get_item(arguments: Sequence[Any], scope: EvaluationScope) -> Any:
    name = "States.ArrayGetItem"
    items = require_list(name, arguments[0])
    index = truncated_int(name, arguments[1])
    if not items:
        return None  # Observed: an empty array gives null whatever the index.
    if not 0 <= index < len(items):
        raise invalid_arguments(name)
    return items[index]


def array_length(arguments: Sequence[Any], scope: EvaluationScope) -> int:
    return len(require_list("States.ArrayLength", arguments[0]))


def array_unique(arguments: Sequence[Any], scope: EvaluationScope) -> list[Any]:
    """Distinct values in ``java.util.HashSet`` order (observed: ``[true, false]`` -> ``[false, true]``)."""
    return hash_set_order(require_list("States.ArrayUnique", arguments[0]))
