"""Reading a CloudFormation or SAM template, and telling a template from a definition.

A template is JSON or YAML; YAML templates use CloudFormation's short-form tags (``!Ref``,
``!GetAtt``, ``!Sub``...), which ``yaml_reader`` turns into their long forms, building JSON values
only: nothing in a template is ever executed. The text is kept so that any JSON pointer into the
template can be turned back into a line and a column (for diagnostics located in the template).

A document is a template when its top level has a ``Resources`` mapping holding an
``AWS::StepFunctions::StateMachine`` or ``AWS::Serverless::StateMachine``, or an
``AWSTemplateFormatVersion`` or a ``Transform`` (a SAM template): no state machine definition has
any of those keys.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from asl_engine.definition import pointers, yaml_reader
from asl_engine.definition.templates.problems import TemplateError

STATE_MACHINE_TYPES = ("AWS::StepFunctions::StateMachine", "AWS::Serverless::StateMachine")
"""The resource types that hold a state machine (SAM's is transformed into the first)."""

_TEMPLATE_KEYS = ("AWSTemplateFormatVersion", "Transform")


@dataclass(slots=True)
class TemplateSource:
    """A template read from a file: its document (intrinsics in long form) and how to locate pointers."""

    path: Path
    text: str = field(repr=False)
    syntax: Literal["json", "yaml"]
    document: dict[str, Any] = field(repr=False)
    _yaml_root: Any = field(default=None, repr=False)

    @property
    def directory(self) -> Path:
        return self.path.parent

    def locate(self, pointer: str) -> tuple[int, int] | None:
        """1-based (line, column) of a JSON pointer into the template, or None."""
        if self.syntax == "json":
            return pointers.locate_in_json(self.text, pointer)
        if self._yaml_root is None:
            return None
        return pointers.locate_in_yaml(self._yaml_root, pointer)


def is_template(document: Any) -> bool:
    """Whether a parsed document is a CloudFormation/SAM template rather than a definition."""
    if not isinstance(document, Mapping):
        return False
    if any(key in document for key in _TEMPLATE_KEYS):
        return True
    resources = document.get("Resources")
    if not isinstance(resources, Mapping) or "States" in document:
        return False
    return any(isinstance(spec, Mapping) and spec.get("Type") in STATE_MACHINE_TYPES for spec in resources.values())


def sniff_template(path: Path) -> TemplateSource | None:
    """The template in ``path``, or None when the file is not a template (or cannot be read: the
    definition loader then says why, as it would for any definition)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.startswith("{"):
        try:
            document = json.loads(text)
        except json.JSONDecodeError:
            return None
        return TemplateSource(path, text, "json", document) if is_template(document) else None
    try:
        root = yaml_reader.compose(text)
    except yaml_reader.YamlSyntaxError:
        return None
    if root is None or root.id != "mapping" or not _yaml_looks_like_template(root):
        return None
    return _read_yaml(path, text, root)


def read_template(path: Path) -> TemplateSource:
    """The template in ``path``; ``TemplateError`` when it cannot be read or is not a template."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TemplateError(str(path), "no such file") from None
    except IsADirectoryError:
        raise TemplateError(str(path), "is a directory, not a template") from None
    except UnicodeDecodeError as error:
        raise TemplateError(str(path), f"not UTF-8 text ({error.reason} at byte {error.start})") from None
    except OSError as error:
        raise TemplateError(str(path), f"cannot read the template: {error.strerror}") from None
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.startswith("{"):
        try:
            document = json.loads(text)
        except json.JSONDecodeError as error:
            raise TemplateError(
                str(path), f"not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})"
            ) from None
        source = TemplateSource(path, text, "json", document)
    else:
        try:
            root = yaml_reader.compose(text)
        except yaml_reader.YamlSyntaxError as error:
            raise TemplateError(str(path), f"not valid YAML or JSON: {error}") from None
        if root is None or root.id != "mapping":
            raise TemplateError(str(path), "not a template: expected a mapping with 'Resources'")
        source = _read_yaml(path, text, root)
    if not is_template(source.document):
        raise TemplateError(
            str(path),
            "not a CloudFormation or SAM template: expected 'Resources' with an AWS::StepFunctions::StateMachine "
            "or AWS::Serverless::StateMachine (or AWSTemplateFormatVersion / Transform)",
        )
    return source


def _read_yaml(path: Path, text: str, root: Any) -> TemplateSource:
    try:
        read = yaml_reader.read(root, cloudformation=True)
    except yaml_reader.YamlProblem as problem:
        where = f" (line {problem.line}, column {problem.column})" if problem.line is not None else ""
        hint = f"; {problem.suggestion}" if problem.suggestion else ""
        raise TemplateError(str(path), f"{problem.message}{where}{hint}") from None
    return TemplateSource(path, text, "yaml", read.value, root)


def _yaml_looks_like_template(root: Any) -> bool:
    """The template test on the composed nodes, before anything is built (cheap for definitions)."""
    keys = {str(key.value): value for key, value in root.value if key.id == "scalar"}
    if any(key in keys for key in _TEMPLATE_KEYS):
        return True
    resources = keys.get("Resources")
    if resources is None or resources.id != "mapping" or "States" in keys:
        return False
    for _, spec in resources.value:
        if spec.id != "mapping":
            continue
        for key, value in spec.value:
            is_type = key.id == "scalar" and key.value == "Type"
            if is_type and value.id == "scalar" and value.value in STATE_MACHINE_TYPES:
                return True
    return False
