"""Testing state machines with pytest: fixtures, mocks, virtual time, assertions, snapshots, coverage.

The pytest plugin (``asl_engine.testing.plugin``) is registered automatically; this module holds
what tests import::

    from asl_engine.testing import assert_path, assert_retried, assert_caught

Names are imported lazily: pytest loads the plugin in every run, and that must not cost (or
depend on) importing the engine until a test uses it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from asl_engine.testing.assertions import (
        assert_caught,
        assert_entered,
        assert_failed,
        assert_not_entered,
        assert_output,
        assert_path,
        assert_path_contains,
        assert_retried,
        assert_state_input,
        assert_state_output,
        assert_status,
        assert_succeeded,
        json_equal,
    )
    from asl_engine.testing.coverage import CoverageCollector
    from asl_engine.testing.environment import AslEnvironment, EnvironmentStuck, RunningExecution, TestClock
    from asl_engine.testing.listing import render as describe_execution
    from asl_engine.testing.mock_config import MockConfig
    from asl_engine.testing.mocking import MockSet, Return, Throw
    from asl_engine.testing.snapshots import Snapshot, normalised_history
    from asl_engine.testing.trace import ExecutionTrace, StateVisit

_EXPORTS = {
    "assert_caught": "assertions",
    "assert_entered": "assertions",
    "assert_failed": "assertions",
    "assert_not_entered": "assertions",
    "assert_output": "assertions",
    "assert_path": "assertions",
    "assert_path_contains": "assertions",
    "assert_retried": "assertions",
    "assert_state_input": "assertions",
    "assert_state_output": "assertions",
    "assert_status": "assertions",
    "assert_succeeded": "assertions",
    "json_equal": "assertions",
    "CoverageCollector": "coverage",
    "AslEnvironment": "environment",
    "EnvironmentStuck": "environment",
    "RunningExecution": "environment",
    "TestClock": "environment",
    "MockConfig": "mock_config",
    "MockSet": "mocking",
    "Return": "mocking",
    "Throw": "mocking",
    "Snapshot": "snapshots",
    "normalised_history": "snapshots",
    "ExecutionTrace": "trace",
    "StateVisit": "trace",
}
_RENAMED = {"describe_execution": ("listing", "render")}

__all__ = [
    "AslEnvironment",
    "CoverageCollector",
    "EnvironmentStuck",
    "ExecutionTrace",
    "MockConfig",
    "MockSet",
    "Return",
    "RunningExecution",
    "Snapshot",
    "StateVisit",
    "TestClock",
    "Throw",
    "assert_caught",
    "assert_entered",
    "assert_failed",
    "assert_not_entered",
    "assert_output",
    "assert_path",
    "assert_path_contains",
    "assert_retried",
    "assert_state_input",
    "assert_state_output",
    "assert_status",
    "assert_succeeded",
    "describe_execution",
    "json_equal",
    "normalised_history",
]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        module, attribute = _EXPORTS[name], name
    elif name in _RENAMED:
        module, attribute = _RENAMED[name]
    else:
        raise AttributeError(f"module 'asl_engine.testing' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"asl_engine.testing.{module}"), attribute)
    globals()[name] = value
    return value
