"""Running cases: each in isolation, in this process, under a wall-clock limit.

A case that hangs, crashes the engine or is malformed is a failure with its reason; nothing a case
does stops the run. Mocked cases that need real behaviour are skipped with the reason.
"""

from __future__ import annotations

import dataclasses
import re
import time
import traceback
from collections.abc import Callable, Iterable
from typing import Any

from asl_engine.conformance.case import BrokenCase, Case
from asl_engine.conformance.classify import HANDLERS, MALFORMED, MOCKED, MOCKED_NOT_REPLAYABLE, VALIDATION, classify
from asl_engine.conformance.deadline import CaseTimeout, call_with_deadline
from asl_engine.conformance.definition_checks import validation_problems
from asl_engine.conformance.engine import Engine, EngineUnavailable, ExecutionLike, load_engine
from asl_engine.conformance.metrics import METRICS, MetricResult, compare_metric
from asl_engine.conformance.replay import build_mocks, resolve_resource_placeholders
from asl_engine.conformance.results import FAILED, PASSED, SKIPPED, CaseResult
from asl_engine.conformance.verdict import outcome_problems
from asl_engine.conformance.wildcards import Wildcards

DEFAULT_TIMEOUT = 10.0
"""Seconds of wall-clock time per case. The engine's clock is virtual (Wait states take no time),
so a case that needs more than this hangs."""

Progress = Callable[[CaseResult], None]


def run_cases(
    cases: Iterable[Case | BrokenCase],
    *,
    engine: Engine | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    progress: Progress | None = None,
) -> list[CaseResult]:
    """Run every case and return their results in order; ``progress`` sees each as it finishes.

    The engine is imported on first need; if it cannot be, each case that needs it fails with the
    import error as its reason (loading, classification and skips still work).
    """
    available: Engine | EngineUnavailable | None = engine
    results = []
    for case in cases:
        through_handlers_too = isinstance(case, Case) and _replayable_through_handlers(case)
        if available is None and (needs_engine(case) or through_handlers_too):
            try:
                available = load_engine()
            except EngineUnavailable as error:
                available = error
        # Cases that need no engine (skipped, malformed) never look at the placeholder.
        engine_for_case = available if available is not None else EngineUnavailable("the engine was not loaded")
        result = run_case(case, engine_for_case, timeout=timeout)
        results.append(result)
        if progress is not None:
            progress(result)
        if through_handlers_too and isinstance(case, Case) and not isinstance(engine_for_case, EngineUnavailable):
            through_handlers = run_case_with_handlers(case, engine_for_case, timeout=timeout)
            results.append(through_handlers)
            if progress is not None:
                progress(through_handlers)
    return results


def _replayable_through_handlers(case: Case) -> bool:
    """Mocked cases replayable through mocks, those whose only obstacle is a hidden name (the handlers
    register functions and tables under the placeholder names the recording shows), and those whose
    test acted from outside in a way the replay acts too (an activity worker, an answer to a task token,
    an EventBridge rule)."""
    if case.category != MOCKED:
        return False
    reason = classify(case).skip_reason
    if reason is None or reason.startswith(("needs a value the recording hid", "needs a task timeout")):
        return True
    from asl_engine.conformance.service_replay import REPLAYED_EXTERNAL_ACTIONS

    return bool(case.external_actions) and set(case.external_actions) <= REPLAYED_EXTERNAL_ACTIONS


_SDK_METADATA = ("SdkHttpMetadata", "SdkResponseMetadata")


def _metadata_shape(value: Any) -> Any:
    """SDK metadata compared by shape: the recording replaced request ids, dates and trace ids (some of
    them whole lists) with placeholder strings, so only which headers exist is comparable."""
    if isinstance(value, dict):
        return {
            key: (_keys_only(item) if key in _SDK_METADATA else _metadata_shape(item)) for key, item in value.items()
        }
    if isinstance(value, list):
        return [_metadata_shape(item) for item in value]
    return value


_WHOLE_PLACEHOLDER = re.compile(r"<[^<>\s]+>\Z")


