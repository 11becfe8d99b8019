"""The operations of the Step Functions API, one module per group; importing this fills ``OPERATIONS``."""

from asl_engine.server.operations import (  # noqa: F401 - each module registers its operations
    callbacks,
    executions,
    history,
    machines,
    map_runs,
    tags,
    test_state,
    versions,
)
from asl_engine.server.operations.registry import OPERATIONS

__all__ = ["OPERATIONS"]
