"""A Map Run's results, taken in item order whatever order the children finish in.

Children finish out of order (in-process ones interleave, remote ones come back as workers finish);
the state's result, the result files and ``Execution.child_executions`` are in item order. A
small reorder buffer (at most the children in flight) restores it, then each outcome goes where
it belongs: to the result files of a ResultWriter export (spooled, see ``ResultFiles``),
or held for the state's result, which AWS limits by the payload quota.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from asl_engine.runtime.map_data.writer import SUCCEEDED, ChildOutcome, ResultFiles, ResultWriter, WritePlan

if TYPE_CHECKING:
    from asl_engine.runtime.frame import Frame
    from asl_engine.runtime.run import MapRun


class MapResults:
    def __init__(self, map_run: MapRun, writer: ResultWriter | None, plan: WritePlan | None) -> None:
        self._map_run = map_run
        self._writer = writer
        self._plan = plan
        self._files = ResultFiles(writer) if writer is not None and plan is not None else None
        self._held: list[Any] = []
        self._next = 0
        self._waiting: dict[int, ChildOutcome] = {}

    @property
    def exporting(self) -> bool:
        return self._files is not None

    def add(self, outcome: ChildOutcome) -> None:
        """An outcome, in any order; it is used once every earlier one has come."""
        if outcome.index != self._next:
            self._waiting[outcome.index] = outcome
            return
        self._use(outcome)
        self._next += 1
        waiting = self._waiting
        while waiting:
            following = waiting.pop(self._next, None)
            if following is None:
                break
            self._use(following)
            self._next += 1

    def flush(self) -> None:
        """Use what is still waiting (after a stop, some indexes never come)."""
        for index in sorted(self._waiting):
            self._use(self._waiting.pop(index))

    def _use(self, outcome: ChildOutcome) -> None:
        record = outcome.run
        if record is not None:
            self._map_run.children.append(record)
        if self._files is not None:
            self._files.add(outcome)
        elif self._writer is not None:
            self._held.append(outcome)
        elif outcome.status == SUCCEEDED:
            self._held.append(record.output if record is not None else outcome.output)
        else:
            self._held.append({"Error": record.error if record else None, "Cause": record.cause if record else None})

    @property
    def files_full(self) -> bool:
        """Result files are full and can be written now (``write_full``)."""
        return self._files is not None and self._files.has_full

    async def write_full(self, frame: Frame) -> None:
        if self._files is not None and self._writer is not None and self._plan is not None:
            await self._writer.write_full(frame, self._plan, self._map_run, self._files)

    async def result(self, frame: Frame) -> Any:
        """The Map state's result: the outputs, the formatted entries, or the export's manifest."""
        if self._files is not None and self._writer is not None and self._plan is not None:
            return await self._writer.export(frame, self._plan, self._map_run, self._files)
        if self._writer is not None:
            return self._writer.entries(self._held)
        return self._held

    def close(self) -> None:
        if self._files is not None:
            self._files.close()
