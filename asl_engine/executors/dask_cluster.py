"""``dask`` and ``dask://HOST:PORT``: child executions on a Dask cluster (``dask.distributed``).

``dask://HOST:PORT`` connects to a running scheduler (``dask scheduler``, with ``dask worker``
processes on any machines); ``dask`` alone starts a local cluster for the Map Run: a scheduler
process and one single-threaded worker process per core (``_local_cluster``). The job travels
with each batch (a few kilobytes; each worker process prepares it once), every worker prepares
it before any child runs (``Client.run``), and each batch of children is one task.

When a worker dies, Dask's scheduler runs its tasks again elsewhere: the affected children run
again (at least once per item). A task whose workers keep dying is given up after the scheduler's
``distributed.scheduler.allowed-failures`` (``retries`` here, for a cluster this executor starts;
the scheduler's own setting for an existing one): Dask raises ``KilledWorker`` and the Map Run fails
with ``States.Runtime``, naming the items. Imported only when used: ``pip install 'asl-engine[dask]'``.
"""

from __future__ import annotations

import contextlib
import importlib
import os
from collections.abc import Iterator
from concurrent.futures import CancelledError
from typing import Any

from asl_engine.errors import ConfigurationError, StatesError
from asl_engine.executors.dask_task import run_packed
from asl_engine.executors.job import WorkerSetupError, describe_items, executor_failure, probe_packed
from asl_engine.executors.remote import DEFAULT_RETRIES, Batch, RemoteSession
from asl_engine.executors.upload import project_upload
from asl_engine.executors.wire import pack_works, unpack_reports
from asl_engine.runtime.map_run.executor import ExecutorSession, MapJob, ReportInbox
from asl_engine.services.registry import Resources

CONNECT_TIMEOUT_SECONDS = 30
LOCAL_CLUSTER_TIMEOUT_SECONDS = 120
RESULT_FETCH_TIMEOUT_SECONDS = 60
"""How long a finished task's reports may take to reach the driver. They are ready when Dask says the
task finished, and a few megabytes at most: a fetch that takes longer has lost its way (a clean-clone
CI run once saw it wait for ten minutes, through the scheduler, after workers had been killed), and
the batch is run again like one whose result was lost with its worker."""


class DaskExecutor:
    """Runs Distributed Map children on the Dask cluster at ``address`` (None: a local one per Map Run)."""

    def __init__(
        self,
        address: str | None = None,
        *,
        batch_size: int | None = None,
        retries: int | None = None,
        upload: bool = True,
    ):
        self.address = address
        self.upload = upload
        """For an existing cluster: send the project directory of each ``asl.toml`` to the workers."""
        self.batch_size = batch_size
        self.retries = DEFAULT_RETRIES if retries is None else retries
        self.name = "dask" if address is None else f"dask://{address.removeprefix('tcp://')}"

    def __repr__(self) -> str:
        return f"<DaskExecutor {self.address or 'local cluster'}>"

    def open(self, job: MapJob, inbox: ReportInbox) -> ExecutorSession:
        return DaskSession(self, job, inbox)


