"""One conformance case: an execution (or a definition check) recorded against real AWS.

The files are read once and kept as parsed; nothing here copies the recorded values, so the
runner can hand definitions and inputs straight to the engine and compare against ``expected``.
The format is described in the cases' README (``shared/conformance/README.md``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CATEGORIES = ("self_contained", "mocked", "validation")
"""The categories a case file may declare (the runner splits ``mocked`` further)."""

MACHINE_TYPES = ("STANDARD", "EXPRESS")


class CaseFormatError(ValueError):
    """A case file is not in the documented format; the message says which file and field."""


class CaseDirectoryError(ValueError):
    """A directory of cases is missing or holds no case file: a run over it would prove nothing."""


@dataclass(frozen=True, slots=True)
class Case:
    """A parsed case file. ``definition_raw`` is set only when AWS was sent text, not an object."""

    id: str
    path: Path
    category: str
    machine_type: str
    definition: Any
    input: Any
    expected: Mapping[str, Any]
    features: tuple[str, ...] = ()
    placeholders: frozenset[str] = frozenset()
    value_placeholders: frozenset[str] = frozenset()
    task_results: Sequence[Mapping[str, Any]] = ()
    setup_calls: Sequence[Mapping[str, Any]] = ()
    unresolved: Sequence[str] = ()
    external_actions: Sequence[str] = ()
    definition_raw: str | None = None
    start_mode: str = "async"
    """How AWS started the execution: StartExecution ("async") or StartSyncExecution ("sync")."""


@dataclass(frozen=True, slots=True)
class BrokenCase:
    """A file that could not be read as a case; reported as a failure, never silently dropped."""

    path: Path
    reason: str

    @property
    def id(self) -> str:
        return self.path.stem


def load_case(path: Path) -> Case:
    """Read and check one case file; raise CaseFormatError saying what is wrong and where."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise CaseFormatError(f"{path}: cannot read the file ({error})") from error
    except json.JSONDecodeError as error:
        raise CaseFormatError(f"{path}: not JSON (line {error.lineno}, column {error.colno}: {error.msg})") from error
    return parse_case(data, path)


def parse_case(data: Any, path: Path) -> Case:
    """Build a Case from an already-parsed document (``path`` names it in messages and reports)."""
    if not isinstance(data, dict):
        raise CaseFormatError(f"{path}: a case must be a JSON object, got {type(data).__name__}")
    category = data.get("category", path.parent.name)
    if category not in CATEGORIES:
        raise CaseFormatError(f"{path}: /category must be one of {', '.join(CATEGORIES)}, got {category!r}")
    machine_type = data.get("state_machine_type", "STANDARD")
    if machine_type not in MACHINE_TYPES:
        raise CaseFormatError(f"{path}: /state_machine_type must be STANDARD or EXPRESS, got {machine_type!r}")
    if "definition" not in data:
        raise CaseFormatError(f"{path}: /definition is required")
    expected = data.get("expected")
    if not isinstance(expected, dict):
        raise CaseFormatError(f"{path}: /expected must be an object")
    if category != "validation" and "status" not in expected:
        raise CaseFormatError(f"{path}: /expected/status is required for an execution case")
    if category == "validation" and not ({"validate_result", "error_code"} & expected.keys()):
        raise CaseFormatError(f"{path}: /expected needs validate_result or error_code for a validation case")
    comparison = data.get("comparison") or {}
    if not isinstance(comparison, dict):
        raise CaseFormatError(f"{path}: /comparison must be an object")
    raw_definition = data.get("definition_raw")
    if raw_definition is not None and not isinstance(raw_definition, str):
        raise CaseFormatError(f"{path}: /definition_raw must be a string when present")
    return Case(
        id=str(data.get("id") or path.stem),
        path=path,
        category=category,
        machine_type=machine_type,
        definition=data["definition"],
        input=data.get("input"),
        expected=expected,
        features=tuple(_strings(data.get("features"), path, "features")),
        placeholders=frozenset(_strings(comparison.get("placeholders"), path, "comparison/placeholders")),
        value_placeholders=frozenset(
            _strings(comparison.get("value_placeholders"), path, "comparison/value_placeholders")
        ),
        task_results=_objects(data.get("task_results"), path, "task_results"),
        setup_calls=_objects(data.get("setup_calls"), path, "setup_calls"),
        unresolved=tuple(str(item) for item in data.get("unresolved") or ()),
        external_actions=tuple(str(item) for item in data.get("external_actions") or ()),
        definition_raw=raw_definition,
        start_mode="sync" if data.get("start_mode") == "sync" else "async",
    )


def find_case_files(directories: Iterable[Path]) -> list[Path]:
    """Every ``*.json`` below the directories, in a stable order (each file once).

    A directory that does not exist, or holds no ``*.json`` at all, raises CaseDirectoryError: a
    mistyped path must not turn into "0 cases run, floors met".
    """
    seen: set[Path] = set()
    files: list[Path] = []
    for directory in directories:
        if not directory.is_dir():
            what = "is not a directory" if directory.exists() else "does not exist"
            raise CaseDirectoryError(f"the directory of cases {directory} {what}")
        found = sorted(directory.rglob("*.json"))
        if not found:
            raise CaseDirectoryError(f"the directory of cases {directory} holds no case file (*.json)")
        for file in found:
            resolved = file.resolve()
            if resolved not in seen:
                seen.add(resolved)
                files.append(file)
    return files


def load_cases(directories: Iterable[Path], filters: Sequence[str] = ()) -> list[Case | BrokenCase]:
    """Load the cases whose id or file name contains one of ``filters`` (case-insensitive; all when empty).

    Raises CaseDirectoryError for a directory that is missing or holds no case file.
    """
    wanted = [text.lower() for text in filters]
    loaded: list[Case | BrokenCase] = []
    for file in find_case_files(directories):
        try:
            case = load_case(file)
        except CaseFormatError as error:
            if _selected(wanted, file.name):
                loaded.append(BrokenCase(file, str(error)))
            continue
        if _selected(wanted, file.name, case.id):
            loaded.append(case)
    return loaded


def _selected(wanted: Sequence[str], *names: str) -> bool:
    return not wanted or any(text in name.lower() for text in wanted for name in names)


def _strings(value: Any, path: Path, where: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise CaseFormatError(f"{path}: /{where} must be a list of strings")
    return value


def _objects(value: Any, path: Path, where: str) -> tuple[Mapping[str, Any], ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise CaseFormatError(f"{path}: /{where} must be a list of objects")
    return tuple(value)
