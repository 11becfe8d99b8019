"""The workloads are right: committed files match their generators, sizes respect AWS's quotas,
and our engine and the floor give the expected answers (at tiny sizes; nothing here is timed)."""

from __future__ import annotations

import json

import pytest

from benchmarks import generate
from benchmarks.cases import CASES, Case, by_id, select
from benchmarks.checks import problem_with
from benchmarks.engines.floor_runner import FloorRunner
from benchmarks.engines.ours import OursRunner

PAYLOAD_QUOTA = 262_144
TINY = 0.002


def test_committed_files_are_what_the_generators_write() -> None:
    assert generate.main(["--check"]) == 0


def test_every_case_has_its_committed_files() -> None:
    for case in CASES:
        assert case.file("machine").is_file(), case.id
        assert case.file("expected").is_file(), case.id


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_our_engine_answers_every_case_at_a_tiny_size(case: Case) -> None:
    loaded = case.load(TINY)
    for history in (True, False):
        _, outcome = OursRunner(loaded, history).run_once()
        assert problem_with(outcome, loaded.expected) is None


@pytest.mark.parametrize("case", [case for case in CASES if case.floor], ids=lambda case: case.id)
def test_the_floor_answers_w1_to_w4(case: Case) -> None:
    loaded = case.load(0.05)
    for history in (True, False):
        _, outcome = FloorRunner(loaded, history).run_once()
        assert problem_with(outcome, loaded.expected) is None
        assert (outcome.transitions is None) is not history


def test_full_size_w1_and_w2_match_the_issue() -> None:
    w1 = by_id("W1").load()
    assert len(w1.definition["States"]) == 1_000
    assert all("ResultPath" in state and "Parameters" in state for state in w1.definition["States"].values())
    w2 = by_id("W2").expected()
    assert w2.output == {"n": 10_000} and w2.transitions == 20_001


def test_full_size_w3_w4_w7_sizes() -> None:
    w3 = generate.w3_inline_map(1.0, max_concurrency=1)
    assert len(w3.input["items"]) == 10_000 and w3.expected.transitions == 30_001
    assert w3.definition["States"]["EachItem"]["MaxConcurrency"] == 1
    w4 = generate.w4_parallel(1.0)
    branches = w4.definition["States"]["FanOut"]["Branches"]
    assert len(branches) == 10 and all(len(branch["States"]) == 100 for branch in branches)
    w7 = generate.w7_large_map(1.0)
    assert len(w7.input["items"]) == 100_000


def test_large_inputs_and_results_stay_within_the_payload_quota_except_the_rejected_one() -> None:
    def size(value: object) -> int:
        return len(json.dumps(value, separators=(",", ":")).encode())

    w6 = generate.w6_large_payload(1.0)
    assert 200_000 <= size(w6.input) < PAYLOAD_QUOTA
    rejected = generate.w6_rejected_payload(1.0)
    assert size(rejected.input) >= generate.W6_REJECTED_BYTES > PAYLOAD_QUOTA
    assert rejected.expected.error == "States.DataLimitExceeded"
    w7 = generate.w7_large_map(1.0)
    assert size(w7.input) < PAYLOAD_QUOTA
    assert size([item + 1 for item in w7.input["items"]]) < PAYLOAD_QUOTA  # the Map's raw result


def test_map_items_are_never_zero() -> None:
    # aws-local-stepfunctions 3.0.0 fails an iteration whose item is 0; the workloads avoid it.
    assert 0 not in generate.w3_inline_map(1.0).input["items"]
    assert 0 not in generate.w7_large_map(1.0).input["items"]


def test_w5_spans_67_virtual_seconds_and_its_equivalent_too() -> None:
    for case_id in ("W5", "W5p"):
        loaded = by_id(case_id).load()
        _, outcome = OursRunner(loaded, history=True).run_once()
        assert outcome.virtual_seconds == 67
        assert problem_with(outcome, loaded.expected) is None


def test_wait_and_retry_states_are_found_for_peers_without_a_clock() -> None:
    assert by_id("W5").load().wait_states == ["Pause"]
    assert by_id("W5").load().retry_states == ["Call"]
    assert sorted(by_id("W5p").load().wait_states) == ["Backoff", "Pause"]


def test_selecting_cases() -> None:
    assert [case.id for case in select("W3")] == ["W3", "W3c1"]
    assert [case.id for case in select("w3c1,W1")] == ["W1", "W3c1"]
    assert len(select(None)) == len(CASES)
    with pytest.raises(ValueError, match="W9"):
        select("W9")


def test_tiny_sizes_never_go_below_the_minimum() -> None:
    assert generate.scaled("W1", 0.0) == generate.MINIMUM_SIZES["W1"]
    assert generate.scaled("W7", 1.0) == 100_000
