"""What a Distributed Map needs to run its child executions somewhere: the executor protocol.

The Map Run (``driver.py``) decides everything AWS's semantics decide: which items start and when
(``MaxConcurrency`` counts items in flight, whatever runs them), each child's name, random seed and
start time, the tolerated failures, and the results in item order. An executor only runs children:

* ``ChildExecutor.open(job, inbox)`` starts a session for one Map Run;
* ``ExecutorSession.submit(works)`` hands it children to run (it batches them as it likes);
* the session puts a ``ChildReport`` into the ``ReportInbox`` as each child finishes (on the
  scheduler's thread: a session whose work ends on other threads posts to the scheduler), or a
  ``StatesError`` when it cannot go on (a worker that keeps dying);
* ``cancel`` stops what has not finished.

The in-process executor (``in_process.py``) runs children on the parent's scheduler. The executors
that run them in other processes or on a Dask cluster live above the runtime, in
``asl_engine.executors``, and are handed to an execution through its ``executor`` option.
Everything in ``ChildWork`` and ``ChildReport`` is picklable, except ``ChildReport.run``, which
only the in-process executor sets.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from asl_engine.errors import StatesError
from asl_engine.runtime.decisions import Decision
from asl_engine.runtime.scheduler import Future

if TYPE_CHECKING:
    from asl_engine.runtime.handlers import UnansweredTask
    from asl_engine.runtime.run import ExecutionRun, MapRun
    from asl_engine.runtime.states.map_ import MapState


@dataclass(slots=True)
class ChildWork:
    """One child execution to run: its item (or batch) index, input and identity."""

    index: int
    input: Any
    name: str
    seed: int
    """Seeds the child's random source (task tokens, request ids, jitter): the same wherever it runs."""
    start_time: float
    """When the Map Run started it, on the execution's clock (a virtual clock starts the child there)."""


@dataclass(slots=True)
class ChildReport:
    """How one child execution ended."""

    index: int
    status: str
    """SUCCEEDED, FAILED, TIMED_OUT or ABORTED."""
    output: Any = None
    """The output value (in this process; from elsewhere ``output_text`` only)."""
    error: str | None = None
    cause: str | None = None
    start_time: float = 0.0
    stop_time: float = 0.0
    input_text: str | None = None
    output_text: str | None = None
    """The input's and (when it succeeded) the output's compact JSON text."""
    history: bytes | None = None
    """The child's recorded history rows, packed (``records.pack_history``); None when not recorded
    or when ``run`` holds it."""
    events: int = 0
    decisions: tuple[Decision, ...] = ()
    unanswered: tuple[UnansweredTask, ...] = ()
    """The Task states nobody could answer (``Execution.unanswered_tasks``), when ``run`` is not set."""
    worker: str | None = None
    """Where it ran (a process id, a Dask worker's address), for diagnostics."""
    run: ExecutionRun | None = None
    """The finished run itself, when it ran in this process (never pickled)."""


@dataclass(frozen=True, slots=True)
class MapJob:
    """The Map Run an executor session serves: the parent execution, the Map state and the run."""

    parent: ExecutionRun
    node: MapState
    map_run: MapRun


class ReportInbox:
    """Where a session puts the children's reports; the Map Run waits on it (scheduler thread only)."""

    __slots__ = ("_failure", "_reports", "_signal")

    def __init__(self) -> None:
        self._reports: deque[ChildReport] = deque()
        self._failure: StatesError | None = None
        self._signal: Future[None] | None = None

    def put(self, reports: Sequence[ChildReport]) -> None:
        self._reports.extend(reports)
        self._wake()

    def fail(self, error: StatesError) -> None:
        """The executor cannot go on: the Map Run fails with ``error``."""
        if self._failure is None:
            self._failure = error
        self._wake()

    def _wake(self) -> None:
        signal = self._signal
        if signal is not None:
            self._signal = None
            signal.set_result(None)

    def take_now(self) -> list[ChildReport]:
        """The reports received so far, without waiting (a stopping Map Run collects them)."""
        reports = list(self._reports)
        self._reports.clear()
        return reports

    async def take(self) -> list[ChildReport]:
        """Every report received so far (at least one); raises the executor's failure."""
        while not self._reports and self._failure is None:
            self._signal = Future()
            await self._signal
        if self._failure is not None:
            raise self._failure
        reports = list(self._reports)
        self._reports.clear()
        return reports


class ExecutorSession(Protocol):
    """One Map Run's use of an executor."""

    submit_at_once: int
    """How many children the Map Run hands over per ``submit`` at most: few for children that run
    right away here (their reports are taken between rounds), many for batches sent elsewhere."""

    def submit(self, works: Sequence[ChildWork]) -> None:
        """Run these children; each ends as a report in the inbox (in any order)."""
        ...

    async def cancel(self, reason: BaseException | None) -> list[ChildReport]:
        """Stop every child not yet reported; return reports of those that ended because of it
        (ABORTED, with their history so far), if the executor has them. Children neither reported
        before nor returned here count as aborted without a history."""
        ...

    def close(self) -> None:
        """The Map Run is over (whatever its outcome): release what the session holds."""
        ...


class ChildExecutor(Protocol):
    """Runs Distributed Map child executions: in this process, in a process pool, on a cluster."""

    name: str
    """As given to the ``executor`` option: ``in-process``, ``processes:2``, ``dask://host:8786``..."""

    def open(self, job: MapJob, inbox: ReportInbox) -> ExecutorSession: ...
