"""Every JSONata failure is States.QueryEvaluationError with a cause in AWS's style, never a traceback.

The issue's probes (``1/0``, ``% 0``, ``$power(10,400)``, ``$fromMillis(1e20)``...) escaped
``execute()`` as Python exceptions that no Catch could handle; runaway evaluations (an endless tail
recursion, a catastrophic regular expression, a result of a hundred million numbers) hung or ran
out of memory. Each is now an evaluation error a ``Catch`` on ``States.ALL`` handles.
"""

from __future__ import annotations

import contextlib
import io
import sys
import threading
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asl_engine import SafetyLimits, StateMachine

PREFIX = "An error occurred while executing the state 'Eval' (entered at the event id #2). "


def _machine(expression: str, *, catch: bool = False) -> StateMachine:
    """A Pass state evaluating ``expression``; with ``catch``, inside a Parallel whose Catch on
    States.ALL hands the error output on as the execution's output."""
    states: dict[str, Any] = {"Eval": {"Type": "Pass", "Output": "{% " + expression + " %}", "End": True}}
    if catch:
        states = {
            "Guard": {
                "Type": "Parallel",
                "Branches": [{"StartAt": "Eval", "States": states}],
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught", "Output": "{% $states.errorOutput %}"}],
                "End": True,
            },
            "Caught": {"Type": "Succeed"},
        }
    start = "Guard" if catch else "Eval"
    return StateMachine.from_json({"QueryLanguage": "JSONata", "StartAt": start, "States": states})


def _cause(expression: str, detail: str) -> str:
    return (
        f"{PREFIX}The JSONata expression '{expression}' specified for the field 'Output' threw an error during "
        f"evaluation. {detail}"
    )


@pytest.mark.parametrize(
    ("expression", "detail"),
    [
        ("1/0", "D1001: Number out of range: Infinity"),
        ("-1/0", "D1001: Number out of range: -Infinity"),
        ("0/0", "D1001: Number out of range: NaN"),
        ("7 % 0", "D1001: Number out of range: NaN"),
        ("1e308 * 10", "D1001: Number out of range: Infinity"),
        (
            "$power(10,400)",
            "D3061: The power function has resulted in a value that cannot be represented as a JSON number: "
            "base=10, exponent=400",
        ),
        (
            "$power(-8, 0.5)",
            "D3061: The power function has resulted in a value that cannot be represented as a JSON number: "
            "base=-8, exponent=0.5",
        ),
        ("$fromMillis(1e20)", "Invalid time value"),
        ("$fromMillis(-1e20)", "Invalid time value"),
        (
            "$toMillis('99999-01-01')",
            'D3110: The argument of the toMillis function must be an ISO 8601 formatted timestamp. Given "99999-01-01"',
        ),
        (
            "$toMillis('2020-13-45')",
            'D3110: The argument of the toMillis function must be an ISO 8601 formatted timestamp. Given "2020-13-45"',
        ),
        ("$number('c-1')", 'D3030: Unable to cast value to a number: "c-1"'),
        ("$number('1e999')", 'D3030: Unable to cast value to a number: "1e999"'),
        ("$number('Infinity')", 'D3030: Unable to cast value to a number: "Infinity"'),
        ("$nosuchfn(1)", "T1006: Attempted to invoke a non-function"),
        ("$string(1/0)", "D1001: Number out of range: Infinity"),
    ],
)
def test_the_issues_expressions_fail_with_jsonatas_errors(expression: str, detail: str) -> None:
    execution = _machine(expression).execute({})
    assert (execution.status, execution.error) == ("FAILED", "States.QueryEvaluationError")
    assert execution.cause == _cause(expression, detail)
    caught = _machine(expression, catch=True).execute({})
    assert caught.status == "SUCCEEDED"
    assert caught.output["Error"] == "States.QueryEvaluationError"
    assert caught.output["Cause"].endswith(f"threw an error during evaluation. {detail}")


def test_arithmetic_follows_javascript() -> None:
    assert _machine("5.5 % 2").execute({}).output == 1.5
    assert _machine("-7 % 3").execute({}).output == -1
    assert _machine("$power(2, 10)").execute({}).output == 1024


def _budget_failure(expression: str, limits: SafetyLimits, input: Any = None) -> str:
    execution = _machine(expression, catch=True).execute(input or {}, limits=limits)
    assert execution.status == "SUCCEEDED", execution.cause
    assert execution.output["Error"] == "States.QueryEvaluationError"
    cause: str = execution.output["Cause"]
    assert cause.startswith("An error occurred while executing the state 'Eval'")
    return cause


