"""Validating a definition the way AWS's ValidateStateMachineDefinition does, plus our warnings.

``validate_document`` checks an already-parsed document: the JSON Schema (root and each state),
the rules that need context (``rules``) and the transition graph (``graph``). ``validate`` reads
any kind of source, never raises on bad input, positions every diagnostic in the source text, and,
when the structure is sound, also runs the engine's compiler, which checks every JSONPath,
intrinsic function and JSONata expression. Those expression checks live in layers above this
package; both functions take them as an ``ExpressionChecks``, which ``asl_engine.validate`` (the
public entry point, ``asl_engine/validation.py``) supplies.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from asl_engine.definition import pointers
from asl_engine.definition.diagnostics import Diagnostic
from asl_engine.definition.expression_checks import ExpressionChecks
from asl_engine.definition.graph import graph_diagnostics
from asl_engine.definition.loader import read_definition
from asl_engine.definition.nesting import TOO_DEEP, too_deep_at, too_deep_message
from asl_engine.definition.rules import check_rules
from asl_engine.definition.schema import SCHEMA_FAILED, load_schema
from asl_engine.definition.suggest import did_you_mean
from asl_engine.definition.vocabulary import JSONPATH, MACHINE_TYPES, QUERY_LANGUAGES, STATE_TYPES, TYPE_VALUES_MESSAGE
from asl_engine.definition.walk import ScopeInfo, StateInfo, all_states, collect_scopes
from asl_engine.errors import ConfigurationError, DefinitionError, ValidationError

UNREADABLE = "UNREADABLE_DEFINITION"
"""Our code for a file that cannot be read at all (the CLI exits with status 2 for it)."""


def validate(
    definition: Any,
    *,
    machine_type: str = "STANDARD",
    substitutions: Mapping[str, Any] | None = None,
    expressions: ExpressionChecks | None,
    advice: bool = False,
) -> list[Diagnostic]:
    """Every problem with ``definition`` (a dict, JSON/YAML text or a file path), sorted by location.

    Never raises because of the definition: an unreadable file or unparsable text is reported as a
    diagnostic. An empty list, or only WARNINGs (and ADVICE), means AWS would accept the definition.
    ADVICE diagnostics (recommended practices) are included only with ``advice=True``. The
    expression checks run only with ``expressions`` (required, so that no caller drops them by
    accident: ``asl_engine.validate`` passes the engine's).
    """
    _check_machine_type(machine_type)
    try:
        loaded = read_definition(definition, substitutions=substitutions)
    except ValidationError as error:
        return list(error.diagnostics)
    except DefinitionError as error:
        return [Diagnostic(UNREADABLE, str(error), None)]
    return validate_read(loaded, machine_type=machine_type, expressions=expressions, advice=advice)


class ReadDefinition(Protocol):
    """A definition already read, able to place a diagnostic in the file it came from (a
    ``LoadedDefinition``, or a template's state machine)."""

    @property
    def document(self) -> dict[str, Any]: ...

    @property
    def problems(self) -> list[Diagnostic]: ...

    def position(self, diagnostic: Diagnostic) -> Diagnostic: ...


def validate_read(
    loaded: ReadDefinition,
    *,
    machine_type: str = "STANDARD",
    expressions: ExpressionChecks | None,
    advice: bool = False,
) -> list[Diagnostic]:
    """``validate`` for a definition already read: every problem, sorted and positioned by ``loaded``."""
    found = list(loaded.problems)
    found.extend(validate_document(loaded.document, machine_type=machine_type, expressions=expressions, advice=advice))
    if expressions is not None and not any(diagnostic.severity == "ERROR" for diagnostic in found):
        found.extend(expressions.compile_diagnostics(loaded.document, machine_type))
    return [loaded.position(diagnostic) for diagnostic in _tidy(loaded.document, found)]


def validate_document(
    document: Any,
    *,
    machine_type: str = "STANDARD",
    expressions: ExpressionChecks | None = None,
    advice: bool = False,
    nesting_checked: bool = False,
) -> list[Diagnostic]:
    """Schema, rule and graph diagnostics of a parsed document (no positions, no compiler; the rules
    that look into expressions run with ``expressions``); ADVICE only with ``advice=True``.
    ``nesting_checked``: the document is what ``read_definition`` returned for a text or a file, which
    refused one nested too deeply already (after its substitutions): the depth is not walked again."""
    _check_machine_type(machine_type)
    if not isinstance(document, dict):
        return [Diagnostic(SCHEMA_FAILED, "Definition must be a valid JSON object", None)]
    too_deep = None if nesting_checked else too_deep_at(document)
    if too_deep is not None:  # nothing below walks such a document without running out of stack
        return [Diagnostic(TOO_DEEP, too_deep_message("The definition", None), too_deep)]
    schema = load_schema()
    found = schema.check("Machine", document, "")
    scopes = collect_scopes(document)
    for state in all_states(scopes):
        found.extend(_state_schema_diagnostics(state))
    found.extend(check_rules(scopes, machine_type, expressions))
    found.extend(graph_diagnostics(scopes))
    if not advice:
        found = [diagnostic for diagnostic in found if diagnostic.severity != "ADVICE"]
    return _tidy(document, found)


def validate_state(spec: Any, *, name: str = "StateName", query_language: str = JSONPATH) -> list[Diagnostic]:
    """Schema diagnostics of one state on its own (a TestState ``definition`` that is a single state).

    Its transitions are not checked: a state tested alone may name a ``Next`` that is not there.
    Pointers are relative to the state (``/Parameters``).
    """
    if not isinstance(spec, dict):
        return [Diagnostic(SCHEMA_FAILED, "A state must be a JSON object", None)]
    own = spec.get("QueryLanguage")
    language = own if own in QUERY_LANGUAGES else query_language
    scope = ScopeInfo("", {"States": {name: spec}}, "machine", None)
    state = StateInfo(name, spec, "", scope, language, spec.get("Type") if isinstance(spec.get("Type"), str) else None)
    return _state_schema_diagnostics(state)


def _check_machine_type(machine_type: str) -> None:
    if machine_type not in MACHINE_TYPES:
        raise ConfigurationError(f"machine_type must be one of {', '.join(MACHINE_TYPES)}, got {machine_type!r}")


def _state_schema_diagnostics(state: StateInfo) -> list[Diagnostic]:
    if not isinstance(state.spec, dict):
        return []  # the enclosing States block's schema already says a state must be an object
    state_type = state.spec.get("Type")
    if "Type" not in state.spec:
        return [Diagnostic(SCHEMA_FAILED, "These fields are required: [Type]", state.pointer)]
    if state_type not in STATE_TYPES:
        hint = did_you_mean(state_type, STATE_TYPES) if isinstance(state_type, str) else None
        return [Diagnostic(SCHEMA_FAILED, TYPE_VALUES_MESSAGE, pointers.join(state.pointer, "Type"), suggestion=hint)]
    return load_schema().check(f"{state_type}.{state.query_language}", state.spec, state.pointer)


def _tidy(document: Any, diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Deduplicated, in document order of their locations; those without a location come last."""
    unique: dict[tuple[str, str, str | None, str], Diagnostic] = {}
    for diagnostic in diagnostics:
        unique.setdefault((diagnostic.code, diagnostic.message, diagnostic.location, diagnostic.severity), diagnostic)
    ordered = list(unique.values())
    order = pointers.DocumentOrder(document)

    def key(item: tuple[int, Diagnostic]) -> tuple[bool, tuple[int, ...], int]:
        index, diagnostic = item
        location = diagnostic.location
        if not location or not location.startswith("/"):
            return (location is None, (), index)
        return (False, order.key(location), index)

    return [diagnostic for _, diagnostic in sorted(enumerate(ordered), key=key)]