def _hidden_headers(expected: Any, actual: Any) -> Any:
    """``actual`` with the HTTP headers whose values the recording replaced by one placeholder string
    (API Gateway's ``"Date": "<headers-date>"``, where AWS sent a list) taken as that placeholder: the
    recording kept only that the header was there."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        aligned = {key: _hidden_headers(expected.get(key), value) for key, value in actual.items()}
        headers, hidden = expected.get("Headers"), actual.get("Headers")
        if isinstance(headers, dict) and isinstance(hidden, dict):
            aligned["Headers"] = {
                name: headers[name]
                if isinstance(headers.get(name), str)
                and _WHOLE_PLACEHOLDER.match(headers[name])
                and isinstance(value, list)
                else value
                for name, value in hidden.items()
            }
        return aligned
    if isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
        return [_hidden_headers(e, a) for e, a in zip(expected, actual, strict=True)]
    return actual


def _keys_only(value: Any) -> Any:
    if isinstance(value, dict):
        return {key.lower(): _keys_only(item) for key, item in value.items()}
    return "*"


def run_case_with_handlers(case: Case, engine: Engine, *, timeout: float = DEFAULT_TIMEOUT) -> CaseResult:
    """Replay a mocked case through local integrations (Lambda, DynamoDB, S3, nested executions) instead
    of mocks: the recorded outcomes come back one level lower, so the integrations' request and response
    shapes, error names and causes are checked too. Category ``handlers``."""
    from asl_engine.conformance.handler_replay import (
        NotReplayable,
        replay_definition,
        replay_handlers,
        replay_input,
    )

    raw = {
        "definition": case.definition,
        "input": case.input,
        "task_results": list(case.task_results),
        "external_actions": list(case.external_actions),
        "unresolved": list(case.unresolved),
        "state_machine_type": case.machine_type,
        "expected": dict(case.expected),
        "setup_calls": list(case.setup_calls),
        "placeholders": sorted(case.placeholders),
    }
    try:
        replay = replay_handlers(raw)
        # The replay names hidden functions and tables; other placeholder resources (an activity's) are
        # resolved as in the mocked run.
        definition = resolve_resource_placeholders(dataclasses.replace(case, definition=replay_definition(raw)))
        execution_input = replay_input(raw)
    except NotReplayable as reason:
        return CaseResult(case.id, case.path, HANDLERS, SKIPPED, str(reason), features=case.features)
    wildcards = Wildcards(case.placeholders, case.value_placeholders)
    metrics: dict[str, MetricResult] = {}
    started = time.perf_counter()

    def problems() -> list[str]:
        try:
            machine = engine.load(definition, machine_type=case.machine_type)
        except engine.validation_error as error:
            return [f"the engine rejected a definition AWS accepted: {_first_diagnostic(error)}"]
        execution = machine.execute(execution_input, resources=replay.resources, clock=replay.clock, history=True)
        expected = dict(case.expected)
        output = _metadata_shape(execution.output)
        if "output" in expected:
            expected["output"] = _metadata_shape(expected["output"])
            output = _hidden_headers(expected["output"], output)
        problems = outcome_problems(expected, execution.status, output, execution.error, execution.cause, wildcards)
        metrics.update(metric_results(case, execution))
        return problems + history_problems(metrics)

    try:
        found = call_with_deadline(problems, timeout)
    except CaseTimeout:
        found = [f"timed out after {timeout:g} s of wall-clock time"]
    except Exception as error:
        found = [f"engine raised {summarise_exception(error)}"]
    return CaseResult(
        case.id,
        case.path,
        HANDLERS,
        FAILED if found else PASSED,
        found[0] if found else None,
        tuple(found),
        case.features,
        metrics,
        time.perf_counter() - started,
    )


def needs_engine(case: Case | BrokenCase) -> bool:
    return isinstance(case, Case) and classify(case).skip_reason is None


def run_case(
    case: Case | BrokenCase, engine: Engine | EngineUnavailable, *, timeout: float = DEFAULT_TIMEOUT
) -> CaseResult:
    """One case's result; never raises because of what the case or the engine does."""
    if isinstance(case, BrokenCase):
        return CaseResult(case.id, case.path, MALFORMED, FAILED, f"malformed case file: {case.reason}")
    classification = classify(case)
    if classification.skip_reason is not None:
        return CaseResult(
            case.id, case.path, MOCKED_NOT_REPLAYABLE, SKIPPED, classification.skip_reason, features=case.features
        )
    metrics: dict[str, MetricResult] = {}
    started = time.perf_counter()
    if isinstance(engine, EngineUnavailable):
        problems = [str(engine)]
    else:
        problems = _guarded(case, classification.category, engine, metrics, timeout)
    seconds = time.perf_counter() - started
    for name in METRICS:  # a case that did not complete has no history: its metrics are not reproduced
        if name not in metrics and isinstance(case.expected.get(name), list):
            metrics[name] = MetricResult(False, "no history (the case did not complete)")
    outcome = FAILED if problems else PASSED
    return CaseResult(
        case.id,
        case.path,
        classification.category,
        outcome,
        problems[0] if problems else None,
        tuple(problems),
        case.features,
        metrics,
        seconds,
    )


