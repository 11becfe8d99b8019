"""What the process-pool and Dask executors share: batches out, reports back to the Map Run.

A session splits the children the Map Run starts into batches (each batch one task on a worker),
and takes each batch's reports back on the execution's scheduler thread: results arrive on other
threads, so they are posted to the scheduler. While a batch is out the scheduler counts it as
outside work, so a virtual clock does not skip time past children still running elsewhere.
"""

from __future__ import annotations

import itertools
import math
import pickle
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

from asl_engine.errors import ConfigurationError, StatesError
from asl_engine.executors.job import WorkerJob, describe_items, executor_failure, worker_job
from asl_engine.runtime.map_run.driver import DISTRIBUTED_CONCURRENCY_CAP
from asl_engine.runtime.map_run.executor import ChildReport, ChildWork, MapJob, ReportInbox

DEFAULT_BATCH_SIZE = 1000
"""Children per task when not configured, in a process pool as on Dask: a task costs a Dask scheduler,
client and worker a few milliseconds of CPU between them (its graph, its transitions, the messages
about it), and a pool's driver about 1.1 ms (the pool's queues, pipes and threads, the reports taken
on the execution's thread), 11 µs per child in tasks of 100; fewer when there are few children for
the workers (see ``batch_size_for``), and the Map Run's last children in smaller tasks
(docs/scaling.md, "Batches")."""
DEFAULT_RETRIES = 3
"""Times a batch may lose its worker (the worker process died) before the Map Run fails."""

_ids = itertools.count()


def batch_size_for(children: int, workers: int, configured: int | None, default: int = DEFAULT_BATCH_SIZE) -> int:
    """Children per task: as configured, else ``default`` or less, so that there are at least four
    tasks per worker when few children start at once (every worker gets work)."""
    if configured is not None:
        return configured
    return max(1, min(default, math.ceil(children / (workers * 4))))


def split_evenly(works: Sequence[ChildWork], size: int) -> list[list[ChildWork]]:
    """``works`` in as few batches of at most ``size`` as there can be, of even sizes: 1,024 children
    in batches of up to 1,000 go as two of 512, not as 1,000 and a task of 24 that costs as much to
    schedule and leaves a worker idle."""
    if not works:
        return []
    count = math.ceil(len(works) / size)
    step = math.ceil(len(works) / count)
    return [list(works[start : start + step]) for start in range(0, len(works), step)]


@dataclass(eq=False)
class Batch:
    works: list[ChildWork]
    id: int = field(default_factory=lambda: next(_ids))
    attempts: int = 0
    generation: int = 0
    """Which pool it was sent to (a process pool is replaced when a worker dies)."""
    released: bool = False


