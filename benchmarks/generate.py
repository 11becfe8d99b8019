"""The workloads, written as plain-Python generators of definition, input and expected result.

Why generators: the full-size workloads are committed as JSON under ``benchmarks/workloads/`` so
that anyone can read or run them with any engine, but the tests need the same workloads at tiny
sizes. Both come from here. The expected results are computed by ordinary Python arithmetic (never
by running an engine), so they are an oracle independent of every engine measured.

``python -m benchmarks.generate`` rewrites the committed files; a test fails if they drift.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

JSON = Any
WORKLOADS_DIR = Path(__file__).resolve().parent / "workloads"

FULL_SIZES: dict[str, int] = {
    "W1": 1_000,  # Pass states in the chain
    "W2": 10_000,  # the loop counts to this
    "W3": 10_000,  # Map items
    "W4": 100,  # Pass states per branch (always 10 branches)
    "W6": 200_000,  # bytes of input
    "W7": 100_000,  # Map items
}
MINIMUM_SIZES: dict[str, int] = {"W1": 2, "W2": 2, "W3": 2, "W4": 2, "W6": 2_000, "W7": 2}
W4_BRANCHES = 10
W6_PASS_STATES = 100
W6_REJECTED_BYTES = 1_048_576
"""1 MiB, four times Step Functions' 256 KiB payload quota: the execution must fail at once."""
W5_VIRTUAL_SECONDS = 1 + 2 + 4 + 60
"""Three retries at 1, 2 and 4 s (IntervalSeconds 1, BackoffRate 2), then the 60 s Wait."""


@dataclass(frozen=True)
class Expected:
    """What a correct engine returns: status and output (or error), and how many states it enters."""

    status: str
    output: JSON = None
    error: str | None = None
    transitions: int | None = None
    """States entered (``*StateEntered`` events), counted from our engine's history when recording."""
    virtual_seconds: float | None = None
    """Time the execution spans on a virtual clock (start to stop), for engines that have one."""

    def to_json(self) -> dict[str, JSON]:
        document: dict[str, JSON] = {"status": self.status}
        if self.status == "SUCCEEDED":
            document["output"] = self.output
        if self.error is not None:
            document["error"] = self.error
        if self.transitions is not None:
            document["transitions"] = self.transitions
        if self.virtual_seconds is not None:
            document["virtual_seconds"] = self.virtual_seconds
        return document

    @classmethod
    def from_json(cls, document: dict[str, JSON]) -> Expected:
        return cls(
            status=document["status"],
            output=document.get("output"),
            error=document.get("error"),
            transitions=document.get("transitions"),
            virtual_seconds=document.get("virtual_seconds"),
        )


@dataclass(frozen=True)
class Generated:
    """One case of a workload at one size."""

    definition: dict[str, JSON]
    input: JSON
    expected: Expected
    mocks: dict[str, JSON] | None = None
    files: dict[str, str] = field(default_factory=dict)
    """Which committed file holds which part ("machine", "input", "expected", "mocks")."""


def scaled(workload: str, scale: float) -> int:
    """The workload's size at ``scale`` (1.0 is the issue's size), never below a useful minimum."""
    return max(MINIMUM_SIZES[workload], round(FULL_SIZES[workload] * scale))


# -- W1: a chain of Pass states ----------------------------------------------------------------------


def w1_pass_chain(scale: float = 1.0) -> Generated:
    """Pass states in a chain, each with Parameters built from ``.$`` paths and a ResultPath."""
    count = scaled("W1", scale)
    states: dict[str, JSON] = {}
    for index in range(count):
        state: dict[str, JSON] = {
            "Type": "Pass",
            "Parameters": {"step": index, "previous.$": "$.state.step", "name.$": "$.name", "tags.$": "$.tags"},
            "ResultPath": "$.state",
        }
        if index + 1 < count:
            state["Next"] = _step_name(index + 1)
        else:
            state["End"] = True
        states[_step_name(index)] = state
    definition = {"Comment": f"W1: {count} Pass states in a chain", "StartAt": _step_name(0), "States": states}
    input_value = {"name": "bench", "tags": ["alpha", "beta"], "state": {"step": -1}}
    output = {
        "name": "bench",
        "tags": ["alpha", "beta"],
        "state": {"step": count - 1, "previous": count - 2, "name": "bench", "tags": ["alpha", "beta"]},
    }
    return Generated(definition, input_value, Expected("SUCCEEDED", output, transitions=count))


def _step_name(index: int) -> str:
    return f"Step{index:04d}"


# -- W2: a Pass + Choice loop ------------------------------------------------------------------------


