"""Retriers and Catchers, compiled once, and the policy of matching errors against them.

AWS's rules worth knowing (checked against recorded executions):
* retriers are scanned in order and the first whose ErrorEquals covers the error is used; its
  attempt counter is its own and persists across different errors within one state visit; once it
  is exhausted the error goes to the Catchers, later retriers are not consulted;
* ``States.Runtime`` is never retried nor caught, even when named explicitly;
* on a caught error the state's ResultSelector, ResultPath, OutputPath and Assign are skipped; the
  Catcher's own ResultPath merges the error output into the raw input.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from asl_engine.errors import StatesError
from asl_engine.runtime.decisions import Decision
from asl_engine.runtime.failures import RUNTIME, TIMEOUT, TimeoutFailure, error_matches
from asl_engine.runtime.states.base import CompileError

if TYPE_CHECKING:
    from asl_engine.runtime.compiler import CompileContext
    from asl_engine.runtime.dataflow import DataFlow
    from asl_engine.runtime.frame import Frame


MAX_RETRY_INTERVAL_SECONDS = 31_622_400
"""The longest interval between two attempts: ``MaxDelaySeconds``' own maximum (366 days, AWS's
documented bound; a Standard execution lasts at most a year anyway). A growing interval stops there."""


_TABULATED = 8
"""Retries whose delay a Retrier without jitter looks up instead of working out (most have 3)."""


@dataclass(frozen=True, slots=True)
class Retrier:
    error_equals: tuple[str, ...]
    interval_seconds: float = 1.0
    max_attempts: int = 3
    backoff_rate: float = 2.0
    max_delay_seconds: float | None = None
    full_jitter: bool = False
    _cap: float = field(init=False, repr=False, compare=False)
    """The longest delay: ``MaxDelaySeconds``, else ``MAX_RETRY_INTERVAL_SECONDS`` (or ``IntervalSeconds``,
    when that is longer); worked out once, not on every retry."""
    _rate: float = field(init=False, repr=False, compare=False)
    _delays: tuple[float, ...] = field(init=False, repr=False, compare=False)
    """``delay(n)`` for the first retries (``_TABULATED``) of a Retrier without jitter, worked out once."""

    def __post_init__(self) -> None:
        cap = self.max_delay_seconds
        if cap is None:
            cap = max(MAX_RETRY_INTERVAL_SECONDS, self.interval_seconds)
        object.__setattr__(self, "_cap", cap)
        object.__setattr__(self, "_rate", float(self.backoff_rate))
        count = 0 if self.full_jitter else min(self.max_attempts, _TABULATED)
        object.__setattr__(self, "_delays", tuple(self.delay(number, None) for number in range(1, count + 1)))

    def delay(self, retry_number: int, rng: random.Random | None) -> float:
        """Seconds to wait before retry ``retry_number`` (1-based), at most ``MaxDelaySeconds``; without
        it, ``BackoffRate`` grows the interval up to ``MAX_RETRY_INTERVAL_SECONDS`` (or
        ``IntervalSeconds``, when that is longer) and no further."""
        cap = self._cap
        try:
            delay = self.interval_seconds * self._rate ** (retry_number - 1)
        except OverflowError:  # BackoffRate 1e300 on the third retry
            delay = cap
        if not delay <= cap:  # also an infinite product
            delay = cap
        if self.full_jitter:
            assert rng is not None, "a Retrier with full jitter draws from the execution's random source"
            delay = rng.uniform(0.0, delay)
        return delay


def _number(spec: dict[str, Any], field: str, default: float, pointer: str) -> float:
    value = spec.get(field, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise CompileError(f"{pointer}/{field}", f"'{field}' must be a number")
    return float(value)


def _error_equals(spec: dict[str, Any], pointer: str) -> tuple[str, ...]:
    names = spec.get("ErrorEquals")
    if not isinstance(names, list) or not names or not all(isinstance(name, str) for name in names):
        raise CompileError(f"{pointer}/ErrorEquals", "'ErrorEquals' must be a non-empty array of error names")
    return tuple(names)


def compile_retriers(specs: Any, pointer: str) -> tuple[Retrier, ...]:
    if specs is None:
        return ()
    if not isinstance(specs, list):
        raise CompileError(pointer, "'Retry' must be an array of Retriers")
    retriers = []
    for index, spec in enumerate(specs):
        where = f"{pointer}/{index}"
        if not isinstance(spec, dict):
            raise CompileError(where, "A Retrier must be a JSON object")
        max_delay = spec.get("MaxDelaySeconds")
        retriers.append(
            Retrier(
                error_equals=_error_equals(spec, where),
                interval_seconds=_number(spec, "IntervalSeconds", 1, where),
                max_attempts=int(_number(spec, "MaxAttempts", 3, where)),
                backoff_rate=_number(spec, "BackoffRate", 2.0, where),
                max_delay_seconds=None if max_delay is None else _number(spec, "MaxDelaySeconds", 0, where),
                full_jitter=spec.get("JitterStrategy", "NONE") == "FULL",
            )
        )
    return tuple(retriers)


class Catcher:
    """One Catcher; ``handle`` turns the error into the state's output and assigned variables."""

    __slots__ = ("error_equals", "flow", "next_state")

    def __init__(self, error_equals: tuple[str, ...], next_state: str, flow: CatcherFlow) -> None:
        self.error_equals = error_equals
        self.next_state = next_state
        self.flow = flow

    def handle(self, frame: Frame, raw_input: Any, error: StatesError) -> tuple[Any, dict[str, Any] | None]:
        # A failure with no cause shows ``null`` (e.g. SendTaskFailure without fields), except the
        # engine's own timeouts, which show an empty string (both observed on AWS).
        cause = error.cause
        if cause is None and isinstance(error, TimeoutFailure):
            cause = ""
        error_output = {"Error": error.error, "Cause": cause}
        return self.flow.catch_output(frame, raw_input, error_output)


