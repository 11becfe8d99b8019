"""What makes an installed wheel as good as the checkout: package data, one version, no repository paths.

The wheel itself is built, installed into a fresh virtual environment and run from outside the
checkout by ``.ci/run`` (the smoke test); these tests keep the inputs of that build honest.
"""

from __future__ import annotations

import ast
import fnmatch
import tomllib
from importlib import metadata
from pathlib import Path
from typing import Any

import asl_engine
from asl_engine.definition import schema

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "asl_engine"
CHECKOUT_ONLY = {PACKAGE / "conformance" / "paths.py"}
"""Modules allowed to locate files from ``__file__``: the conformance runner's defaults point at the
checkout's ``conformance/`` directory (its floors and own cases), which is not package data."""


def _pyproject() -> dict[str, Any]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_the_public_schema_is_the_one_the_package_reads() -> None:
    packaged = schema.SCHEMA_PATH.read_bytes()
    public = (ROOT / "schemas" / "asl.schema.json").read_bytes()
    assert packaged == public, (
        "schemas/asl.schema.json and asl_engine/definition/asl.schema.json differ: edit the package's copy "
        "and copy it over the public one"
    )


def test_every_data_file_in_the_package_is_declared_as_package_data() -> None:
    declared = _pyproject()["tool"]["setuptools"]["package-data"]["asl_engine"]
    data_files = sorted(
        path.relative_to(PACKAGE).as_posix()
        for path in PACKAGE.rglob("*")
        if path.is_file() and path.suffix not in (".py", ".pyc") and "__pycache__" not in path.parts
    )
    assert "definition/asl.schema.json" in data_files
    undeclared = [name for name in data_files if not any(fnmatch.fnmatch(name, pattern) for pattern in declared)]
    assert undeclared == [], f"add these to [tool.setuptools.package-data] in pyproject.toml: {undeclared}"


def test_no_module_finds_files_relative_to_the_repository() -> None:
    """Data is read with importlib.resources; a path built from ``__file__`` breaks in a wheel."""
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path in CHECKOUT_ONLY:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if any(isinstance(node, ast.Name) and node.id == "__file__" for node in ast.walk(tree)):
            offenders.append(path.relative_to(ROOT).as_posix())
    assert offenders == []


def test_the_version_has_one_source() -> None:
    project = _pyproject()["project"]
    assert "version" not in project and "version" in project["dynamic"]
    assert _pyproject()["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "asl_engine.__version__"}
    assert metadata.version("asl-engine") == asl_engine.__version__  # the installed metadata agrees


def test_the_declared_license_ships_in_full() -> None:
    project = _pyproject()["project"]
    assert project["license"] == "Apache-2.0"
    assert project["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License" in text and "Version 2.0, January 2004" in text and "END OF TERMS AND CONDITIONS" in text


def test_running_needs_no_test_or_dev_tool() -> None:
    """The base install is what running needs; tests and checks come with the extras."""
    project = _pyproject()["project"]
    base = {_name(requirement) for requirement in project["dependencies"]}
    extras = project["optional-dependencies"]
    assert base.isdisjoint({"pytest", "hypothesis", "moto", "boto3", "mypy", "ruff", "types-pyyaml", "import-linter"})
    assert {"pytest", "hypothesis", "moto", "boto3"} <= {_name(r) for r in extras["test"]}
    assert "asl-engine[test]" in extras["dev"]
    assert {"ruff", "mypy", "import-linter"} <= {_name(r) for r in extras["dev"]}


def _name(requirement: str) -> str:
    for separator in "[<>=!~ ;":
        requirement = requirement.split(separator, 1)[0]
    return requirement.strip().lower()
