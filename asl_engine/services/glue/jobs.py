"""Local AWS Glue jobs behind ``arn:aws:states:::glue:startJobRun`` (request-response and ``.sync``).

A job is a registered Python callable that receives the run's arguments (the job's default
arguments overlaid with the run's ``Arguments``, keys such as ``--input``) and either returns
(the run SUCCEEDED) or raises (the run FAILED with ``ErrorMessage`` "<ExceptionClass>: <message>").

* Request-response returns StartJobRun's answer ``{"JobRunId"}`` with the ``JobName`` Step
  Functions adds, and the SDK metadata; the job runs on without the execution waiting for it.
* ``.sync`` records ``TaskSubmitted`` with that answer, runs the job in a worker thread, and
  returns the final ``JobRun`` (GetJobRun's shape: timestamps in epoch milliseconds, keys in
  alphabetical order as Step Functions serializes them). A run that does not succeed fails the
  task with ``States.TaskFailed`` and the JobRun JSON as the cause.

Runs are kept per ``Resources`` (an "account"), so ``MaxConcurrentRuns`` counts runs started by
any execution that uses it, and a start beyond it fails with ``Glue.ConcurrentRunsExceededException``.
Under a virtual clock a request-response run completes before the Task does (it takes no virtual
time); under a real clock it runs on a thread of its own. Not emulated: the run ``Timeout``
(recorded in the JobRun, not enforced), retrying a run through ``JobRunId``, job bookmarks.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from asl_engine.errors import ConfigurationError, StatesError
from asl_engine.runtime.environment import TaskEnvironment
from asl_engine.runtime.handlers import MissingTarget, TaskRequest
from asl_engine.runtime.scheduler import Cancelled
from asl_engine.services.glue.errors import GLUE
from asl_engine.services.sdk_metadata import (
    compact_json,
    epoch_millis,
    json_protocol_headers,
    uuid_request_id,
    with_metadata,
)
from asl_engine.services.support import environment_of, not_found, parameters_error, parameters_object

GlueJobFunction = Callable[[dict[str, str]], Any]
"""``run_job(arguments)``: return to succeed, raise to fail."""

WORKER_TYPES = ("Standard", "G.1X", "G.2X", "G.025X", "G.4X", "G.8X", "Z.2X")
EXECUTION_CLASSES = ("FLEX", "STANDARD")
_DPU_PER_WORKER = {"Standard": 1.0, "G.1X": 1.0, "G.2X": 2.0, "G.025X": 0.25, "G.4X": 4.0, "G.8X": 8.0, "Z.2X": 2.0}
ACTIVE_STATES = frozenset({"STARTING", "RUNNING", "STOPPING", "WAITING"})
DEFAULT_TIMEOUT_MINUTES = 2880


@dataclass(frozen=True, slots=True)
class GlueJob:
    """A job definition: the callable that does the work and the settings Glue would hold."""

    name: str
    run: GlueJobFunction
    max_concurrent_runs: int = 1
    default_arguments: Mapping[str, str] = field(default_factory=dict)
    glue_version: str = "4.0"
    worker_type: str = "G.1X"
    number_of_workers: int = 10
    timeout: int = DEFAULT_TIMEOUT_MINUTES
    """Minutes (shown in the JobRun; not enforced)."""


class JobRun:
    """One run of a job.

    Under ``.sync`` (and any virtual-clock run) its state changes on the thread driving the
    execution, which keeps concurrency checks deterministic; a request-response run under a real
    clock finishes on its own thread.
    """

    def __init__(
        self, job: GlueJob, run_id: str, arguments: dict[str, str], settings: dict[str, Any], started_on: float
    ) -> None:
        self.job = job
        self.id = run_id
        self.arguments = arguments
        self.settings = settings
        self.started_on = started_on
        self.last_modified_on = started_on
        self.completed_on: float | None = None
        self.state = "RUNNING"
        self.error_message: str | None = None

    @property
    def active(self) -> bool:
        return self.state in ACTIVE_STATES

    def finish(self, error: BaseException | None, now: float) -> None:
        if not self.active:
            return
        self.state = "SUCCEEDED" if error is None else "FAILED"
        if error is not None:
            self.error_message = f"{type(error).__name__}: {error}"
        self.completed_on = self.last_modified_on = now

    def stop(self, now: float) -> None:
        if self.active:
            self.state = "STOPPED"
            self.completed_on = self.last_modified_on = now

    def describe(self) -> dict[str, Any]:
        """GetJobRun's ``JobRun``, as Step Functions returns it from a ``.sync`` task."""
        worker_type = self.settings["WorkerType"]
        workers = self.settings["NumberOfWorkers"]
        capacity = workers * _DPU_PER_WORKER[worker_type]
        described: dict[str, Any] = {
            "AllocatedCapacity": int(capacity),
            "Attempt": 0,
            "ExecutionClass": self.settings["ExecutionClass"],
            "GlueVersion": self.job.glue_version,
            "Id": self.id,
            "JobName": self.job.name,
            "JobRunState": self.state,
            "LastModifiedOn": epoch_millis(self.last_modified_on),
            "LogGroupName": "/aws-glue/jobs",
            "MaxCapacity": int(capacity) if capacity.is_integer() else capacity,
            "NumberOfWorkers": workers,
            "PredecessorRuns": [],
            "StartedOn": epoch_millis(self.started_on),
            "Timeout": self.settings["Timeout"],
            "WorkerType": worker_type,
        }
        if self.arguments:
            described["Arguments"] = dict(self.arguments)
        if self.completed_on is not None:
            described["CompletedOn"] = epoch_millis(self.completed_on)
            described["ExecutionTime"] = round(self.completed_on - self.started_on)
        if self.error_message is not None:
            described["ErrorMessage"] = self.error_message
        for optional in ("SecurityConfiguration", "NotificationProperty"):
            if optional in self.settings:
                described[optional] = self.settings[optional]
        return dict(sorted(described.items()))


