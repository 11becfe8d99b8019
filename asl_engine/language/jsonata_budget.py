"""How much one JSONata evaluation may do: steps, time, values produced, regular-expression time.

An expression is user input, and JSONata is a full language: ``($f := function($n){ $f($n+1) };
$f(0))`` never ends (jsonata-python turns the tail call into a loop, so no stack overflow stops it),
``[1..10000].([1..10000])`` builds a hundred million numbers, and ``$match(s, /(a|aa)+b/)`` on a
few dozen characters backtracks for minutes. AWS ends such evaluations by its own means (the
Express five minutes, a worker's memory); an engine running in a test or a developer's terminal
must end them itself, with a clear error, long before the machine suffers.

Every evaluation gets a fresh ``Meter`` holding an ``EvaluationBudget``:

* ``steps``: evaluation steps (one per node of the expression each time it is evaluated);
* ``seconds``: wall-clock time, checked every few hundred steps and given to every regular
  expression as its timeout (the ``regex`` module interrupts a backtracking match);
* ``items``: array elements and string characters (by the 16) the evaluation produces, summed
  over its intermediate results: a bound on memory, met long before the process runs out;
* ``deadline``: a moment (epoch seconds of the real clock) after which evaluation stops at once,
  the execution's own timeout, so that a long evaluation never outlives ``TimeoutSeconds``.

Exceeding one raises ``BudgetExceeded``, reported as ``States.QueryEvaluationError`` with a cause
that names the budget and how to raise it. The hooks are jsonata-python's evaluation entry and
exit callbacks, bound per evaluation (never on the shared compiled expression), so concurrent
evaluations of one expression each count their own.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Final

import regex
from jsonata.regex_engine import RegexFlags

_CHECK_TIME_EVERY: Final = 256
"""Steps between two looks at the clock (a clock read costs more than a step's bookkeeping)."""


@dataclass(frozen=True, slots=True)
class EvaluationBudget:
    """The most one JSONata evaluation may do (see the module's documentation)."""

    steps: int = 2_000_000
    seconds: float = 20.0
    items: int = 5_000_000
    deadline: float | None = None
    """Epoch seconds after which the evaluation stops (the execution's TimeoutSeconds, real clock)."""

    def until(self, deadline: float | None) -> EvaluationBudget:
        """This budget, also stopping at ``deadline`` (None: no deadline)."""
        if deadline == self.deadline:
            return self
        return EvaluationBudget(self.steps, self.seconds, self.items, deadline)


DEFAULT_BUDGET: Final = EvaluationBudget()


class BudgetExceeded(Exception):
    """An evaluation went over its budget; the message says which and how to raise it."""


class DeadlineReached(BaseException):
    """The execution's deadline passed during an evaluation: not an expression error (a Catch must
    not see it) but the end of the execution, which the runtime reports as timed out."""


class Meter:
    """The running count of one evaluation against its budget."""

    __slots__ = ("budget", "ends_at", "items", "steps", "stop_at")

    def __init__(self, budget: EvaluationBudget) -> None:
        self.budget = budget
        self.steps = 0
        self.items = 0
        started = time.time()
        self.ends_at = started + budget.seconds
        self.stop_at = min(self.ends_at, budget.deadline) if budget.deadline is not None else self.ends_at

    def on_entry(self, expr: Any, input: Any, environment: Any) -> None:
        """jsonata-python's ``__evaluate_entry`` callback: one step."""
        steps = self.steps = self.steps + 1
        if steps > self.budget.steps:
            raise BudgetExceeded(
                f"The expression did not finish within asl-engine's evaluation budget of {self.budget.steps:,} "
                "steps (an endless recursion?). Raise it with SafetyLimits(jsonata_steps=...)."
            )
        if steps % _CHECK_TIME_EVERY == 0:
            self._check_time()

    def on_exit(self, expr: Any, input: Any, environment: Any, result: Any) -> None:
        """jsonata-python's ``__evaluate_exit`` callback: count what the step produced."""
        if type(result) is str or isinstance(result, list):
            self.charge(len(result) if type(result) is not str else len(result) >> 4)

    def charge(self, items: int) -> None:
        total = self.items = self.items + items
        if total > self.budget.items:
            raise BudgetExceeded(
                f"The expression produced more than asl-engine's evaluation budget of {self.budget.items:,} values "
                "(array items, and string characters by the 16): the result is too large. Raise it with "
                "SafetyLimits(jsonata_items=...)."
            )

    def remaining_seconds(self) -> float:
        """Time left, for a regular expression's timeout (raises when none is left)."""
        self._check_time()
        return max(self.stop_at - time.time(), 0.001)

    def _check_time(self) -> None:
        now = time.time()
        if now < self.stop_at:
            return
        if self.budget.deadline is not None and now >= self.budget.deadline:
            raise DeadlineReached()
        raise BudgetExceeded(self.time_message())

    def time_message(self) -> str:
        return (
            f"The expression did not finish within asl-engine's evaluation time budget of {self.budget.seconds:g} "
            "seconds (an endless loop, or a regular expression that backtracks catastrophically?). Raise it with "
            "SafetyLimits(jsonata_seconds=...)."
        )


_meter: ContextVar[Meter | None] = ContextVar("asl_jsonata_meter", default=None)


def current_meter() -> Meter | None:
    return _meter.get()


def metering(meter: Meter) -> Callable[[], None]:
    """Make ``meter`` the current evaluation's; call the returned function to undo."""
    token = _meter.set(meter)
    return lambda: _meter.reset(token)


# -- regular expressions -------------------------------------------------------------------------


class TimedPattern:
    """A compiled regular expression whose every match runs under the current evaluation's time
    budget: the ``regex`` module interrupts a backtracking match when its timeout passes."""

    __slots__ = ("_pattern", "pattern")

    def __init__(self, pattern: regex.Pattern[str], source: str) -> None:
        self._pattern = pattern
        self.pattern = source

    def search(self, string: str, pos: int | None = None, endpos: int | None = None) -> Any:
        return self._pattern.search(string, pos, endpos, timeout=_timeout())

    def match(self, string: str, pos: int | None = None, endpos: int | None = None) -> Any:
        return self._pattern.match(string, pos, endpos, timeout=_timeout())

    def fullmatch(self, string: str, pos: int | None = None, endpos: int | None = None) -> Any:
        return self._pattern.fullmatch(string, pos, endpos, timeout=_timeout())

    def finditer(self, string: str, pos: int | None = None, endpos: int | None = None) -> Iterator[Any]:
        found: Iterator[Any] = self._pattern.finditer(string, pos, endpos, timeout=_timeout())
        return found

    def sub(self, repl: Any, string: str, count: int = 0) -> str:
        replaced: str = self._pattern.sub(repl, string, count, timeout=_timeout())
        return replaced

    def split(self, string: str, maxsplit: int = 0) -> list[str]:
        parts: list[str] = self._pattern.split(string, maxsplit, timeout=_timeout())
        return parts

    def __repr__(self) -> str:
        return f"TimedPattern({self.pattern!r})"


def _timeout() -> float:
    meter = _meter.get()
    return DEFAULT_BUDGET.seconds if meter is None else meter.remaining_seconds()


def timed_regex_engine(pattern: str, flags: RegexFlags) -> TimedPattern:
    """jsonata-python's pluggable regex engine: the ``regex`` module (``re``-compatible syntax)."""
    options = regex.VERSION0
    if flags.case_insensitive:
        options |= regex.IGNORECASE
    if flags.multiline:
        options |= regex.MULTILINE
    return TimedPattern(regex.compile(pattern, options), pattern)
