"""The state machines of a template: picking one, and resolving its definition to a document.

A state machine resource gives its definition in one of four ways, each read as CloudFormation
(or SAM) would:

* ``Definition``: an object in the template (intrinsic functions inside it are resolved);
* ``DefinitionString``: a string, often built with ``Fn::Join`` (CDK) or ``Fn::Sub``;
* ``DefinitionUri`` (SAM): a local file, relative to the template's directory (an S3 location is
  reported: the engine reads no S3);
* ``DefinitionS3Location``: a local file when it is a path, as in the templates
  ``aws cloudformation package`` takes; an S3 location object is reported.

``DefinitionSubstitutions`` (their values resolved first) then replace ``${Name}`` in the
definition: in the text of a string or file before it is parsed, value by value in an object (see
``definition/substitution.py``). A local file must lie inside the template's directory: an
absolute path or one that climbs out of it (``../``) is refused.

Diagnostics are located in the file that holds the definition: the template for ``Definition``
(line and column of the field inside the template) and ``DefinitionString`` (the position of the
``DefinitionString`` property, with the line and column inside the string in the message), the
referenced file for ``DefinitionUri`` and ``DefinitionS3Location``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from asl_engine.definition import pointers
from asl_engine.definition.diagnostics import Diagnostic
from asl_engine.definition.loader import LoadedDefinition, read_definition, read_definition_text
from asl_engine.definition.substitution import substitute
from asl_engine.definition.suggest import did_you_mean
from asl_engine.definition.templates.intrinsics import Resolver, Unresolvable
from asl_engine.definition.templates.problems import TemplateError, Unresolved
from asl_engine.definition.templates.source import STATE_MACHINE_TYPES, TemplateSource
from asl_engine.definition.vocabulary import MACHINE_TYPES
from asl_engine.errors import DefinitionError, ValidationError

DefinitionKind = Literal["Definition", "DefinitionString", "DefinitionUri", "DefinitionS3Location"]
_KINDS: tuple[DefinitionKind, ...] = ("Definition", "DefinitionString", "DefinitionUri", "DefinitionS3Location")
_NAME_PROPERTY = {"AWS::StepFunctions::StateMachine": "StateMachineName", "AWS::Serverless::StateMachine": "Name"}
_TYPE_PROPERTY = {"AWS::StepFunctions::StateMachine": "StateMachineType", "AWS::Serverless::StateMachine": "Type"}
_CDK_HASH = re.compile(r"(?P<base>.+?)[0-9A-F]{8}")
_ALIASED_TYPES = frozenset({"AWS::Lambda::Function", "AWS::Serverless::Function", *STATE_MACHINE_TYPES})


@dataclass(frozen=True, slots=True)
class ResourceName:
    """A resource of the template under the name the engine gives it, and the names it answers to.

    ``aliases`` are its logical id and, for a CDK stack, its construct id (from the
    ``aws:cdk:path`` metadata) and its logical id without CDK's 8-character hash: ``asl.toml``
    sections may register a function or a state machine under any of them."""

    logical_id: str
    type: str
    physical_name: str
    aliases: tuple[str, ...]


@dataclass(slots=True)
class TemplateStateMachine:
    """One state machine of a template, its definition read and resolved."""

    logical_id: str
    resource_type: str
    name: str
    """The physical name: ``StateMachineName`` (SAM: ``Name``), else the logical id."""
    machine_type: str
    kind: DefinitionKind
    template: TemplateSource = field(repr=False)
    loaded: LoadedDefinition = field(repr=False)
    substitutions: dict[str, Any] = field(default_factory=dict, repr=False)
    resource_names: tuple[ResourceName, ...] = field(default=(), repr=False)
    parameters: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def document(self) -> dict[str, Any]:
        return self.loaded.document

    @property
    def problems(self) -> list[Diagnostic]:
        """Problems found while reading the definition (duplicate keys in a string or file)."""
        return self.loaded.problems

    @property
    def property_pointer(self) -> str:
        """The JSON pointer, in the template, of the property that holds the definition."""
        return pointers.join("/Resources", self.logical_id, "Properties", self.kind)

    @property
    def source_name(self) -> str:
        """The file this machine's diagnostics are located in."""
        if self.kind in ("DefinitionUri", "DefinitionS3Location") and self.loaded.source_name:
            return self.loaded.source_name
        return str(self.template.path)

    def position(self, diagnostic: Diagnostic) -> Diagnostic:
        """``diagnostic`` with the line and column of its place in ``source_name``."""
        if self.kind in ("DefinitionUri", "DefinitionS3Location"):
            return self.loaded.position(diagnostic)
        if self.kind == "Definition":
            pointer = self.property_pointer
            location = diagnostic.location
            if location and location.startswith("/") and location != "/":
                pointer += location
            return _at(diagnostic, self.template.locate(pointer) or self.template.locate(self.property_pointer))
        inner = (
            (diagnostic.line, diagnostic.column)
            if diagnostic.line is not None
            else self.loaded.locate(diagnostic.location)
            if diagnostic.location and diagnostic.location.startswith("/")
            else None
        )
        positioned = _at(diagnostic, self.template.locate(self.property_pointer))
        if inner is None:
            note = " (in the DefinitionString)"
        else:
            note = f" (in the DefinitionString, line {inner[0]}, column {inner[1]} of its resolved text)"
        return Diagnostic(
            positioned.code,
            positioned.message + note,
            positioned.location,
            positioned.severity,
            positioned.line,
            positioned.column,
            positioned.suggestion,
        )