def w2_choice_loop(scale: float = 1.0) -> Generated:
    """Count to N with States.MathAdd: one Pass and one Choice per step (2N + 1 states entered)."""
    limit = scaled("W2", scale)
    definition = {
        "Comment": f"W2: a Pass + Choice loop counting to {limit}",
        "StartAt": "Increment",
        "States": {
            "Increment": {"Type": "Pass", "Parameters": {"n.$": "States.MathAdd($.n, 1)"}, "Next": "Check"},
            "Check": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.n", "NumericGreaterThanEquals": limit, "Next": "Done"}],
                "Default": "Increment",
            },
            "Done": {"Type": "Succeed"},
        },
    }
    return Generated(definition, {"n": 0}, Expected("SUCCEEDED", {"n": limit}, transitions=2 * limit + 1))


# -- W3: an inline Map, 3 Pass states per item ---------------------------------------------------------


def w3_inline_map(scale: float = 1.0, *, max_concurrency: int = 0) -> Generated:
    """An inline Map over the integers 1..N; each iteration wraps, doubles and unwraps its item."""
    count = scaled("W3", scale)
    processor = {
        "ProcessorConfig": {"Mode": "INLINE"},
        "StartAt": "Wrap",
        "States": {
            "Wrap": {"Type": "Pass", "Parameters": {"n.$": "$"}, "Next": "Double"},
            "Double": {
                "Type": "Pass",
                "Parameters": {"n.$": "$.n", "double.$": "States.MathAdd($.n, $.n)"},
                "Next": "Unwrap",
            },
            "Unwrap": {"Type": "Pass", "OutputPath": "$.double", "End": True},
        },
    }
    definition = {
        "Comment": f"W3: an inline Map over {count} items, MaxConcurrency {max_concurrency}",
        "StartAt": "EachItem",
        "States": {
            "EachItem": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "MaxConcurrency": max_concurrency,
                "ItemProcessor": processor,
                "End": True,
            }
        },
    }
    # Items start at 1: aws-local-stepfunctions 3.0.0 fails an iteration whose item is 0 ("Path
    # expression '$' does not point to a value"), a bug beside what W3 measures.
    items = list(range(1, count + 1))
    output = [2 * item for item in items]
    return Generated(definition, {"items": items}, Expected("SUCCEEDED", output, transitions=1 + 3 * count))


# -- W4: a Parallel state of 10 branches --------------------------------------------------------------


def w4_parallel(scale: float = 1.0) -> Generated:
    """10 branches of N Pass states; each state counts with States.MathAdd."""
    length = scaled("W4", scale)
    branches = []
    for branch in range(W4_BRANCHES):
        states: dict[str, JSON] = {}
        for step in range(length):
            state: dict[str, JSON] = {
                "Type": "Pass",
                "Parameters": {"branch": branch, "step": step, "count.$": "States.MathAdd($.count, 1)"},
            }
            if step + 1 < length:
                state["Next"] = _branch_state(branch, step + 1)
            else:
                state["End"] = True
            states[_branch_state(branch, step)] = state
        branches.append({"StartAt": _branch_state(branch, 0), "States": states})
    definition = {
        "Comment": f"W4: a Parallel state of {W4_BRANCHES} branches x {length} Pass states",
        "StartAt": "FanOut",
        "States": {"FanOut": {"Type": "Parallel", "Branches": branches, "End": True}},
    }
    output = [{"branch": branch, "step": length - 1, "count": length} for branch in range(W4_BRANCHES)]
    return Generated(definition, {"count": 0}, Expected("SUCCEEDED", output, transitions=1 + W4_BRANCHES * length))


def _branch_state(branch: int, step: int) -> str:
    return f"B{branch}S{step:03d}"


# -- W5: Retry and Wait under the virtual clock ------------------------------------------------------


def w5_retry_wait(scale: float = 1.0) -> Generated:
    """A Task failing 3 times (Retry: IntervalSeconds 1, BackoffRate 2), then succeeding; a 60 s Wait."""
    del scale  # W5 has no size: it measures that 67 s of waiting costs no real time.
    definition = {
        "Comment": "W5: a Task that fails 3 times with Retry, then succeeds, then a 60 s Wait",
        "StartAt": "Call",
        "States": {
            "Call": {
                "Type": "Task",
                "Resource": "arn:aws:lambda:us-east-1:123456789012:function:flaky",
                "Retry": [{"ErrorEquals": ["E"], "IntervalSeconds": 1, "BackoffRate": 2, "MaxAttempts": 3}],
                "Next": "Pause",
            },
            "Pause": {"Type": "Wait", "Seconds": 60, "Next": "Done"},
            "Done": {"Type": "Pass", "End": True},
        },
    }
    failure = {"Throw": {"Error": "E", "Cause": "c"}}
    mocks = {"Call": [failure, failure, failure, {"Return": {"ok": True}}]}
    expected = Expected("SUCCEEDED", {"ok": True}, transitions=3, virtual_seconds=W5_VIRTUAL_SECONDS)
    return Generated(definition, {}, expected, mocks=mocks)


