"""Reading one section of ``asl.toml``: locations for error messages, checked shapes, callables.

Each integration's ``configure`` (``services/<service>/config.py``) reads its section with these; a
mistake is a ``ConfigurationError`` naming the file and the key (``asl.toml: lambda.Fn.timeout: ...``).
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import json
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from asl_engine.errors import ConfigurationError


class Location:
    """Where in which file a value sits, for error messages (``asl.toml: lambda.ProcessOrder``)."""

    def __init__(self, file: Path, key: str = "") -> None:
        self.file = file
        self.key = key

    def __truediv__(self, key: str) -> Location:
        shown = key if key.replace("_", "").replace("-", "").isalnum() else json.dumps(key)
        return Location(self.file, f"{self.key}.{shown}" if self.key else shown)

    def error(self, message: str) -> ConfigurationError:
        where = f"{self.file}: {self.key}" if self.key else str(self.file)
        return ConfigurationError(f"{where}: {message}")


@dataclass(frozen=True, slots=True)
class ConfigSection:
    """One section of the file, as an integration's ``configure`` reads it."""

    values: dict[str, Any]
    where: Location
    """The section's own location (``asl.toml: dynamodb``); ``where / key`` locates a key in it."""
    base: Path
    """The file's directory: relative paths and modules resolve against it."""

    def callable(self, reference: Any, where: Location) -> Callable[..., Any]:
        """The function a ``"module:function"`` reference names (modules beside the file first)."""
        return resolve_callable(reference, where, self.base)


# -- module:function references ----------------------------------------------------------------------


def resolve_callable(reference: Any, where: Location, base: Path) -> Callable[..., Any]:
    if not isinstance(reference, str) or reference.count(":") != 1:
        raise where.error(f"expected 'module:function', got {reference!r}")
    module_name, _, attribute = reference.partition(":")
    if not module_name or not attribute:
        raise where.error(f"expected 'module:function', got {reference!r}")
    target: Any = _module(module_name, where, base)
    for part in attribute.split("."):
        try:
            target = getattr(target, part)
        except AttributeError:
            raise where.error(f"module {module_name!r} has no attribute {attribute!r}") from None
    if not callable(target):
        raise where.error(f"{reference!r} is not callable")
    return target  # type: ignore[no-any-return]


def _module(name: str, where: Location, base: Path) -> ModuleType:
    relative = base.joinpath(*name.split("."))
    file = next((f for f in (relative.with_suffix(".py"), relative / "__init__.py") if f.is_file()), None)
    if file is None:
        try:
            return importlib.import_module(name)
        except ImportError as error:
            raise where.error(f"cannot import module {name!r}: no {relative}.py beside the file and {error}") from None
    return _load_file_module(name, file, base, where)


def _load_file_module(name: str, file: Path, base: Path, where: Location) -> ModuleType:
    """Import a module from a file under a name unique to that file (two examples may both have
    ``handlers.py``), with the file's directory importable while it loads (for its own imports)."""
    digest = hashlib.sha1(str(file).encode()).hexdigest()[:12]
    unique = f"_asl_resources_{digest}_{name.replace('.', '_')}"
    loaded = sys.modules.get(unique)
    if loaded is not None:
        return loaded
    spec = importlib.util.spec_from_file_location(unique, file)
    if spec is None or spec.loader is None:  # pragma: no cover - a .py file always has a loader
        raise where.error(f"cannot load {file}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[unique] = module
    sys.path.insert(0, str(base))
    try:
        spec.loader.exec_module(module)
    except Exception as error:
        del sys.modules[unique]
        raise where.error(f"importing {file} failed: {type(error).__name__}: {error}") from error
    finally:
        sys.path.remove(str(base))
    return module


def table_at(value: Any, where: Location) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise where.error(f"expected a table, got {value!r}")
    return value


def only_keys(options: Mapping[str, Any], allowed: tuple[str, ...], where: Location) -> None:
    for key in options:
        if key not in allowed:
            raise (where / key).error(f"unknown key; expected one of {', '.join(allowed)}")


def handler_settings(spec: Any, where: Location, allowed: tuple[str, ...]) -> dict[str, Any]:
    """A ``"module:function"`` string, or a table with ``handler`` and settings."""
    if isinstance(spec, str):
        return {"handler": spec}
    options = dict(table_at(spec, where))
    only_keys(options, allowed, where)
    if "handler" not in options:
        raise where.error("missing 'handler' (\"module:function\")")
    return options