def state_machine_ids(template: TemplateSource) -> list[str]:
    """The logical ids of the template's state machines, in template order."""
    resources = template.document.get("Resources")
    if not isinstance(resources, Mapping):
        return []
    return [
        logical_id
        for logical_id, spec in resources.items()
        if isinstance(spec, Mapping) and spec.get("Type") in STATE_MACHINE_TYPES
    ]


def default_stack_name(path: Path) -> str:
    """``AWS::StackName`` unless given: the directory of a SAM project's ``template.yaml``
    (``sam-app``), the stack of CDK's ``<Stack>.template.json``, else the file's name."""
    name = path.name
    if name.endswith(".template.json"):
        return name[: -len(".template.json")]
    stem = path.stem
    if stem in ("template", "packaged", "packaged-template"):
        return path.resolve().parent.name or stem
    return stem


def pick_state_machine(template: TemplateSource, logical_id: str | None) -> str:
    """The logical id to load: ``logical_id`` if the template has it, else the only state machine."""
    ids = state_machine_ids(template)
    source = str(template.path)
    if not ids:
        raise TemplateError(
            source, "the template has no AWS::StepFunctions::StateMachine or AWS::Serverless::StateMachine"
        )
    if logical_id is not None:
        if logical_id in ids:
            return logical_id
        hint = did_you_mean(logical_id, ids)
        raise TemplateError(
            source,
            f"no state machine {logical_id!r} in the template; its state machines: {', '.join(ids)}"
            + (f" ({hint})" if hint else ""),
        )
    if len(ids) > 1:
        raise TemplateError(
            source,
            f"the template has {len(ids)} state machines ({', '.join(ids)}): pick one with "
            "--state-machine LOGICAL_ID (logical_id= in the library)",
        )
    return ids[0]


def check_parameters(template: TemplateSource, parameters: Mapping[str, Any] | None) -> Resolver:
    """A resolver for ``template`` with ``parameters``; ``TemplateError`` for a key that names nothing
    in the template, or a value its parameter's ``AllowedValues`` refuse."""
    resolver = Resolver(template.document, parameters, stack_name=default_stack_name(template.path))
    source = str(template.path)
    unknown = sorted(set(resolver.overrides) - resolver.known_keys())
    if unknown:
        raise TemplateError(
            source,
            f"unknown parameter{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}: a parameter names a template "
            "parameter, a pseudo parameter (AWS::Region...), a resource (LogicalId), a resource attribute "
            "(LogicalId.Attribute) or an export (Fn::ImportValue)",
        )
    invalid = resolver.check_overrides()
    if invalid:
        raise TemplateError(source, "parameters that CloudFormation would refuse:", invalid)
    return resolver


