"""asl-engine: run, validate and test Amazon States Language state machines locally.

The public API is what this module exports; everything else is internal and may change.

The names are imported on first use (PEP 562 ``__getattr__``): ``import asl_engine`` costs a few
milliseconds, and a program (or a CLI command, or a pytest run that never touches the engine) pays
for the engine's modules and dependencies only once it asks for them. ``from asl_engine import
StateMachine`` imports what loading and running a machine need, and no more (a regression test,
tests/test_imports.py, keeps the heavy optional dependencies out of it).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from asl_engine.definition.templates import TemplateError
    from asl_engine.errors import (
        AslEngineError,
        ConfigurationError,
        DefinitionError,
        StatesError,
        ValidationError,
    )
    from asl_engine.execution import Execution
    from asl_engine.handle import ExecutionHandle
    from asl_engine.machine import InvalidExecutionInput, StateMachine
    from asl_engine.runtime.clock import Clock, RealClock, VirtualClock
    from asl_engine.runtime.safety import SafetyLimits
    from asl_engine.services.mocks import Mocks
    from asl_engine.store import Store, open_store
    from asl_engine.teststate import TestStateError, TestStateResult
    from asl_engine.validation import validate, validate_template

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    "AslEngineError": "asl_engine.errors",
    "Clock": "asl_engine.runtime.clock",
    "ConfigurationError": "asl_engine.errors",
    "DefinitionError": "asl_engine.errors",
    "Execution": "asl_engine.execution",
    "ExecutionHandle": "asl_engine.handle",
    "InvalidExecutionInput": "asl_engine.machine",
    "Mocks": "asl_engine.services.mocks",
    "RealClock": "asl_engine.runtime.clock",
    "SafetyLimits": "asl_engine.runtime.safety",
    "StateMachine": "asl_engine.machine",
    "StatesError": "asl_engine.errors",
    "Store": "asl_engine.store",
    "TemplateError": "asl_engine.definition.templates",
    "TestStateError": "asl_engine.teststate",
    "TestStateResult": "asl_engine.teststate",
    "ValidationError": "asl_engine.errors",
    "VirtualClock": "asl_engine.runtime.clock",
    "open_store": "asl_engine.store",
    "validate": "asl_engine.validation",
    "validate_template": "asl_engine.validation",
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'asl_engine' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups are plain module attributes
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])


__all__ = [
    "AslEngineError",
    "Clock",
    "ConfigurationError",
    "DefinitionError",
    "Execution",
    "ExecutionHandle",
    "InvalidExecutionInput",
    "Mocks",
    "RealClock",
    "SafetyLimits",
    "StateMachine",
    "StatesError",
    "Store",
    "TemplateError",
    "TestStateError",
    "TestStateResult",
    "ValidationError",
    "VirtualClock",
    "__version__",
    "open_store",
    "validate",
    "validate_template",
]
