"""A yes/no JSON Schema checker compiled to closures, for the subset of keywords the ASL schema uses.

Why it exists: ``jsonschema`` needs about 25 microseconds to accept even a two-field Pass state,
so validating a 1,000-state definition with it alone takes ~25 ms, the whole budget of loading a
machine. Valid definitions are the common case, so each sub-schema is compiled once into nested
closures that only answer "valid or not" (a few microseconds a state). Only when a closure says
"invalid" does the validator ask ``jsonschema`` for the detailed errors, so every message still
comes from the real implementation. A test compares both answers on many generated documents.

The compiler refuses any keyword it does not implement, so the schema file cannot silently grow
a keyword that this fast path would ignore.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from itertools import repeat
from typing import Any

Check = Callable[[Any], bool]

# Keywords that never affect validity (annotations), ``x-*`` diagnostics text, and ``$defs``.
_ANNOTATIONS = frozenset(
    {
        "$schema",
        "$id",
        "$defs",
        "$comment",
        "title",
        "description",
        "examples",
        "default",
        "deprecated",
    }
)

_TYPE_CHECKS: dict[str, Check] = {
    "object": lambda value: isinstance(value, dict),
    "array": lambda value: isinstance(value, list),
    "string": lambda value: isinstance(value, str),
    "boolean": lambda value: isinstance(value, bool),
    "null": lambda value: value is None,
    "number": lambda value: isinstance(value, int | float) and not isinstance(value, bool),
    "integer": lambda value: (
        (isinstance(value, int) and not isinstance(value, bool)) or (isinstance(value, float) and value.is_integer())
    ),
}


_SIMPLE_TYPES: dict[str, type] = {"object": dict, "array": list, "string": str, "boolean": bool, "null": type(None)}
"""The JSON types that are exactly one ``isinstance`` (numbers are not: a bool is an int, 1.0 an integer)."""


class UnsupportedKeywordError(ValueError):
    """The schema uses a keyword this compiler does not implement."""


def json_equal(left: Any, right: Any) -> bool:
    """JSON equality as JSON Schema defines it: ``true`` is not ``1``, but ``1`` is ``1.0``."""
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(json_equal(left[k], right[k]) for k in left)
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(json_equal(a, b) for a, b in zip(left, right, strict=True))
    return bool(left == right)


class SchemaCompiler:
    """Compiles sub-schemas of one root schema document; ``$ref`` targets are compiled once and shared."""

    def __init__(self, root: Mapping[str, Any]) -> None:
        self._root = root
        self._refs: dict[str, Check] = {}
        self.instance_tests: dict[Check, type | tuple[type, ...]] = {}
        """The checks that are exactly ``isinstance(value, types)`` (a ``type`` keyword alone), by
        check: a keyword applying one to many values (``additionalProperties``, ``items``) then
        tests them all in one C-level ``map`` instead of a Python call each."""

    def compile(self, schema: Any) -> Check:
        if schema is True:
            return _always
        if schema is False:
            return _never
        if not isinstance(schema, Mapping):
            raise UnsupportedKeywordError(f"a schema must be an object or a boolean, got {schema!r}")
        checks: list[Check] = []
        for keyword, value in schema.items():
            if keyword in _ANNOTATIONS or keyword.startswith("x-"):
                continue
            builder = _KEYWORDS.get(keyword)
            if builder is None:
                raise UnsupportedKeywordError(f"keyword {keyword!r} is not supported by the fast checker")
            check = builder(self, value, schema)
            if check is not None:
                checks.append(check)
        return _all_of(checks)

    def compile_ref(self, target: str) -> Check:
        """A ``#/$defs/...`` reference, resolved lazily so recursive definitions work: a reference met
        while its target is being compiled gets ``deferred``, which looks the check up when called;
        every other one gets the check itself (one call less on each use)."""
        cached = self._refs.get(target)
        if cached is not None:
            return cached
        compiled: list[Check] = []

        def deferred(value: Any) -> bool:
            return compiled[0](value)

        self._refs[target] = deferred
        check = self.compile(self.resolve(target))
        compiled.append(check)
        self._refs[target] = check
        return check

    def resolve(self, target: str) -> Any:
        if not target.startswith("#/"):
            raise UnsupportedKeywordError(f"only local references are supported, got {target!r}")
        node: Any = self._root
        for part in target[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return node


def _always(value: Any) -> bool:
    return True


def _never(value: Any) -> bool:
    return False


def _all_of(checks: list[Check]) -> Check:
    """Every check passes; written out for two and three (most schemas), a loop beyond."""
    if not checks:
        return _always
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:
        first, second = checks
        return lambda value: first(value) and second(value)
    if len(checks) == 3:
        first, second, third = checks
        return lambda value: first(value) and second(value) and third(value)
    every = tuple(checks)
    return lambda value: all(item(value) for item in every)


# -- keyword builders: (compiler, keyword value, whole schema) -> check or None --------------------

Builder = Callable[[SchemaCompiler, Any, Mapping[str, Any]], "Check | None"]


def _type(compiler: SchemaCompiler, value: Any, schema: Mapping[str, Any]) -> Check:
    names = [value] if isinstance(value, str) else list(value)
    if all(name in _SIMPLE_TYPES for name in names):
        kinds = tuple(_SIMPLE_TYPES[name] for name in names)
        kind = kinds[0] if len(kinds) == 1 else kinds  # one type: not the (slower) tuple form

        def is_instance(instance: Any) -> bool:
            return isinstance(instance, kind)

        compiler.instance_tests[is_instance] = kind
        return is_instance
    tests = [_TYPE_CHECKS[name] for name in names]
    if len(tests) == 1:
        return tests[0]
    return lambda instance: any(test(instance) for test in tests)


def _const(compiler: SchemaCompiler, value: Any, schema: Mapping[str, Any]) -> Check:
    return lambda instance: json_equal(instance, value)


def _enum(compiler: SchemaCompiler, value: Any, schema: Mapping[str, Any]) -> Check:
    if all(isinstance(item, str) for item in value):
        allowed = frozenset(value)
        return lambda instance: isinstance(instance, str) and instance in allowed
    return lambda instance: any(json_equal(instance, item) for item in value)


def _properties(compiler: SchemaCompiler, value: Any, schema: Mapping[str, Any]) -> Check | None:
    """``properties`` and ``additionalProperties`` together: one pass over the instance's keys."""
    known = {name: compiler.compile(sub) for name, sub in value.items()}
    extra = schema.get("additionalProperties", True)
    extra_check = None if extra is True else compiler.compile(extra)

    def check(instance: Any) -> bool:
        if not isinstance(instance, dict):
            return True
        for key, item in instance.items():
            sub = known.get(key)
            if sub is not None:
                if sub is not _always and not sub(item):  # a field that takes any value: no call
                    return False
            elif extra_check is not None and not extra_check(item):
                return False
        return True

    return check


