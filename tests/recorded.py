"""The AWS-recorded conformance cases, for the tests that read them: the one place that decides
what happens when they are missing.

The cases live outside the repository (``../shared/conformance/cases`` beside the checkout, or the
directory named by ``ASL_CONFORMANCE_CASES``), so a fresh clone does not have them. There a test that
needs them skips, with a reason that says how to get them. In CI (``CI=true``) the same test fails
instead: a CI job that cannot see the cases must not go green by skipping the tests that read them.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, NoReturn

import pytest

from asl_engine.conformance.paths import DEFAULT_CASES_DIR

CASES_DIR = DEFAULT_CASES_DIR
"""``ASL_CONFORMANCE_CASES``, else ``../shared/conformance/cases`` beside the repository."""

HOW_TO_GET_THEM = (
    "set ASL_CONFORMANCE_CASES to their directory, or put them at ../shared/conformance/cases beside the "
    "checkout (they are executions recorded on real AWS, kept outside the repository: docs/conformance.md)"
)


def in_ci() -> bool:
    """Whether this run is CI's (``CI=true``, as GitHub Actions, GitLab and ``.ci/run`` set it)."""
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def available(kind: str = "") -> bool:
    """Whether the cases (or their ``kind`` subdirectory: ``self_contained``, ``mocked``...) hold any."""
    folder = CASES_DIR / kind if kind else CASES_DIR
    return folder.is_dir() and next(folder.rglob("*.json"), None) is not None


def missing(what: str) -> NoReturn:
    """Skip the calling test because ``what`` is not there; fail it in CI."""
    message = f"{what} not found: {HOW_TO_GET_THEM}"
    if in_ci():
        pytest.fail(f"CI=true and {message}", pytrace=False)
    pytest.skip(message)


def require(kind: str = "") -> Path:
    """The cases directory (or its ``kind`` subdirectory); skips the test, or fails it in CI, without it."""
    folder = CASES_DIR / kind if kind else CASES_DIR
    if not available(kind):
        missing(f"the AWS-recorded conformance cases ({folder})")
    return folder


def require_file(kind: str, name: str) -> Path:
    """One recorded case file, required like :func:`require`."""
    path = require(kind) / name
    if not path.is_file():
        missing(f"the recorded case {path}")
    return path


def case_files(kind: str) -> list[Path]:
    """The case files of ``kind``, for parametrizing at collection time; [] when they are missing
    (pair it with :func:`parameters`, or call :func:`require` in the test)."""
    folder = CASES_DIR / kind
    return sorted(folder.glob("*.json")) if folder.is_dir() else []


def parameters(kind: str, values: list[Any]) -> list[Any]:
    """``values`` to parametrize a test with, or, when the cases of ``kind`` are missing, one stand-in
    whose test must start with ``require(kind)`` (so it skips, or fails in CI, instead of vanishing)."""
    if values:
        return values
    return [pytest.param(None, id=f"recorded-{kind or 'cases'}-missing")]


def self_contained_run(case_file: Path) -> tuple[Any, Any, str] | None:
    """A self_contained case's (``StateMachine``, input, start mode) as the runs that compare paths
    take it; None for a definition AWS rejects (nothing runs)."""
    from asl_engine import StateMachine

    case = json.loads(case_file.read_text())
    try:
        machine = StateMachine.from_json(case["definition"], machine_type=case.get("state_machine_type", "STANDARD"))
    except Exception:
        return None
    return machine, case.get("input"), "sync" if case.get("start_mode") == "sync" else "async"
