"""JSONPath Choice rules compiled into predicates.

Semantics follow AWS: a type mismatch between the variable and the operand makes the rule false
(never an error); strings compare like Java's ``String.compareTo`` (UTF-16 code units); numbers as
doubles; timestamps as instants; a missing ``Variable`` is only acceptable to ``IsPresent``.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from typing import Any

from asl_engine.language.errors import ExpressionSyntaxError, LocatedSyntaxError
from asl_engine.language.jsonpath import CompiledPath, compile_path
from asl_engine.language.scope import EvaluationScope
from asl_engine.language.timestamps import parse_timestamp

Predicate = Callable[[Any, EvaluationScope], bool]

_MISSING = object()


def _is_number(value: Any) -> bool:
    return type(value) in (int, float)


def _is_string(value: Any) -> bool:
    return type(value) is str


def _utf16(value: str) -> bytes:
    return value.encode("utf-16-be", "surrogatepass")


def _string_key(value: str) -> Any:
    # Python orders str by code point; Java by UTF-16 code unit. They differ only beyond the BMP.
    return value if value.isascii() or max(value) <= "\ud7ff" else _utf16(value)


def _compare_strings(left: str, right: str) -> int:
    a, b = _string_key(left), _string_key(right)
    if type(a) is not type(b):
        a, b = _utf16(left), _utf16(right)
    return int(a > b) - int(a < b)


def _compare_numbers(left: Any, right: Any) -> int:
    return int(left > right) - int(left < right)


def _compare_timestamps(left: Any, right: Any) -> int:
    a, b = parse_timestamp(left), parse_timestamp(right)
    assert a is not None and b is not None
    return (a > b) - (a < b)


_RELATIONS: dict[str, Callable[[int], bool]] = {
    "Equals": lambda c: c == 0,
    "LessThan": lambda c: c < 0,
    "GreaterThan": lambda c: c > 0,
    "LessThanEquals": lambda c: c <= 0,
    "GreaterThanEquals": lambda c: c >= 0,
}

_NUMBER_RELATIONS: dict[str, Callable[[Any, Any], bool]] = {
    "Equals": operator.eq,
    "LessThan": operator.lt,
    "GreaterThan": operator.gt,
    "LessThanEquals": operator.le,
    "GreaterThanEquals": operator.ge,
}
"""Numbers against a literal: the same order as ``_compare_numbers`` in one call (loop counters hit it)."""

_FAMILIES: dict[str, tuple[Callable[[Any], bool], Callable[[Any, Any], int]]] = {
    "String": (_is_string, _compare_strings),
    "Numeric": (_is_number, _compare_numbers),
    "Timestamp": (lambda v: parse_timestamp(v) is not None, _compare_timestamps),
    "Boolean": (lambda v: type(v) is bool, lambda a, b: 0 if a == b else 1),
}

_TYPE_TESTS: dict[str, Callable[[Any], bool]] = {
    "IsNull": lambda v: v is None,
    "IsNumeric": _is_number,
    "IsString": _is_string,
    "IsBoolean": lambda v: type(v) is bool,
    "IsTimestamp": lambda v: parse_timestamp(v) is not None,
}

COMPARISON_OPERATORS: frozenset[str] = frozenset(
    [f"{family}{relation}" for family in ("String", "Numeric", "Timestamp") for relation in _RELATIONS]
    + [f"{family}{relation}Path" for family in ("String", "Numeric", "Timestamp") for relation in _RELATIONS]
    + ["BooleanEquals", "BooleanEqualsPath", "StringMatches", "IsPresent", *_TYPE_TESTS]
)
_RULE_KEYS = frozenset({"Next", "Comment", "Assign", "Variable", "And", "Or", "Not", "Output"})


def compile_rule(rule: Any, pointer: str = "") -> Predicate:
    """Compile a (top-level or nested) JSONPath Choice Rule; raise LocatedSyntaxError if malformed."""
    if not isinstance(rule, dict):
        raise LocatedSyntaxError("A Choice Rule must be a JSON object", pointer)
    if "And" in rule or "Or" in rule:
        key = "And" if "And" in rule else "Or"
        operands = rule[key]
        if not isinstance(operands, list) or not operands:
            raise LocatedSyntaxError(f"'{key}' must be a non-empty array of Choice Rules", f"{pointer}/{key}")
        predicates = tuple(compile_rule(item, f"{pointer}/{key}/{index}") for index, item in enumerate(operands))
        if key == "And":
            return lambda value, scope: all(predicate(value, scope) for predicate in predicates)
        return lambda value, scope: any(predicate(value, scope) for predicate in predicates)
    if "Not" in rule:
        inner = compile_rule(rule["Not"], f"{pointer}/Not")
        return lambda value, scope: not inner(value, scope)
    return _compile_data_test(rule, pointer)


def _compile_data_test(rule: dict[str, Any], pointer: str) -> Predicate:
    operators = [key for key in rule if key not in _RULE_KEYS]
    if "Variable" not in rule:
        raise LocatedSyntaxError("A data-test Choice Rule needs a 'Variable'", pointer)
    if len(operators) != 1:
        found = ", ".join(operators) or "none"
        raise LocatedSyntaxError(f"Each Choice Rule can only have one comparison operator (found: {found})", pointer)
    operator = operators[0]
    if operator not in COMPARISON_OPERATORS:
        raise LocatedSyntaxError(f"Unknown comparison operator '{operator}'", f"{pointer}/{operator}")
    variable = _compile_rule_path(rule["Variable"], f"{pointer}/Variable")
    operand = rule[operator]
    where = f"{pointer}/{operator}"
    test = _compile_operator(operator, operand, where)

    if operator == "IsPresent":
        expected = operand

        def is_present(value: Any, scope: EvaluationScope) -> bool:
            return bool((_lookup(variable, value, scope) is not _MISSING) == expected)

        return is_present

    get = variable.get
    relation = _NUMBER_RELATIONS.get(operator[len("Numeric") :]) if operator.startswith("Numeric") else None
    if relation is not None:  # a number against a literal (a loop's exit test): ``test`` without its call

        def numeric_test(value: Any, scope: EvaluationScope) -> bool:
            found = get(value, scope)
            return type(found) in (int, float) and relation(found, operand)

        return numeric_test

    def data_test(value: Any, scope: EvaluationScope) -> bool:
        return test(get(value, scope), value, scope)

    return data_test


def _lookup(path: CompiledPath, value: Any, scope: EvaluationScope) -> Any:
    from asl_engine.language.errors import PathNotFoundError

    try:
        found = path.get(value, scope)
    except PathNotFoundError:
        return _MISSING
    if not path.definite and found == []:
        return _MISSING
    return found


def _compile_rule_path(text: Any, pointer: str) -> CompiledPath:
    if not isinstance(text, str):
        raise LocatedSyntaxError("A path must be a string", pointer)
    try:
        return compile_path(text)
    except ExpressionSyntaxError as error:
        raise LocatedSyntaxError(f"Invalid path: {error.message}", pointer) from None


OperatorTest = Callable[[Any, Any, EvaluationScope], bool]


def _compile_operator(operator: str, operand: Any, pointer: str) -> OperatorTest:
    if operator == "IsPresent" or operator in _TYPE_TESTS:
        if type(operand) is not bool:
            raise LocatedSyntaxError(f"'{operator}' takes a boolean", pointer)
        if operator == "IsPresent":
            return lambda found, value, scope: True
        type_test = _TYPE_TESTS[operator]
        return lambda found, value, scope: type_test(found) == operand
    if operator == "StringMatches":
        if not isinstance(operand, str):
            raise LocatedSyntaxError("'StringMatches' takes a string pattern", pointer)
        pattern = compile_string_matches(operand, pointer)
        return lambda found, value, scope: type(found) is str and pattern.fullmatch(found) is not None
    by_path = operator.endswith("Path")
    name = operator[:-4] if by_path else operator
    family = next(f for f in _FAMILIES if name.startswith(f))
    relation = _RELATIONS[name[len(family) :]]
    accepts, compare = _FAMILIES[family]
    if by_path:
        other = _compile_rule_path(operand, pointer)
        get_other = other.get

        def compare_with_path(found: Any, value: Any, scope: EvaluationScope) -> bool:
            reference = get_other(value, scope)
            return accepts(found) and accepts(reference) and relation(compare(found, reference))

        return compare_with_path
    if not accepts(operand):
        expected = {
            "String": "a string",
            "Numeric": "a number",
            "Timestamp": "an RFC3339 timestamp string",
            "Boolean": "a boolean",
        }[family]
        raise LocatedSyntaxError(f"'{operator}' takes {expected}", pointer)
    if family == "Numeric":
        holds = _NUMBER_RELATIONS[name[len(family) :]]
        return lambda found, value, scope: type(found) in (int, float) and holds(found, operand)
    return lambda found, value, scope: accepts(found) and relation(compare(found, operand))


def compile_string_matches(pattern: str, pointer: str = "") -> re.Pattern[str]:
    """``*`` matches any run of characters; ``\\*`` is a literal star and ``\\\\`` a backslash."""
    parts: list[str] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            if index + 1 >= len(pattern) or pattern[index + 1] not in "*\\":
                raise LocatedSyntaxError("In 'StringMatches' a backslash must escape '*' or another backslash", pointer)
            parts.append(re.escape(pattern[index + 1]))
            index += 2
            continue
        parts.append(".*" if char == "*" else re.escape(char))
        index += 1
    return re.compile("".join(parts), re.DOTALL)
