"""The ASL JSON Schema (``asl.schema.json`` beside this module) and the translation of its errors into AWS's words.

The schema file describes the whole language and can validate a document on its own. It is package
data, read through ``importlib.resources`` so that an installed wheel finds it wherever it lives; the
repository's top-level ``schemas/asl.schema.json`` is its public copy (a test keeps them identical). Here it is
used piecewise: the root object against ``$defs/Machine`` and every state once against
``$defs/<Type>.<QueryLanguage>`` (these sub-schemas are shallow: nested branches are just objects),
which keeps each error's pointer precise and each state validated exactly once. A compiled
yes/no check (``fastcheck``) answers first; ``jsonschema`` explains only what is invalid.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import TYPE_CHECKING, Any

from asl_engine.definition import pointers, suggest
from asl_engine.definition.diagnostics import Diagnostic
from asl_engine.definition.fastcheck import Check, SchemaCompiler
from asl_engine.errors import ConfigurationError

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError as SchemaError
    from jsonschema.protocols import Validator

SCHEMA_PATH: Traversable = files("asl_engine.definition") / "asl.schema.json"
SCHEMA_FAILED = "SCHEMA_VALIDATION_FAILED"

_TYPE_NAMES = {
    "object": "an object",
    "array": "an array",
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "a boolean",
    "null": "null",
}


@dataclass(frozen=True, slots=True)
class _Definition:
    name: str
    check: Check


class AslSchema:
    """The loaded schema: one compiled check per definition used, and ``jsonschema`` validators made
    only to explain an invalid document (jsonschema and its dependencies take 0.2 s to import, which
    a process that loads only valid definitions never pays)."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self._compiler = SchemaCompiler(document)
        self._definitions: dict[str, _Definition] = {}
        self._validators: dict[str, Validator] = {}

    @functools.cached_property
    def root_validator(self) -> Validator:
        from jsonschema.validators import validator_for

        cls = validator_for(self.document)
        # The schema is ours and checked against its meta-schema by the test suite
        # (tests/definition/test_schema.py); checking it again here cost ~150 ms per process.
        validator: Validator = cls(self.document)
        return validator

    def definition(self, name: str) -> _Definition:
        found = self._definitions.get(name)
        if found is None:
            found = _Definition(name, self._compiler.compile_ref(f"#/$defs/{name}"))
            self._definitions[name] = found
        return found

    def validator(self, name: str) -> Validator:
        """The ``jsonschema`` validator of ``$defs/<name>``, which explains why an instance is invalid."""
        found = self._validators.get(name)
        if found is None:
            found = self._validators[name] = self.root_validator.evolve(schema=self.document["$defs"][name])
        return found

    def has_definition(self, name: str) -> bool:
        return name in self.document["$defs"]

    def is_valid_against(self, schema: Any, instance: Any) -> bool:
        """Whether ``instance`` matches a sub-schema of this document (used to explain oneOf)."""
        return self._compiler.compile(schema)(instance)

    def check(self, name: str, instance: Any, pointer: str) -> list[Diagnostic]:
        """Diagnostics for ``instance`` (found at ``pointer``) against ``$defs/<name>``; [] when valid."""
        definition = self.definition(name)
        if definition.check(instance):
            return []
        errors = self.validator(name).iter_errors(instance)
        return list(_ErrorTranslator(self, instance, pointer).translate(errors))


@functools.cache
def load_schema() -> AslSchema:
    """The schema, read and compiled once per process."""
    try:
        text = SCHEMA_PATH.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigurationError(
            f"the ASL JSON Schema is missing: cannot read {SCHEMA_PATH} ({error.strerror}); "
            "it ships inside the asl_engine package (asl_engine/definition/asl.schema.json): reinstall asl-engine"
        ) from None
    return AslSchema(json.loads(text))


