"""``arn:aws:states:::events:putEvents`` (request-response and ``.waitForTaskToken``), answered by the
embedded EventBridge.

``Entries`` (1 to 10) are PutEvents' entries: ``Source``, ``DetailType``, ``Detail`` (a JSON object,
or text holding one), ``EventBusName`` (a name or ARN; ``default`` when absent), ``Resources``,
``Time``. The result is PutEvents' answer, ``{Entries: [{EventId}], FailedEntryCount: 0}``, without
SDK metadata (as recorded on AWS). When an entry is refused (no ``Source``, ``Detail`` that is not
a JSON object...) the task fails with ``EventBridge.FailedEntry`` and the whole answer, each refused
entry with its ``ErrorCode`` and ``ErrorMessage``, as JSON cause; the accepted entries were put.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from asl_engine.errors import StatesError
from asl_engine.runtime.handlers import TaskRequest
from asl_engine.services.events.buses import DEFAULT_BUS, Event, EventsService, bus_name_of
from asl_engine.services.events.errors import EVENTS, FAILED_ENTRY
from asl_engine.services.integration import Account
from asl_engine.services.message_attributes import md5_hex
from asl_engine.services.sdk_metadata import compact_json, uuid_request_id
from asl_engine.services.sent import SentBy
from asl_engine.services.sqs.integration import INTEGRATION as SQS_INTEGRATION
from asl_engine.services.sqs.queues import SqsMessage
from asl_engine.services.support import environment_of, parameters_object

MAX_ENTRIES = 10


class EntryRefused(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class PutEventsTask:
    """Answers ``arn:aws:states:::events:putEvents`` and its ``.waitForTaskToken`` form."""

    def __init__(self, service: EventsService, account: Account) -> None:
        self.service = service
        self.account = account

    def __call__(self, request: TaskRequest) -> dict[str, Any]:
        env = environment_of(request)
        parameters = parameters_object(request)
        entries = parameters.get("Entries")
        if not isinstance(entries, list) or not 1 <= len(entries) <= MAX_ENTRIES:
            shown = compact_json(entries)
            constraint = (
                f"Member must have length less than or equal to {MAX_ENTRIES}"
                if isinstance(entries, list) and entries
                else "Member must have length greater than or equal to 1"
            )
            raise EVENTS.error(
                "ValidationException",
                f"1 validation error detected: Value '{shown}' at 'entries' failed to satisfy constraint: {constraint}",
                status_code=400,
                request_id=uuid_request_id(env.random),
            )
        results: list[dict[str, Any]] = []
        failed = 0
        for entry in entries:
            try:
                event = self._event(entry, request, env)
            except EntryRefused as refused:
                results.append({"ErrorCode": refused.code, "ErrorMessage": refused.message})
                failed += 1
                continue
            results.append({"EventId": event.id})
            for rule in self.service.record(event):
                self._deliver(rule.queues, event, env.random)
        answer = {"Entries": results, "FailedEntryCount": failed}
        if failed:
            raise StatesError(FAILED_ENTRY, compact_json(answer))
        return answer

    def _event(self, entry: Any, request: TaskRequest, env: Any) -> Event:
        if not isinstance(entry, Mapping):
            raise EntryRefused("InvalidArgument", "Parameter Entry is not valid. Reason: Entry must be an object.")
        source = _required(entry, "Source")
        detail_type = _required(entry, "DetailType")
        if entry.get("Detail") is None:
            raise EntryRefused(
                "InvalidArgument", "Parameter Detail is not valid. Reason: Detail is a required argument."
            )
        detail = _detail(entry["Detail"])
        bus = entry.get("EventBusName", DEFAULT_BUS)
        if not isinstance(bus, str) or not bus:
            raise EntryRefused("InvalidArgument", "Parameter EventBusName is not valid.")
        resources = entry.get("Resources", [])
        if not isinstance(resources, list) or not all(isinstance(arn, str) for arn in resources):
            raise EntryRefused("InvalidArgument", "Parameter Resources is not valid.")
        time = entry.get("Time")
        if time is not None and not isinstance(time, str):
            raise EntryRefused("InvalidArgument", "Parameter Time is not valid.")
        moment = env.clock.now_datetime().strftime("%Y-%m-%dT%H:%M:%SZ") if time is None else time
        name = bus_name_of(bus)
        self.service.accepts(name)  # made now if the list of buses is open; else the event is dropped
        return Event(
            bus=name,
            id=str(uuid.UUID(int=env.random.getrandbits(128), version=4)),
            source=source,
            detail_type=detail_type,
            detail=detail,
            time=moment,
            region=env.region,
            account=env.account,
            resources=list(resources),
            sent_by=SentBy.of(request),
        )

    def _deliver(self, queues: Sequence[str], event: Event, rng: Any) -> None:
        sqs = self.account.state(SQS_INTEGRATION)
        body = compact_json(event.as_delivered())
        for name in queues:
            queue = sqs.find(name)
            if queue is None:
                continue  # a target that does not exist misses the event, as on AWS
            fifo = queue.fifo
            sqs.deliver(queue, SqsMessage(
                queue.name, str(uuid.UUID(int=rng.getrandbits(128), version=4)), body, md5_hex(body),
                group_id=event.id if fifo else None, deduplication_id=event.id if fifo else None,
                sequence_number=queue.next_sequence_number() if fifo else None, sent_by=event.sent_by,
            ))  # fmt: skip


def _required(entry: Mapping[str, Any], name: str) -> str:
    value = entry.get(name)
    if not isinstance(value, str) or not value:
        raise EntryRefused("InvalidArgument", f"Parameter {name} is not valid. Reason: {name} is a required argument.")
    return value


def _detail(value: Any) -> Any:
    """The detail as a JSON object: given as one, or as text holding one (anything else is malformed)."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise EntryRefused("MalformedDetail", "Detail is malformed.") from None
    if not isinstance(value, dict):
        raise EntryRefused("MalformedDetail", "Detail is malformed.")
    return value
