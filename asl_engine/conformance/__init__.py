"""The conformance runner: replays executions recorded against real AWS and measures fidelity.

Cases (``shared/conformance/cases``, and the project's own ``conformance/cases``) are loaded once,
classified (self-contained, mocked and replayable, mocked but needing real behaviour, validation),
run each in isolation under a wall-clock limit, compared with placeholders as wildcards, and
summarised per category and feature tag against the floors in ``conformance/floor.json``.
Entry points: ``python -m conformance`` and ``asl conformance``.
"""

from asl_engine.conformance.case import BrokenCase, Case, CaseDirectoryError, CaseFormatError, load_case, load_cases
from asl_engine.conformance.classify import Classification, classify
from asl_engine.conformance.floors import FloorFileError, load_floors
from asl_engine.conformance.replay import build_mocks
from asl_engine.conformance.report import Summary, format_text, summarise, to_json
from asl_engine.conformance.results import CaseResult
from asl_engine.conformance.runner import DEFAULT_TIMEOUT, run_case, run_cases

__all__ = [
    "DEFAULT_TIMEOUT",
    "BrokenCase",
    "Case",
    "CaseDirectoryError",
    "CaseFormatError",
    "CaseResult",
    "Classification",
    "FloorFileError",
    "Summary",
    "build_mocks",
    "classify",
    "format_text",
    "load_case",
    "load_cases",
    "load_floors",
    "run_case",
    "run_cases",
    "summarise",
    "to_json",
]
