"""What crosses to a worker process, and what a worker does with it.

A ``WorkerJob`` is small and picklable: the definition's JSON text (each worker process compiles it
once and keeps it, by the job's key), the name of the Distributed Map whose item processor the
children run, the children's identity, the clock kind and history setting, and the handlers as
recipes a worker can rebuild them from:

* a ``Resources`` loaded from ``asl.toml`` travels as the file's path: the worker loads it again
  (its ``module:function`` handlers resolve against the file's directory, as on the driver);
* anything else (``Mocks``, a ``Resources`` built in code, a custom handler source) travels
  pickled, so its handlers must be functions of importable modules.

A worker checks it can build the job before any item runs (``probe``): an unimportable handler is a
clear error naming the worker, never a hang.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from asl_engine.errors import ConfigurationError, StatesError
from asl_engine.executors.upload import copy_of
from asl_engine.executors.wire import pack_reports, unpack_works
from asl_engine.runtime import failures
from asl_engine.runtime.clock import VirtualClock
from asl_engine.runtime.compiler import compile_machine
from asl_engine.runtime.handlers import HandlerSource, TaskHandler
from asl_engine.runtime.map_run.child import run_child_alone
from asl_engine.runtime.map_run.executor import ChildReport, ChildWork, MapJob
from asl_engine.runtime.map_run.lone_task import LoneTaskChildren
from asl_engine.runtime.run import Identity, history_limit
from asl_engine.runtime.states.map_ import MapState
from asl_engine.runtime.states.parallel import ParallelState
from asl_engine.runtime.states.task import TaskState
from asl_engine.services.config import load_resources
from asl_engine.services.registry import PortableResources, Resources

if TYPE_CHECKING:
    from asl_engine.definition.arns import ResourceRef
    from asl_engine.runtime.compiler import CompiledMachine, CompiledScope
    from asl_engine.runtime.safety import SafetyLimits
    from asl_engine.runtime.starter import ExecutionStarter


class WorkerSetupError(Exception):
    """A worker cannot prepare the job (a handler it cannot import, an asl.toml it cannot read)."""


@dataclass(frozen=True, slots=True)
class ConfigFileRecipe:
    """A ``Resources`` loaded from ``asl.toml``: loaded again on the worker, from the copy of its
    project the executor uploaded there (``upload.py``), else from the same path."""

    path: str

    def build(self) -> HandlerSource:
        path = copy_of(self.path) or self.path  # the project's copy, when it was uploaded to this worker
        if not os.path.isfile(path):
            raise WorkerSetupError(
                f"the worker cannot read {self.path}: on a cluster, every worker needs the project's "
                "directory, uploaded by the executor or at the same path (see docs/scaling.md)"
            )
        try:
            return load_resources(path)
        except ConfigurationError as error:
            raise WorkerSetupError(str(error)) from None


@dataclass(frozen=True, slots=True)
class PortableRecipe:
    """A ``Resources`` built in code: its functions, jobs and handlers, registered again on the worker."""

    data: bytes

    def build(self) -> HandlerSource:
        try:
            portable: PortableResources = pickle.loads(self.data)
        except Exception as error:
            raise WorkerSetupError(
                f"the worker cannot import the resources' handlers: {type(error).__name__}: {error} (install their "
                "modules on the workers, or load them from asl.toml)"
            ) from None
        return portable.build()


@dataclass(frozen=True, slots=True)
class PickledRecipe:
    """A handler source sent as it is (``Mocks``, ``Resources`` built in code)."""

    data: bytes
    what: str

    def build(self) -> HandlerSource:
        try:
            source: HandlerSource = pickle.loads(self.data)
        except Exception as error:
            raise WorkerSetupError(
                f"the worker cannot rebuild {self.what}: {type(error).__name__}: {error} (its handlers must be "
                "importable there: install their modules on the workers, or load them from asl.toml)"
            ) from None
        return source


HandlerRecipe = ConfigFileRecipe | PortableRecipe | PickledRecipe


@dataclass(frozen=True, slots=True)
class WorkerJob:
    """Everything a worker needs to run one Map Run's children, sent once per worker."""

    key: str
    definition: str
    machine_type: str
    map_state: str
    identity: Identity
    """The children's identity, their execution name aside."""
    virtual_clock: bool
    record_history: bool
    handlers: tuple[HandlerRecipe, ...]
    starter: ExecutionStarter | None
    limits: SafetyLimits
    """The parent's safety limits, which its children keep wherever they run."""


