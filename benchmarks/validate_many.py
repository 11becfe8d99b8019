"""How validate() scales with the number of problems it reports: it must be linear.

    python benchmarks/validate_many.py

A definition with n states whose ``Next`` names a missing state reports about 2n problems, each
positioned in the text and given a suggestion. The target: 3,000 missing targets (6,000
diagnostics) in well under a second, and at most ``TARGET_RATIO`` times the time of 1,000 (linear
work is 3x; the quadratic validator of issue 21 took 8x).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from asl_engine import validate

TARGET_RATIO = 4.5
"""validate() of 3,000 missing targets, at most this many times the time of 1,000."""
TARGET_SECONDS = 1.0


def definition(count: int) -> str:
    states: dict[str, Any] = {f"S{i}": {"Type": "Pass", "Next": f"Missing{i}"} for i in range(count)}
    states["S0"] = {"Type": "Pass", "End": True}
    return json.dumps({"StartAt": "S0", "States": states}, indent=2)


def best_of(text: str, runs: int = 3) -> tuple[float, int]:
    times, found = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        found = len(validate(text))
        times.append(time.perf_counter() - started)
    return min(times), found


def main() -> int:
    small, _ = best_of(definition(1_000))
    large, diagnostics = best_of(definition(3_000))
    ratio = large / small
    met = ratio <= TARGET_RATIO and large <= TARGET_SECONDS
    print(
        f"validate: 1,000 missing targets {small:.3f} s; 3,000 ({diagnostics:,} diagnostics) {large:.3f} s; "
        f"ratio {ratio:.2f} (target <= {TARGET_RATIO}, and <= {TARGET_SECONDS:g} s): {'met' if met else 'MISSED'}"
    )
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
