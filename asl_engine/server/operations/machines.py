"""State machines: create, describe, update, delete, list, validate, and the machine of an execution."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from asl_engine import DefinitionError, StateMachine, ValidationError, validate
from asl_engine.server.arns import check_kind
from asl_engine.server.catalog import MachineEntry, Revision, Target, new_revision, now, same_definition
from asl_engine.server.context import ServerContext
from asl_engine.server.errors import ServiceError
from asl_engine.server.names import check_name
from asl_engine.server.operations.paging import with_page
from asl_engine.server.operations.registry import Request, Response, operation
from asl_engine.server.operations.tags import tag_list, tags_of
from asl_engine.validation import invalid_definition_message


def date(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def compile_definition(definition: str, machine_type: str, name: str) -> StateMachine:
    """The machine, or ``InvalidDefinition`` with the validator's message as AWS words it."""
    try:
        return StateMachine.from_json(definition, name=name, machine_type=machine_type)
    except ValidationError as error:
        raise ServiceError("InvalidDefinition", invalid_definition_message(error.diagnostics)) from None
    except DefinitionError as error:
        raise ServiceError("InvalidDefinition", f"Invalid State Machine Definition: '{error}'") from None


def publish(entry: MachineEntry, description: str | None) -> int:
    """A version of the current revision (the existing one if that revision is published already)."""
    for number, version in entry.versions.items():
        if version.revision.revision_id == entry.revision.revision_id:
            return number
    from asl_engine.server.catalog import Version

    number = entry.next_version
    entry.next_version += 1
    entry.versions[number] = Version(number, entry.revision, now(), description)
    return number


@operation("CreateStateMachine")
async def create_state_machine(context: ServerContext, request: Request) -> Response:
    name = request["name"]
    check_name(name)
    machine_type = request.get("type", "STANDARD")
    definition = request["definition"]
    compile_definition(definition, machine_type, name)
    catalog = context.catalog
    arn = catalog.machine_arn(name)
    role_arn = request["roleArn"]
    existing = catalog.get(arn)
    if existing is not None:
        if (
            existing.type == machine_type
            and same_definition(existing.revision.definition, definition)
            and existing.revision.role_arn == role_arn
        ):
            response: Response = {"stateMachineArn": arn, "creationDate": date(existing.created)}
            if request.get("publish") and existing.versions:
                response["stateMachineVersionArn"] = existing.version_arn(max(existing.versions))
            return response
        raise ServiceError("StateMachineAlreadyExists", f"State Machine Already Exists: '{arn}'")
    created = now()
    entry = MachineEntry(
        arn, name, machine_type,
        new_revision(definition, role_arn, request.get("loggingConfiguration"), request.get("tracingConfiguration")),
        created, created, tags=tags_of(request.get("tags", [])), encryption=request.get("encryptionConfiguration"),
    )  # fmt: skip
    response = {"stateMachineArn": arn, "creationDate": date(created)}
    if request.get("publish"):
        response["stateMachineVersionArn"] = entry.version_arn(publish(entry, request.get("versionDescription")))
    catalog.add(entry)
    return response


def describe_target(target: Target, arn: str) -> Response:
    entry, revision = target.entry, target.revision
    response: Response = {
        "stateMachineArn": arn,
        "name": entry.name,
        "status": "ACTIVE",
        "definition": revision.definition,
        "roleArn": revision.role_arn,
        "type": entry.type,
        "creationDate": date(target.version.created if target.version else entry.created),
        "loggingConfiguration": revision.logging,
        "tracingConfiguration": revision.tracing,
        "revisionId": revision.revision_id,
    }
    if target.version is not None and target.version.description:
        response["description"] = target.version.description
    if entry.encryption:
        response["encryptionConfiguration"] = entry.encryption
    return response


@operation("DescribeStateMachine")
async def describe_state_machine(context: ServerContext, request: Request) -> Response:
    arn = request["stateMachineArn"]
    check_kind(arn, "stateMachine")
    target = context.catalog.resolve(arn)
    if target.alias is not None:
        raise ServiceError("StateMachineDoesNotExist", f"State Machine Does Not Exist: '{arn}'")
    return describe_target(target, arn)


