"""Running a Map Run's children through an executor, with AWS's semantics whatever the executor.

The driver starts children in item order while fewer than the concurrency limit are in flight
(``MaxConcurrency`` counts child executions, never batches, and holds across a whole cluster: the
driver alone decides what starts), reads more items only when it has room for them, and takes
each report as it comes: the child's record joins the Map Run, its outcome goes to the results
(in item order), and failures are counted against ``ToleratedFailureCount``/``Percentage``. When
the tolerance is exceeded it stops submitting, cancels what is in flight and lists the rest as
PENDING, as AWS does. ``ToleratedFailurePercentage`` is a share of every child, so while an
ItemReader is still reading it can only be decided once the last item is known.

Under a virtual clock a child that ran elsewhere comes back with the time it ended on its own clock
(it started at the time the driver gave it); the driver takes its report when its own clock gets
there, so slots free and later children start exactly when they would have in-process.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from asl_engine.errors import StatesError
from asl_engine.runtime.children import BranchAbort
from asl_engine.runtime.map_data.writer import PENDING, SUCCEEDED, ChildOutcome
from asl_engine.runtime.map_run.executor import (
    ChildExecutor,
    ChildReport,
    ChildWork,
    ExecutorSession,
    MapJob,
    ReportInbox,
)
from asl_engine.runtime.map_run.in_process import InProcessExecutor
from asl_engine.runtime.map_run.inputs import ChildInputs
from asl_engine.runtime.map_run.packing import child_name, child_seed
from asl_engine.runtime.map_run.records import ABORTED, ChildRecord
from asl_engine.runtime.map_run.results import MapResults
from asl_engine.runtime.scheduler import Cancelled, Task

if TYPE_CHECKING:
    from asl_engine.runtime.frame import Frame
    from asl_engine.runtime.run import MapRun
    from asl_engine.runtime.states.map_ import MapState

DISTRIBUTED_CONCURRENCY_CAP = 10_000
"""Child executions a Distributed Map runs at once at most (AWS's limit; ``MaxConcurrency`` 0 means it)."""

IN_PROCESS_EXECUTOR: ChildExecutor = InProcessExecutor()


class ToleranceExceeded(StatesError):
    """More children failed than tolerated: the Map Run fails (after exporting what it has)."""

    def __init__(self) -> None:
        super().__init__("States.ExceedToleratedFailureThreshold", "The specified tolerance threshold was exceeded")


class MapRunDriver:
    def __init__(
        self,
        frame: Frame,
        node: MapState,
        map_run: MapRun,
        results: MapResults,
        *,
        max_concurrency: int,
        tolerated_count: int | None,
        tolerated_percentage: float | None,
    ) -> None:
        self._frame = frame
        self._node = node
        self._map_run = map_run
        self._results = results
        # The Map Run holds the settings the driver follows: UpdateMapRun may change them while it runs.
        map_run.max_concurrency = max_concurrency
        map_run.tolerated_count, map_run.tolerated_percentage = tolerated_count, tolerated_percentage
        self._in_flight: dict[int, ChildWork] = {}
        self._failed = 0
        self._total: int | None = None
        self._inbox = ReportInbox()
        self._sleepers: list[Task[None]] = []

    async def run(self, inputs: ChildInputs) -> None:
        """Run every child; raise ``ToleranceExceeded``, the executor's failure or a cancellation."""
        run = self._frame.run
        executor = run.map_executor or IN_PROCESS_EXECUTOR
        session = executor.open(MapJob(run, self._node, self._map_run), self._inbox)
        try:
            await self._drive(session, inputs)
        except ToleranceExceeded:
            await self._stop(session, BranchAbort(self._frame.last_event_id), inputs, pending=self._results.exporting)
            raise
        except Cancelled as cancelled:
            await self._stop(session, cancelled.reason, inputs, pending=False)
            raise
        except StatesError:
            await self._stop(session, None, inputs, pending=False)
            raise
        finally:
            session.close()

    async def _drive(self, session: ExecutorSession, inputs: ChildInputs) -> None:
        map_run = self._map_run
        in_flight = self._in_flight
        now = self._frame.run.clock.now
        map_seed = map_run.seed
        self._learn_total(inputs)
        while True:
            room = self._limit() - len(in_flight)
            if room > 0 and not inputs.exhausted:
                if not inputs.buffered:
                    await inputs.fill()
                    self._learn_total(inputs)
                    continue
                start = now()
                works = []
                for index, value in inputs.take(min(room, session.submit_at_once)):
                    seed = child_seed(map_seed, index)
                    work = ChildWork(index, value, child_name(seed), seed, start)
                    in_flight[index] = work
                    works.append(work)
                if not inputs.buffered:
                    await inputs.fill()  # read ahead: the total is known as soon as the last item is taken
                    if inputs.total is not None:
                        map_run.total = inputs.total
                map_run.started += len(works)
                session.submit(works)
                self._learn_total(inputs)
                for report in self._inbox.take_now():  # children that already ended (in this process)
                    self._ended(report)
                if self._results.files_full:
                    await self._results.write_full(self._frame)
                continue
            if not in_flight:
                return
            for report in await self._inbox.take():
                self._ended(report)
            if self._results.files_full:
                await self._results.write_full(self._frame)

    def _limit(self) -> int:
        """Children in flight at most, read from the Map Run each time (UpdateMapRun may change it:
        a higher limit starts more children as the next child ends, a lower one starts none until
        fewer run)."""
        limit = self._map_run.max_concurrency
        return DISTRIBUTED_CONCURRENCY_CAP if limit == 0 else min(limit, DISTRIBUTED_CONCURRENCY_CAP)

    def _learn_total(self, inputs: ChildInputs) -> None:
        if self._total is not None:
            return
        total = inputs.total
        if total is None:
            return
        self._total = self._map_run.total = total
        if self._failed and self._exceeds_tolerance():
            raise ToleranceExceeded()

    def _ended(self, report: ChildReport) -> None:
        index = report.index
        in_flight = self._in_flight
        work = in_flight.get(index)
        if work is None:
            return
        clock = self._frame.run.clock
        if report.stop_time > clock.now() and clock.virtual:
            self._deliver_later(report)
            return
        del in_flight[index]
        map_run = self._map_run
        map_run.ended += 1
        record = ChildRecord.of_report(map_run, report, work.input, work.name)
        status = report.status
        self._results.add(ChildOutcome(index, work.input, status, None, record))
        if status != SUCCEEDED:
            self._failed += 1
            if self._exceeds_tolerance():
                raise ToleranceExceeded()

    def _deliver_later(self, report: ChildReport) -> None:
        """A child that ended later on its own virtual clock: take its report when ours gets there."""
        run = self._frame.run
        inbox = self._inbox

        async def deliver() -> None:
            await run.scheduler.sleep_until(report.stop_time)
            inbox.put([report])

        self._sleepers.append(run.scheduler.spawn(deliver(), f"{self._node.name}#{report.index} ended"))

    def _exceeds_tolerance(self) -> bool:
        failed, total = self._failed, self._total
        count, percentage = self._map_run.tolerated_count, self._map_run.tolerated_percentage
        if count is None and percentage is None:
            return failed > 0
        over_count = count is not None and failed > count
        over_percentage = percentage is not None and bool(total) and failed * 100 / total > percentage  # type: ignore[operator]
        if count is not None and percentage is not None:
            return over_count or over_percentage
        return over_count if count is not None else over_percentage

    async def _stop(
        self, session: ExecutorSession, reason: BaseException | None, inputs: ChildInputs, *, pending: bool
    ) -> None:
        """Stop every child in flight (ABORTED) and, for an export, list the unstarted ones (PENDING)."""
        for sleeper in self._sleepers:
            sleeper.cancel()
        stopped = await session.cancel(reason)
        map_run = self._map_run
        results = self._results
        in_flight = self._in_flight
        for report in [*self._inbox.take_now(), *stopped]:
            work = in_flight.pop(report.index, None)
            if work is not None:
                record = ChildRecord.of_report(map_run, report, work.input, work.name)
                results.add(ChildOutcome(report.index, work.input, ABORTED, None, record))
        stop_time = self._frame.run.clock.now()
        for index, work in sorted(in_flight.items()):
            record = ChildRecord.aborted(map_run, index, work.input, work.start_time, stop_time)
            results.add(ChildOutcome(index, work.input, ABORTED, None, record))
        in_flight.clear()
        map_run.ended = map_run.started
        if pending:
            for index, value in await inputs.drain():
                results.add(ChildOutcome(index, value, PENDING))
        results.flush()
