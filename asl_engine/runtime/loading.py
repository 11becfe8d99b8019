"""A definition checked as AWS checks it when a state machine is created, then compiled.

``StateMachine`` (the public API) and the services' ``asl.toml`` ``[state_machines]`` both load
machines this way; living in the runtime, it needs neither of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from asl_engine.definition.loader import load_definition
from asl_engine.definition.templates import TemplateError, load_state_machine, sniff_template
from asl_engine.definition.validate import validate_document
from asl_engine.errors import ValidationError
from asl_engine.runtime.compiler import CompiledMachine, compile_machine
from asl_engine.runtime.starter import LoadedMachine


def compile_definition(
    document: dict[str, Any], *, machine_type: str = "STANDARD", source: str | None = None
) -> CompiledMachine:
    """Compile ``document``; raise ``ValidationError`` (naming ``source``) for what AWS would reject."""
    diagnostics = validate_document(document, machine_type=machine_type)
    errors = [d for d in diagnostics if d.severity == "ERROR"]
    if errors:
        raise ValidationError(errors, source)
    return compile_machine(document, machine_type=machine_type)


def load_machine(
    path: Path,
    *,
    name: str,
    machine_type: str = "STANDARD",
    substitutions: Mapping[str, str] | None = None,
    logical_id: str | None = None,
) -> LoadedMachine:
    """Read, check and compile a definition file into a machine tasks can start (``states:startExecution``).

    ``path`` may be a CloudFormation, SAM or CDK template: ``logical_id`` then picks its state
    machine (needed when it has several), whose type the template gives.
    """
    template = sniff_template(path)
    if template is not None:
        resolved = load_state_machine(template, logical_id)
        compiled = compile_definition(
            resolved.document, machine_type=resolved.machine_type, source=resolved.source_name
        )
        return LoadedMachine(name, compiled, resolved.source_name)
    if logical_id is not None:
        raise TemplateError(str(path), f"is a definition, not a template: it has no state machine {logical_id!r}")
    document = load_definition(path, substitutions=substitutions).document
    return LoadedMachine(name, compile_definition(document, machine_type=machine_type, source=str(path)), str(path))
