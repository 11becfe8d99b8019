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

    def keep_activity(self, arn: str) -> None:
        """With a store, keep the activity (and its tags) there: it exists again after a restart."""
        activity = self.resources.activities.find(arn)
        if self.store is not None and activity is not None:
            tags = self.activity_tags.get(arn, {})
            self.store.save_activity(arn, activity.name, created=activity.created, attributes={"tags": tags})

    def restore_activities(self) -> None:
        """The activities the store kept (a server started again on it), created again with their
        tags and creation dates; those the resources file declares keep their workers."""
        if self.store is None:
            return
        for record in self.store.list_activities():
            activity = self.resources.activities.create(
                record.name, region=self.settings.region, account=self.settings.account, now=record.created
            )
            tags = record.attributes.get("tags")
            if tags:
                self.activity_tags[activity.arn] = dict(tags)
