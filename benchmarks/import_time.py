"""How long ``import asl_engine`` takes, as a process (issue 20).

``python -m benchmarks.import_time [--runs N]`` starts ``python -c "import asl_engine"`` N times (10
by default) and prints the median wall time of a process, next to ``python -c pass`` (the
interpreter's own start, which the target includes) and ``from asl_engine import StateMachine``
(what loading and running a machine imports: reported, not a target). Processes alternate, so a
busy machine slows all three alike. They run with bytecode caches, as an installed package does
(see ``benchmarks/processes.py``), after one untimed process of each that writes them.

Target: the median ``import asl_engine`` process in 150 ms or less. The exit status is 1 when it is
missed. The heavy dependencies are kept out of it by imports made where they are needed;
``tests/test_imports.py`` checks which modules each import brings in (a fact, not a timing).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from collections.abc import Sequence
from time import perf_counter

from benchmarks.processes import compiled_environment

GOAL_MS = 150.0
COMMANDS = {
    "python -c pass": "pass",
    "import asl_engine": "import asl_engine",
    "from asl_engine import StateMachine": "from asl_engine import StateMachine",
}
TARGET = "import asl_engine"


def process_ms(code: str) -> float:
    started = perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, env=compiled_environment())
    return (perf_counter() - started) * 1000


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args(argv)
    for code in COMMANDS.values():  # the first process writes the bytecode caches the others read
        process_ms(code)
    times: dict[str, list[float]] = {label: [] for label in COMMANDS}
    for _ in range(args.runs):
        for label, code in COMMANDS.items():
            times[label].append(process_ms(code))
    medians = {label: statistics.median(values) for label, values in times.items()}
    print(f"{args.runs} processes each, median wall time")
    for label, median in medians.items():
        print(f"{label}: {median:.1f} ms")
    median = medians[TARGET]
    met = median <= GOAL_MS
    verdict = "met" if met else f"MISSED (over by {median / GOAL_MS:.2f}x)"
    print(f"{TARGET}: {median:.1f} ms (target <= {GOAL_MS:g} ms): {verdict}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