@operation("UpdateStateMachine")
async def update_state_machine(context: ServerContext, request: Request) -> Response:
    arn = request["stateMachineArn"]
    check_kind(arn, "stateMachine")
    entry = context.catalog.get(arn)
    if entry is None:
        raise ServiceError("StateMachineDoesNotExist", f"State Machine Does Not Exist: '{arn}'")
    changes = ("definition", "roleArn", "loggingConfiguration", "tracingConfiguration")
    if not any(request.get(key) is not None for key in changes):
        raise ServiceError(
            "MissingRequiredParameter",
            "Either the definition, the role ARN, the LoggingConfiguration, or the TracingConfiguration must be "
            "specified",
        )
    current = entry.revision
    definition = request.get("definition", current.definition)
    if request.get("definition") is not None:
        compile_definition(definition, entry.type, entry.name)
    revision = Revision(
        definition,
        request.get("roleArn") or current.role_arn,
        current.revision_id,
        dict(request.get("loggingConfiguration") or current.logging),
        dict(request.get("tracingConfiguration") or current.tracing),
    )
    if (revision.definition, revision.role_arn) != (current.definition, current.role_arn) or revision != current:
        revision.revision_id = new_revision(definition, revision.role_arn).revision_id
    entry.revision = revision
    entry.updated = now()
    response: Response = {"updateDate": date(entry.updated), "revisionId": revision.revision_id}
    if request.get("publish"):
        response["stateMachineVersionArn"] = entry.version_arn(publish(entry, request.get("versionDescription")))
    context.catalog.save(entry)
    return response


@operation("DeleteStateMachine")
async def delete_state_machine(context: ServerContext, request: Request) -> Response:
    arn = request["stateMachineArn"]
    check_kind(arn, "stateMachine")
    entry = context.catalog.get(arn)
    if entry is None:
        base, _, qualifier = arn.rpartition(":")
        if context.catalog.get(base) is not None and qualifier:
            raise ServiceError("ValidationException", f"Invalid Arn: '{arn}': delete a version or an alias with "
                               "DeleteStateMachineVersion or DeleteStateMachineAlias")  # fmt: skip
        return {}
    context.catalog.remove(arn)
    return {}


@operation("ListStateMachines")
async def list_state_machines(context: ServerContext, request: Request) -> Response:
    items = [
        {"stateMachineArn": entry.arn, "name": entry.name, "type": entry.type, "creationDate": date(entry.created)}
        for entry in context.catalog
    ]
    return with_page({}, "stateMachines", items, request)


@operation("ValidateStateMachineDefinition")
async def validate_state_machine_definition(context: ServerContext, request: Request) -> Response:
    diagnostics = validate(request["definition"], machine_type=request.get("type", "STANDARD"))
    order = {"ERROR": 0, "WARNING": 1}
    floor = order.get(request.get("severity", "ERROR"), 0)
    shown = [d for d in diagnostics if order.get(d.severity, 2) <= floor]
    limit = request.get("maxResults") or 100
    failed = any(d.severity == "ERROR" for d in diagnostics)
    return {
        "result": "FAIL" if failed else "OK",
        "diagnostics": [d.to_dict() for d in shown[:limit]],
        "truncated": len(shown) > limit,
    }


@operation("DescribeStateMachineForExecution")
async def describe_state_machine_for_execution(context: ServerContext, request: Request) -> Response:
    arn = request["executionArn"]
    described = context.executions.describe(arn)
    started = context.executions.started(arn)
    machine_arn = described["stateMachineArn"]
    entry = context.catalog.get(machine_arn)
    if started is not None:
        revision = started.revision
    elif entry is not None:
        revision = entry.revision
    else:
        execution = context.executions.execution(arn)
        machine = execution.machine
        definition = json.dumps(machine.definition if isinstance(machine, StateMachine) else {})
        revision = new_revision(definition, "")
    response: Response = {
        "stateMachineArn": machine_arn,
        "name": entry.name if entry else machine_arn.rpartition(":")[2],
        "definition": revision.definition,
        "roleArn": revision.role_arn,
        "updateDate": date(entry.updated) if entry else described["startDate"],
        "loggingConfiguration": revision.logging,
        "tracingConfiguration": revision.tracing,
        "revisionId": revision.revision_id,
    }
    return response


def tags_response(tags: dict[str, str]) -> list[dict[str, Any]]:
    return tag_list(tags)
