"""Import-time regression guards (issue 20): which modules an import pulls in.

Deterministic facts about ``sys.modules`` in a fresh interpreter, never a timing (the time itself is
measured by ``benchmarks/import_time.py``).
"""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("networkx", "jsonschema", "jsonata", "ruamel", "yaml", "structlog", "boto3", "botocore", "httpx")


def _modules_after(code: str) -> set[str]:
    script = f"import json, sys\n{code}\nprint(json.dumps(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    return set(json.loads(result.stdout.strip().splitlines()[-1]))


def _heavy(modules: set[str]) -> list[str]:
    return sorted(name for name in modules if name.split(".")[0] in HEAVY)


def test_import_asl_engine_imports_no_engine_module_and_no_dependency() -> None:
    modules = _modules_after("import asl_engine")
    assert _heavy(modules) == []
    assert sorted(name for name in modules if name.startswith("asl_engine.")) == []


def test_loading_and_running_a_machine_imports_no_graph_schema_or_service_library() -> None:
    modules = _modules_after(
        "from asl_engine import StateMachine\n"
        'machine = StateMachine.from_json(\'{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}\')\n'
        "assert machine.execute({'x': 1}).output == {'x': 1}"
    )
    assert [name for name in _heavy(modules) if not name.startswith("jsonata")] == []
    assert "asl_engine.services.dynamodb" not in modules
    assert "asl_engine.services.registry" not in modules
    assert "asl_engine.executors" not in modules  # process pools and Dask, for Distributed Maps that ask
    assert "asl_engine.teststate" not in modules


def test_the_lazy_names_resolve_to_the_modules_that_define_them() -> None:
    import asl_engine

    for name in asl_engine.__all__:
        value = getattr(asl_engine, name)
        assert value is not None
    assert asl_engine.StateMachine.__module__ == "asl_engine.machine"
    assert "StateMachine" in dir(asl_engine)


def test_an_invalid_definition_is_still_explained_with_jsonschema() -> None:
    modules = _modules_after(
        "from asl_engine import StateMachine, ValidationError\n"
        "try:\n"
        '    StateMachine.from_json(\'{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": "yes"}}}\')\n'
        "except ValidationError as error:\n"
        "    assert \"'End' must be a boolean\" in str(error), str(error)\n"
        "else:\n"
        "    raise AssertionError('accepted')"
    )
    assert "jsonschema" in modules


def test_an_unknown_name_is_an_attribute_error() -> None:
    import asl_engine
    import asl_engine.services

    for module in (asl_engine, asl_engine.services):
        try:
            module.NoSuchThing  # noqa: B018
        except AttributeError as error:
            assert "NoSuchThing" in str(error)
        else:
            raise AssertionError(f"{module.__name__}.NoSuchThing resolved")
