"""The architecture of docs/architecture.md, checked: layers, one source per fact, no private reach.

The import contracts themselves are import-linter's (``[tool.importlinter]`` in pyproject.toml,
run by CI as ``lint-imports``); the test runs them too, so a broken layer fails locally first.
"""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from asl_engine.definition.schema import SCHEMA_PATH
from asl_engine.definition.vocabulary import JSONATA, JSONPATH, QUERY_LANGUAGES, STATE_TYPES, TYPE_VALUES_MESSAGE
from asl_engine.options import ExecutionOptions, ExecutionSettings
from asl_engine.runtime.compiler import STATE_NODES

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "asl_engine"


def test_the_import_contracts_hold() -> None:
    command = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    if command is None:
        pytest.skip("import-linter is not installed (pip install -e '.[test]')")
    done = subprocess.run([command], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


def test_the_json_schema_knows_the_state_types_of_the_vocabulary() -> None:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    definitions = schema["$defs"]
    for state_type in STATE_TYPES:
        for language in QUERY_LANGUAGES:
            assert f"{state_type}.{language}" in definitions
            assert definitions[f"{state_type}.{language}"]["properties"]["Type"]["enum"] == list(STATE_TYPES)
    for language in QUERY_LANGUAGES:
        assert definitions[f"State.{language}"]["properties"]["Type"]["enum"] == list(STATE_TYPES)
    assert QUERY_LANGUAGES == (JSONPATH, JSONATA)


def test_the_compiler_has_one_state_class_per_state_type() -> None:
    assert list(STATE_NODES) == list(STATE_TYPES)
    assert all(node.state_type == state_type for state_type, node in STATE_NODES.items())
    assert TYPE_VALUES_MESSAGE.endswith("[Task, Wait, Pass, Succeed, Fail, Choice, Parallel, Map]")


def test_execution_options_and_settings_name_the_same_options() -> None:
    assert list(ExecutionOptions.__annotations__) == list(ExecutionSettings._fields)


def test_an_unknown_execution_option_is_a_type_error_naming_the_method() -> None:
    from asl_engine import StateMachine

    machine = StateMachine.from_json({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}})
    with pytest.raises(TypeError, match=r"StateMachine.execute\(\) got an unexpected keyword argument 'sed'"):
        machine.execute({}, sed=1)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match=r"StateMachine.start\(\) got an unexpected keyword argument 'sed'"):
        machine.start({}, sed=1)  # type: ignore[call-arg]


def _package_of(module: Path) -> str:
    """``asl_engine.runtime`` for asl_engine/runtime/run.py; the module itself at the top level."""
    parts = module.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:2])


def _private_names_from_other_packages() -> list[str]:
    found = []
    for module in sorted(PACKAGE.rglob("*.py")):
        here = _package_of(module)
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("asl_engine"):
                source = ".".join(node.module.split(".")[:2])
                for alias in node.names:
                    private = alias.name.startswith("_") and not alias.name.startswith("__")
                    if private and source != here:
                        found.append(f"{module.relative_to(ROOT)}:{node.lineno} imports {node.module}.{alias.name}")
    return found


def test_no_private_name_is_imported_across_packages() -> None:
    assert _private_names_from_other_packages() == []
