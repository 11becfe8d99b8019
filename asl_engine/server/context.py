"""What every operation works with: the settings, the state machines, the executions, the local account."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from asl_engine.server.catalog import Catalog
from asl_engine.server.runner import Executions
from asl_engine.server.settings import ServerSettings
from asl_engine.services import Resources

if TYPE_CHECKING:
    from asl_engine.store import Store


@dataclass(slots=True)
class ServerContext:
    settings: ServerSettings
    catalog: Catalog
    executions: Executions
    resources: Resources
    """The local account: the handlers of ``--resources``, the activities, the task tokens."""
    store: Store | None
    activity_tags: dict[str, dict[str, str]] = field(default_factory=dict)
