"""Task tokens and activities: SendTaskSuccess/Failure/Heartbeat, the activities and their workers' polls."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable

from asl_engine.server.arns import check_kind
from asl_engine.server.context import ServerContext
from asl_engine.server.errors import ServiceError
from asl_engine.server.names import check_name
from asl_engine.server.operations.machines import date
from asl_engine.server.operations.paging import with_page
from asl_engine.server.operations.registry import Request, Response, operation
from asl_engine.server.operations.tags import tags_of
from asl_engine.services.activities import Activity
from asl_engine.services.tokens import InvalidToken
from asl_engine.store import TaskDoesNotExist

LONG_POLL_SECONDS = 60.0
"""AWS holds GetActivityTask open for up to 60 seconds."""
POLL_INTERVAL = 0.01


def _answer(context: ServerContext, token: str, in_memory: Callable[[], None], durable: Callable[[], None]) -> None:
    """Answer a token of an in-memory execution, else of a durable one (the store knows its tokens)."""
    try:
        in_memory()
        return
    except (InvalidToken, TaskDoesNotExist):
        if context.store is None:
            raise ServiceError("TaskDoesNotExist", f"Task Does Not Exist: '{token}'") from None
    durable()


@operation("SendTaskSuccess")
async def send_task_success(context: ServerContext, request: Request) -> Response:
    token, output = request["taskToken"], request["output"]
    try:
        json.loads(output)
    except ValueError as error:
        raise ServiceError("InvalidOutput", f"Invalid Output: '{error}'") from None
    store = context.store
    _answer(
        context,
        token,
        lambda: context.resources.send_task_success(token, output),
        lambda: store.send_task_success(token, output) if store else None,
    )
    return {}


@operation("SendTaskFailure")
async def send_task_failure(context: ServerContext, request: Request) -> Response:
    token, error, cause = request["taskToken"], request.get("error"), request.get("cause")
    store = context.store
    _answer(
        context,
        token,
        lambda: context.resources.send_task_failure(token, error, cause),
        lambda: store.send_task_failure(token, error, cause) if store else None,
    )
    return {}


@operation("SendTaskHeartbeat")
async def send_task_heartbeat(context: ServerContext, request: Request) -> Response:
    token = request["taskToken"]
    store = context.store
    _answer(
        context,
        token,
        lambda: context.resources.send_task_heartbeat(token),
        lambda: store.send_task_heartbeat(token) if store else None,
    )
    return {}


def _activity(context: ServerContext, arn: str) -> Activity:
    check_kind(arn, "activity")
    activity = context.resources.activities.find(arn)
    if activity is None:
        raise ServiceError("ActivityDoesNotExist", f"Activity Does Not Exist: '{arn}'")
    return activity


@operation("CreateActivity")
async def create_activity(context: ServerContext, request: Request) -> Response:
    name = request["name"]
    check_name(name)
    settings = context.settings
    activity = context.resources.activities.create(name, region=settings.region, account=settings.account)
    if request.get("tags"):
        context.activity_tags.setdefault(activity.arn, {}).update(tags_of(request["tags"]))
    context.keep_activity(activity.arn)
    return {"activityArn": activity.arn, "creationDate": date(activity.created)}


@operation("DescribeActivity")
async def describe_activity(context: ServerContext, request: Request) -> Response:
    activity = _activity(context, request["activityArn"])
    return {"activityArn": activity.arn, "name": activity.name, "creationDate": date(activity.created)}


@operation("ListActivities")
async def list_activities(context: ServerContext, request: Request) -> Response:
    items = [
        {"activityArn": info.arn, "name": info.name, "creationDate": info.creation_date}
        for info in context.resources.activities.list()
    ]
    return with_page({}, "activities", items, request)


@operation("DeleteActivity")
async def delete_activity(context: ServerContext, request: Request) -> Response:
    arn = request["activityArn"]
    check_kind(arn, "activity")
    if context.resources.activities.find(arn) is not None:
        context.resources.activities.delete(arn)
    context.activity_tags.pop(arn, None)
    if context.store is not None:
        context.store.delete_activity(arn)
    return {}


@operation("GetActivityTask")
async def get_activity_task(context: ServerContext, request: Request) -> Response:
    """Long poll: wait up to 60 s for a task, checking without blocking the event loop."""
    activity = _activity(context, request["activityArn"])
    worker = request.get("workerName")
    deadline = time.monotonic() + LONG_POLL_SECONDS
    while True:
        task = activity.get_task(0.0, worker)
        if task is not None:
            return {"taskToken": task.token, "input": task.input_text}
        if time.monotonic() >= deadline:
            return {}
        await asyncio.sleep(POLL_INTERVAL)