def _guarded(case: Case, category: str, engine: Engine, metrics: dict[str, MetricResult], timeout: float) -> list[str]:
    wildcards = Wildcards(case.placeholders, case.value_placeholders)
    try:
        if category == VALIDATION:
            return call_with_deadline(lambda: validation_problems(case, engine, wildcards), timeout)
        return call_with_deadline(lambda: _execution_problems(case, engine, wildcards, metrics), timeout)
    except CaseTimeout:
        return [f"timed out after {timeout:g} s of wall-clock time"]
    except Exception as error:  # the engine crashed: a failure of this case, never of the run
        return [f"engine raised {summarise_exception(error)}"]


def _execution_problems(
    case: Case, engine: Engine, wildcards: Wildcards, metrics: dict[str, MetricResult]
) -> list[str]:
    definition = resolve_resource_placeholders(case)
    mocks = build_mocks(case.task_results) if case.category == MOCKED else None
    try:
        machine = engine.load(definition, machine_type=case.machine_type)
    except engine.validation_error as error:
        return [f"the engine rejected a definition AWS accepted: {_first_diagnostic(error)}"]
    options: dict[str, Any] = {"start_mode": "sync"} if case.start_mode == "sync" else {}
    resources = setup_resources(case)
    if resources is not None:
        options["resources"] = resources
    execution = machine.execute(case.input, mocks=mocks, history=True, **options)
    problems = outcome_problems(
        case.expected, execution.status, execution.output, execution.error, execution.cause, wildcards
    )
    metrics.update(metric_results(case, execution))
    return problems + history_problems(metrics)


def setup_resources(case: Case) -> Any:
    """The embedded S3 holding what the case's setup put there (for its ItemReaders); None if nothing."""
    from asl_engine.conformance.replay_setup import needs_s3, replay_setup_calls
    from asl_engine.services import Resources

    if not needs_s3(case.setup_calls):
        return None
    resources = Resources()
    replay_setup_calls(resources, case.setup_calls, case.placeholders)
    return resources


def metric_results(case: Case, execution: ExecutionLike) -> dict[str, MetricResult]:
    """The history checks this case recorded, computed from the execution's history."""
    recorded = [name for name in METRICS if isinstance(case.expected.get(name), list)]
    if not recorded:
        return {}
    history = execution.history
    return {name: compare_metric(name, case.expected[name], history, case.definition) for name in recorded}


def history_problems(metrics: dict[str, MetricResult]) -> list[str]:
    """A history check that failed fails the case, one problem line each."""
    return [f"{name}: {metric.detail}" for name, metric in metrics.items() if not metric.passed]


def summarise_exception(error: BaseException) -> str:
    """``KeyError: 'x' (at asl_engine/runtime/run.py:120 in step)``: the innermost frame, one line."""
    frames = traceback.extract_tb(error.__traceback__)
    message = str(error).strip().splitlines()[0] if str(error).strip() else ""
    text = f"{type(error).__name__}: {message}" if message else type(error).__name__
    if frames:
        frame = frames[-1]
        filename = frame.filename
        marker = filename.rfind("asl_engine")
        short = filename[marker:] if marker >= 0 else filename.rsplit("/", 1)[-1]
        text += f" (at {short}:{frame.lineno} in {frame.name})"
    return text


def _first_diagnostic(error: Exception) -> str:
    diagnostics = [d for d in getattr(error, "diagnostics", ()) if getattr(d, "severity", "ERROR") == "ERROR"]
    if not diagnostics:
        return str(error).splitlines()[0]
    first = diagnostics[0]
    more = f" (+{len(diagnostics) - 1} more)" if len(diagnostics) > 1 else ""
    return f"{first.code} at {first.location}: {first.message}{more}"
