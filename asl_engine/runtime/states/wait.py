"""Wait: delays for a number of seconds or until a timestamp, in the clock's time."""

from __future__ import annotations

import math
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

from asl_engine.definition.vocabulary import JSONPATH
from asl_engine.language.errors import PathNotFoundError
from asl_engine.language.template import to_json
from asl_engine.language.timestamps import parse_timestamp
from asl_engine.runtime import failures
from asl_engine.runtime.dataflow import JsonPathFlow, compile_optional_path
from asl_engine.runtime.scheduler import Cancelled
from asl_engine.runtime.states.base import CompileError, StateNode, Transition

if TYPE_CHECKING:
    from asl_engine.runtime.compiler import CompileContext
    from asl_engine.runtime.frame import Frame

# AWS refuses delays beyond 24,855 days from now (observed: 24855 accepted, 24856 rejected).
MAX_DELAY_SECONDS = 24_855 * 86_400

WaitUntil = Callable[["Frame", Any, Any], float]
"""(frame, raw input, selected input) -> the epoch time to wait until."""


def _render(value: Any) -> str:
    return value if isinstance(value, str) else to_json(value)


class WaitState(StateNode):
    state_type = "Wait"
    aborted_type = "WaitStateAborted"
    blocking = True
    __slots__ = ("plain_seconds", "wait_until")

    def __init__(self, name: str, spec: dict[str, Any], pointer: str, context: CompileContext) -> None:
        super().__init__(name, spec, pointer, context)
        self.wait_until: WaitUntil = context.wait_source(spec, pointer, self.query_language)
        flow = self.flow
        seconds = spec.get("Seconds")
        plain = type(flow) is JsonPathFlow and flow.passes_input and flow.result_is_output
        self.plain_seconds: int | None = (
            seconds
            if plain and self.query_language == JSONPATH and type(seconds) is int and 0 <= seconds <= MAX_DELAY_SECONDS
            else None
        )
        """A JSONPath Wait of a fixed number of ``Seconds`` with neither InputPath, OutputPath nor Assign
        (its output is its input; its delay is within AWS's bound): ``run_directly`` needs none of
        ``_due``'s steps and no ``flow.finish``."""

    async def run_async(self, frame: Frame, raw_input: Any) -> Transition:
        selected, when = self._due(frame, raw_input)
        try:
            await frame.run.scheduler.sleep_until(when)
        except Cancelled as cancelled:
            frame.run.record_aborted(frame, self.aborted_type, cancelled)
            raise
        output, assigned = self.flow.finish(frame, raw_input, selected)
        self.exit(frame, output, assigned)
        return output, self.next_state

    def run_directly(self, frame: Frame, raw_input: Any) -> Transition | Coroutine[Any, Any, Transition]:
        """``run_async`` as plain calls: the wait is a jump of a clock nobody else needs
        (``ExecutionRun.jump_alone``), else the coroutine that waits (``runtime/direct.py``)."""
        seconds = self.plain_seconds
        if seconds is not None:  # ``_due``, ``jump_alone`` and ``finish`` for a plain fixed delay
            when = frame.entered_time + seconds
            run = frame.run
            alone = run.alone
            if not (alone.jump_undriven(when) if alone is not None else run.jump_alone(when)):
                return self._waited(frame, raw_input, raw_input, when)
            self.exit(frame, raw_input, None)
            return raw_input, self.next_state
        selected, when = self._due(frame, raw_input)
        if not frame.run.jump_alone(when):
            return self._waited(frame, raw_input, selected, when)
        output, assigned = self.flow.finish(frame, raw_input, selected)
        self.exit(frame, output, assigned)
        return output, self.next_state

    async def _waited(self, frame: Frame, raw_input: Any, selected: Any, when: float) -> Transition:
        """``run_async`` from its timer on."""
        try:
            await frame.run.scheduler.sleep_until(when)
        except Cancelled as cancelled:
            frame.run.record_aborted(frame, self.aborted_type, cancelled)
            raise
        output, assigned = self.flow.finish(frame, raw_input, selected)
        self.exit(frame, output, assigned)
        return output, self.next_state

    def _due(self, frame: Frame, raw_input: Any) -> tuple[Any, float]:
        """The InputPath's selection and when the wait ends (a delay beyond AWS's bound fails)."""
        selected = self.flow.selected_input(frame, raw_input)
        when = self.wait_until(frame, raw_input, selected)
        if when - frame.run.clock.now() > MAX_DELAY_SECONDS:
            raise failures.runtime_error(frame, "Wait state delay is too long.")
        return selected, when


def jsonpath_wait_source(spec: dict[str, Any], pointer: str) -> WaitUntil:
    """Seconds | SecondsPath | Timestamp | TimestampPath, with AWS's error texts for bad values."""
    if "Seconds" in spec:
        seconds = spec["Seconds"]
        if isinstance(seconds, bool) or not isinstance(seconds, int) or seconds < 0:
            raise CompileError(f"{pointer}/Seconds", "'Seconds' must be a non-negative integer")
        return lambda frame, raw, selected: frame.entered_time + seconds
    if "Timestamp" in spec:
        instant = parse_timestamp(spec["Timestamp"])
        if instant is None:
            raise CompileError(f"{pointer}/Timestamp", "String does not match RFC3339 timestamp")
        epoch = instant.epoch
        return lambda frame, raw, selected: epoch
    if "SecondsPath" in spec:
        path = compile_optional_path(spec, "SecondsPath", pointer, reference=True)

        def seconds_from_path(frame: Frame, raw: Any, selected: Any) -> float:
            value = _read(frame, path, selected, "SecondsPath")
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or (isinstance(value, float) and not (math.isfinite(value) and value.is_integer()))
            ):
                raise failures.runtime_error(
                    frame,
                    f"The SecondsPath parameter cannot be parsed as a long value: {path.text} == {_render(value)}",
                )
            if value < 0:
                raise failures.runtime_error(
                    frame, f"The SecondsPath parameter references a negative value: {path.text} == {_render(value)}"
                )
            return frame.entered_time + int(value)

        return seconds_from_path
    if "TimestampPath" in spec:
        path = compile_optional_path(spec, "TimestampPath", pointer, reference=True)

        def timestamp_from_path(frame: Frame, raw: Any, selected: Any) -> float:
            value = _read(frame, path, selected, "TimestampPath")
            instant = parse_timestamp(value)
            if instant is None:
                raise failures.runtime_error(
                    frame,
                    "The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time "
                    f"format string: {path.text} == {_render(value)}",
                )
            return instant.epoch

        return timestamp_from_path
    raise CompileError(pointer, "A Wait state needs exactly one of Seconds, SecondsPath, Timestamp, TimestampPath")


def _read(frame: Frame, path: Any, selected: Any, field: str) -> Any:
    try:
        return path.get(selected, frame)
    except PathNotFoundError:
        raise failures.runtime_error(
            frame, f"The {field} parameter does not reference an input value: {path.text}"
        ) from None