class GlueService:
    """The Glue jobs of one ``Resources`` and their runs."""

    def __init__(self) -> None:
        self._jobs: dict[str, GlueJob] = {}
        self._runs: dict[str, list[JobRun]] = {}
        self._lock = threading.Lock()

    def add_job(self, job: GlueJob) -> GlueJob:
        if not isinstance(job.name, str) or not 1 <= len(job.name) <= 255:
            raise ConfigurationError(f"a Glue job name must be 1 to 255 characters, got {job.name!r}")
        if not callable(job.run):
            raise ConfigurationError(f"Glue job {job.name!r}: the job must be callable, got {job.run!r}")
        runs = job.max_concurrent_runs
        if isinstance(runs, bool) or not isinstance(runs, int) or runs < 1:
            raise ConfigurationError(
                f"Glue job {job.name!r}: max_concurrent_runs must be a positive integer, got {runs!r}"
            )
        if job.worker_type not in WORKER_TYPES:
            raise ConfigurationError(
                f"Glue job {job.name!r}: worker_type must be one of {', '.join(WORKER_TYPES)}, got {job.worker_type!r}"
            )
        self._jobs[job.name] = job
        return job

    def jobs(self) -> list[GlueJob]:
        return list(self._jobs.values())

    def job_names(self) -> list[str]:
        return list(self._jobs)

    def runs(self, job_name: str) -> list[JobRun]:
        """The runs of a job, oldest first (for tests and inspection)."""
        with self._lock:
            return list(self._runs.get(job_name, ()))

    def start(
        self, parameters: Mapping[str, Any], env: TaskEnvironment, request: TaskRequest, request_id: str
    ) -> JobRun:
        """StartJobRun: validate, check the job and its concurrency, and record a RUNNING run."""
        job_name = parameters.get("JobName")
        if job_name is None:
            raise parameters_error(request, "The field 'JobName' is required")
        if not isinstance(job_name, str):
            raise parameters_error(request, "The value of the field 'JobName' has an invalid format")
        arguments = parameters.get("Arguments", {})
        if not isinstance(arguments, Mapping) or not all(
            isinstance(key, str) and isinstance(value, str) for key, value in arguments.items()
        ):
            raise parameters_error(request, "The value of the field 'Arguments' has an invalid format")
        if "JobRunId" in parameters:
            raise StatesError(
                "States.Runtime",
                f"State '{request.state_name}': retrying a Glue job run through 'JobRunId' is not emulated by "
                "asl-engine; remove the field or mock this state.",
            )
        job = self._jobs.get(job_name)
        if job is None:
            raise not_found(
                request,
                GLUE.error(
                    "EntityNotFoundException",
                    "Failed to start job run due to missing metadata",
                    status_code=400,
                    request_id=request_id,
                ),
                MissingTarget(
                    "Glue job",
                    job_name,
                    f"glue.jobs.{job_name}",
                    'handler = "module:function"',
                    f'resources.glue_job("{job_name}", run)',
                ),
            )
        settings = _run_settings(job, parameters, request, request_id)
        with self._lock:
            runs = self._runs.setdefault(job.name, [])
            if sum(run.active for run in runs) >= job.max_concurrent_runs:
                raise GLUE.error(
                    "ConcurrentRunsExceededException",
                    f"Concurrent runs exceeded for {job.name}",
                    status_code=400,
                    request_id=request_id,
                )
            run_id = f"jr_{env.random.getrandbits(256):064x}"
            run = JobRun(job, run_id, dict(arguments), settings, env.clock.now())
            runs.append(run)
        return run


