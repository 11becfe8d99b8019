"""Finished child executions as a Map Run keeps them: small, whatever ran them.

A Map Run over a million items keeps a million children (``Execution.child_executions`` lists
them), so a finished child is reduced to what describes it: its name, input, status, output or
error, times, decisions and history. The history stays packed (compressed rows) when it came from
another process, and is unpacked only when read. Identity, machine and state machine are the Map
Run's, computed when asked. ``Execution`` reads a record as it reads a running ``ExecutionRun``.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from asl_engine.runtime.decisions import Decision
from asl_engine.runtime.history import History
from asl_engine.runtime.map_run.child import unpack_history
from asl_engine.runtime.map_run.executor import ChildReport

if TYPE_CHECKING:
    from asl_engine.runtime.compiler import CompiledMachine
    from asl_engine.runtime.run import ExecutionRun, Identity, MapRun
    from asl_engine.runtime.starter import StartableMachine

ABORTED = "ABORTED"
_UNSET: Any = object()


class ChildRecord:
    """One finished (or aborted) child execution of a Map Run.

    Input and output are kept as given: values, or JSON text (what came back from another process,
    and what the result files need), parsed only when read.
    """

    __slots__ = (
        "_history",
        "_input",
        "_map_runs",
        "_nested_runs",
        "_output",
        "cause",
        "decisions",
        "error",
        "index",
        "input_text",
        "map_run",
        "name",
        "output_text",
        "start_time",
        "status",
        "stop_time",
    )

    def __init__(
        self,
        map_run: MapRun,
        index: int,
        name: str,
        input_value: Any,
        status: str,
        *,
        input_text: str | None = None,
        output: Any = _UNSET,
        output_text: str | None = None,
        error: str | None = None,
        cause: str | None = None,
        start_time: float,
        stop_time: float | None,
        history: History | bytes | None = None,
        decisions: list[Decision] | tuple[Decision, ...] = (),
    ) -> None:
        self.map_run = map_run
        self.index = index
        self.name = name
        self._input = input_value
        self.input_text = input_text
        self.status = status
        self._output = output
        self.output_text = output_text
        self.error = error
        self.cause = cause
        self.start_time = start_time
        self.stop_time = stop_time
        self._history = history
        self.decisions = list(decisions) if decisions else []
        self._map_runs: list[MapRun] | None = None
        self._nested_runs: list[ExecutionRun] | None = None

    @classmethod
    def of_report(cls, map_run: MapRun, report: ChildReport, name: str, input_value: Any) -> ChildRecord:
        """The record of a reported child; ``input_value`` is dropped when its text came back."""
        run = report.run
        if run is None:
            return cls(
                map_run, report.index, name, _UNSET if report.input_text is not None else input_value,
                report.status, input_text=report.input_text,
                output=_UNSET if report.output_text is not None else report.output, output_text=report.output_text,
                error=report.error, cause=report.cause, start_time=report.start_time, stop_time=report.stop_time,
                history=report.history, decisions=report.decisions,
            )  # fmt: skip
        record = cls(
            map_run, report.index, name, input_value, report.status, input_text=report.input_text,
            output=run.output, output_text=report.output_text, error=run.error, cause=run.cause,
            start_time=run.start_time, stop_time=report.stop_time,
            history=run.history if run.history.record else None, decisions=run.decisions,
        )  # fmt: skip
        if run.map_runs:
            record._map_runs = run.map_runs
        if run.nested_runs:
            record._nested_runs = run.nested_runs
        return record

    @classmethod
    def aborted(
        cls, map_run: MapRun, index: int, name: str, input_value: Any, start: float, stop: float
    ) -> ChildRecord:
        """A child stopped on an executor that could not say how far it got (no history)."""
        return cls(map_run, index, name, input_value, ABORTED, output=None, start_time=start, stop_time=stop)

    @property
    def input(self) -> Any:
        if self._input is _UNSET:
            self._input = json.loads(self.input_text or "null")
        return self._input

    @property
    def output(self) -> Any:
        if self._output is _UNSET:
            self._output = None if self.output_text is None else json.loads(self.output_text)
        return self._output

    def __repr__(self) -> str:
        return f"<ChildRecord {self.index} {self.name} {self.status}>"

    # -- what Execution reads of a run ---------------------------------------------------------------

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
        packed = self._history
        if isinstance(packed, History):
            return packed
        if packed is None:
            return History(record=False)
        rows = unpack_history(packed)
        return History.restored(rows)

    @property
    def map_runs(self) -> list[MapRun]:
        return self._map_runs or []

    @property
    def nested_runs(self) -> list[ExecutionRun]:
        return self._nested_runs or []
