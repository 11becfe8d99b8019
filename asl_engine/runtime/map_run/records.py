"""Finished child executions as a Map Run keeps them: small, and invisible to the garbage collector.

A Map Run over a million items keeps a million children (``Execution.child_executions`` lists
them). Each is stored as one tuple of strings and numbers: its status, its input and output as
JSON text, its error and cause, its times, and its history packed into bytes. Python's cyclic
garbage collector does not track such tuples, so a full collection does not grow with the Map Run
(with a list of dicts per child, collections cost more than the children themselves). The name is
not stored: it derives from the Map Run's seed and the index. ``ChildRecord`` is the view
``Execution`` reads (as it reads a running ``ExecutionRun``); values are parsed when asked for.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from asl_engine.runtime.decisions import Decision
from asl_engine.runtime.history import History
from asl_engine.runtime.json_text import to_json_text
from asl_engine.runtime.map_run.executor import ChildReport
from asl_engine.runtime.map_run.packing import child_name, child_seed, pack_history, unpack_history

if TYPE_CHECKING:
    from asl_engine.runtime.compiler import CompiledMachine
    from asl_engine.runtime.handlers import UnansweredTask
    from asl_engine.runtime.run import ExecutionRun, Identity, MapRun
    from asl_engine.runtime.starter import StartableMachine

ABORTED = "ABORTED"

Row = tuple[
    int, str, str | None, str | None, str | None, str | None, float, float | None, bytes | None, tuple[Decision, ...]
]
"""(index, status, input text, output text, error, cause, start, stop, packed history, decisions)."""


class ChildRecord:
    """One finished (or aborted) child execution of a Map Run, as ``Execution`` reads it."""

    __slots__ = ("_input", "_name", "_output", "map_run", "map_runs", "nested_runs", "row", "unanswered")

    def __init__(
        self,
        map_run: MapRun,
        row: Row,
        map_runs: list[MapRun] | None = None,
        nested_runs: list[ExecutionRun] | None = None,
        unanswered: list[UnansweredTask] | None = None,
    ) -> None:
        self.map_run = map_run
        self.row = row
        self.map_runs: list[MapRun] = map_runs or []
        self.nested_runs: list[ExecutionRun] = nested_runs or []
        self.unanswered: list[UnansweredTask] = unanswered or []
        """The Task states nobody could answer in this child (``Execution.unanswered_tasks``)."""
        self._input: Any = _UNREAD
        self._output: Any = _UNREAD
        self._name: str | None = None

    @classmethod
    def of_report(cls, map_run: MapRun, report: ChildReport, input_value: Any, name: str) -> ChildRecord:
        """The record of a reported child (its input and name as the Map Run started it)."""
        input_text = report.input_text if report.input_text is not None else to_json_text(input_value)
        run = report.run
        if run is None:
            output_text = report.output_text
            if output_text is None and report.status == "SUCCEEDED":
                output_text = to_json_text(report.output)
            row: Row = (
                report.index, report.status, input_text, output_text, report.error, report.cause,
                report.start_time, report.stop_time, report.history, tuple(report.decisions),
            )  # fmt: skip
            unanswered = report.unanswered
            record = cls(map_run, row, unanswered=list(unanswered) if unanswered else None)
        else:
            output_text = report.output_text
            if output_text is None and run.status == "SUCCEEDED":
                output_text = to_json_text(run.output)
            history = pack_history(run.history.rows()) if run.history.record else None
            row = (
                report.index, report.status, input_text, output_text, run.error, run.cause,
                run.start_time, report.stop_time, history, tuple(run.decisions),
            )  # fmt: skip
            record = cls(map_run, row, run.map_runs or None, run.nested_runs or None, run.unanswered or None)
        record._name = name
        return record

    @classmethod
    def aborted(cls, map_run: MapRun, index: int, input_value: Any, start: float, stop: float) -> ChildRecord:
        """A child stopped on an executor that could not say how far it got (no history)."""
        return cls(map_run, (index, ABORTED, to_json_text(input_value), None, None, None, start, stop, None, ()))

    def __repr__(self) -> str:
        return f"<ChildRecord {self.index} {self.name} {self.status}>"

    # -- what Execution reads of a run ---------------------------------------------------------------

    @property
    def index(self) -> int:
        return self.row[0]

    @property
    def status(self) -> str:
        return self.row[1]

    @property
    def input_text(self) -> str | None:
        return self.row[2]

    @property
    def output_text(self) -> str | None:
        return self.row[3]

    @property
    def error(self) -> str | None:
        return self.row[4]

    @property
    def cause(self) -> str | None:
        return self.row[5]

    @property
    def start_time(self) -> float:
        return self.row[6]

    @property
    def stop_time(self) -> float | None:
        return self.row[7]

    @property
    def decisions(self) -> list[Decision]:
        return list(self.row[9])

    @property
    def name(self) -> str:
        if self._name is None:
            self._name = child_name(child_seed(self.map_run.seed, self.index))
        return self._name

    @property
    def execution_arn(self) -> str:
        return self.map_run.child_arn_prefix + self.name

    @property
    def state_machine_arn(self) -> str:
        return self.map_run.child_machine_arn

    @property
    def input(self) -> Any:
        if self._input is _UNREAD:
            self._input = json.loads(self.row[2] or "null")
        return self._input

    @property
    def output(self) -> Any:
        if self._output is _UNREAD:
            text = self.row[3]
            self._output = None if text is None else json.loads(text)
        return self._output

    @property
    def identity(self) -> Identity:
        return self.map_run.child_identity(self.name)

    @property
    def machine(self) -> CompiledMachine:
        return self.map_run.parent.machine

    @property
    def state_machine(self) -> StartableMachine | None:
        return self.map_run.parent.state_machine

    @property
    def history(self) -> History:
        packed = self.row[8]
        if packed is None:
            return History(record=False)
        return History.restored(unpack_history(packed))


class ChildList:
    """A Map Run's finished children, in item order, stored as rows (see the module docstring)."""

    def __init__(self, map_run: MapRun) -> None:
        self._map_run = map_run
        self._rows: list[Row] = []
        self._extras: dict[int, tuple[list[MapRun], list[ExecutionRun], list[UnansweredTask]]] = {}
        """What few children have (rare), by position: the executions they started themselves, the
        Task states nobody answered."""

    def append(self, record: ChildRecord) -> None:
        if record.map_runs or record.nested_runs or record.unanswered:
            self._extras[len(self._rows)] = (record.map_runs, record.nested_runs, record.unanswered)
        self._rows.append(record.row)

    def __len__(self) -> int:
        return len(self._rows)

    def __getitem__(self, position: int) -> ChildRecord:
        extras = self._extras.get(position, (None, None, None))
        return ChildRecord(self._map_run, self._rows[position], *extras)

    def __iter__(self) -> Iterator[ChildRecord]:
        for position in range(len(self._rows)):
            yield self[position]


_UNREAD: Any = object()