def worker_job(job: MapJob) -> WorkerJob:
    """The portable description of ``job``'s Map Run; a ``ConfigurationError`` says what cannot travel."""
    parent = job.parent
    mocks = [source for source in parent.handlers if getattr(source, "mocks_task_states", False)]
    services = {
        resource.service
        for name, resource in task_states(job.node.processor)
        if not any(source.handler_for(name, resource) is not None for source in mocks)
    }
    recipes = tuple(_recipe(source, services) for source in parent.handlers)
    starter = parent.starter
    try:
        pickle.dumps(starter)
    except Exception:
        starter = None  # children on workers then cannot start other executions (they fail saying so)
    fields = (
        json.dumps(parent.machine.definition, ensure_ascii=False),  # key order matters (templates)
        parent.machine.machine_type,
        job.node.name,
        job.map_run.child_identity(""),
        parent.clock.virtual,
        parent.history.record,
        recipes,
        starter,
        parent.limits,
    )
    key = hashlib.sha256(pickle.dumps(fields, protocol=pickle.HIGHEST_PROTOCOL)).hexdigest()
    return WorkerJob(key, *fields)


def _recipe(source: HandlerSource, services: set[str]) -> HandlerRecipe:
    if isinstance(source, Resources):
        in_process = {
            service for service in services & _IN_PROCESS_SERVICES if source.endpoints.target(service) is None
        }
        if in_process:
            raise ConfigurationError(
                f"its children call {', '.join(sorted(in_process))}, whose embedded state (queues, messages, "
                "activity workers, the account's executions and the outbox) lives in this process only: run this "
                "Map in-process, or route those services to a real endpoint ([endpoints] in asl.toml)"
            )
        if source.source is not None:
            return ConfigFileRecipe(os.fspath(source.source))
        portable = source.portable()
        stranded = sorted(services.intersection(portable.left_behind))
        if stranded:
            raise ConfigurationError(
                f"its children call {', '.join(stranded)}, whose local data lives in this process only: "
                + "; ".join(_WHERE_TO_KEEP[service] for service in stranded)
            )
        try:
            return PortableRecipe(pickle.dumps(portable, protocol=pickle.HIGHEST_PROTOCOL))
        except Exception as error:
            raise ConfigurationError(
                f"the resources' handlers cannot be sent to worker processes ({type(error).__name__}: {error}): "
                "define them as functions of an importable module (not lambdas or nested functions), or load "
                "them from asl.toml"
            ) from None
    what = f"the handler source {type(source).__name__}"
    try:
        return PickledRecipe(pickle.dumps(source, protocol=pickle.HIGHEST_PROTOCOL), what)
    except Exception as error:
        raise ConfigurationError(
            f"{what} cannot be sent to worker processes ({type(error).__name__}: {error}): define its handlers as "
            "functions of an importable module (not lambdas or nested functions), or load them from asl.toml"
        ) from None


_WHERE_TO_KEEP = {
    "s3": "keep the embedded S3 in a directory (Resources(s3_path=...), or [s3] path in asl.toml)",
    "dynamodb": "keep the embedded DynamoDB in a file (Resources(dynamodb_path=...), or [dynamodb] path)",
    "states": "register the state machines in asl.toml ([state_machines]) so that workers load them too",
}


_IN_PROCESS_SERVICES = frozenset({"sqs", "sns", "events", "activity", "sfn"})
"""Embedded services whose state a worker's own copy would not share with the driver: messages
sent (and the outbox that lists them), activity tasks its workers poll, the account's executions."""


def task_states(scope: CompiledScope) -> list[tuple[str, ResourceRef]]:
    """The Task states of ``scope`` and their resources, nested branches and item processors included."""
    found: list[tuple[str, ResourceRef]] = []
    for name, node in scope.states.items():
        if isinstance(node, TaskState):
            found.append((name, node.resource))
        elif isinstance(node, MapState):
            found.extend(task_states(node.processor))
        elif isinstance(node, ParallelState):
            for branch in node.branches:
                found.extend(task_states(branch))
    return found


# -- on the worker ------------------------------------------------------------------------------------------


@dataclass(slots=True)
class PreparedJob:
    """A job ready to run on this worker: compiled once, handlers built once."""

    job: WorkerJob
    machine: CompiledMachine
    processor: CompiledScope
    handlers: list[HandlerSource]


_PREPARED: dict[str, PreparedJob] = {}
"""This worker process's prepared jobs, by key (a worker serves one Map Run after another)."""
_KEEP = 4


