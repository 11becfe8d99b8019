"""Assertions about an execution that read like the question being asked.

Each one fails with an ``AssertionError`` that states the expectation, what happened instead, and
the path the execution took as a short listing::

    assert_caught(execution, "Charge", error="Payment.Declined", by="Refund")

    AssertionError: expected state 'Charge' to catch Payment.Declined (Catcher → Refund),
    but 'Charge' caught nothing: it succeeded on its first attempt
    what happened:
        Validate
        Charge
        Ship
        execution SUCCEEDED with output {"shipped": true}
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from asl_engine.testing.json_diff import json_differences, json_equal
from asl_engine.testing.listing import describe_execution, short_json
from asl_engine.testing.trace import UNKNOWN, ExecutionTrace, StateVisit, describe_error

if TYPE_CHECKING:
    from asl_engine.execution import Execution


class _Missing:
    def __repr__(self) -> str:
        return "<not given>"


MISSING: Any = _Missing()

__all__ = [
    "assert_caught",
    "assert_entered",
    "assert_failed",
    "assert_not_entered",
    "assert_output",
    "assert_path",
    "assert_path_contains",
    "assert_retried",
    "assert_state_input",
    "assert_state_output",
    "assert_status",
    "assert_succeeded",
    "json_equal",
]


def _fail(message: str, execution: Execution, trace: ExecutionTrace | None = None) -> AssertionError:
    advice = execution.advice if execution.status != "SUCCEEDED" else None
    hint = f"\nhow to answer the tasks nothing answered:\n{advice}" if advice else ""
    return AssertionError(f"{message}\nwhat happened:\n{describe_execution(execution, trace)}{hint}")


def _arrows(names: Sequence[str]) -> str:
    return " → ".join(names) if names else "(no state)"


# -- outcome -------------------------------------------------------------------------------------------


def assert_status(execution: Execution, status: str) -> None:
    """The execution ended with ``status`` (SUCCEEDED, FAILED, TIMED_OUT, ABORTED)."""
    __tracebackhide__ = True
    if execution.status != status:
        raise _fail(f"expected the execution to end {status}, but it ended {execution.status}", execution)


def assert_succeeded(execution: Execution, output: Any = MISSING) -> None:
    """The execution succeeded (with ``output``, when given)."""
    __tracebackhide__ = True
    if execution.status != "SUCCEEDED":
        raise _fail(f"expected the execution to succeed, but it ended {execution.status}", execution)
    if output is not MISSING:
        assert_output(execution, output)


def assert_failed(execution: Execution, error: str | None = MISSING, cause: str | None = MISSING) -> None:
    """The execution failed (with this ``error`` and ``cause``, when given)."""
    __tracebackhide__ = True
    wanted = "fail" + (f" with {error}" if error is not MISSING else "")
    if execution.status != "FAILED":
        raise _fail(f"expected the execution to {wanted}, but it ended {execution.status}", execution)
    if error is not MISSING and execution.error != error:
        raise _fail(f"expected the execution to fail with {error}, but it failed with {execution.error}", execution)
    if cause is not MISSING and execution.cause != cause:
        raise _fail(
            f"expected the execution to fail with the cause {cause!r},\nbut the cause was {execution.cause!r}",
            execution,
        )


def assert_output(execution: Execution, expected: Any) -> None:
    """The execution's output equals ``expected`` (compared as JSON: ``True`` is not ``1``)."""
    __tracebackhide__ = True
    if execution.status != "SUCCEEDED":
        raise _fail(
            f"expected the execution to output {short_json(expected)}, but it ended {execution.status}", execution
        )
    if not json_equal(expected, execution.output):
        raise _fail(
            f"expected the execution to output {short_json(expected)},\n"
            f"but it output                    {short_json(execution.output)}\n"
            f"{_differences(expected, execution.output)}",
            execution,
        )


# -- path --------------------------------------------------------------------------------------------


