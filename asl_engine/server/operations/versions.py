"""Versions and aliases of state machines: publish, list and delete versions; the aliases' life cycle."""

from __future__ import annotations

from typing import Any

from asl_engine.server.arns import check_kind
from asl_engine.server.catalog import Alias, MachineEntry, now
from asl_engine.server.context import ServerContext
from asl_engine.server.errors import ServiceError
from asl_engine.server.names import check_name
from asl_engine.server.operations.machines import date, publish
from asl_engine.server.operations.paging import with_page
from asl_engine.server.operations.registry import Request, Response, operation


def _machine(context: ServerContext, arn: str) -> MachineEntry:
    check_kind(arn, "stateMachine")
    entry = context.catalog.get(arn)
    if entry is None:
        raise ServiceError("StateMachineDoesNotExist", f"State Machine Does Not Exist: '{arn}'")
    return entry


@operation("PublishStateMachineVersion")
async def publish_state_machine_version(context: ServerContext, request: Request) -> Response:
    entry = _machine(context, request["stateMachineArn"])
    wanted = request.get("revisionId")
    if wanted is not None and wanted != entry.revision.revision_id:
        raise ServiceError(
            "ConflictException",
            f"Failed to publish the State Machine version for revision {wanted}. The current State Machine revision "
            f"is {entry.revision.revision_id}.",
        )
    number = publish(entry, request.get("description"))
    context.catalog.save(entry)
    return {"creationDate": date(entry.versions[number].created), "stateMachineVersionArn": entry.version_arn(number)}


@operation("ListStateMachineVersions")
async def list_state_machine_versions(context: ServerContext, request: Request) -> Response:
    entry = _machine(context, request["stateMachineArn"])
    items = [
        {"stateMachineVersionArn": entry.version_arn(number), "creationDate": date(version.created)}
        for number, version in sorted(entry.versions.items(), reverse=True)
    ]
    return with_page({}, "stateMachineVersions", items, request)


@operation("DeleteStateMachineVersion")
async def delete_state_machine_version(context: ServerContext, request: Request) -> Response:
    arn = request["stateMachineVersionArn"]
    check_kind(arn, "stateMachine")
    base, _, number = arn.rpartition(":")
    entry = context.catalog.get(base)
    if entry is None or not number.isdigit():
        return {}
    for alias in entry.aliases.values():
        if any(route["stateMachineVersionArn"] == arn for route in alias.routing):
            raise ServiceError(
                "ConflictException",
                f"Version to be deleted must not be referenced by an alias. Current list of aliases referencing this "
                f"version: [{entry.alias_arn(alias.name)}]",
            )
    entry.versions.pop(int(number), None)
    context.catalog.save(entry)
    return {}


def _routing(context: ServerContext, entry: MachineEntry | None, routes: list[Any]) -> tuple[MachineEntry, list[Any]]:
    """Check a routing configuration: one or two versions of one machine, weights adding up to 100."""
    arns = [route["stateMachineVersionArn"] for route in routes]
    bases = set()
    for arn in arns:
        check_kind(arn, "stateMachine")
        base, _, number = arn.rpartition(":")
        if not number.isdigit():
            raise ServiceError(
                "ValidationException",
                f"Routing configuration must contain state machine version ARNs. Received: [{', '.join(arns)}]",
            )
        bases.add(base)
    if len(bases) != 1:
        raise ServiceError("ValidationException", "Routing configuration must name versions of one state machine")
    if len(set(arns)) != len(arns):
        raise ServiceError("ValidationException", "Routing configuration must not name a version twice")
    if sum(route["weight"] for route in routes) != 100:
        raise ServiceError("ValidationException", "Sum of routing configuration weights must be equal to 100")
    machine = context.catalog.get(bases.pop())
    if machine is None or (entry is not None and machine is not entry):
        raise ServiceError("ResourceNotFound", f"Resource not found: '{arns[0]}'")
    for arn in arns:
        if int(arn.rpartition(":")[2]) not in machine.versions:
            raise ServiceError("ResourceNotFound", f"Resource not found: '{arn}'")
    return machine, [{"stateMachineVersionArn": r["stateMachineVersionArn"], "weight": r["weight"]} for r in routes]


def _alias(context: ServerContext, arn: str) -> tuple[MachineEntry, Alias]:
    check_kind(arn, "stateMachine")
    base, _, name = arn.rpartition(":")
    entry = context.catalog.get(base)
    alias = entry.aliases.get(name) if entry is not None else None
    if entry is None or alias is None:
        raise ServiceError("ResourceNotFound", f"Resource not found: '{arn}'")
    return entry, alias


@operation("CreateStateMachineAlias")
async def create_state_machine_alias(context: ServerContext, request: Request) -> Response:
    name = request["name"]
    check_name(name)
    if name.isdigit():
        raise ServiceError("ValidationException", f"Invalid alias name: '{name}': an alias name is not a number")
    entry, routing = _routing(context, None, list(request["routingConfiguration"]))
    existing = entry.aliases.get(name)
    if existing is not None:
        if existing.routing == routing and existing.description == request.get("description"):
            return {"stateMachineAliasArn": entry.alias_arn(name), "creationDate": date(existing.created)}
        raise ServiceError(
            "ConflictException",
            "Failed to create alias because an alias with the same name and a different routing configuration "
            "already exists.",
        )
    created = now()
    entry.aliases[name] = Alias(name, routing, created, created, request.get("description"))
    context.catalog.save(entry)
    return {"stateMachineAliasArn": entry.alias_arn(name), "creationDate": date(created)}


@operation("DescribeStateMachineAlias")
async def describe_state_machine_alias(context: ServerContext, request: Request) -> Response:
    arn = request["stateMachineAliasArn"]
    _, alias = _alias(context, arn)
    response: Response = {
        "stateMachineAliasArn": arn,
        "name": alias.name,
        "routingConfiguration": alias.routing,
        "creationDate": date(alias.created),
        "updateDate": date(alias.updated),
    }
    if alias.description is not None:
        response["description"] = alias.description
    return response


@operation("ListStateMachineAliases")
async def list_state_machine_aliases(context: ServerContext, request: Request) -> Response:
    arn = request["stateMachineArn"]
    check_kind(arn, "stateMachine")
    target = context.catalog.resolve(arn)
    entry = target.entry
    aliases = list(entry.aliases.values())
    if target.version is not None:
        aliases = [a for a in aliases if any(r["stateMachineVersionArn"] == arn for r in a.routing)]
    items = [{"stateMachineAliasArn": entry.alias_arn(a.name), "creationDate": date(a.created)} for a in aliases]
    return with_page({}, "stateMachineAliases", items, request)


@operation("UpdateStateMachineAlias")
async def update_state_machine_alias(context: ServerContext, request: Request) -> Response:
    entry, alias = _alias(context, request["stateMachineAliasArn"])
    if request.get("routingConfiguration") is None and request.get("description") is None:
        raise ServiceError(
            "ValidationException", "Either the description or the RoutingConfiguration must be specified"
        )
    if request.get("routingConfiguration") is not None:
        _, alias.routing = _routing(context, entry, list(request["routingConfiguration"]))
    if request.get("description") is not None:
        alias.description = request["description"]
    alias.updated = now()
    context.catalog.save(entry)
    return {"updateDate": date(alias.updated)}


@operation("DeleteStateMachineAlias")
async def delete_state_machine_alias(context: ServerContext, request: Request) -> Response:
    entry, alias = _alias(context, request["stateMachineAliasArn"])
    entry.aliases.pop(alias.name, None)
    context.catalog.save(entry)
    return {}
