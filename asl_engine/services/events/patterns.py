"""EventBridge event patterns: which events a rule matches.

A pattern mirrors the event's structure; each leaf is a list of matchers, any of which may match
the event's value there (or, when the event holds an array, any of its elements). Supported
matchers: exact values (strings, numbers, booleans, null), ``prefix``, ``suffix``,
``equals-ignore-case``, ``wildcard`` (``*`` for any run of characters), ``anything-but`` (a value,
a list of values, or ``{"prefix": ...}``/``{"suffix": ...}``), ``numeric`` (comparisons such as
``[">", 0, "<=", 5]``) and ``exists``. Content filters not listed (``cidr``, ``$or``) are rejected
when the rule is declared, naming the filter.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from asl_engine.errors import ConfigurationError

_NUMERIC_OPERATORS = {
    "=": lambda a, b: a == b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}
_MISSING = object()


def check_pattern(pattern: Any, where: str = "pattern") -> None:
    """Raise ``ConfigurationError`` naming the place when ``pattern`` is not a pattern this module matches."""
    if not isinstance(pattern, Mapping) or not pattern:
        raise ConfigurationError(f"{where}: an event pattern is a non-empty JSON object")
    for key, value in pattern.items():
        at = f"{where}.{key}"
        if isinstance(value, Mapping):
            check_pattern(value, at)
        elif isinstance(value, list) and value:
            for matcher in value:
                _check_matcher(matcher, at)
        else:
            raise ConfigurationError(f"{at}: expected a list of values or matchers, or a nested pattern")


def _check_matcher(matcher: Any, at: str) -> None:
    if not isinstance(matcher, Mapping):
        if isinstance(matcher, list):
            raise ConfigurationError(f"{at}: a matcher cannot be a list")
        return
    if len(matcher) != 1:
        raise ConfigurationError(f"{at}: a content filter has exactly one key, got {sorted(matcher)}")
    ((kind, argument),) = matcher.items()
    if kind in ("prefix", "suffix", "equals-ignore-case", "wildcard"):
        if not isinstance(argument, str):
            raise ConfigurationError(f"{at}: '{kind}' takes a string")
    elif kind == "exists":
        if not isinstance(argument, bool):
            raise ConfigurationError(f"{at}: 'exists' takes true or false")
    elif kind == "numeric":
        if not isinstance(argument, list) or not argument or len(argument) % 2:
            raise ConfigurationError(f"{at}: 'numeric' takes operator, number pairs, e.g. ['>', 0, '<=', 5]")
        for operator, number in zip(argument[::2], argument[1::2], strict=True):
            if operator not in _NUMERIC_OPERATORS or isinstance(number, bool) or not isinstance(number, int | float):
                raise ConfigurationError(f"{at}: bad 'numeric' comparison {operator!r} {number!r}")
    elif kind == "anything-but":
        if isinstance(argument, Mapping):
            if len(argument) != 1 or next(iter(argument)) not in ("prefix", "suffix"):
                raise ConfigurationError(f"{at}: 'anything-but' takes a value, a list, or a prefix or suffix")
        elif isinstance(argument, list) and any(isinstance(item, Mapping | list) for item in argument):
            raise ConfigurationError(f"{at}: 'anything-but' takes a list of plain values")
    else:
        raise ConfigurationError(f"{at}: the content filter '{kind}' is not emulated by asl-engine")


def matches(pattern: Mapping[str, Any], event: Mapping[str, Any]) -> bool:
    """Whether ``event`` (EventBridge's event, ``detail`` parsed) matches ``pattern``."""
    for key, expected in pattern.items():
        actual = event.get(key, _MISSING) if isinstance(event, Mapping) else _MISSING
        if isinstance(expected, Mapping):
            if not isinstance(actual, Mapping) or not matches(expected, actual):
                return False
        elif not any(_leaf_matches(matcher, actual) for matcher in expected):
            return False
    return True


def _leaf_matches(matcher: Any, actual: Any) -> bool:
    if isinstance(matcher, Mapping) and "exists" in matcher:
        return (actual is not _MISSING) == bool(matcher["exists"])
    if actual is _MISSING:
        return False
    values = actual if isinstance(actual, list) else [actual]
    if isinstance(matcher, Mapping) and "anything-but" in matcher:
        return all(_anything_but(matcher["anything-but"], value) for value in values)
    return any(_value_matches(matcher, value) for value in values)


def _value_matches(matcher: Any, value: Any) -> bool:
    if not isinstance(matcher, Mapping):
        return _same(matcher, value)
    ((kind, argument),) = matcher.items()
    if kind == "numeric":
        if isinstance(value, bool) or not isinstance(value, int | float):
            return False
        return all(
            _NUMERIC_OPERATORS[operator](value, number)
            for operator, number in zip(argument[::2], argument[1::2], strict=True)
        )
    if not isinstance(value, str):
        return False
    if kind == "prefix":
        return value.startswith(argument)
    if kind == "suffix":
        return value.endswith(argument)
    if kind == "equals-ignore-case":
        return bool(value.casefold() == argument.casefold())
    return _wildcard(argument).fullmatch(value) is not None


def _wildcard(text: str) -> re.Pattern[str]:
    """``*`` stands for any run of characters (``\\*`` for a star itself); nothing else is special."""
    parts = re.split(r"(\\\*|\*)", text)
    return re.compile(
        "".join(".*" if part == "*" else re.escape("*" if part == "\\*" else part) for part in parts), re.DOTALL
    )


def _anything_but(argument: Any, value: Any) -> bool:
    if isinstance(argument, Mapping):
        ((kind, text),) = argument.items()
        if not isinstance(value, str):
            return True
        return not (value.startswith(text) if kind == "prefix" else value.endswith(text))
    excluded = argument if isinstance(argument, list) else [argument]
    return not any(_same(item, value) for item in excluded)


def _same(expected: Any, value: Any) -> bool:
    if isinstance(expected, bool) or isinstance(value, bool):
        return expected is value
    if isinstance(expected, int | float) and isinstance(value, int | float):
        return float(expected) == float(value)
    return bool(expected == value)