def load_state_machine(
    template: TemplateSource, logical_id: str | None = None, parameters: Mapping[str, Any] | None = None
) -> TemplateStateMachine:
    """Resolve one state machine of ``template``; ``TemplateError`` says what cannot be resolved
    (every value, with its path and the parameter that supplies it), ``ValidationError`` that the
    resolved text is not a definition at all."""
    chosen = pick_state_machine(template, logical_id)
    resolver = check_parameters(template, parameters)
    source = str(template.path)
    spec = template.document["Resources"][chosen]
    resource_type = spec["Type"]
    path = f"Resources.{chosen}"
    condition = spec.get("Condition")
    if condition is not None:
        try:
            created = resolver.condition(condition, f"{path}.Condition")
        except Unresolvable as unresolvable:
            problems = [unresolvable.problem]
            raise TemplateError(source, "cannot tell whether the state machine is created:", problems) from None
        if not created:
            raise TemplateError(
                source, f"{path} is created only when the condition {condition} is true, and it is false here"
            )
    properties = spec.get("Properties")
    if not isinstance(properties, Mapping):
        raise TemplateError(source, f"{path} has no Properties (its definition is one of them)")
    kinds = [kind for kind in _KINDS if kind in properties]
    if len(kinds) != 1:
        found = f"{' and '.join(kinds)} together" if kinds else "none of them"
        raise TemplateError(
            source,
            f"{path}.Properties needs one of Definition, DefinitionString, DefinitionUri or "
            f"DefinitionS3Location; it has {found}",
        )
    kind = kinds[0]
    name = _name(resolver, properties, resource_type, chosen, path)
    machine_type = _machine_type(resolver, properties, resource_type, path)
    substitutions = _substitutions(resolver, properties, path)
    definition_path = f"{path}.Properties.{kind}"
    raw = resolver.resolve(properties[kind], definition_path)
    if resolver.problems:
        message = f"the state machine {chosen} refers to values the engine cannot resolve:"
        raise TemplateError(source, message, resolver.problems)
    if machine_type not in MACHINE_TYPES:
        raise TemplateError(
            source, f"{path}: the state machine type is {machine_type!r}; expected {' or '.join(MACHINE_TYPES)}"
        )
    property_pointer = pointers.join("/Resources", chosen, "Properties", kind)
    loaded = _read_definition(template, kind, raw, definition_path, property_pointer, substitutions)
    return TemplateStateMachine(
        chosen,
        resource_type,
        name,
        machine_type,
        kind,
        template,
        loaded,
        substitutions,
        _resource_names(template, resolver),
        dict(parameters or {}),
    )


def _name(resolver: Resolver, properties: Mapping[str, Any], resource_type: str, logical_id: str, path: str) -> str:
    key = _NAME_PROPERTY[resource_type]
    if key not in properties:
        return logical_id
    value = resolver.resolve(properties[key], f"{path}.Properties.{key}")
    return value if isinstance(value, str) else logical_id


def _machine_type(resolver: Resolver, properties: Mapping[str, Any], resource_type: str, path: str) -> str:
    key = _TYPE_PROPERTY[resource_type]
    if key not in properties:
        return "STANDARD"
    value = resolver.resolve(properties[key], f"{path}.Properties.{key}")
    return value.upper() if isinstance(value, str) else str(value)


def _substitutions(resolver: Resolver, properties: Mapping[str, Any], path: str) -> dict[str, Any]:
    raw = properties.get("DefinitionSubstitutions")
    if raw is None:
        return {}
    where = f"{path}.Properties.DefinitionSubstitutions"
    resolved = resolver.resolve(raw, where)
    if not isinstance(resolved, dict):
        resolver.problems.append(Unresolved(where, "expected a map of names to values"))
        return {}
    for key, value in resolved.items():
        if isinstance(value, dict | list):
            resolver.problems.append(Unresolved(f"{where}.{key}", "a substitution is a string, number or boolean"))
    return resolved