def _additional_properties(compiler: SchemaCompiler, value: Any, schema: Mapping[str, Any]) -> Check | None:
    if "properties" in schema:
        return None  # handled by _properties
    if value is True:
        return None
    extra = compiler.compile(value)
    kinds = compiler.instance_tests.get(extra)
    if kinds is not None:  # each value one type test, all of them in one C-level pass
        return lambda instance: not isinstance(instance, dict) or all(map(isinstance, instance.values(), repeat(kinds)))
    return lambda instance: not isinstance(instance, dict) or all(extra(item) for item in instance.values())


def _required(compiler: SchemaCompiler, value: Any, schema: Mapping[str, Any]) -> Check:
    names = tuple(value)
    if len(names) == 1:
        (name,) = names
        return lambda instance: not isinstance(instance, dict) or name in instance
    every = frozenset(names)
    return lambda instance: not isinstance(instance, dict) or instance.keys() >= every


_LENGTH_KEYWORDS = frozenset({"minLength", "maxLength"})


def _property_names(compiler: SchemaCompiler, value: Any, schema: Mapping[str, Any]) -> Check:
    sub = compiler.compile(value)

    def general(instance: Any) -> bool:
        return not isinstance(instance, dict) or all(sub(key) for key in instance)

    if not isinstance(value, Mapping) or not value or not _LENGTH_KEYWORDS.issuperset(value):
        return general
    shortest, longest = value.get("minLength", 0), value.get("maxLength")

    def lengths(instance: Any) -> bool:
        """Names only bounded in length (a ``States`` block's): the shortest and the longest name
        against the bounds, in C; keys that are not all exact strings take ``general``."""
        if not isinstance(instance, dict) or not instance:
            return True
        if set(map(type, instance)) != _ONLY_STRINGS:
            return general(instance)
        sizes = list(map(len, instance))
        return min(sizes) >= shortest and (longest is None or max(sizes) <= longest)

    return lengths


