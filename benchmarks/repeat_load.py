"""Loading a definition this process already loaded, from the same text (issue 20).

``python -m benchmarks.repeat_load [--runs N]`` loads W1's 1,000-state definition with
``StateMachine.from_json`` once (parse, validate, compile: the "first" load), then N more times from
the same text, and prints the first load and the median of the others. A repeated load finds the
compiled machine in the process's cache (``asl_engine.runtime.loading.LOAD_CACHE``, keyed by the
text and the options), so it does none of that work again.

Target: a repeated load in 1 ms or less (median). The exit status is 1 when it is missed.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
from collections.abc import Sequence
from time import perf_counter

from asl_engine import StateMachine
from asl_engine.runtime.loading import LOAD_CACHE
from benchmarks.cases import CASES

GOAL_MS = 1.0


def load_ms(text: str) -> float:
    started = perf_counter()
    StateMachine.from_json(text)
    return (perf_counter() - started) * 1000


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100)
    args = parser.parse_args(argv)
    text = CASES[0].load(1.0).definition_text
    LOAD_CACHE.clear()
    first = load_ms(text)
    repeated = []
    for _ in range(args.runs):
        gc.collect()
        # A fresh copy of the text, as a test that reads its file again would have: the key is the
        # text's content, not the string object.
        repeated.append(load_ms("".join([text[:1], text[1:]])))
    median = statistics.median(repeated)
    print(f"W1's definition: 1,000 states, {len(text):,} characters of JSON")
    print(f"first load (parse, validate, compile): {first:.2f} ms")
    print(f"repeated load, median of {args.runs}: {median:.3f} ms ({first / median:,.0f}x faster than the first)")
    met = median <= GOAL_MS
    verdict = "met" if met else f"MISSED (over by {median / GOAL_MS:.2f}x)"
    print(f"repeated load: {median:.3f} ms (target <= {GOAL_MS:g} ms): {verdict}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
