"""Testing state machines with pytest: fixtures, mocks, virtual time, assertions, snapshots, coverage.

The pytest plugin (``asl_engine.testing.plugin``) is registered automatically; this module holds
what tests import::

    from asl_engine.testing import assert_path, assert_retried, assert_caught

Names are imported lazily, on first use: pytest loads the plugin in every run, and that must not
cost the import of every testing tool.
"""

from __future__ import annotations

import ast
import importlib
from importlib import resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # The exports, listed once: type checkers read them here, and so does ``__getattr__``.
    from asl_engine.testing.assertions import assert_caught as assert_caught
    from asl_engine.testing.assertions import assert_entered as assert_entered
    from asl_engine.testing.assertions import assert_failed as assert_failed
    from asl_engine.testing.assertions import assert_not_entered as assert_not_entered
    from asl_engine.testing.assertions import assert_output as assert_output
    from asl_engine.testing.assertions import assert_path as assert_path
    from asl_engine.testing.assertions import assert_path_contains as assert_path_contains
    from asl_engine.testing.assertions import assert_retried as assert_retried
    from asl_engine.testing.assertions import assert_state_input as assert_state_input
    from asl_engine.testing.assertions import assert_state_output as assert_state_output
    from asl_engine.testing.assertions import assert_status as assert_status
    from asl_engine.testing.assertions import assert_succeeded as assert_succeeded
    from asl_engine.testing.assertions import json_equal as json_equal
    from asl_engine.testing.coverage import CoverageCollector as CoverageCollector
    from asl_engine.testing.environment import AslEnvironment as AslEnvironment
    from asl_engine.testing.environment import EnvironmentStuck as EnvironmentStuck
    from asl_engine.testing.environment import RunningExecution as RunningExecution
    from asl_engine.testing.environment import TestClock as TestClock
    from asl_engine.testing.listing import describe_execution as describe_execution
    from asl_engine.testing.mock_config import MockConfig as MockConfig
    from asl_engine.testing.mocking import MockSet as MockSet
    from asl_engine.testing.mocking import Return as Return
    from asl_engine.testing.mocking import Throw as Throw
    from asl_engine.testing.snapshots import Snapshot as Snapshot
    from asl_engine.testing.snapshots import normalised_history as normalised_history
    from asl_engine.testing.trace import ExecutionTrace as ExecutionTrace
    from asl_engine.testing.trace import StateVisit as StateVisit


def _listed_exports() -> dict[str, str]:
    """``{exported name: module}``, read from the ``TYPE_CHECKING`` imports above."""
    source = resources.files(__name__).joinpath("__init__.py").read_text(encoding="utf-8")
    tree = ast.parse(source)
    block = next(node for node in tree.body if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING")
    return {
        alias.name: str(statement.module)
        for statement in block.body
        if isinstance(statement, ast.ImportFrom)
        for alias in statement.names
    }


_EXPORTS = _listed_exports()
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'asl_engine.testing' has no attribute {name!r}")
    value = getattr(importlib.import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value
