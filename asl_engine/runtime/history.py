"""Execution history shaped like GetExecutionHistory.

Events are stored as compact records holding *references* to the JSON values involved; the JSON
text AWS returns (``input``, ``output``, ``parameters``...) is produced only when somebody reads
the history. Event ids are always counted, even with recording off, because AWS's error causes
quote them ("entered at the event id #2").
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

# Detail members that carry a JSON value and are serialized to text, each with its ``*Details``
# companion ({"truncated": false}) as AWS returns them.
_JSON_FIELDS = {"input": "inputDetails", "output": "outputDetails"}
_JSON_ONLY_FIELDS = ("parameters",)

_DETAILS_MEMBER: dict[str, str] = {}


def details_member(event_type: str) -> str:
    """``TaskStateEntered`` -> ``stateEnteredEventDetails`` (AWS groups state events by kind)."""
    member = _DETAILS_MEMBER.get(event_type)
    if member is None:
        if event_type.endswith("StateEntered"):
            member = "stateEnteredEventDetails"
        elif event_type.endswith("StateExited"):
            member = "stateExitedEventDetails"
        else:
            member = event_type[0].lower() + event_type[1:] + "EventDetails"
        _DETAILS_MEMBER[event_type] = member
    return member


def format_timestamp(epoch_seconds: float) -> str:
    """ISO-8601 with milliseconds, UTC, as the context object shows times (``...T10:04:42.001Z``)."""
    moment = datetime.fromtimestamp(epoch_seconds, UTC)
    millis = round(moment.microsecond / 1000)
    if millis == 1000:
        moment = datetime.fromtimestamp(int(epoch_seconds) + 1, UTC)
        millis = 0
    base = moment.strftime("%Y-%m-%dT%H:%M:%S")
    return f"{base}.{millis:03d}Z" if millis else f"{base}Z"


def to_json_text(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


class HistoryEvent:
    """One event; ``details`` holds raw values until ``to_dict`` serializes them."""

    __slots__ = ("details", "id", "previous_event_id", "timestamp", "type")

    def __init__(
        self, event_id: int, previous_event_id: int, timestamp: float, event_type: str, details: dict[str, Any] | None
    ) -> None:
        self.id = event_id
        self.previous_event_id = previous_event_id
        self.timestamp = timestamp
        self.type = event_type
        self.details = details

    def __repr__(self) -> str:
        return f"<{self.id} {self.type} prev={self.previous_event_id}>"

    @property
    def state_name(self) -> str | None:
        return self.details.get("name") if self.details else None

    def to_dict(self) -> dict[str, Any]:
        """The AWS GetExecutionHistory shape; JSON payloads become JSON text."""
        event: dict[str, Any] = {
            "id": self.id,
            "previousEventId": self.previous_event_id,
            "timestamp": datetime.fromtimestamp(self.timestamp, UTC),
            "type": self.type,
        }
        if self.details is not None:
            details: dict[str, Any] = {}
            for key, value in self.details.items():
                if key in _JSON_FIELDS:
                    details[key] = to_json_text(value)
                    details[_JSON_FIELDS[key]] = {"truncated": False}
                elif key in _JSON_ONLY_FIELDS:
                    details[key] = to_json_text(value)
                elif key == "assignedVariables":
                    details[key] = {name: to_json_text(v) for name, v in value.items()}
                    details["assignedVariablesDetails"] = {"truncated": False}
                else:
                    details[key] = value
            event[details_member(self.type)] = details
        return event


EventListener = Callable[[HistoryEvent], None]


class History:
    """The events of one execution, in id order, plus the id counter every event draws from."""

    def __init__(self, record: bool = True, listeners: list[EventListener] | None = None) -> None:
        self.record = record
        self.events: list[HistoryEvent] = []
        self.last_id = 0
        self.listeners = listeners or []

    def add(
        self, event_type: str, previous_event_id: int, timestamp: float, details: dict[str, Any] | None = None
    ) -> int:
        self.last_id += 1
        if self.record or self.listeners:
            event = HistoryEvent(self.last_id, previous_event_id, timestamp, event_type, details)
            if self.record:
                self.events.append(event)
            for listener in self.listeners:
                listener(event)
        return self.last_id

    def __len__(self) -> int:
        return len(self.events)

    def __iter__(self) -> Iterator[HistoryEvent]:
        return iter(self.events)