def w5_pass_equivalent(scale: float = 1.0) -> Generated:
    """W5 without a Task, for engines that cannot mock one (moto): the retries as a Choice loop.

    The loop waits 1, 2 and 4 s (doubling with States.MathAdd) after the first three attempts, as
    the retrier would, then the same 60 s Wait: the same 67 s of waiting, in 17 Pass/Choice/Wait
    states.
    """
    del scale
    definition = {
        "Comment": "W5 (Pass equivalent): 3 failed attempts with back-off as a Choice loop, then a 60 s Wait",
        "StartAt": "Attempt",
        "States": {
            "Attempt": {
                "Type": "Pass",
                "Parameters": {"attempt.$": "States.MathAdd($.attempt, 1)", "delay.$": "$.delay"},
                "Next": "Failed?",
            },
            "Failed?": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.attempt", "NumericLessThanEquals": 3, "Next": "Backoff"}],
                "Default": "Call",
            },
            "Backoff": {"Type": "Wait", "SecondsPath": "$.delay", "Next": "DoubleDelay"},
            "DoubleDelay": {
                "Type": "Pass",
                "Parameters": {"attempt.$": "$.attempt", "delay.$": "States.MathAdd($.delay, $.delay)"},
                "Next": "Attempt",
            },
            "Call": {"Type": "Pass", "Result": {"ok": True}, "Next": "Pause"},
            "Pause": {"Type": "Wait", "Seconds": 60, "Next": "Done"},
            "Done": {"Type": "Pass", "End": True},
        },
    }
    expected = Expected("SUCCEEDED", {"ok": True}, transitions=17, virtual_seconds=W5_VIRTUAL_SECONDS)
    return Generated(definition, {"attempt": 0, "delay": 1}, expected)


# -- W6: a large payload -----------------------------------------------------------------------------


def w6_large_payload(scale: float = 1.0) -> Generated:
    """A ~200 KB input through 100 Pass states that use InputPath, ResultPath and OutputPath."""
    input_value = w6_input(scaled("W6", scale))
    items = len(input_value["blob"]["items"])
    output = {"count": W6_PASS_STATES, "items": items, "last": input_value["blob"]["items"][-1]}
    return Generated(w6_definition(items), input_value, Expected("SUCCEEDED", output, transitions=W6_PASS_STATES + 1))


def w6_rejected_payload(scale: float = 1.0) -> Generated:
    """The same machine with a 1 MiB input: Step Functions fails it with States.DataLimitExceeded."""
    del scale  # always 1 MiB: a small one would not be rejected
    input_value = w6_input(W6_REJECTED_BYTES)
    definition = w6_definition(len(input_value["blob"]["items"]))
    return Generated(definition, input_value, Expected("FAILED", error="States.DataLimitExceeded"))


def w6_definition(items: int) -> dict[str, JSON]:
    """Each state reads ``$.meta`` (InputPath), counts, writes it back (ResultPath), passes all on."""
    states: dict[str, JSON] = {}
    for index in range(W6_PASS_STATES):
        states[f"Count{index:03d}"] = {
            "Type": "Pass",
            "InputPath": "$.meta",
            "Parameters": {"count.$": "States.MathAdd($.count, 1)"},
            "ResultPath": "$.meta",
            "OutputPath": "$",
            "Next": f"Count{index + 1:03d}" if index + 1 < W6_PASS_STATES else "Summary",
        }
    states["Summary"] = {
        "Type": "Pass",
        "Parameters": {
            "count.$": "$.meta.count",
            "items.$": "States.ArrayLength($.blob.items)",
            # Not "$.blob.items[N].id": moto 5.2 answers that definite path with a list.
            "last.$": f"States.ArrayGetItem($.blob.items, {items - 1})",
        },
        "End": True,
    }
    return {
        "Comment": f"W6: a large input through {W6_PASS_STATES} Pass states using InputPath/ResultPath/OutputPath",
        "StartAt": "Count000",
        "States": states,
    }


def w6_input(target_bytes: int) -> dict[str, JSON]:
    """Records appended until the compact JSON text reaches ``target_bytes`` (deterministic)."""
    items: list[JSON] = []
    document: dict[str, JSON] = {"blob": {"items": items}, "meta": {"count": 0}}
    size = len(_compact(document))
    while size < target_bytes:
        index = len(items)
        record = {"id": index, "name": f"item-{index:06d}", "tags": ["alpha", "beta"], "score": index * 7 % 1000}
        items.append(record)
        size += len(_compact(record)) + (1 if index else 0)
    return document


