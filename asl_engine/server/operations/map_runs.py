"""Distributed Map runs: DescribeMapRun, ListMapRuns, UpdateMapRun, and ListExecutions of a map run."""

from __future__ import annotations

from collections import Counter
from typing import Any

from asl_engine.execution import MapRunView
from asl_engine.server.arns import check_kind
from asl_engine.server.context import ServerContext
from asl_engine.server.errors import ServiceError
from asl_engine.server.operations.paging import with_page
from asl_engine.server.operations.registry import Request, Response, operation

_COUNTED = {"RUNNING": "running", "SUCCEEDED": "succeeded", "FAILED": "failed", "TIMED_OUT": "timedOut",
            "ABORTED": "aborted"}  # fmt: skip


def _find(context: ServerContext, map_run_arn: str) -> MapRunView:
    check_kind(map_run_arn, "mapRun")
    for started in context.executions.in_memory():
        for view in context.executions.execution(started).map_runs:
            if view.arn == map_run_arn:
                return view
    raise ServiceError("ResourceNotFound", f"Resource not found: '{map_run_arn}'")


def counts(view: MapRunView) -> dict[str, int]:
    tally = Counter(_COUNTED.get(child.status, "running") for child in view.children)
    total = view.total if view.total is not None else len(view.children)
    result = {name: tally.get(name, 0) for name in _COUNTED.values()}
    result["pending"] = max(0, total - len(view.children))
    result["total"] = total
    result["failuresNotRedrivable"] = 0
    result["pendingRedrive"] = 0
    return result


@operation("DescribeMapRun")
async def describe_map_run(context: ServerContext, request: Request) -> Response:
    view = _find(context, request["mapRunArn"])
    executions = counts(view)
    items = dict(executions)
    items["resultsWritten"] = executions["succeeded"] + executions["failed"]
    response: Response = {
        "mapRunArn": view.arn,
        "executionArn": view.execution_arn,
        "status": view.status,
        "startDate": view.start_date,
        "maxConcurrency": view.max_concurrency,
        "toleratedFailurePercentage": float(view.tolerated_failure_percentage or 0.0),
        "toleratedFailureCount": int(view.tolerated_failure_count or 0),
        "itemCounts": items,
        "executionCounts": executions,
        "redriveCount": 0,
    }
    if view.stop_date is not None:
        response["stopDate"] = view.stop_date
    return response


@operation("UpdateMapRun")
async def update_map_run(context: ServerContext, request: Request) -> Response:
    """Change a running map run's concurrency and tolerated failures: its driver reads them from
    the Map Run as each child ends, so more children start (or fewer) from the next one on."""
    arn = request["mapRunArn"]
    view = _find(context, arn)
    if view.status != "RUNNING":
        raise ServiceError("ValidationException", f"Map Run is not running: '{arn}' is {view.status}")
    started = context.executions.started(view.execution_arn)
    handle = started.handle if started is not None else None
    updated = handle is not None and handle.update_map_run(
        arn,
        max_concurrency=request.get("maxConcurrency"),
        tolerated_failure_count=request.get("toleratedFailureCount"),
        tolerated_failure_percentage=request.get("toleratedFailurePercentage"),
    )
    if not updated:  # it ended between the two looks
        raise ServiceError("ValidationException", f"Map Run is not running: '{arn}'")
    return {}


@operation("ListMapRuns")
async def list_map_runs(context: ServerContext, request: Request) -> Response:
    arn = request["executionArn"]
    runs = context.executions.execution(arn).map_runs
    items = [
        {
            "executionArn": arn,
            "mapRunArn": view.arn,
            "stateMachineArn": view.state_machine_arn,
            "startDate": view.start_date,
            **({"stopDate": view.stop_date} if view.stop_date is not None else {}),
        }
        for view in runs
    ]
    return with_page({}, "mapRuns", items, request)


def map_run_executions(context: ServerContext, map_run_arn: str, status: str | None) -> list[dict[str, Any]]:
    """ListExecutions with ``mapRunArn``: the map run's child executions."""
    view = _find(context, map_run_arn)
    items = []
    for child in view.children:
        if status is not None and child.status != status:
            continue
        item: dict[str, Any] = {
            "executionArn": child.arn,
            "stateMachineArn": view.state_machine_arn,
            "name": child.name,
            "status": child.status,
            "startDate": child.start_date,
            "mapRunArn": view.arn,
        }
        if child.stop_date is not None:
            item["stopDate"] = child.stop_date
        items.append(item)
    return items