def _run_settings(job: GlueJob, parameters: Mapping[str, Any], request: TaskRequest, request_id: str) -> dict[str, Any]:
    settings: dict[str, Any] = {
        "WorkerType": job.worker_type,
        "NumberOfWorkers": job.number_of_workers,
        "Timeout": job.timeout,
        "ExecutionClass": "STANDARD",
    }
    for field_name, wire, allowed in (
        ("WorkerType", "workerType", WORKER_TYPES),
        ("ExecutionClass", "executionClass", EXECUTION_CLASSES),
    ):
        if field_name in parameters:
            value = parameters[field_name]
            if value not in allowed:
                raise GLUE.error(
                    "ValidationException",
                    f"1 validation error detected: Value '{value}' at '{wire}' failed to satisfy constraint: "
                    f"Member must satisfy enum value set: [{', '.join(allowed)}]",
                    status_code=400, request_id=request_id,
                )  # fmt: skip
            settings[field_name] = value
    for field_name in ("NumberOfWorkers", "Timeout"):
        if field_name in parameters:
            value = parameters[field_name]
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise parameters_error(request, f"The value of the field '{field_name}' has an invalid format")
            settings[field_name] = value
    for field_name in ("SecurityConfiguration", "NotificationProperty"):
        if field_name in parameters:
            settings[field_name] = parameters[field_name]
    return settings


def _call_job(run: JobRun) -> BaseException | None:
    """Run the job's callable (on a worker thread); its exception is the run's failure."""
    arguments = {**run.job.default_arguments, **run.arguments}
    try:
        run.job.run(arguments)
    except Exception as error:
        return error
    return None


class GlueStartJobRunTask:
    """Answers ``arn:aws:states:::glue:startJobRun`` and ``...:startJobRun.sync``."""

    def __init__(self, service: GlueService) -> None:
        self.service = service

    def __call__(self, request: TaskRequest) -> Any:
        env = environment_of(request)
        parameters = parameters_object(request)
        request_id = uuid_request_id(env.random)
        run = self.service.start(parameters, env, request, request_id)
        body = compact_json({"JobRunId": run.id})
        started = with_metadata(
            {"JobName": run.job.name, "JobRunId": run.id},
            status_code=200,
            request_id=request_id,
            headers=json_protocol_headers(body, request_id, env.clock.now()),
        )
        if request.resource.pattern == "sync":
            request.submit(started)
            return self._wait_for(env, run)
        if env.clock.virtual:
            run.finish(_call_job(run), env.clock.now())
        else:
            threading.Thread(
                target=lambda: run.finish(_call_job(run), env.clock.now()), name=f"glue-{run.job.name}", daemon=True
            ).start()
        return started

    async def _wait_for(self, env: TaskEnvironment, run: JobRun) -> dict[str, Any]:
        try:
            error = await env.run_in_thread(_call_job, run)
        except Cancelled:
            # Step Functions stops the job of an aborted .sync task (best effort, as here: the
            # callable cannot be interrupted, but the run is recorded as STOPPED).
            run.stop(env.clock.now())
            raise
        run.finish(error, env.clock.now())
        described = run.describe()
        if run.state != "SUCCEEDED":
            raise StatesError("States.TaskFailed", compact_json(described))
        return described
