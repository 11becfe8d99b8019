"""What the pytest plugin's fixtures and a small execution add to a test suite (issue 20).

``python -m benchmarks.pytest_overhead [--tests N] [--runs R]`` writes two test files of N tests
each (1,000 by default) into a temporary directory and runs pytest on each, R times (3 by default),
alternating, in fresh processes:

* ``test_executions.py``: every test loads a three-state machine (a mocked Task, a Choice, a
  Succeed) through ``asl_machine``, mocks its Task with ``asl_mocks`` and executes it with
  ``asl_env``, then checks the output;
* ``test_empty.py``: the same number of tests, each ``pass``.

Processes run with bytecode caches, as an installed package does (``benchmarks/processes.py``),
after one untimed run that writes them. It prints the median of each and the difference. Target:
the difference under 2 s for 1,000 tests (2 ms per test for the fixtures, the load and the
execution). The exit status is 1 when it is missed.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from time import perf_counter

from benchmarks.processes import compiled_environment

GOAL_S = 2.0

MACHINE = {
    "StartAt": "Charge",
    "States": {
        "Charge": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "charge", "Payload.$": "$"},
            "ResultSelector": {"paid.$": "$.Payload.paid"},
            "ResultPath": "$.charge",
            "Next": "Paid?",
        },
        "Paid?": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.charge.paid", "BooleanEquals": True, "Next": "Done"}],
            "Default": "Done",
        },
        "Done": {"Type": "Succeed"},
    },
}

EXECUTING_TEST = """
def test_order_{index}(asl_machine, asl_env, asl_mocks):
    machine = asl_machine("order.asl.json")
    asl_mocks.returns("Charge", {{"Payload": {{"paid": True}}}})
    execution = asl_env.execute(machine, {{"order": {index}}})
    assert execution.output == {{"order": {index}, "charge": {{"paid": True}}}}
"""

EMPTY_TEST = """
def test_order_{index}():
    pass
"""


def write_suite(directory: Path, tests: int) -> tuple[Path, Path]:
    (directory / "order.asl.json").write_text(json.dumps(MACHINE, indent=2))
    executing = directory / "test_executions.py"
    executing.write_text("".join(EXECUTING_TEST.format(index=index) for index in range(tests)))
    empty = directory / "test_empty.py"
    empty.write_text("".join(EMPTY_TEST.format(index=index) for index in range(tests)))
    return executing, empty


def run_pytest(test_file: Path) -> float:
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "addopts=", str(test_file)]
    started = perf_counter()
    result = subprocess.run(command, cwd=test_file.parent, capture_output=True, text=True, env=compiled_environment())
    elapsed = perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"pytest failed on {test_file.name}:\n{result.stdout[-2000:]}{result.stderr[-2000:]}")
    return elapsed


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tests", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as temporary:
        executing, empty = write_suite(Path(temporary), args.tests)
        run_pytest(executing)  # untimed: writes the bytecode caches (pytest's rewritten modules too)
        times: dict[str, list[float]] = {"executing": [], "empty": []}
        for _ in range(args.runs):
            times["empty"].append(run_pytest(empty))
            times["executing"].append(run_pytest(executing))
    medians = {label: statistics.median(values) for label, values in times.items()}
    difference = medians["executing"] - medians["empty"]
    goal = GOAL_S * args.tests / 1000
    print(f"{args.tests:,} tests, pytest in a fresh process, median of {args.runs}")
    print(f"empty tests: {medians['empty']:.2f} s")
    print(f"tests executing a machine through asl_machine, asl_mocks and asl_env: {medians['executing']:.2f} s")
    per_test = difference / args.tests * 1000
    met = difference < goal
    verdict = "met" if met else f"MISSED (over by {difference / goal:.2f}x)"
    print(f"difference: {difference:.2f} s, {per_test:.2f} ms per test (target < {goal:g} s): {verdict}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