def assert_path(execution: Execution, expected: Sequence[str]) -> None:
    """The states entered, in history order, are exactly ``expected``."""
    __tracebackhide__ = True
    actual = execution.states_entered
    if list(actual) == list(expected):
        return
    step = next((i for i, (a, b) in enumerate(zip(expected, actual, strict=False)) if a != b), None)
    if step is not None:
        detail = f"first difference at step {step + 1}: expected {expected[step]}, got {actual[step]}"
    elif len(actual) < len(expected):
        detail = f"it stopped after step {len(actual)}; missing: {_arrows(expected[len(actual) :])}"
    else:
        detail = f"it went on after step {len(expected)}: {_arrows(actual[len(expected) :])}"
    raise _fail(
        f"expected the execution to enter exactly: {_arrows(expected)}\n"
        f"but it entered:                          {_arrows(actual)}\n{detail}",
        execution,
    )


def assert_path_contains(execution: Execution, expected: Sequence[str]) -> None:
    """The states entered include ``expected`` in this order (other states may come in between)."""
    __tracebackhide__ = True
    actual = execution.states_entered
    position = 0
    matched = 0
    for name in expected:
        try:
            position = actual.index(name, position) + 1
        except ValueError:
            break
        matched += 1
    if matched == len(expected):
        return
    missing = expected[matched]
    if missing in actual:
        detail = f"{missing} was entered, but not after {expected[matched - 1]}" if matched else ""
    else:
        detail = f"{missing} was never entered"
    raise _fail(
        f"expected the execution to pass through, in order: {_arrows(expected)}\n"
        f"but {detail or f'{missing} was not found in order'}; it entered: {_arrows(actual)}",
        execution,
    )


def assert_entered(execution: Execution, state: str, times: int | None = None) -> None:
    """``state`` was entered (exactly ``times`` times, when given)."""
    __tracebackhide__ = True
    count = execution.states_entered.count(state)
    if times is None and count == 0:
        raise _fail(f"expected the execution to enter '{state}', but it never did", execution)
    if times is not None and count != times:
        raise _fail(f"expected '{state}' to be entered {_times(times)}, but it was entered {_times(count)}", execution)


def assert_not_entered(execution: Execution, state: str) -> None:
    __tracebackhide__ = True
    count = execution.states_entered.count(state)
    if count:
        raise _fail(f"expected the execution never to enter '{state}', but it entered it {_times(count)}", execution)


# -- retries and catches ---------------------------------------------------------------------------------


def assert_retried(execution: Execution, state: str, times: int) -> None:
    """``state`` was retried ``times`` times in all (over all its visits; 0 means it never was)."""
    __tracebackhide__ = True
    trace = ExecutionTrace.of(execution)
    visits = _visits(execution, trace, state)
    retries = sum(visit.retries for visit in visits)
    if retries == times:
        return
    attempts = "; ".join(_visit_label(visit, i, len(visits)) + _attempts(visit) for i, visit in enumerate(visits))
    raise _fail(
        f"expected '{state}' to be retried {_times(times)}, but it was retried {_times(retries)} ({attempts})",
        execution,
        trace,
    )


def assert_caught(execution: Execution, state: str, error: str | None = MISSING, by: str | int = MISSING) -> None:
    """An error of ``state`` was caught (this ``error``, by the Catcher going to ``by`` or of index ``by``)."""
    __tracebackhide__ = True
    trace = ExecutionTrace.of(execution)
    visits = _visits(execution, trace, state)
    wanted = f"expected state '{state}' to catch {error if error is not MISSING else 'an error'}"
    if by is not MISSING:
        wanted += f" (Catcher #{by})" if isinstance(by, int) else f" (Catcher → {by})"
    caught = [visit for visit in visits if visit.caught]
    if not caught:
        outcomes = "; ".join(_visit_label(v, i, len(visits)) + _outcome(v) for i, v in enumerate(visits))
        raise _fail(f"{wanted},\nbut '{state}' caught nothing: {outcomes}", execution, trace)
    for visit in caught:
        if error is not MISSING and visit.caught_error is not UNKNOWN and visit.caught_error != error:
            continue
        if by is MISSING:
            return
        if isinstance(by, int) and trace.catcher_used(visit) == by:
            return
        if isinstance(by, str) and visit.next_state == by:
            return
    seen = "; ".join(
        f"caught {describe_error(v.caught_error)} with Catcher #{trace.catcher_used(v)} → {v.next_state}"
        if trace.catcher_used(v) is not None
        else f"caught {describe_error(v.caught_error)} → {v.next_state}"
        for v in caught
    )
    raise _fail(f"{wanted},\nbut it {seen}", execution, trace)


# -- a state's data ---------------------------------------------------------------------------------------