class CatcherFlow:
    """The data processing of a Catcher; JSONPath and JSONata implementations differ."""

    def catch_output(
        self, frame: Frame, raw_input: Any, error_output: dict[str, Any]
    ) -> tuple[Any, dict[str, Any] | None]:
        raise NotImplementedError


def compile_catchers(
    specs: Any, pointer: str, context: CompileContext, state_flow: DataFlow, query_language: str
) -> tuple[Catcher, ...]:
    if specs is None:
        return ()
    if not isinstance(specs, list):
        raise CompileError(pointer, "'Catch' must be an array of Catchers")
    catchers = []
    for index, spec in enumerate(specs):
        where = f"{pointer}/{index}"
        if not isinstance(spec, dict):
            raise CompileError(where, "A Catcher must be a JSON object")
        next_state = spec.get("Next")
        if not isinstance(next_state, str):
            raise CompileError(f"{where}/Next", "A Catcher needs a 'Next' state name")
        flow = context.catcher_flow(spec, where, query_language)
        catchers.append(Catcher(_error_equals(spec, where), next_state, flow))
    return tuple(catchers)


class RetryPolicy:
    """The Retry and Catch of one state, and the per-visit attempt counters."""

    __slots__ = ("_first_retrier", "_other_retrier", "catchers", "retriers")

    def __init__(self, retriers: tuple[Retrier, ...], catchers: tuple[Catcher, ...]) -> None:
        self.retriers = retriers
        self.catchers = catchers
        # The first Retrier covering a plain ``StatesError``, which depends on its name alone: worked out
        # once for each name a Retrier lists (and ``States.Timeout``, which ``States.TaskFailed`` does
        # not cover), and once for every other name (-1: none).
        names = {name for retrier in retriers for name in retrier.error_equals} | {TIMEOUT}
        self._first_retrier: dict[str | None, int] = {name: self._scan(StatesError(name, None)) for name in names}
        self._first_retrier[RUNTIME] = -1
        self._other_retrier = self._scan(StatesError(None, None))

    def _scan(self, error: StatesError) -> int:
        """The index of the first Retrier whose ErrorEquals covers ``error`` (-1: none)."""
        for index, retrier in enumerate(self.retriers):
            if error_matches(error, retrier.error_equals):
                return index
        return -1

    def next_retry(self, error: StatesError, attempts: list[int], frame: Frame) -> tuple[int, float] | None:
        """The retrier to use and the delay before retrying, or None when the error goes to the catchers.

        ``attempts`` holds one counter per retrier for the current state visit (mutated here). The
        frame's random source is asked for only by a retrier with full jitter (an execution without
        a seed then makes one: most never need it). A plain ``StatesError`` (a mock's answer, a
        function's failure) finds its Retrier by its name in the table made with the policy; a
        subclass (a heartbeat timeout answers to ``States.HeartbeatTimeout`` too) is matched in order.
        """
        name = error.error
        if type(error) is StatesError:
            index = self._first_retrier.get(name, self._other_retrier)
        elif name == RUNTIME:
            return None
        else:
            index = self._scan(error)
        if index < 0:
            return None
        retrier = self.retriers[index]
        count = attempts[index]
        if count >= retrier.max_attempts:
            return None
        attempts[index] = count = count + 1
        delays = retrier._delays
        if count <= len(delays):
            return index, delays[count - 1]
        return index, retrier.delay(count, frame.random if retrier.full_jitter else None)

    def retry_decisions(self, state: str) -> dict[str | None, Decision]:
        """The decision of a retry of ``state`` for a plain ``StatesError`` of each name a Retrier lists
        (``next_retry``'s table; a name no Retrier covers has none): made once per compiled state, so a
        retry of a name listed (most are) appends this one instead of a new one."""
        return {
            name: Decision("retry", state, index, name)
            for name, index in self._first_retrier.items()
            if name is not None and index >= 0
        }

    def catcher_for(self, error: StatesError) -> Catcher | None:
        if error.error == RUNTIME:
            return None
        for catcher in self.catchers:
            if error_matches(error, catcher.error_equals):
                return catcher
        return None