class RemoteSession:
    """The part of a session that does not depend on where batches run."""

    workers = 1
    default_batch_size = DEFAULT_BATCH_SIZE

    def __init__(self, job: MapJob, inbox: ReportInbox, *, batch_size: int | None, retries: int) -> None:
        self._job = job
        self._node_name = job.node.name
        self._scheduler = job.parent.scheduler
        self._inbox = inbox
        self._batch_size = batch_size
        self._configured = batch_size is not None
        self._retries = retries
        self._outstanding: dict[int, Batch] = {}
        self._held: list[ChildWork] = []
        """Children handed over but not sent yet: the remainder of a ``submit`` too small for a full
        task, kept while the workers have enough to do (see ``submit``)."""
        self._lock = threading.Lock()
        try:
            self._worker_job: WorkerJob = worker_job(job)
        except ConfigurationError as error:
            raise executor_failure(
                f"The Map state '{self._node_name}' cannot run its children in other processes: {error}"
            ) from None
        self._job_bytes = pickle.dumps(self._worker_job, protocol=pickle.HIGHEST_PROTOCOL)
        """The job as every batch carries it (each worker process unpickles it once)."""

    # -- to implement ------------------------------------------------------------------------------------

    def _send(self, batch: Batch) -> None:
        """Start ``batch`` on a worker; call ``_arrived(batch, reports or exception)`` when it ends."""
        raise NotImplementedError

    def _lost(self, batch: Batch, error: BaseException) -> StatesError | None:
        """``batch`` failed with ``error``: ``_resend`` it and return None, or say why the Map Run fails."""
        return self._failure(batch, error)

    def _cancel_remote(self) -> None:
        """Cancel every batch still out (best effort: a running batch may finish anyway)."""

    def _shutdown(self) -> None:
        """Release the workers or the connection."""

    # -- ExecutorSession ---------------------------------------------------------------------------------

    submit_at_once = 10_000
    """Children the Map Run may hand over in one ``submit`` (all it has room for: batches go out at once)."""

    def submit(self, works: Sequence[ChildWork]) -> None:
        if self._batch_size is None:  # chosen once: later rounds bring fewer
            at_once = self._children_at_once(len(works))
            self._batch_size = batch_size_for(at_once, self.workers, None, self.default_batch_size)
        size = self._batch_size
        held = self._held
        held.extend(works)
        map_run = self._job.map_run
        if map_run.total is not None and map_run.started >= map_run.total:
            # The Map Run's last children: all of them now, in smaller tasks (unless configured), so
            # that the workers finish at about the same time.
            if not self._configured:
                size = batch_size_for(len(held), self.workers, None, size)
            self._send_held(size)
        elif len(self._outstanding) < self._busy_enough:
            self._send_held(size)  # the workers may run out of work: everything goes now
        else:
            while len(held) >= size:  # full tasks only; the rest waits for the next children
                self._launch(Batch(held[:size]))
                del held[:size]

    @property
    def _busy_enough(self) -> int:
        """Tasks out at which every worker has one running and one waiting: below it, children the
        session holds back (``_held``) go out at once, however few."""
        return 2 * self.workers

    def _send_held(self, size: int) -> None:
        held, self._held = self._held, []
        for part in split_evenly(held, size):
            self._launch(Batch(part))

    def _children_at_once(self, submitted: int) -> int:
        """Children this Map Run will have in flight at once, as far as its first ``submit`` can tell.

        The first children handed over are often only the ItemReader's first chunk (1,024 items), with
        more to follow: sized from them alone, Dask's tasks held 128 children, not 1,000, and each task
        costs the scheduler, the client and the worker the same whatever its size. Unless the Map Run
        knows every child already (``total``), as many run at once as its concurrency allows.
        """
        map_run = self._job.map_run
        limit = min(map_run.max_concurrency or DISTRIBUTED_CONCURRENCY_CAP, DISTRIBUTED_CONCURRENCY_CAP)
        total = map_run.total
        return max(submitted, min(limit, total if total is not None else limit))

    async def cancel(self, reason: BaseException | None) -> list[ChildReport]:
        self._held.clear()  # never sent: the Map Run counts them aborted, without a history
        self._cancel_remote()
        for batch in list(self._outstanding.values()):
            self._release(batch)
        self._outstanding.clear()
        return []

    def close(self) -> None:
        self._held.clear()
        for batch in list(self._outstanding.values()):
            self._release(batch)
        self._outstanding.clear()
        self._shutdown()

    # -- the common machinery ----------------------------------------------------------------------------

    def _launch(self, batch: Batch) -> None:
        self._outstanding[batch.id] = batch
        self._scheduler.external_work_started()
        self._send(batch)

    def _arrived(self, batch: Batch, outcome: list[ChildReport] | BaseException) -> None:
        """From any thread: hand the outcome to the scheduler's thread."""
        self._scheduler.post(lambda: self._take(batch, outcome))
        self._release(batch)

    def _release(self, batch: Batch) -> None:
        with self._lock:
            if batch.released:
                return
            batch.released = True
        self._scheduler.external_work_finished()

    def _take(self, batch: Batch, outcome: list[ChildReport] | BaseException) -> None:
        if self._outstanding.get(batch.id) is not batch:
            return  # cancelled, or already resent
        del self._outstanding[batch.id]
        if isinstance(outcome, BaseException):
            failure = self._lost(batch, outcome)
            if failure is not None:
                self._inbox.fail(failure)
                return
        else:
            self._inbox.put(outcome)
        if self._held and len(self._outstanding) < self._busy_enough and self._batch_size is not None:
            self._send_held(self._batch_size)

    def _resend(self, batch: Batch) -> None:
        """Send ``batch``'s children again (its worker died), as a new batch."""
        self._launch(Batch(batch.works, attempts=batch.attempts + 1))

    def _failure(self, batch: Batch, error: BaseException) -> StatesError:
        message = str(error) or type(error).__name__
        return executor_failure(
            f"The Map state '{self._node_name}' could not run {describe_items(batch.works)} on its executor: {message}"
        )