def _read_definition(
    template: TemplateSource,
    kind: DefinitionKind,
    raw: Any,
    path: str,
    property_pointer: str,
    substitutions: Mapping[str, Any],
) -> LoadedDefinition:
    source = str(template.path)
    if kind == "Definition":
        if not isinstance(raw, dict):
            raise TemplateError(source, f"{path}: expected the definition as an object, got {type(raw).__name__}")
        return LoadedDefinition(substitute(raw, substitutions) if substitutions else raw, source)
    if kind == "DefinitionString":
        if not isinstance(raw, str):
            raise TemplateError(source, f"{path}: expected a string, got {type(raw).__name__}")
        try:
            loaded = read_definition_text(raw, source_name=source, substitutions=substitutions)
        except ValidationError as error:
            raise ValidationError(
                [_string_diagnostic(template, property_pointer, diagnostic) for diagnostic in error.diagnostics], source
            ) from None
        return loaded
    file = _local_file(template, raw, path)
    try:
        return read_definition(file, substitutions=substitutions)
    except DefinitionError as error:
        if isinstance(error, ValidationError):
            raise
        raise TemplateError(source, f"{path}: {error}") from None


def _string_diagnostic(template: TemplateSource, property_pointer: str, diagnostic: Diagnostic) -> Diagnostic:
    """A diagnostic of an unparsable DefinitionString, placed at the property in the template."""
    where = template.locate(property_pointer)
    inner = f" (in the DefinitionString, line {diagnostic.line}, column {diagnostic.column})" if diagnostic.line else ""
    return Diagnostic(
        diagnostic.code,
        diagnostic.message.split("\n at [Source:")[0] + inner,
        None,
        diagnostic.severity,
        where[0] if where else None,
        where[1] if where else None,
        diagnostic.suggestion,
    )


def _local_file(template: TemplateSource, raw: Any, path: str) -> Path:
    source = str(template.path)
    if isinstance(raw, dict) or (isinstance(raw, str) and raw.startswith("s3://")):
        shown = raw if isinstance(raw, str) else f"s3://{raw.get('Bucket', '?')}/{raw.get('Key', '?')}"
        raise TemplateError(
            source,
            f"{path}: the definition is the S3 object {shown}, which the engine cannot read; point "
            f"{path.rsplit('.', 1)[-1]} at the local file it was uploaded from (a path relative to the template), "
            "or download it and run that file",
        )
    if not isinstance(raw, str) or not raw:
        raise TemplateError(source, f"{path}: expected the path of a definition file, got {raw!r}")
    relative = Path(raw)
    if relative.is_absolute():
        raise TemplateError(
            source, f"{path}: absolute paths are refused ({raw}); write the path relative to the template's directory"
        )
    base = template.directory.resolve()
    if not (base / relative).resolve().is_relative_to(base):
        raise TemplateError(
            source,
            f"{path}: {raw} lies outside the template's directory ({base}); definition files must be inside it",
        )
    return template.directory / relative


def _resource_names(template: TemplateSource, resolver: Resolver) -> tuple[ResourceName, ...]:
    """Physical names and aliases of the functions and state machines (for ``asl.toml`` matching)."""
    names = []
    resources = template.document.get("Resources")
    for logical_id, spec in (resources or {}).items():
        if not isinstance(spec, Mapping) or spec.get("Type") not in _ALIASED_TYPES:
            continue
        resource = resolver.resource(logical_id, f"Resources.{logical_id}")
        try:
            physical = resource.name
        except Unresolvable:
            continue  # a name that needs parameters this run lacks: nothing to match by
        aliases = [logical_id]
        hashed = _CDK_HASH.fullmatch(logical_id)
        cdk_path = resource.metadata.get("aws:cdk:path")
        if isinstance(cdk_path, str):
            parts = [part for part in cdk_path.split("/") if part]
            if len(parts) > 1 and parts[-1] in ("Resource", "Default"):
                parts.pop()
            if len(parts) > 1:
                aliases.append(parts[-1])
            if hashed is not None:
                aliases.append(hashed["base"])
        names.append(ResourceName(logical_id, str(spec["Type"]), physical, tuple(dict.fromkeys(aliases))))
    return tuple(names)


def _at(diagnostic: Diagnostic, where: tuple[int, int] | None) -> Diagnostic:
    if where is None:
        return diagnostic
    return Diagnostic(
        diagnostic.code,
        diagnostic.message,
        diagnostic.location,
        diagnostic.severity,
        where[0],
        where[1],
        diagnostic.suggestion,
    )
