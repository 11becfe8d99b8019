"""What each page shows, gathered from the Step Functions API (``StepFunctionsService.call``) in
botocore's JSON shapes: the console reads exactly what an SDK client would, and adds only what it
derives (the diagram, the outcomes).
"""

from __future__ import annotations

import asyncio
import bisect
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any, Protocol

from asl_engine.console.diagram import diagram_for
from asl_engine.console.outcomes import ExecutionReading, read_execution

HISTORY_PAGE = 1000
"""Events per GetExecutionHistory call (AWS's maximum)."""
RECENT_PER_MACHINE = 100
"""Executions the home page lists per state machine (ListExecutions' maximum page)."""
MAP_RUN_CHILDREN = 100
"""Child executions listed per Distributed Map run."""


class Service(Protocol):
    """What the console needs of the server: ``asl_engine.server.StepFunctionsService`` has it."""

    async def call(self, operation: str, request: Mapping[str, Any]) -> dict[str, Any]: ...


async def list_all(service: Service, operation: str, request: Mapping[str, Any], key: str) -> list[Any]:
    """Every item of a paginated List/Get operation, following ``nextToken``."""
    items: list[Any] = []
    token: str | None = None
    while True:
        page = await service.call(operation, {**request, **({"nextToken": token} if token else {})})
        items.extend(page.get(key, []))
        token = page.get("nextToken")
        if not token:
            return items


async def home_view(service: Service, status: str | None, machine: str | None) -> dict[str, Any]:
    """The state machines, and the recent executions of each (or of one), newest first."""
    machines = await list_all(service, "ListStateMachines", {}, "stateMachines")
    chosen = [entry for entry in machines if machine in (None, "", entry["stateMachineArn"])]
    request: dict[str, Any] = {"maxResults": RECENT_PER_MACHINE}
    if status:
        request["statusFilter"] = status
    pages = await asyncio.gather(
        *(service.call("ListExecutions", {**request, "stateMachineArn": entry["stateMachineArn"]}) for entry in chosen)
    )
    executions = [execution for page in pages for execution in page.get("executions", [])]
    executions.sort(key=lambda execution: execution.get("startDate") or 0, reverse=True)
    return {"stateMachines": machines, "executions": executions}


async def machine_view(service: Service, arn: str) -> dict[str, Any]:
    """A state machine: its description, its diagram and its executions."""
    machine = await service.call("DescribeStateMachine", {"stateMachineArn": arn})
    executions = await service.call("ListExecutions", {"stateMachineArn": arn, "maxResults": RECENT_PER_MACHINE})
    return {
        "stateMachine": machine,
        "diagram": diagram_for(machine.get("definition", "")).to_json(),
        "executions": executions.get("executions", []),
    }


class HistoryCache:
    """The events of the executions the console showed lately, kept between page loads and polls.

    A history only grows (a redrive appends to it), so a poll fetches only the events after the
    last one kept, newest first until it reaches them; an execution that has ended, and whose
    status, stop date and redrive count are unchanged, is not fetched again at all. The reading
    (outcomes) is kept with the events it was computed from.
    """

    def __init__(self, size: int = 8) -> None:
        self.size = size
        self._entries: OrderedDict[str, _CachedHistory] = OrderedDict()

    async def history(self, service: Service, execution: Mapping[str, Any]) -> _CachedHistory:
        arn = execution["executionArn"]
        key = (execution.get("status"), execution.get("stopDate"), execution.get("redriveCount"))
        entry = self._entries.get(arn)
        if entry is None:
            events = await list_all(
                service,
                "GetExecutionHistory",
                {"executionArn": arn, "maxResults": HISTORY_PAGE, "includeExecutionData": True},
                "events",
            )
            entry = _CachedHistory(events)
        elif entry.key != key or key[0] == "RUNNING":
            entry.extend(await _newer_events(service, arn, entry.last_id))
        entry.key = key
        self._entries[arn] = entry
        self._entries.move_to_end(arn)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)
        return entry


class _CachedHistory:
    def __init__(self, events: list[dict[str, Any]]) -> None:
        self.events = events
        self.key: tuple[Any, ...] = ()
        self._reading: ExecutionReading | None = None

    @property
    def last_id(self) -> int:
        return int(self.events[-1]["id"]) if self.events else 0

    def extend(self, newer: list[dict[str, Any]]) -> None:
        if newer:
            self.events.extend(newer)
            self._reading = None

    @property
    def reading(self) -> ExecutionReading:
        if self._reading is None:
            self._reading = read_execution(self.events)
        return self._reading


async def _newer_events(service: Service, arn: str, after: int) -> list[dict[str, Any]]:
    """The events after event ``after``, oldest first (read newest first, until ``after`` is reached)."""
    newer: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        request: dict[str, Any] = {"executionArn": arn, "maxResults": HISTORY_PAGE, "reverseOrder": True}
        request["includeExecutionData"] = True
        if token:
            request["nextToken"] = token
        page = await service.call("GetExecutionHistory", request)
        events = page.get("events", [])
        newer.extend(event for event in events if event["id"] > after)
        token = page.get("nextToken")
        if not token or any(event["id"] <= after for event in events):
            newer.reverse()
            return newer


async def execution_view(service: Service, arn: str, since: int, cache: HistoryCache | None = None) -> dict[str, Any]:
    """An execution: its description, its events after event ``since`` (all of them for 0), the
    outcome of every state, its pending callbacks, its Map iterations and Distributed Map runs, and
    (for ``since`` 0) the diagram of the definition it runs."""
    execution = await service.call("DescribeExecution", {"executionArn": arn})
    history = await (cache or HistoryCache()).history(service, execution)
    events = history.events
    reading = history.reading
    shown = events[_first_after(events, since) :]
    view: dict[str, Any] = {
        "execution": execution,
        "eventCount": len(events),
        "events": shown,
        "steps": {event["id"]: reading.steps[event["id"]] for event in shown if event["id"] in reading.steps},
        "outcomes": reading.to_json(),
        "mapRuns": await _map_runs(service, arn),
    }
    if since == 0:
        machine = await service.call("DescribeStateMachineForExecution", {"executionArn": arn})
        view["stateMachine"] = {key: value for key, value in machine.items() if key != "definition"}
        view["diagram"] = diagram_for(machine.get("definition", "")).to_json()
    return view


def _first_after(events: list[dict[str, Any]], since: int) -> int:
    """The index of the first event whose id is above ``since`` (ids rise with the index)."""
    return bisect.bisect_right([event["id"] for event in events], since) if since else 0


async def _map_runs(service: Service, execution_arn: str) -> list[dict[str, Any]]:
    runs = await list_all(service, "ListMapRuns", {"executionArn": execution_arn}, "mapRuns")
    described = []
    for run in runs:
        detail = await service.call("DescribeMapRun", {"mapRunArn": run["mapRunArn"]})
        children = await service.call("ListExecutions", {"mapRunArn": run["mapRunArn"], "maxResults": MAP_RUN_CHILDREN})
        described.append({**run, **detail, "executions": children.get("executions", [])})
    return described
