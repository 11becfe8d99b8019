"""Executions: start (asynchronously, or synchronously for Express), describe, stop, list, redrive."""

from __future__ import annotations

from asl_engine.server.arns import check_kind, resource_type, split_test_case
from asl_engine.server.context import ServerContext
from asl_engine.server.errors import ServiceError
from asl_engine.server.operations.paging import with_page
from asl_engine.server.operations.registry import Request, Response, operation


@operation("StartExecution")
async def start_execution(context: ServerContext, request: Request) -> Response:
    arn, test_case = split_test_case(request["stateMachineArn"])
    check_kind(arn, "stateMachine")
    target = context.catalog.resolve(arn)
    execution_arn, started = await context.executions.start(
        target, request.get("input", "{}"), request.get("name"), test_case
    )
    return {"executionArn": execution_arn, "startDate": started}  # epoch seconds, as the wire has it


@operation("StartSyncExecution")
async def start_sync_execution(context: ServerContext, request: Request) -> Response:
    arn, test_case = split_test_case(request["stateMachineArn"])
    check_kind(arn, "stateMachine")
    target = context.catalog.resolve(arn)
    return await context.executions.start_sync(target, request.get("input", "{}"), request.get("name"), test_case)


@operation("DescribeExecution")
async def describe_execution(context: ServerContext, request: Request) -> Response:
    return context.executions.describe(request["executionArn"])


@operation("StopExecution")
async def stop_execution(context: ServerContext, request: Request) -> Response:
    stopped = context.executions.stop(request["executionArn"], request.get("error"), request.get("cause"))
    return {"stopDate": stopped}


@operation("RedriveExecution")
async def redrive_execution(context: ServerContext, request: Request) -> Response:
    return {"redriveDate": await context.executions.redrive(request["executionArn"])}


@operation("ListExecutions")
async def list_executions(context: ServerContext, request: Request) -> Response:
    machine_arn = request.get("stateMachineArn")
    map_run_arn = request.get("mapRunArn")
    if (machine_arn is None) == (map_run_arn is None):
        raise ServiceError("ValidationException", "Exactly one of stateMachineArn and mapRunArn must be given")
    status = request.get("statusFilter")
    if map_run_arn is not None:
        from asl_engine.server.operations.map_runs import map_run_executions

        return with_page({}, "executions", map_run_executions(context, map_run_arn, status), request)
    assert machine_arn is not None
    if resource_type(machine_arn) != "stateMachine":
        check_kind(machine_arn, "stateMachine")
    target = context.catalog.resolve(machine_arn)
    if target.entry.type == "EXPRESS":
        raise ServiceError("StateMachineTypeNotSupported", "This operation is not supported by EXPRESS state machines")
    version_arn = machine_arn if target.version is not None else None
    alias_arn = machine_arn if target.alias is not None else None
    items = context.executions.summaries(target.entry.arn, status=status, version_arn=version_arn, alias_arn=alias_arn)
    if request.get("redriveFilter") == "REDRIVEN":
        items = [item for item in items if item.get("redriveCount", 0) > 0]
    elif request.get("redriveFilter") == "NOT_REDRIVEN":
        items = [item for item in items if item.get("redriveCount", 0) == 0]
    return with_page({}, "executions", items, request)
