"""Activities: Task states answered by workers that poll for them (``Activities``, ``Activity``,
``ActivityTask``)."""

from asl_engine.services.activities.registry import (
    Activities,
    Activity,
    ActivityDoesNotExist,
    ActivityInfo,
    ActivityTask,
)

__all__ = ["Activities", "Activity", "ActivityDoesNotExist", "ActivityInfo", "ActivityTask"]
