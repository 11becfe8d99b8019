"""asl-engine: run, validate and test Amazon States Language state machines locally.

The public API is what this module exports; everything else is internal and may change.
"""

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