class _ErrorTranslator:
    """Turns ``jsonschema`` errors into AWS-style diagnostics (message, code, pointer, suggestion)."""

    def __init__(self, schema: AslSchema, root: Any, pointer: str) -> None:
        self.schema = schema
        self.root = root
        self.pointer = pointer

    def translate(self, errors: Iterator[SchemaError]) -> Iterator[Diagnostic]:
        missing: dict[str, list[str]] = {}
        for error in errors:
            location = pointers.join(self.pointer, *error.absolute_path) or "/"
            if error.validator == "required":
                names = missing.setdefault(location, [])
                names.extend(
                    name
                    for name in error.validator_value
                    if isinstance(error.instance, dict) and name not in error.instance and name not in names
                )
                continue
            yield from self._one(error, location)
        for location, names in missing.items():
            if names:
                yield Diagnostic(SCHEMA_FAILED, f"These fields are required: [{', '.join(names)}]", location)

    def _one(self, error: SchemaError, location: str) -> Iterator[Diagnostic]:
        keyword = error.validator
        schema = error.schema if isinstance(error.schema, dict) else {}
        field = _field_name(error)
        custom = schema.get("x-message")
        if keyword == "additionalProperties":
            known = list(schema.get("properties", {}))
            for extra in (key for key in error.instance if key not in known):
                yield Diagnostic(
                    SCHEMA_FAILED,
                    f"Field '{extra}' is not supported",
                    location,
                    suggestion=self._field_hint(extra, known),
                )
        elif "propertyNames" in error.relative_schema_path:
            yield self._bad_name(error, location)
        elif custom and keyword != "type":
            yield Diagnostic(
                SCHEMA_FAILED, custom, location, suggestion=self._enum_hint(error) or self._required_hint(error)
            )
        elif keyword == "type":
            expected = error.validator_value
            kinds = [expected] if isinstance(expected, str) else list(expected)
            wanted = " or ".join(_TYPE_NAMES.get(kind, kind) for kind in kinds)
            yield Diagnostic(SCHEMA_FAILED, f"The field '{field}' must be {wanted}", location)
        elif keyword == "enum":
            values = ", ".join(str(value) for value in error.validator_value)
            yield Diagnostic(
                SCHEMA_FAILED,
                f"The field '{field}' should have one of these values: [{values}]",
                location,
                suggestion=self._enum_hint(error),
            )
        elif keyword in ("minItems", "minLength", "minProperties") and error.validator_value == 1:
            yield Diagnostic(SCHEMA_FAILED, "Value cannot be empty", location)
        elif keyword == "maxLength":
            yield Diagnostic(
                SCHEMA_FAILED, f"The field '{field}' must be at most {error.validator_value} characters long", location
            )
        elif keyword == "minimum":
            yield Diagnostic(
                SCHEMA_FAILED, f"The field '{field}' must be greater than or equal to {error.validator_value}", location
            )
        elif keyword == "maximum":
            yield Diagnostic(
                SCHEMA_FAILED, f"The field '{field}' must be less than or equal to {error.validator_value}", location
            )
        elif keyword == "oneOf":
            yield self._one_of(error, schema, location)
        elif keyword == "not" and isinstance(error.validator_value, dict) and "required" in error.validator_value:
            names = ", ".join(error.validator_value["required"])
            yield Diagnostic(SCHEMA_FAILED, f"The following fields are mutually exclusive: [{names}]", location)
        elif keyword == "const":
            yield Diagnostic(
                SCHEMA_FAILED, f"The field '{field}' must be {json.dumps(error.validator_value)}", location
            )
        else:
            yield Diagnostic(SCHEMA_FAILED, f"The value of '{field}' is not valid ({error.message})", location)

    def _one_of(self, error: SchemaError, schema: dict[str, Any], location: str) -> Diagnostic:
        """Exactly-one-of constraints: say whether something is missing or too much is present."""
        alternatives = error.validator_value
        matched = sum(1 for alternative in alternatives if self.schema.is_valid_against(alternative, error.instance))
        names = [name for alternative in alternatives for name in alternative.get("required", [])]
        present = [name for name in names if isinstance(error.instance, dict) and name in error.instance]
        if matched > 1 or len(present) > 1:
            message = schema.get("x-conflict") or f"The following fields are mutually exclusive: [{', '.join(present)}]"
        else:
            message = schema.get("x-missing") or f"Exactly one of these fields is required: [{', '.join(names)}]"
        return Diagnostic(SCHEMA_FAILED, message, location)

    def _bad_name(self, error: SchemaError, location: str) -> Diagnostic:
        """A key of a ``States`` block that is not a valid state name (1 to 80 characters)."""
        name = str(error.instance)
        return Diagnostic(
            "INVALID_STATE_NAME",
            f"State name '{name}' must be between 1 and 80 characters long (it has {len(name)})",
            pointers.join(location, name),
        )

    def _enum_hint(self, error: SchemaError) -> str | None:
        if error.validator != "enum" or not isinstance(error.instance, str):
            return None
        return suggest.did_you_mean(error.instance, [str(value) for value in error.validator_value])

    def _required_hint(self, error: SchemaError) -> str | None:
        """For a missing field among alternatives (``anyOf`` of ``required``): a present key that looks like one."""
        if error.validator != "anyOf" or not isinstance(error.instance, dict):
            return None
        wanted = [name for option in error.validator_value for name in option.get("required", [])]
        for key in error.instance:
            hint = suggest.did_you_mean(key, wanted) if key not in wanted else None
            if hint:
                return hint
        return None

    def _field_hint(self, extra: str, known: list[str]) -> str | None:
        """A field of the other query language is explained; anything else may be a typo."""
        return _OTHER_LANGUAGE_FIELDS.get(extra) or suggest.did_you_mean(extra, known)


# Fields that exist in one query language only: their absence in the other deserves an explanation.
_OTHER_LANGUAGE_FIELDS = {
    **{
        name: f"'{name}' is a JSONPath field; a JSONata state uses 'Arguments', 'Output' and 'Items' instead"
        for name in (
            "InputPath",
            "OutputPath",
            "Parameters",
            "ResultSelector",
            "ResultPath",
            "ItemsPath",
            "TimeoutSecondsPath",
            "HeartbeatSecondsPath",
            "SecondsPath",
            "TimestampPath",
            "ErrorPath",
            "CausePath",
            "MaxConcurrencyPath",
            "ToleratedFailureCountPath",
            "ToleratedFailurePercentagePath",
            "Variable",
            "Result",
        )
    },
    **{
        name: f'\'{name}\' is a JSONata field: set "QueryLanguage": "JSONata" on the state or the machine'
        for name in ("Arguments", "Output", "Items", "Condition")
    },
}


def _field_name(error: SchemaError) -> str:
    path = list(error.path)
    if not path:
        return "value"
    last = path[-1]
    if isinstance(last, int):
        parent = next((str(item) for item in reversed(path) if not isinstance(item, int)), "value")
        return f"{parent}[{last}]"
    return str(last)