class DaskSession(RemoteSession):
    result_fetch_timeout: float = RESULT_FETCH_TIMEOUT_SECONDS

    def __init__(self, executor: DaskExecutor, job: MapJob, inbox: ReportInbox) -> None:
        super().__init__(job, inbox, batch_size=executor.batch_size, retries=executor.retries)
        # Dask is typed loosely, and imported only here (the [dask] extra).
        dask: Any = importlib.import_module("dask")
        distributed: Any = importlib.import_module("distributed")
        self._distributed = distributed
        self._cluster: Any = None
        self._client: Any = None
        self._futures: dict[int, Any] = {}
        try:
            if executor.address is None:
                self._cluster = _local_cluster(dask, distributed, executor.retries)
                # Results straight from the workers (which are on this machine): by default the client
                # gathers them through the scheduler, which then reads and writes every report.
                self._client = distributed.Client(self._cluster, direct_to_workers=True)
                # Workers in processes of their own join when they have started: every one is to be
                # checked (and counted) before any child runs.
                self._client.wait_for_workers(os.cpu_count() or 1, timeout=LOCAL_CLUSTER_TIMEOUT_SECONDS)
            else:
                self._client = distributed.Client(executor.address, timeout=CONNECT_TIMEOUT_SECONDS)
        except (OSError, TimeoutError) as error:
            self._shutdown()
            where = f"the Dask scheduler at {executor.address}" if executor.address else "its local Dask cluster"
            raise executor_failure(f"The Map state '{self._node_name}' cannot reach {where}: {error}") from None
        self.workers = max(1, len(self._client.scheduler_info(n_workers=-1).get("workers", {})))
        if executor.address is not None and executor.upload:
            self._upload_projects()
        self._check_workers()

    def _upload_projects(self) -> None:
        """Send each ``asl.toml``'s project directory to every worker, present and future (``upload.py``)."""
        plugins: Any = importlib.import_module("asl_engine.executors.dask_plugin")
        for source in self._job.parent.handlers:
            config_file = getattr(source, "source", None)
            if not isinstance(source, Resources) or config_file is None:
                continue
            try:
                upload = project_upload(config_file, source.stored_paths())
            except (ConfigurationError, OSError) as error:
                self._shutdown()
                raise executor_failure(
                    f"The Map state '{self._node_name}' cannot send its project to the Dask workers: {error}"
                ) from None
            try:
                self._client.register_plugin(plugins.ProjectPlugin(upload))
            except Exception as error:
                self._shutdown()
                raise executor_failure(
                    f"The Map state '{self._node_name}' could not unpack its project on the Dask workers: "
                    f"{type(error).__name__}: {error}"
                ) from None

    def _check_workers(self) -> None:
        """Every worker prepares the job before any child runs (a handler it cannot import: a clear error)."""
        answers: dict[str, Any] = self._client.run(probe_packed, self._job_bytes, on_error="return")
        failed = sorted((worker, answer) for worker, answer in answers.items() if isinstance(answer, BaseException))
        problems = [f"{worker}: {answer}" for worker, answer in failed]
        if problems:
            self._shutdown()
            kind = "cannot" if all(isinstance(a, WorkerSetupError) for _, a in failed) else "could not"
            raise executor_failure(
                f"The Map state '{self._node_name}' {kind} run its children on the Dask workers: {'; '.join(problems)}"
            )

    def _send(self, batch: Batch) -> None:
        # The job travels with every batch (a few kilobytes, prepared once per worker process): as a
        # dependency held by one worker it would draw every batch to that worker, and scattered data
        # dies with the workers holding it. Children and reports travel packed (``wire.py``).
        future = self._client.submit(run_packed, self._job_bytes, pack_works(batch.works), pure=False)
        self._futures[batch.id] = future

        def finished(done: Any) -> None:
            try:
                outcome: Any = unpack_reports(done.result(timeout=self.result_fetch_timeout))
            except BaseException as error:  # delivered to the Map Run, which decides
                outcome = error
            self._arrived(batch, outcome)

        future.add_done_callback(finished)

    def _take(self, batch: Batch, outcome: Any) -> None:
        self._futures.pop(batch.id, None)
        super()._take(batch, outcome)

    def _lost(self, batch: Batch, error: BaseException) -> StatesError | None:
        if isinstance(error, CancelledError | TimeoutError) and batch.attempts < self._retries:
            # Not cancelled by us (we forget what we cancel): its result was lost with the worker that
            # held it, after the batch had run, or its fetch never ended. Run it again.
            self._resend(batch)
            return None
        if isinstance(error, self._distributed.KilledWorker):
            return executor_failure(
                f"The Map state '{self._node_name}' ran {describe_items(batch.works)} on Dask workers that died "
                f"each time (Dask gave up: KilledWorker, distributed.scheduler.allowed-failures). Those children "
                "ran at least once, maybe partly."
            )
        return self._failure(batch, error)

    def _cancel_remote(self) -> None:
        futures = list(self._futures.values())
        self._futures.clear()
        if futures:
            self._client.cancel(futures)

    def _shutdown(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None


QUIET_LOCAL_CLUSTER = {
    "DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED": "False",
    "DASK_DISTRIBUTED__ADMIN__TICK__INTERVAL": "200ms",
    "DASK_DISTRIBUTED__ADMIN__SYSTEM_MONITOR__INTERVAL": "2s",
    "DASK_DISTRIBUTED__WORKER__MEMORY__MONITOR_INTERVAL": "1s",
}
"""Dask settings for the local cluster's processes, unless the environment sets them: no statistical
profiler sampling the running task every 10 ms, and the event-loop tick, system monitor and memory
monitor at a slower pace. Idle, the scheduler, two nannies and two workers then take about 22 ms of
CPU a second between them instead of about 150 ms (measured), CPU the workers' children need."""


@contextlib.contextmanager
def _environment(settings: dict[str, str]) -> Iterator[None]:
    """``settings`` in ``os.environ`` (those not set already) while the block runs."""
    added = {name: value for name, value in settings.items() if name not in os.environ}
    os.environ.update(added)
    try:
        yield
    finally:
        for name in added:
            os.environ.pop(name, None)


def _local_cluster(dask: Any, distributed: Any, retries: int) -> Any:
    """A cluster on this machine, one single-threaded worker per core.

    Where it can (not on Windows), the scheduler and each worker (with its nanny) run in processes of
    their own (``SubprocessCluster``), as ``dask scheduler`` and ``dask worker`` would: a
    ``LocalCluster`` runs its scheduler and nannies on an event loop in the driver's process, where
    they cost about 0.35 ms of the driver's CPU per item, next to the driver's own work.
    """
    workers = os.cpu_count() or 1
    try:
        subprocess_cluster: Any = importlib.import_module("distributed.deploy.subprocess").SubprocessCluster
    except (ImportError, AttributeError):
        subprocess_cluster = None
    if subprocess_cluster is not None and os.name != "nt":
        with _environment(QUIET_LOCAL_CLUSTER):  # read by the cluster's processes as they start
            return subprocess_cluster(
                n_workers=workers,
                threads_per_worker=1,
                dashboard_address=None,
                scheduler_kwargs={"allowed_failures": retries, "dashboard": False},
            )
    with dask.config.set({"distributed.scheduler.allowed-failures": retries}):
        return distributed.LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",  # a free port: never clash with another cluster
        )
