"""The executions the server starts: run inside the server's event loop, in memory or on the store.

Executions are driven by the asyncio loop the HTTP server runs on (``StateMachine.start_async``,
``Store.start_async``): no thread per execution, ``async def`` handlers run as tasks of the loop,
and the engine yields to the loop at its checkpoints, so the server keeps answering while they run.
With ``--clock virtual`` every execution gets a ``VirtualClock``: Waits and retry intervals take
no real time. With ``--store``, Standard executions are durable (the store's rules for names,
stops, redrives and task tokens apply) and are resumed when the server starts again; Express
executions, and machines the store cannot run durably (a Distributed Map), run in memory.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import random
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from asl_engine import AslEngineError, ConfigurationError, Execution, RealClock, StateMachine, VirtualClock
from asl_engine.server.catalog import Catalog, Revision, Target
from asl_engine.server.errors import ServiceError, invalid_arn
from asl_engine.server.names import check_name
from asl_engine.server.settings import ServerSettings
from asl_engine.services import Resources
from asl_engine.services.mock_config import MockConfig
from asl_engine.store import ExecutionAlreadyExists, ExecutionDoesNotExist, ExecutionNotRedrivable, Store

if TYPE_CHECKING:
    from asl_engine.handle import AsyncExecutionHandle

log = logging.getLogger("asl_engine.server")

EXPRESS_BILLED_MEMORY_MB = 64
"""What AWS bills an Express execution for (its minimum), reported in ``billingDetails``."""


@dataclass(slots=True)
class Started:
    """An execution this server started (in memory or on the store)."""

    arn: str
    name: str
    machine_arn: str
    machine_name: str
    revision: Revision
    input_text: str
    started: float
    version_arn: str | None = None
    alias_arn: str | None = None
    handle: AsyncExecutionHandle | None = None
    """None for a durable execution (the store has it)."""
    durable: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    history: list[dict[str, Any]] = field(default_factory=list)
    """GetExecutionHistory's events converted so far: a history only grows, so each page request
    converts only the events recorded since the last one (a 20,000-event history is read in pages)."""


class Executions:
    """Start executions and answer every question about them."""

    def __init__(self, settings: ServerSettings, catalog: Catalog, resources: Resources, store: Store | None) -> None:
        self.settings = settings
        self.catalog = catalog
        self.resources = resources
        self.store = store
        self._started: dict[str, Started] = {}
        self._express: set[AsyncExecutionHandle] = set()
        self._random = random.Random()
        path = settings.mock_config_path
        self.mock_config = MockConfig.load(path) if path is not None else None

    # -- starting --------------------------------------------------------------------------------------

    def _clock(self) -> RealClock | VirtualClock:
        return VirtualClock() if self.settings.clock == "virtual" else RealClock()

    def _options(self, target: Target, mocks: dict[str, Any] | None, name: str | None) -> dict[str, Any]:
        return {
            "name": name,
            "clock": self._clock(),
            "mocks": mocks,
            "resources": self.resources,
            "region": self.settings.region,
            "account": self.settings.account,
            "role_arn": target.revision.role_arn,
        }

    def _mocks(self, test_case: str | None, machine_name: str) -> dict[str, Any] | None:
        if test_case is None:
            return None
        if self.mock_config is None:
            raise ServiceError(
                "ValidationException",
                f"The state machine ARN names the test case '{test_case}', but the server has no MockConfigFile: "
                "start it with --mock-config FILE or the SFN_MOCK_CONFIG environment variable",
            )
        try:
            return self.mock_config.test_case(test_case, state_machine=machine_name)
        except ConfigurationError as error:
            raise ServiceError("ValidationException", str(error)) from None

    def pick(self, target: Target) -> Target:
        """For an alias, the version its routing configuration picks (by weight)."""
        if target.alias is None:
            return target
        routes = target.alias.routing
        roll = self._random.uniform(0, sum(route["weight"] for route in routes) or 1)
        chosen = routes[0]
        for route in routes:
            roll -= route["weight"]
            if roll <= 0:
                chosen = route
                break
        version = target.entry.versions[int(chosen["stateMachineVersionArn"].rpartition(":")[2])]
        return Target(target.entry, version.revision, version=version, alias=target.alias)

    async def start(
        self, target: Target, input_text: str, name: str | None, test_case: str | None
    ) -> tuple[str, float]:
        """StartExecution: the new (or, for the same name and input, the running) execution's ARN and start."""
        if name is not None:
            check_name(name)
        value = parse_input(input_text)
        target = self.pick(target)
        entry = target.entry
        mocks = self._mocks(test_case, entry.name)
        machine = self._machine(target)
        if entry.type == "EXPRESS":
            handle = await machine.start_async(value, **self._options(target, mocks, name))
            self._express.add(handle)
            asyncio.get_running_loop().create_task(self._forget(handle))
            return handle.arn, handle.execution.start_date.timestamp()
        if name is not None:
            existing = self._same_name(f"{self.catalog.prefix}execution:{entry.name}:{name}", input_text)
            if existing is not None:
                return existing
        started = self._record(target, input_text)
        if self.store is not None:
            try:
                handle = await self.store.start_async(machine, value, **self._options(target, mocks, name))
            except ExecutionAlreadyExists as error:
                raise ServiceError("ExecutionAlreadyExists", str(error)) from None
            except ConfigurationError as error:
                if "cannot run durably" not in str(error) and "Distributed Map" not in str(error):
                    raise
                handle = await machine.start_async(value, **self._options(target, mocks, name))
            else:
                started.durable = True
                self._keep_target(started, handle.arn)
        else:
            handle = await machine.start_async(value, **self._options(target, mocks, name))
        started.handle = None if started.durable else handle
        started.arn, started.name = handle.arn, handle.name
        started.started = handle.execution.start_date.timestamp()
        self._started[started.arn] = started
        return started.arn, started.started

    def _keep_target(self, started: Started, arn: str) -> None:
        """A durable execution started through a version or an alias: the store keeps which, so that
        DescribeExecution and ListExecutions show it after a restart too."""
        if self.store is None or (started.version_arn is None and started.alias_arn is None):
            return
        kept = {"stateMachineVersionArn": started.version_arn, "stateMachineAliasArn": started.alias_arn}
        self.store.annotate_execution(arn, {key: value for key, value in kept.items() if value is not None})

    async def _forget(self, handle: AsyncExecutionHandle) -> None:
        try:
            await handle.result()
        finally:
            self._express.discard(handle)

    def _record(self, target: Target, input_text: str) -> Started:
        return Started(
            "", "", target.entry.arn, target.entry.name, target.revision, input_text, 0.0,
            target.entry.version_arn(target.version.number) if target.version else None,
            target.entry.alias_arn(target.alias.name) if target.alias else None,
        )  # fmt: skip

    def _same_name(self, arn: str, input_text: str) -> tuple[str, float] | None:
        """A Standard execution's name is unique: the same name and input as a running execution is
        that execution (StartExecution is idempotent); anything else is ExecutionAlreadyExists."""
        if self.store is None and arn not in self._started:
            return None  # the common case: a new name, answered without raising and catching an error
        described: dict[str, Any] | None
        try:
            described = self.describe(arn)
        except ServiceError:
            described = None
        if described is None:
            return None
        if described["status"] == "RUNNING" and same_json(described.get("input", "{}"), input_text):
            return arn, described["startDate"].timestamp()
        raise ServiceError("ExecutionAlreadyExists", f"Execution Already Exists: '{arn}'")

    def _machine(self, target: Target) -> StateMachine:
        try:
            return target.entry.machine(target.revision)
        except AslEngineError as error:  # a definition kept from an older engine that no longer loads
            raise ServiceError("InvalidDefinition", str(error)) from None

    async def start_sync(
        self, target: Target, input_text: str, name: str | None, test_case: str | None
    ) -> dict[str, Any]:
        """StartSyncExecution: run an Express execution to its end and answer with its result."""
        if name is not None:
            check_name(name)
        value = parse_input(input_text)
        target = self.pick(target)
        if target.entry.type != "EXPRESS":
            raise ServiceError(
                "StateMachineTypeNotSupported", "This operation is only supported by EXPRESS state machines"
            )
        mocks = self._mocks(test_case, target.entry.name)
        began = time.monotonic()
        execution = await self._machine(target).execute_async(
            value, start_mode="sync", **self._options(target, mocks, name)
        )
        elapsed_ms = (time.monotonic() - began) * 1000
        response = execution.describe()
        response["stateMachineArn"] = target.entry.arn
        if response["status"] not in ("SUCCEEDED", "FAILED", "TIMED_OUT"):
            response["status"] = "FAILED"
        response["billingDetails"] = {
            "billedMemoryUsedInMB": EXPRESS_BILLED_MEMORY_MB,
            "billedDurationInMilliseconds": max(100, math.ceil(elapsed_ms / 100) * 100),
        }
        return response

    async def resume(self) -> int:
        """Resume the store's unfinished executions (a restarted server); returns how many."""
        if self.store is None:
            return 0
        handles = await self.store.resume_async(resources=self.resources)
        return len(handles)

    # -- looking ----------------------------------------------------------------------------------------

    def _check_execution_arn(self, arn: str) -> None:
        if not arn.startswith("arn:"):
            raise invalid_arn(arn)
        kind = arn.split(":")[5] if arn.count(":") >= 5 else ""
        if kind == "express":
            raise invalid_arn(arn, "Resource type not valid in this context: express")
        if kind != "execution":
            raise invalid_arn(arn, f"Resource type not valid in this context: {kind or arn}")

    def started(self, arn: str) -> Started | None:
        return self._started.get(arn)

    def in_memory(self) -> list[str]:
        """The ARNs of the Standard executions running in memory (Distributed Maps run only there)."""
        return [arn for arn, started in self._started.items() if started.handle is not None]

    def execution(self, arn: str) -> Execution:
        """The execution an ARN names (``ExecutionDoesNotExist`` otherwise)."""
        self._check_execution_arn(arn)
        started = self._started.get(arn)
        if started is not None and started.handle is not None:
            return started.handle.execution
        if self.store is not None:
            try:
                return self.store.execution(arn)
            except ExecutionDoesNotExist:
                pass
        raise does_not_exist(arn)

    def describe(self, arn: str) -> dict[str, Any]:
        self._check_execution_arn(arn)
        started = self._started.get(arn)
        if started is not None and started.handle is not None:
            described = started.handle.execution.describe()
            described["redriveCount"] = 0
            described["redriveStatus"] = "NOT_REDRIVABLE"
            described["redriveStatusReason"] = (
                f"Execution is {described['status']} and cannot be redriven"
                if described["status"] == "RUNNING"
                else "Execution runs in memory: start the server with --store to redrive executions"
            )
        elif self.store is not None:
            try:
                described = self.store.describe(arn)
            except ExecutionDoesNotExist:
                raise does_not_exist(arn) from None
        else:
            raise does_not_exist(arn)
        if started is not None:
            if started.version_arn:
                described["stateMachineVersionArn"] = started.version_arn
            if started.alias_arn:
                described["stateMachineAliasArn"] = started.alias_arn
        return described

    def summaries(
        self, machine_arn: str, *, status: str | None, version_arn: str | None, alias_arn: str | None
    ) -> list[dict[str, Any]]:
        """ListExecutions' items for a machine (or a version or alias of it), newest first."""
        items: dict[str, dict[str, Any]] = {}
        if self.store is not None:
            for summary in self.store.list_executions(machine=machine_arn, status=status):
                items[summary["executionArn"]] = summary
        for started in self._started.values():
            if started.machine_arn != machine_arn or started.arn in items:
                continue
            if started.handle is not None:
                execution = started.handle.execution
                if status is not None and execution.status != status:
                    continue
                item: dict[str, Any] = {
                    "executionArn": started.arn,
                    "stateMachineArn": machine_arn,
                    "name": started.name,
                    "status": execution.status,
                    "startDate": execution.start_date,
                    "redriveCount": 0,
                }
                if execution.stop_date is not None:
                    item["stopDate"] = execution.stop_date
                items[started.arn] = item
        result = []
        for arn, item in items.items():
            known = self._started.get(arn)
            if known is not None:
                if known.version_arn:
                    item["stateMachineVersionArn"] = known.version_arn
                if known.alias_arn:
                    item["stateMachineAliasArn"] = known.alias_arn
            if version_arn is not None and item.get("stateMachineVersionArn") != version_arn:
                continue
            if alias_arn is not None and item.get("stateMachineAliasArn") != alias_arn:
                continue
            result.append(item)
        result.sort(key=lambda item: item["startDate"], reverse=True)
        return result

    def history(self, arn: str) -> list[dict[str, Any]]:
        self._check_execution_arn(arn)
        started = self._started.get(arn)
        if started is not None and started.handle is not None:
            converted = started.history
            converted.extend(event.to_dict() for event in started.handle.execution.events_after(len(converted)))
            return converted
        if self.store is not None:
            try:
                return self.store.history(arn)
            except ExecutionDoesNotExist:
                pass
        raise does_not_exist(arn)

    # -- acting -------------------------------------------------------------------------------------------

    def stop(self, arn: str, error: str | None, cause: str | None) -> datetime:
        self._check_execution_arn(arn)
        started = self._started.get(arn)
        if started is not None and started.handle is not None:
            started.handle.stop(error, cause)
        elif self.store is not None:
            try:
                self.store.stop(arn, error, cause)
            except ExecutionDoesNotExist:
                raise does_not_exist(arn) from None
        else:
            raise does_not_exist(arn)
        return datetime.now(UTC)

    async def redrive(self, arn: str) -> datetime:
        self._check_execution_arn(arn)
        started = self._started.get(arn)
        if started is not None and started.handle is not None:
            raise ServiceError(
                "ExecutionNotRedrivable",
                f"Execution {arn} cannot be redriven: it runs in memory; start the server with --store to redrive "
                "executions",
            )
        if self.store is None:
            raise does_not_exist(arn)
        try:
            await self.store.redrive_async(arn, resources=self.resources)
        except ExecutionDoesNotExist:
            raise does_not_exist(arn) from None
        except ExecutionNotRedrivable as error:
            raise ServiceError("ExecutionNotRedrivable", str(error)) from None
        redriven = self.store.describe(arn).get("redriveDate")
        return redriven if isinstance(redriven, datetime) else datetime.now(UTC)


def does_not_exist(arn: str) -> ServiceError:
    return ServiceError("ExecutionDoesNotExist", f"Execution Does Not Exist: '{arn}'")


def parse_input(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as error:
        raise ServiceError("InvalidExecutionInput", f"Invalid State Machine Execution Input: '{error}'") from None


def same_json(left: str, right: str) -> bool:
    try:
        return bool(json.loads(left) == json.loads(right))
    except ValueError:
        return left == right


def mapping_or_empty(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}
