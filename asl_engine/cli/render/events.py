"""The history views the renderers read: defined in ``asl_engine.runtime.visits`` (the console
reads histories the same way), named here for the renderers' imports."""

from asl_engine.runtime.visits import BRANCH_FAILURES, EventView, StepTracker, Visit, is_failure, states_entered

__all__ = ["BRANCH_FAILURES", "EventView", "StepTracker", "Visit", "is_failure", "states_entered"]