_ONLY_STRINGS = {str}


def _min_properties(compiler: SchemaCompiler, value: Any, schema: Mapping[str, Any]) -> Check:
    return lambda instance: not isinstance(instance, dict) or len(instance) >= value


def _items(compiler: SchemaCompiler, value: Any, schema: Mapping[str, Any]) -> Check:
    sub = compiler.compile(value)
    kinds = compiler.instance_tests.get(sub)
    if kinds is not None:  # each item one type test, all of them in one C-level pass
        return lambda instance: not isinstance(instance, list) or all(map(isinstance, instance, repeat(kinds)))
    return lambda instance: not isinstance(instance, list) or all(sub(item) for item in instance)


def _min_items(compiler: SchemaCompiler, value: Any, schema: Mapping[str, Any]) -> Check:
    return lambda instance: not isinstance(instance, list) or len(instance) >= value


def _min_length(compiler: SchemaCompiler, value: Any, schema: Mapping[str, Any]) -> Check:
    return lambda instance: not isinstance(instance, str) or len(instance) >= value


def _max_length(compiler: SchemaCompiler, value: Any, schema: Mapping[str, Any]) -> Check:
    return lambda instance: not isinstance(instance, str) or len(instance) <= value


def _pattern(compiler: SchemaCompiler, value: Any, schema: Mapping[str, Any]) -> Check:
    search = re.compile(value).search
    return lambda instance: not isinstance(instance, str) or search(instance) is not None


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _minimum(compiler: SchemaCompiler, value: Any, schema: Mapping[str, Any]) -> Check:
    return lambda instance: not _is_number(instance) or instance >= value


def _maximum(compiler: SchemaCompiler, value: Any, schema: Mapping[str, Any]) -> Check:
    return lambda instance: not _is_number(instance) or instance <= value


def _all_of_keyword(compiler: SchemaCompiler, value: Any, schema: Mapping[str, Any]) -> Check:
    return _all_of([compiler.compile(sub) for sub in value])


def _any_of(compiler: SchemaCompiler, value: Any, schema: Mapping[str, Any]) -> Check:
    subs = [compiler.compile(sub) for sub in value]
    return lambda instance: any(sub(instance) for sub in subs)


def _one_of(compiler: SchemaCompiler, value: Any, schema: Mapping[str, Any]) -> Check:
    subs = [compiler.compile(sub) for sub in value]

    def check(instance: Any) -> bool:
        matched = 0
        for sub in subs:
            if sub(instance):
                matched += 1
                if matched > 1:
                    return False
        return matched == 1

    return check


def _not(compiler: SchemaCompiler, value: Any, schema: Mapping[str, Any]) -> Check:
    sub = compiler.compile(value)
    return lambda instance: not sub(instance)


def _if(compiler: SchemaCompiler, value: Any, schema: Mapping[str, Any]) -> Check:
    condition = compiler.compile(value)
    then = compiler.compile(schema.get("then", True))
    otherwise = compiler.compile(schema.get("else", True))
    return lambda instance: then(instance) if condition(instance) else otherwise(instance)


def _ignored_with_if(compiler: SchemaCompiler, value: Any, schema: Mapping[str, Any]) -> None:
    """``then``/``else`` are compiled by ``_if``; alone they have no effect (as in JSON Schema)."""
    return None


def _ref(compiler: SchemaCompiler, value: Any, schema: Mapping[str, Any]) -> Check:
    return compiler.compile_ref(value)


_KEYWORDS: dict[str, Builder] = {
    "type": _type,
    "const": _const,
    "enum": _enum,
    "properties": _properties,
    "additionalProperties": _additional_properties,
    "required": _required,
    "propertyNames": _property_names,
    "minProperties": _min_properties,
    "items": _items,
    "minItems": _min_items,
    "minLength": _min_length,
    "maxLength": _max_length,
    "pattern": _pattern,
    "minimum": _minimum,
    "maximum": _maximum,
    "allOf": _all_of_keyword,
    "anyOf": _any_of,
    "oneOf": _one_of,
    "not": _not,
    "if": _if,
    "then": _ignored_with_if,
    "else": _ignored_with_if,
    "$ref": _ref,
}
