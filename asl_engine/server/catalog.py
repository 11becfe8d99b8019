"""The account's state machines, with their versions, aliases and tags, as the Step Functions API keeps them.

A ``MachineEntry`` is one state machine: its current definition (the ``$LATEST`` revision), its
published versions and its aliases. The entries live in memory; with a durable store each change is
also written to the store (``Store.save_state_machine``), so a restarted server finds them again.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from asl_engine import StateMachine
from asl_engine.server.errors import ServiceError
from asl_engine.store import StateMachineDoesNotExist

if TYPE_CHECKING:
    from asl_engine.store import Store

DEFAULT_LOGGING: dict[str, Any] = {"level": "OFF", "includeExecutionData": False}
DEFAULT_TRACING: dict[str, Any] = {"enabled": False}


@dataclass(slots=True)
class Revision:
    """What an execution runs: a definition and the settings that came with it."""

    definition: str
    role_arn: str
    revision_id: str
    logging: dict[str, Any] = field(default_factory=lambda: dict(DEFAULT_LOGGING))
    tracing: dict[str, Any] = field(default_factory=lambda: dict(DEFAULT_TRACING))


@dataclass(slots=True)
class Version:
    number: int
    revision: Revision
    created: float
    description: str | None = None


@dataclass(slots=True)
class Alias:
    name: str
    routing: list[dict[str, Any]]
    created: float
    updated: float
    description: str | None = None


@dataclass(slots=True)
class MachineEntry:
    arn: str
    name: str
    type: str
    revision: Revision
    created: float
    updated: float
    description: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    versions: dict[int, Version] = field(default_factory=dict)
    next_version: int = 1
    aliases: dict[str, Alias] = field(default_factory=dict)
    encryption: dict[str, Any] | None = None
    _compiled: dict[str, StateMachine] = field(default_factory=dict)

    def machine(self, revision: Revision | None = None) -> StateMachine:
        """The compiled machine of a revision (compiled once per definition text)."""
        definition = (revision or self.revision).definition
        compiled = self._compiled.get(definition)
        if compiled is None:
            compiled = StateMachine.from_json(definition, name=self.name, machine_type=self.type)
            self._compiled.clear()
            self._compiled[definition] = compiled
        return compiled

    def version_arn(self, number: int) -> str:
        return f"{self.arn}:{number}"

    def alias_arn(self, name: str) -> str:
        return f"{self.arn}:{name}"

    def to_json(self) -> dict[str, Any]:
        """What the store keeps (everything but the compiled machines)."""
        return {
            "revision": asdict(self.revision),
            "description": self.description,
            "tags": self.tags,
            "versions": [
                {"number": v.number, "revision": asdict(v.revision), "created": v.created, "description": v.description}
                for v in self.versions.values()
            ],
            "next_version": self.next_version,
            "aliases": [asdict(alias) for alias in self.aliases.values()],
            "encryption": self.encryption,
        }

    @classmethod
    def from_json(
        cls, arn: str, name: str, machine_type: str, created: float, updated: float, data: dict[str, Any]
    ) -> MachineEntry:
        entry = cls(
            arn, name, machine_type, Revision(**data["revision"]), created, updated, data.get("description"),
            dict(data.get("tags", {})), next_version=int(data.get("next_version", 1)),
            encryption=data.get("encryption"),
        )  # fmt: skip
        for version in data.get("versions", []):
            entry.versions[version["number"]] = Version(
                version["number"], Revision(**version["revision"]), version["created"], version.get("description")
            )
        for alias in data.get("aliases", []):
            entry.aliases[alias["name"]] = Alias(**alias)
        return entry


@dataclass(slots=True)
class Target:
    """What a state machine ARN in a request names: the machine, and a version or an alias of it."""

    entry: MachineEntry
    revision: Revision
    version: Version | None = None
    alias: Alias | None = None


class Catalog:
    """The state machines of the server's account (thread-safe; written through to the store)."""

    def __init__(self, region: str, account: str, store: Store | None = None) -> None:
        self.region = region
        self.account = account
        self.store = store
        self._machines: dict[str, MachineEntry] = {}
        self._lock = threading.RLock()
        if store is not None:
            for record in store.list_state_machines():
                data = record.attributes.get("server")
                if isinstance(data, dict):
                    self._machines[record.arn] = MachineEntry.from_json(
                        record.arn, record.name, record.type, record.created, record.updated, data
                    )

    @property
    def prefix(self) -> str:
        return f"arn:aws:states:{self.region}:{self.account}:"

    def machine_arn(self, name: str) -> str:
        return f"{self.prefix}stateMachine:{name}"

    def __iter__(self) -> Iterator[MachineEntry]:
        with self._lock:
            return iter(sorted(self._machines.values(), key=lambda entry: entry.created))

    def get(self, arn: str) -> MachineEntry | None:
        with self._lock:
            return self._machines.get(arn)

    def add(self, entry: MachineEntry) -> None:
        with self._lock:
            self._machines[entry.arn] = entry
            self.save(entry)

    def remove(self, arn: str) -> None:
        with self._lock:
            if self._machines.pop(arn, None) is not None and self.store is not None:
                with contextlib.suppress(StateMachineDoesNotExist):  # never saved: nothing to delete
                    self.store.delete_state_machine(arn)

    def save(self, entry: MachineEntry) -> None:
        """Keep the entry's current state in the store (a restart finds it)."""
        if self.store is not None:
            self.store.save_state_machine(
                entry.arn,
                entry.name,
                entry.revision.definition,
                machine_type=entry.type,
                role_arn=entry.revision.role_arn,
                created=entry.created,
                updated=entry.updated,
                attributes={"server": entry.to_json()},
            )

    def resolve(self, arn: str) -> Target:
        """The machine, version or alias an ARN names (``StateMachineDoesNotExist`` otherwise)."""
        entry = self.get(arn)
        if entry is not None:
            return Target(entry, entry.revision)
        base, _, qualifier = arn.rpartition(":")
        entry = self.get(base) if qualifier else None
        if entry is not None:
            if qualifier.isdigit():
                version = entry.versions.get(int(qualifier))
                if version is not None:
                    return Target(entry, version.revision, version=version)
            else:
                alias = entry.aliases.get(qualifier)
                if alias is not None:
                    return Target(entry, entry.revision, alias=alias)
        raise ServiceError("StateMachineDoesNotExist", f"State Machine Does Not Exist: '{arn}'")


def new_revision(definition: str, role_arn: str, logging: Any = None, tracing: Any = None) -> Revision:
    return Revision(
        definition,
        role_arn,
        str(uuid.uuid4()),
        dict(logging) if isinstance(logging, dict) else dict(DEFAULT_LOGGING),
        dict(tracing) if isinstance(tracing, dict) else dict(DEFAULT_TRACING),
    )


def now() -> float:
    return round(time.time(), 3)


def same_definition(left: str, right: str) -> bool:
    """Two definitions are the same when they parse to the same JSON (AWS compares them so)."""
    try:
        return bool(json.loads(left) == json.loads(right))
    except ValueError:
        return left == right
