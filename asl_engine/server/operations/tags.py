"""Tags of state machines and activities: TagResource, UntagResource, ListTagsForResource."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from asl_engine.server.arns import resource_type
from asl_engine.server.context import ServerContext
from asl_engine.server.errors import ServiceError
from asl_engine.server.operations.registry import Request, Response, operation

MAX_TAGS = 50


def tags_of(items: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    return {str(item["key"]): str(item.get("value", "")) for item in items}


def tag_list(tags: Mapping[str, str]) -> list[dict[str, Any]]:
    return [{"key": key, "value": value} for key, value in tags.items()]


def _tags(context: ServerContext, arn: str) -> tuple[dict[str, str], Any]:
    """The tag dictionary of the resource an ARN names, and the entry to save after a change."""
    kind = resource_type(arn)
    if kind == "stateMachine":
        entry = context.catalog.get(arn)
        if entry is not None:
            return entry.tags, entry
    elif kind == "activity":
        activity = context.resources.activities.find(arn)
        if activity is not None:
            return context.activity_tags.setdefault(arn, {}), None
    raise ServiceError("ResourceNotFound", f"Resource not found: '{arn}'")


def _save(context: ServerContext, arn: str, entry: Any) -> None:
    """Keep the changed tags: a state machine's in the catalog, an activity's in the store (if any)."""
    if entry is not None:
        context.catalog.save(entry)
    else:
        context.keep_activity(arn)


@operation("TagResource")
async def tag_resource(context: ServerContext, request: Request) -> Response:
    tags, entry = _tags(context, request["resourceArn"])
    updated = {**tags, **tags_of(request["tags"])}
    if len(updated) > MAX_TAGS:
        raise ServiceError("TooManyTags", f"Too many tags: a resource has at most {MAX_TAGS}")
    tags.update(updated)
    _save(context, request["resourceArn"], entry)
    return {}


@operation("UntagResource")
async def untag_resource(context: ServerContext, request: Request) -> Response:
    tags, entry = _tags(context, request["resourceArn"])
    for key in request["tagKeys"]:
        tags.pop(key, None)
    _save(context, request["resourceArn"], entry)
    return {}


@operation("ListTagsForResource")
async def list_tags_for_resource(context: ServerContext, request: Request) -> Response:
    tags, _ = _tags(context, request["resourceArn"])
    return {"tags": tag_list(tags)}
