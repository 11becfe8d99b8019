"""The benchmark cases: which workload file, which machine type, which engines can run it.

A case is one row group of the table. Most workloads are one case; W3 has two (MaxConcurrency 0
and 1), W5 two (the Task with mocks, and a Pass/Wait equivalent for engines that cannot mock a
Task), W6 two (the 200 KB input that runs, the 1 MiB input that must be rejected).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from benchmarks.generate import GENERATORS, WORKLOADS_DIR, Expected, Generated

JSON = Any


@dataclass(frozen=True)
class Case:
    id: str
    workload: str
    title: str
    prefix: str
    """Key of the generator in ``generate.GENERATORS``: ``directory/`` plus an optional variant."""
    machine_type: str = "STANDARD"
    floor: bool = False
    """The floor interpreter covers W1-W4 only."""
    moto: str | None = None
    """Why moto cannot run this case (None: it can)."""

    @property
    def directory(self) -> Path:
        return WORKLOADS_DIR / self.prefix.partition("/")[0]

    def file(self, part: str) -> Path:
        """The committed file of one part ("machine", "input", "expected", "mocks") of this case."""
        variant = self.prefix.partition("/")[2]
        return self.directory / f"{variant}{part}.json"

    @property
    def generator(self) -> Callable[[float], Generated]:
        return GENERATORS[self.prefix]

    def load(self, scale: float = 1.0) -> LoadedCase:
        """The case at full size from its committed files, or at another size from its generator."""
        if scale != 1.0:
            generated = self.generator(scale)
            return LoadedCase(
                self, json.dumps(generated.definition), generated.input, generated.expected, generated.mocks
            )
        return LoadedCase(
            self,
            self.file("machine").read_text(encoding="utf-8"),
            self._full_input(),
            Expected.from_json(_read(self.file("expected"))),
            _read(self.file("mocks")) if self.file("mocks").exists() else None,
        )

    def expected(self, scale: float = 1.0) -> Expected:
        """Only the expected result (cheap: no input is built at full size)."""
        if scale != 1.0:
            return self.generator(scale).expected
        return Expected.from_json(_read(self.file("expected")))

    def _full_input(self) -> JSON:
        for candidate in (self.file("input"), self.directory / "input.json"):
            if candidate.exists():
                return _read(candidate)
        return self.generator(1.0).input  # too big to commit: built by its generator


@dataclass(frozen=True)
class LoadedCase:
    case: Case
    definition_text: str
    input: JSON
    expected: Expected
    mocks: dict[str, JSON] | None

    @cached_property
    def definition(self) -> dict[str, JSON]:
        document: dict[str, JSON] = json.loads(self.definition_text)
        return document

    @cached_property
    def wait_states(self) -> list[str]:
        """Every Wait state, at any depth (peers without a virtual clock are told to skip them)."""
        return [name for name, state in _all_states(self.definition) if state.get("Type") == "Wait"]

    @cached_property
    def retry_states(self) -> list[str]:
        return [name for name, state in _all_states(self.definition) if state.get("Retry")]


def _all_states(document: JSON) -> list[tuple[str, dict[str, JSON]]]:
    found: list[tuple[str, dict[str, JSON]]] = []
    for name, state in document.get("States", {}).items():
        found.append((name, state))
        for branch in state.get("Branches", []):
            found.extend(_all_states(branch))
        for key in ("ItemProcessor", "Iterator"):
            if key in state:
                found.extend(_all_states(state[key]))
    return found


def _read(path: Path) -> JSON:
    return json.loads(path.read_text(encoding="utf-8"))


_NO_TASK_MOCKS = "moto cannot answer a Task without a Lambda (its mock configuration is disabled); see W5p"

CASES: tuple[Case, ...] = (
    Case("W1", "W1", "1,000 Pass states, Parameters + ResultPath", "w1_pass_chain/", floor=True),
    Case("W2", "W2", "Pass+Choice loop to 10,000 (EXPRESS)", "w2_choice_loop/", "EXPRESS", floor=True),
    Case(
        "W3",
        "W3",
        "inline Map, 10,000 items x 3 Pass, MaxConcurrency 0 (EXPRESS)",
        "w3_inline_map/",
        "EXPRESS",
        floor=True,
    ),
    Case(
        "W3c1",
        "W3",
        "inline Map, 10,000 items x 3 Pass, MaxConcurrency 1 (EXPRESS)",
        "w3_inline_map/concurrency-1.",
        "EXPRESS",
        floor=True,
    ),
    Case("W4", "W4", "Parallel, 10 branches x 100 Pass", "w4_parallel/", floor=True),
    Case("W5", "W5", "Task: 3 failures, Retry 1 s x2, then Wait 60 s", "w5_retry_wait/", moto=_NO_TASK_MOCKS),
    Case("W5p", "W5", "W5 as Pass/Choice/Wait (no Task): 67 s of waits", "w5_retry_wait/pass-equivalent."),
    Case("W6", "W6", "200 KB input through 100 Pass (InputPath/ResultPath/OutputPath)", "w6_large_payload/"),
    Case("W6r", "W6", "1 MiB input: must fail with States.DataLimitExceeded", "w6_large_payload/rejected-1mib."),
    Case("W7", "W7", "inline Map over 100,000 items (EXPRESS)", "w7_large_map/", "EXPRESS"),
)
"""Every case in table order. W2, W3 and W7 run as EXPRESS: a Standard execution fails at 25,000
history events (as on AWS), and they record 40,000 to 400,000."""

LOAD_CASE_ID = "L1k"
"""Loading + validating W1's 1,000-state definition from its JSON text."""


def select(only: str | None) -> list[Case]:
    """Cases named by ``--only`` (workloads like W3, or case ids like W3c1), in table order."""
    if not only:
        return list(CASES)
    wanted = {name.strip().upper() for name in only.split(",") if name.strip()}
    known = {case.id.upper() for case in CASES} | {case.workload for case in CASES} | {LOAD_CASE_ID.upper()}
    unknown = wanted - known
    if unknown:
        raise ValueError(f"unknown workload(s) {', '.join(sorted(unknown))}; known: {', '.join(sorted(known))}")
    return [case for case in CASES if case.id.upper() in wanted or case.workload in wanted]


def by_id(case_id: str) -> Case:
    for case in CASES:
        if case.id.upper() == case_id.upper():
            return case
    raise ValueError(f"unknown case {case_id!r}")
