"""``States.StringToJson``, ``States.JsonToString`` and ``States.JsonMerge``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from asl_engine.language.intrinsics.failures import IntrinsicFailure, invalid_arguments
from asl_engine.language.intrinsics.functions.arguments import require_object, require_string
from asl_engine.language.intrinsics.javalike.jackson import JsonTextError, parse_json, to_json
from asl_engine.language.scope import EvaluationScope


def string_to_json(arguments: Sequence[Any], scope: EvaluationScope) -> Any:
    """Jackson's ``readTree``: ``""`` and ``" "`` give ``null``; ``"-0"`` gives ``0``; invalid text
    fails with "Cannot convert String to Json in States.StringToJson, caused by: <Jackson's message>"."""
    text = require_string("States.StringToJson", arguments[0])
    try:
        return parse_json(text)
    except JsonTextError as error:
        raise IntrinsicFailure(f"Cannot convert String to Json in States.StringToJson, caused by: {error}") from None


def json_to_string(arguments: Sequence[Any], scope: EvaluationScope) -> str:
    """Compact JSON as Jackson writes it; any argument is accepted (AWS serialises literals too)."""
    return to_json(arguments[0])


def json_merge(arguments: Sequence[Any], scope: EvaluationScope) -> dict[str, Any]:
    """Shallow merge, the second object's keys winning. AWS supports only shallow merges: ``true``
    as the third argument fails, anything else (even the string ``"false"``) means shallow."""
    name = "States.JsonMerge"
    first = require_object(name, arguments[0])
    second = require_object(name, arguments[1])
    if arguments[2] is True:
        raise invalid_arguments(name)
    return {**first, **second}
