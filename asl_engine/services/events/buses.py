"""The embedded EventBridge of one account: event buses, the events put on them, and rules that
deliver matching events to SQS queues.

The ``default`` bus always exists. Without configuration so does every bus a call names; once buses
are declared (``declare``, or ``[events] buses`` in ``asl.toml``) events put on another bus are
dropped, as AWS silently drops them (PutEvents still answers with an ``EventId``); tests find them
in ``dropped``. Rules (``rule``) send each matching event, as EventBridge's JSON event, to SQS
queues of the same account.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from asl_engine.errors import ConfigurationError
from asl_engine.services.events.patterns import check_pattern, matches
from asl_engine.services.sent import NOBODY, SentBy

DEFAULT_BUS = "default"
_BUS_ARN = re.compile(r"arn:aws[\w-]*:events:[\w-]+:\d{12}:event-bus/(?P<name>[^\s]+)\Z")
_BUS_NAME = re.compile(r"[/.\-_A-Za-z0-9]{1,256}\Z")


@dataclass(frozen=True, slots=True)
class Event:
    """An event on a bus, as rules' targets receive it (``detail`` parsed)."""

    bus: str
    id: str
    source: str
    detail_type: str
    detail: Any
    time: str
    region: str
    account: str
    resources: Sequence[str] = ()
    sent_by: SentBy = NOBODY

    def as_delivered(self) -> dict[str, Any]:
        """EventBridge's event document, as an SQS target receives it."""
        return {
            "version": "0",
            "id": self.id,
            "detail-type": self.detail_type,
            "source": self.source,
            "account": self.account,
            "time": self.time,
            "region": self.region,
            "resources": list(self.resources),
            "detail": self.detail,
        }

    def to_json(self) -> dict[str, Any]:
        return {**self.as_delivered(), "eventBusName": self.bus, "sentBy": self.sent_by.to_json()}


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    pattern: Mapping[str, Any]
    queues: Sequence[str]
    bus: str = DEFAULT_BUS


@dataclass
class Bus:
    name: str
    events: list[Event] = field(default_factory=list)


def bus_name_of(target: str) -> str:
    """A bus's name from its name or ARN."""
    match = _BUS_ARN.match(target)
    return match["name"] if match else target


class EventsService:
    """The event buses of one account, the events put on them and the rules that route them."""

    def __init__(self) -> None:
        self._buses: dict[str, Bus] = {DEFAULT_BUS: Bus(DEFAULT_BUS)}
        self.rules: list[Rule] = []
        self.dropped: list[Event] = []
        """Events put on a bus that does not exist (once buses are declared)."""
        self.closed = False
        self._lock = threading.Lock()

    def declare(self, name: str) -> None:
        """Create the bus ``name`` and close the list: events for other buses are dropped."""
        self.create_bus(name)
        self.closed = True

    def create_bus(self, name: str) -> None:
        name = bus_name_of(name)
        if not _BUS_NAME.match(name):
            raise ConfigurationError(f"invalid event bus name {name!r}: 1 to 256 of letters, digits and . - _ /")
        with self._lock:
            self._buses.setdefault(name, Bus(name))

    def bus_names(self) -> list[str]:
        with self._lock:
            return list(self._buses)

    def rule(self, name: str, pattern: Mapping[str, Any], queues: Sequence[str], *, bus: str = DEFAULT_BUS) -> Rule:
        """Deliver the events on ``bus`` that match ``pattern`` to the SQS ``queues`` (names or URLs)."""
        check_pattern(pattern, f"rule {name!r}: pattern")
        if isinstance(queues, str) or not all(isinstance(queue, str) for queue in queues):
            raise ConfigurationError(f"rule {name!r}: queues must be a list of SQS queue names or URLs")
        rule = Rule(name, json.loads(json.dumps(pattern)), list(queues), bus_name_of(bus))
        self.create_bus(rule.bus)
        with self._lock:
            self.rules.append(rule)
        return rule

    def accepts(self, bus: str) -> bool:
        """Whether events for ``bus`` land on it (it exists, or the list is open and it is made now)."""
        name = bus_name_of(bus)
        with self._lock:
            if name in self._buses:
                return True
            if self.closed or not _BUS_NAME.match(name):
                return False
            self._buses[name] = Bus(name)
            return True

    def put(self, bus: str = DEFAULT_BUS) -> list[Event]:
        """The events put on ``bus`` (a name or ARN), oldest first."""
        with self._lock:
            found = self._buses.get(bus_name_of(bus))
            return list(found.events) if found is not None else []

    def record(self, event: Event) -> list[Rule]:
        """Keep ``event`` on its bus (or among the dropped ones); the rules it matches."""
        with self._lock:
            bus = self._buses.get(event.bus)
            if bus is None:
                self.dropped.append(event)
                return []
            bus.events.append(event)
            rules = [rule for rule in self.rules if rule.bus == event.bus]
        delivered = event.as_delivered()
        return [rule for rule in rules if matches(rule.pattern, delivered)]

    def outbox(self) -> dict[str, Any]:
        with self._lock:
            buses = {name: list(bus.events) for name, bus in self._buses.items()}
        return {name: [event.to_json() for event in events] for name, events in buses.items() if events}
