"""What each page shows, gathered from the Step Functions API (``StepFunctionsService.call``) in
botocore's JSON shapes: the console reads exactly what an SDK client would, and adds only what it
derives (the diagram, the outcomes).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any, Protocol

from asl_engine.console.diagram import diagram_for
from asl_engine.console.outcomes import read_execution

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


async def execution_view(service: Service, arn: str, since: int) -> dict[str, Any]:
    """An execution: its description, its events after event ``since`` (all of them for 0), the
    outcome of every state, its pending callbacks, its Map iterations and Distributed Map runs, and
    (for ``since`` 0) the diagram of the definition it runs."""
    execution = await service.call("DescribeExecution", {"executionArn": arn})
    events = await list_all(
        service,
        "GetExecutionHistory",
        {"executionArn": arn, "maxResults": HISTORY_PAGE, "includeExecutionData": True},
        "events",
    )
    reading = read_execution(events)
    shown = [event for event in events if event["id"] > since]
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


async def _map_runs(service: Service, execution_arn: str) -> list[dict[str, Any]]:
    runs = await list_all(service, "ListMapRuns", {"executionArn": execution_arn}, "mapRuns")
    described = []
    for run in runs:
        detail = await service.call("DescribeMapRun", {"mapRunArn": run["mapRunArn"]})
        children = await service.call("ListExecutions", {"mapRunArn": run["mapRunArn"], "maxResults": MAP_RUN_CHILDREN})
        described.append({**run, **detail, "executions": children.get("executions", [])})
    return described
