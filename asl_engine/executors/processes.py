"""``processes[:N]``: child executions in a pool of worker processes on this machine.

For CPU-bound handlers on one machine. The pool is started for each Map Run (its processes forked
from a server process that imported the engine once, ``forkserver``, or fresh interpreters,
``spawn``, where there is no fork: what the children run must be importable, as on a cluster), each worker gets the
job once when it starts, and batches of children go to whichever worker is free. A worker process
that dies (killed, out of memory) breaks the pool: a fresh pool takes over and the batches that
were out run again, up to ``retries`` times each; then the Map Run fails with ``States.Runtime``
naming the items. Children run at least once.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from asl_engine.errors import StatesError
from asl_engine.executors.job import WorkerSetupError, describe_items, executor_failure, probe_packed, run_packed
from asl_engine.executors.remote import DEFAULT_RETRIES, Batch, RemoteSession
from asl_engine.executors.wire import pack_works, unpack_reports
from asl_engine.runtime.map_run.executor import ChildReport, ExecutorSession, MapJob, ReportInbox

PROBE_TIMEOUT_SECONDS = 120.0


class ProcessesExecutor:
    """Runs Distributed Map children in ``workers`` processes (one per core by default)."""

    def __init__(self, workers: int | None = None, *, batch_size: int | None = None, retries: int | None = None):
        self.workers = workers or os.cpu_count() or 1
        self.batch_size = batch_size
        self.retries = DEFAULT_RETRIES if retries is None else retries
        self.name = f"processes:{self.workers}"

    def __repr__(self) -> str:
        return f"<ProcessesExecutor {self.workers} workers>"

    def open(self, job: MapJob, inbox: ReportInbox) -> ExecutorSession:
        return ProcessesSession(self, job, inbox)


# Each worker process keeps the job it was started with (pickled: unpickled at its first batch).
_installed: bytes | None = None


def _install(job: bytes) -> None:
    global _installed
    _installed = job


def _installed_job() -> bytes:
    if _installed is None:  # pragma: no cover - every pool worker is started with one
        raise WorkerSetupError("this worker process was started without a job")
    return _installed


def _probe_installed() -> str:
    return probe_packed(_installed_job())


def _run_installed(works: bytes) -> bytes:
    return run_packed(_installed_job(), works)


class ProcessesSession(RemoteSession):
    def __init__(self, executor: ProcessesExecutor, job: MapJob, inbox: ReportInbox) -> None:
        super().__init__(job, inbox, batch_size=executor.batch_size, retries=executor.retries)
        self.workers = executor.workers
        self._generation = 0
        self._pool = self._new_pool()
        self._check_workers()

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=_worker_context(),
            initializer=_install,
            initargs=(self._job_bytes,),
        )

    def _check_workers(self) -> None:
        """Every worker prepares the job before any child runs: a handler it cannot import fails the
        Map Run now, saying so."""
        probes = [self._pool.submit(_probe_installed) for _ in range(self.workers)]
        for probe_future in probes:
            try:
                probe_future.result(timeout=PROBE_TIMEOUT_SECONDS)
            except WorkerSetupError as error:
                self._shutdown()
                raise executor_failure(
                    f"The Map state '{self._node_name}' cannot run its children in worker processes: {error}"
                ) from None
            except Exception as error:
                self._shutdown()
                raise executor_failure(
                    f"The Map state '{self._node_name}' could not start its worker processes: "
                    f"{type(error).__name__}: {error}"
                ) from None

    def _send(self, batch: Batch) -> None:
        batch.generation = self._generation
        try:
            future = self._pool.submit(_run_installed, pack_works(batch.works))
        except BrokenProcessPool as error:
            self._arrived(batch, error)
            return
        future.add_done_callback(lambda done: self._arrived(batch, _outcome(done)))

    def _lost(self, batch: Batch, error: BaseException) -> StatesError | None:
        if not isinstance(error, BrokenProcessPool):
            return self._failure(batch, error)
        if batch.attempts >= self._retries:
            return executor_failure(
                f"The Map state '{self._node_name}' ran {describe_items(batch.works)} in worker processes that "
                f"died {batch.attempts + 1} times (the pool's worker was killed or ran out of memory); the "
                f"Map Run stops after {self._retries} retries. Those children ran at least once, maybe partly."
            )
        if batch.generation == self._generation:  # the first of this pool's batches to hear of its end
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._generation += 1
            self._pool = self._new_pool()
        self._resend(batch)
        return None

    def _cancel_remote(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def _worker_context() -> multiprocessing.context.BaseContext:
    """How worker processes start: forked from a server process that has imported the engine once
    (``forkserver``), else fresh interpreters (``spawn``, on Windows).

    A spawned worker spends about 0.7 s of CPU importing the engine before its first child, and a
    pool is started for every Map Run (and again when a worker dies). The fork server is started
    once per driver process and imports this module (so the engine) before it forks any worker;
    every worker is still a fresh process whose job arrives pickled, never one that shares the
    driver's threads or state.
    """
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])
    return context


def _outcome(future: Future[bytes]) -> list[ChildReport] | BaseException:
    if future.cancelled():
        return BrokenProcessPool("cancelled")
    error = future.exception()
    return error if error is not None else unpack_reports(future.result())
