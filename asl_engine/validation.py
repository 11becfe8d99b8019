"""``validate``: every check of a definition, composed where every layer is in reach.

``asl_engine.definition`` checks the structure (schema, rules, graph) and imports nothing above
it; the checks that need the expression languages and the compiler come from here, through the
``ExpressionChecks`` protocol it declares.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from asl_engine.definition import validate as structure
from asl_engine.definition.diagnostics import Diagnostic
from asl_engine.definition.templates import (
    TemplateError,
    check_parameters,
    load_state_machine,
    read_template,
    state_machine_ids,
)
from asl_engine.errors import DefinitionError, ValidationError
from asl_engine.language.errors import ExpressionSyntaxError
from asl_engine.language.intrinsics import compile_intrinsic, looks_like_intrinsic
from asl_engine.runtime.compiler import compile_machine


class EngineExpressionChecks:
    """The engine's ``ExpressionChecks``: its intrinsic functions and its compiler."""

    def intrinsic_warnings(self, text: str) -> Sequence[str]:
        if not looks_like_intrinsic(text):
            return ()
        try:
            compiled = compile_intrinsic(text)
        except ExpressionSyntaxError:
            return ()  # reported as an error by the compiler
        return compiled.warnings

    def compile_diagnostics(self, document: dict[str, Any], machine_type: str) -> list[Diagnostic]:
        try:
            compile_machine(document, machine_type=machine_type)
        except ValidationError as error:
            return list(error.diagnostics)
        except Exception as error:  # a crash in the compiler must not turn validation into a traceback
            return [
                Diagnostic(
                    "INTERNAL_ERROR",
                    f"the expression checker failed unexpectedly ({type(error).__name__}: {error}); "
                    "please report this with the definition",
                    None,
                )
            ]
        return []


ENGINE_EXPRESSION_CHECKS = EngineExpressionChecks()


def validate(
    definition: Any,
    *,
    machine_type: str = "STANDARD",
    substitutions: Mapping[str, Any] | None = None,
    advice: bool = False,
) -> list[Diagnostic]:
    """Every problem with ``definition`` (a dict, JSON/YAML text or a file path), sorted by location.

    Never raises because of the definition: an unreadable file or unparsable text is reported as a
    diagnostic. An empty list, or only WARNINGs (and ADVICE), means AWS would accept the definition;
    ADVICE diagnostics (recommended practices) are included only with ``advice=True``. When the
    structure is sound, the engine's compiler also checks every JSONPath, intrinsic function and
    JSONata expression.
    """
    return structure.validate(
        definition,
        machine_type=machine_type,
        substitutions=substitutions,
        expressions=ENGINE_EXPRESSION_CHECKS,
        advice=advice,
    )


@dataclass(slots=True)
class MachineValidation:
    """The diagnostics of one state machine of a template."""

    logical_id: str
    source: str
    """The file the diagnostics are located in: the template, or the file its ``DefinitionUri`` names."""
    machine_type: str = "STANDARD"
    diagnostics: list[Diagnostic] = field(default_factory=list)


def validate_template(
    path: str | Path, *, parameters: Mapping[str, Any] | None = None, advice: bool = False
) -> list[MachineValidation]:
    """Validate every state machine of a CloudFormation, SAM or CDK template.

    Each machine's diagnostics are located in the file that holds its definition (line and column
    inside the template for ``Definition``; the ``DefinitionString`` property, with the place
    inside the string in the message; the referenced file for ``DefinitionUri``). A machine whose
    definition cannot be resolved gets one ``UNREADABLE_DEFINITION`` diagnostic saying what is
    missing; an unreadable template, or parameters that name nothing in it or break its
    ``AllowedValues``, raise ``TemplateError``.
    """
    template = read_template(Path(path))
    check_parameters(template, parameters)
    results = []
    for logical_id in state_machine_ids(template):
        try:
            machine = load_state_machine(template, logical_id, parameters)
        except ValidationError as error:
            results.append(MachineValidation(logical_id, str(template.path), diagnostics=list(error.diagnostics)))
            continue
        except (TemplateError, DefinitionError) as error:
            message = error.detail if isinstance(error, TemplateError) else str(error)
            results.append(
                MachineValidation(
                    logical_id, str(template.path), diagnostics=[Diagnostic(structure.UNREADABLE, message, None)]
                )
            )
            continue
        diagnostics = structure.validate_read(
            machine, machine_type=machine.machine_type, expressions=ENGINE_EXPRESSION_CHECKS, advice=advice
        )
        results.append(MachineValidation(logical_id, machine.source_name, machine.machine_type, diagnostics))
    return results


INVALID_DEFINITION_PREFIX = "Invalid State Machine Definition: "


def invalid_definition_message(diagnostics: Sequence[Any]) -> str:
    """The message of CreateStateMachine's ``InvalidDefinition`` for these diagnostics, as AWS builds it:
    ``Invalid State Machine Definition: 'CODE: message at /pointer, CODE: ...'`` (errors only)."""
    errors = [d for d in diagnostics if d.severity == "ERROR"]
    return (
        INVALID_DEFINITION_PREFIX
        + "'"
        + ", ".join(f"{d.code}: {d.message}" + (f" at {d.location}" if d.location else "") for d in errors)
        + "'"
    )