def test_an_endless_tail_recursion_ends_at_the_step_budget() -> None:
    cause = _budget_failure("($f := function($n){ $f($n+1) }; $f(0))", SafetyLimits(jsonata_steps=20_000))
    assert "evaluation budget of 20,000 steps" in cause and "SafetyLimits(jsonata_steps=...)" in cause


def test_a_deep_non_tail_recursion_is_a_stack_overflow_error() -> None:
    cause = _budget_failure("($f := function($n){ $n = 0 ? 0 : 1 + $f($n-1) }; $f(100000))", SafetyLimits())
    assert cause.endswith("U1001: Stack overflow error: Check for non-terminating recursive function.")


def test_a_result_too_large_is_an_error_before_memory_runs_out() -> None:
    cause = _budget_failure("[1..10000].([1..10000])", SafetyLimits())
    assert "the result is too large" in cause and "SafetyLimits(jsonata_items=...)" in cause
    padded = _budget_failure("$pad('x', 1e10)", SafetyLimits())
    assert "the result is too large" in padded


@pytest.mark.parametrize(
    "expression",
    [
        "$match($states.input.s, /(a|aa)+b/)",
        "$replace($states.input.s, /(a|aa)+b/, 'x')",
        "$split($states.input.s, /(a|aa)+b/)",
        "$contains($states.input.s, /(a|aa)+b/)",
    ],
)
def test_a_catastrophic_regular_expression_ends_at_the_time_budget(expression: str) -> None:
    cause = _budget_failure(expression, SafetyLimits(jsonata_seconds=0.2), {"s": "a" * 60})
    assert "evaluation time budget of 0.2 seconds" in cause and "SafetyLimits(jsonata_seconds=...)" in cause


def test_regular_expressions_still_match() -> None:
    machine = _machine("$match('ab12cd345', /[0-9]+/).match")
    assert machine.execute({}).output == ["12", "345"]
    assert _machine("$replace('a.b.c', /\\./, '-')").execute({}).output == "a-b-c"
    assert _machine("$split('a1b22c', /[0-9]+/)").execute({}).output == ["a", "b", "c"]
    assert _machine("$contains('Hello', /hello/i)").execute({}).output is True


def test_the_engine_never_swaps_the_hosts_stdout() -> None:
    """50 threads evaluating an unknown function: ``sys.stdout`` stays the host's, nothing is printed."""
    machine = _machine("$exists($states.input.f) ? $nosuchfn(1) : $sum([1..2000])")
    host_stdout = sys.stdout
    seen: list[object] = []
    errors: list[str | None] = []
    printed = io.StringIO()

    def work(index: int) -> None:
        for _ in range(3):
            execution = machine.execute({"f": 1} if index % 2 else {})
            errors.append(execution.error)
            seen.append(sys.stdout)

    with contextlib.redirect_stdout(printed):  # the host's own stream, for this test
        host = sys.stdout
        threads = [threading.Thread(target=work, args=(index,)) for index in range(50)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sys.stdout is host
    assert sys.stdout is host_stdout
    assert all(stream is host for stream in seen)
    assert printed.getvalue() == ""
    assert errors.count("States.QueryEvaluationError") == 75 and errors.count(None) == 75


_EXPRESSIONS = st.sampled_from(
    [
        "{a} / {b}",
        "{a} % {b}",
        "{a} * {b}",
        "$power({a}, {b})",
        "$fromMillis({a})",
        "$toMillis('{s}')",
        "$number('{s}')",
        "$formatBase({a}, {b})",
        "$round({a}, {b})",
        "$substring('{s}', {a}, {b})",
        "$pad('{s}', {a})",
        "$sqrt({a})",
        "$string({a} / {b})",
        "$sort([{a}, '{s}'])",
        "$formatNumber({a}, '#,##0.00')",
        "$formatInteger({a}, 'w')",
        "$split('{s}', '')",
        "[{a}..{b}]",
    ]
)
_NUMBERS = st.sampled_from(
    ["0", "-0", "1", "-1", "0.5", "1e20", "-1e20", "1e308", "-1e308", "9007199254740993", "1e-320"]
)


@settings(max_examples=150, deadline=None)
@given(template=_EXPRESSIONS, a=_NUMBERS, b=_NUMBERS, s=st.text(alphabet="0123456789-:TZe.x ", max_size=12))
def test_property_no_expression_escapes_as_a_python_exception(template: str, a: str, b: str, s: str) -> None:
    expression = template.format(a=a, b=b, s=s)
    execution = _machine(expression, catch=True).execute({}, limits=SafetyLimits(jsonata_steps=100_000))
    assert execution.status == "SUCCEEDED"
    if isinstance(execution.output, dict) and "Error" in execution.output:
        assert execution.output["Error"] in ("States.QueryEvaluationError", "States.DataLimitExceeded")
        assert "Traceback" not in execution.output["Cause"]