def prepare(job: WorkerJob) -> PreparedJob:
    prepared = _PREPARED.get(job.key)
    if prepared is not None:
        return prepared
    machine = compile_machine(json.loads(job.definition), machine_type=job.machine_type)
    node = machine.all_states.get(job.map_state)
    if not isinstance(node, MapState):  # pragma: no cover - the driver sent its own Map state
        raise WorkerSetupError(f"the definition has no Map state {job.map_state!r}")
    handlers = [recipe.build() for recipe in job.handlers]
    prepared = PreparedJob(job, machine, node.processor, handlers)
    while len(_PREPARED) >= _KEEP:
        del _PREPARED[next(iter(_PREPARED))]
    _PREPARED[job.key] = prepared
    return prepared


def where() -> str:
    """This worker, as reports and errors name it."""
    return f"pid {os.getpid()} on {socket.gethostname()}"


def probe(job: WorkerJob) -> str:
    """Prepare ``job`` here (importing every handler); returns where this worker is."""
    prepare(job)
    return where()


def run_packed(job: bytes, works: bytes) -> bytes:
    """``run_batch`` for a batch that travels as bytes (``wire.py``): the pickled job (unpickled once
    per worker process), the packed children; returns the packed reports, with where they ran."""
    return pack_reports(where(), run_batch(job_from_bytes(job), unpack_works(works)))


def probe_packed(job: bytes) -> str:
    """``probe`` of a pickled job."""
    return probe(job_from_bytes(job))


def run_batch(job: WorkerJob, works: Sequence[ChildWork]) -> list[ChildReport]:
    """Run a batch of children one after the other, each on a clock of its own.

    Children that are one plain Task answered at once run as a few plain calls, as in-process
    (``runtime/map_run/lone_task.py``), on one clock moved to each child's start; the others, and
    any child the lone path hands back, run as executions (``run_child_alone``).
    """
    prepared = prepare(job)
    identity = job.identity
    clock = VirtualClock(0)
    lone = _lone_children(prepared, clock) if job.virtual_clock else None
    reports: list[ChildReport] = []
    for work in works:
        if lone is not None:
            clock.restart_at(work.start_time)
            report = lone.run(work)
            if report is not None:
                reports.append(report)
                continue
        reports.append(
            run_child_alone(
                prepared.machine,
                prepared.processor,
                identity._replace(execution_name=work.name),
                work,
                prepared.handlers,
                virtual_clock=job.virtual_clock,
                record_history=job.record_history,
                starter=job.starter,
                limits=job.limits,
            )
        )
    return reports


def _lone_children(prepared: PreparedJob, clock: VirtualClock) -> LoneTaskChildren | None:
    """The lone-task path for this batch (made per batch: a worker with several threads may run two
    batches at once), or None when its children run as executions."""
    handlers = prepared.handlers

    def find_handler(state_name: str, resource: ResourceRef) -> TaskHandler | None:
        for source in handlers:  # in order, as ``ExecutionRun.find_handler`` asks them
            handler = source.handler_for(state_name, resource)
            if handler is not None:
                return handler
        return None

    job = prepared.job
    return LoneTaskChildren.for_processor(
        prepared.processor,
        record_history=job.record_history,
        history_limit=history_limit(prepared.machine),
        find_handler=find_handler,
        region=job.identity.region,
        account=job.identity.account,
        clock=clock,
    )


_UNPICKLED: dict[bytes, WorkerJob] = {}
"""This worker process's jobs by their pickled bytes: every batch brings its job's bytes again."""


def job_from_bytes(data: bytes) -> WorkerJob:
    job = _UNPICKLED.get(data)
    if job is not None:
        return job
    try:
        job = pickle.loads(data)
    except Exception as error:
        raise WorkerSetupError(f"the worker cannot read the job: {type(error).__name__}: {error}") from None
    if not isinstance(job, WorkerJob):  # pragma: no cover - the executors send only jobs
        raise WorkerSetupError(f"the worker was sent {type(job).__name__}, not a job")
    while len(_UNPICKLED) >= _KEEP:
        del _UNPICKLED[next(iter(_UNPICKLED))]
    _UNPICKLED[data] = job
    return job


def executor_failure(message: str) -> StatesError:
    """How an executor that cannot go on fails the Map Run (``States.Runtime``, see docs/scaling.md)."""
    return StatesError(failures.RUNTIME, message)


def describe_items(works: Sequence[ChildWork]) -> str:
    first, last = works[0].index, works[-1].index
    return f"item {first}" if first == last else f"items {first} to {last}"