def assert_state_input(execution: Execution, state: str, expected: Any, *, visit: int | None = None) -> None:
    """``state`` was entered with ``expected`` as its input (of its ``visit``-th entry, when entered often)."""
    __tracebackhide__ = True
    trace = ExecutionTrace.of(execution)
    chosen = _one_visit(execution, trace, state, visit, "input")
    if not json_equal(expected, chosen.input):
        raise _fail(
            f"expected '{state}' to receive {short_json(expected)},\n"
            f"but it received          {short_json(chosen.input)}\n{_differences(expected, chosen.input)}",
            execution,
            trace,
        )


def assert_state_output(execution: Execution, state: str, expected: Any, *, visit: int | None = None) -> None:
    """``state`` exited with ``expected`` as its output (of its ``visit``-th entry, when entered often)."""
    __tracebackhide__ = True
    trace = ExecutionTrace.of(execution)
    chosen = _one_visit(execution, trace, state, visit, "output")
    if chosen.exited is None:
        raise _fail(f"expected '{state}' to output {short_json(expected)}, but it never exited", execution, trace)
    if not json_equal(expected, chosen.output):
        raise _fail(
            f"expected '{state}' to output {short_json(expected)},\n"
            f"but it output          {short_json(chosen.output)}\n{_differences(expected, chosen.output)}",
            execution,
            trace,
        )


# -- helpers -----------------------------------------------------------------------------------------------


def _visits(execution: Execution, trace: ExecutionTrace, state: str) -> list[StateVisit]:
    visits = trace.visits_of(state)
    if not visits:
        raise _fail(
            f"expected the execution to enter '{state}', but it never did{_no_such_state(trace, state)}",
            execution,
            trace,
        )
    return visits


def _no_such_state(trace: ExecutionTrace, state: str) -> str:
    if trace.machine is None or state in trace.machine.all_states:
        return ""
    close = difflib.get_close_matches(state, list(trace.machine.all_states), n=1)
    return f" (the definition has no state '{state}'" + (f"; did you mean '{close[0]}'?)" if close else ")")


def _one_visit(execution: Execution, trace: ExecutionTrace, state: str, visit: int | None, what: str) -> StateVisit:
    __tracebackhide__ = True
    visits = _visits(execution, trace, state)
    if visit is None:
        if len(visits) == 1:
            return visits[0]
        values = "\n".join(
            f"    visit={i}: {short_json(v.input if what == 'input' else v.output)}" for i, v in enumerate(visits)
        )
        raise _fail(
            f"'{state}' was entered {_times(len(visits))}: say which entry to check with visit=N\n"
            f"its {what}s were:\n{values}",
            execution,
            trace,
        )
    if not -len(visits) <= visit < len(visits):
        raise _fail(
            f"asked for visit={visit} of '{state}', but it was entered only {_times(len(visits))}", execution, trace
        )
    return visits[visit]


def _times(count: int) -> str:
    return {0: "0 times", 1: "once", 2: "twice"}.get(count, f"{count} times")


def _visit_label(visit: StateVisit, index: int, count: int) -> str:
    if count == 1:
        return ""
    return f"[#{visit.iteration}] " if visit.iteration is not None else f"visit {index}: "


def _attempts(visit: StateVisit) -> str:
    if visit.attempts == 0:
        return "it made no attempt"
    if not visit.retries:
        if visit.exited is not None and not visit.caught:
            return "it succeeded on its first attempt"
        return f"its only attempt failed with {describe_error(visit.failure)}"
    errors = ", ".join(describe_error(error) for error in visit.attempt_errors)
    return f"{visit.attempts} attempts, retried after {errors}"


def _outcome(visit: StateVisit) -> str:
    if visit.exited is not None:
        return (
            "it succeeded"
            + (f" after {_times(visit.retries)} retried" if visit.retries else "")
            + (f" and went on to {visit.next_state}" if visit.next_state else "")
        )
    if visit.failure is not None:
        return f"it failed with {describe_error(visit.failure)}, which no Catcher took"
    return "it did not finish"


def _differences(expected: Any, actual: Any) -> str:
    """Every difference, on one line in parentheses: ``(at /a: expected 1, got 2; at /b: missing (...))``."""
    return "(" + "; ".join(json_differences(expected, actual)) + ")"