# -- W7: a Map over 100,000 items --------------------------------------------------------------------


def w7_large_map(scale: float = 1.0) -> Generated:
    """A Map over N single-digit items (so input and results fit in 256 KiB), summarised by ResultSelector.

    Runs as EXPRESS: a Standard execution fails at 25,000 history events, as on AWS, and this one
    records 4 events per item.
    """
    count = scaled("W7", scale)
    items = [index % 9 + 1 for index in range(count)]  # 1..9: never 0, as in W3
    definition = {
        "Comment": f"W7: a Map over {count} items",
        "StartAt": "EachItem",
        "States": {
            "EachItem": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "INLINE"},
                    "StartAt": "Bump",
                    "States": {
                        "Bump": {
                            "Type": "Pass",
                            "Parameters": {"v.$": "States.MathAdd($, 1)"},
                            "OutputPath": "$.v",
                            "End": True,
                        }
                    },
                },
                "ResultSelector": {
                    "count.$": "States.ArrayLength($)",
                    "distinct.$": "States.ArrayLength(States.ArrayUnique($))",
                    "first.$": "$[0]",
                    "last.$": f"$[{count - 2}]",
                },
                "End": True,
            }
        },
    }
    results = [item + 1 for item in items]
    output = {"count": count, "distinct": len(set(results)), "first": results[0], "last": results[count - 2]}
    return Generated(definition, {"items": items}, Expected("SUCCEEDED", output, transitions=count + 1))


def _compact(value: JSON) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


# -- the committed files ------------------------------------------------------------------------------

GENERATORS: dict[str, Callable[[float], Generated]] = {
    "w1_pass_chain/": w1_pass_chain,
    "w2_choice_loop/": w2_choice_loop,
    "w3_inline_map/": lambda scale: w3_inline_map(scale, max_concurrency=0),
    "w3_inline_map/concurrency-1.": lambda scale: w3_inline_map(scale, max_concurrency=1),
    "w4_parallel/": w4_parallel,
    "w5_retry_wait/": w5_retry_wait,
    "w5_retry_wait/pass-equivalent.": w5_pass_equivalent,
    "w6_large_payload/": w6_large_payload,
    "w6_large_payload/rejected-1mib.": w6_rejected_payload,
    "w7_large_map/": w7_large_map,
}
"""File prefix (directory, then an optional variant prefix) -> generator of that case."""

GENERATED_INPUT_LIMIT = 64 * 1024
"""Inputs larger than this are not committed: the case builds them from its generator."""


def committed_files(prefix: str, generated: Generated) -> dict[str, str]:
    """The files a case is committed as: name -> text (large inputs are left to the generator)."""
    directory, _, variant = prefix.partition("/")
    names = {part: f"{variant}{part}.json" for part in ("machine", "input", "expected", "mocks")}
    files = {
        f"{directory}/{names['machine']}": _pretty(generated.definition, compact_if_large=False),
        f"{directory}/{names['expected']}": _pretty(generated.expected.to_json()),
    }
    input_text = _pretty(generated.input)
    if len(input_text) <= GENERATED_INPUT_LIMIT:
        files[f"{directory}/{names['input']}"] = input_text
    if generated.mocks is not None:
        files[f"{directory}/{names['mocks']}"] = _pretty(generated.mocks)
    return files


def _pretty(value: JSON, *, compact_if_large: bool = True) -> str:
    """Indented JSON; long data (not definitions) stays on one line, where indenting only adds bytes."""
    if compact_if_large and len(_compact(value)) > GENERATED_INPUT_LIMIT // 4:
        return _compact(value) + "\n"
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def all_committed_files() -> dict[str, str]:
    """Every committed file; a variant whose input is its directory's main input reuses that file."""
    files: dict[str, str] = {}
    for prefix, generator in GENERATORS.items():
        for relative, text in committed_files(prefix, generator(1.0)).items():
            directory, _, name = relative.partition("/")
            if name.endswith(".input.json") and files.get(f"{directory}/input.json") == text:
                continue
            files[relative] = text
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Rewrite benchmarks/workloads/ from the generators.")
    parser.add_argument("--check", action="store_true", help="only report files that differ (exit 1 if any)")
    options = parser.parse_args(argv)
    stale = []
    for relative, text in sorted(all_committed_files().items()):
        path = WORKLOADS_DIR / relative
        if path.exists() and path.read_text(encoding="utf-8") == text:
            continue
        stale.append(relative)
        if not options.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    verb = "differ" if options.check else "written"
    print(f"{len(stale)} file(s) {verb}" + "".join(f"\n  {name}" for name in stale))
    return 1 if options.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
