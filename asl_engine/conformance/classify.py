"""Which way a case is run, and why a mocked case cannot be replayed.

A mocked case is replayable through per-state mocks when nothing outside the execution acted on
it: no external actions, no value the recording hid (``unresolved``), no data put during setup
that the runner cannot put in place itself (creating resources, reading them or deleting them is
fine: whatever that did to a task is in the task's recorded result; S3 objects put with a text
body are replayed into the embedded S3, for ItemReaders), and only scheduled/started/submitted
events, successes and failures among the task results (a timeout needs real time to pass in a
real service).

Two more conditions cover gaps in the recordings themselves: the task results must name their
state (events of interleaved Parallel branches sometimes do not), and a case without task results
must have a recorded history showing that none were needed (Express end events have no history).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from asl_engine.conformance.case import Case
from asl_engine.conformance.replay_setup import unreplayable_write

SELF_CONTAINED = "self_contained"
HANDLERS = "handlers"
"""Mocked cases replayed a second time through local integrations instead of mocks."""
MOCKED = "mocked"
MOCKED_NOT_REPLAYABLE = "mocked_not_replayable"
VALIDATION = "validation"
MALFORMED = "malformed"
RUN_CATEGORIES = (SELF_CONTAINED, MOCKED, HANDLERS, VALIDATION)
"""Categories that are run and have a pass rate (and a floor)."""

_EXTERNAL_NEEDS = {
    "sfn_activity_consumer": "needs an activity worker",
    "sqs_send_task_success_state_machine": "needs an external task-token answer",
    "sqs_send_task_failure_state_machine": "needs an external task-token answer",
    "events_to_sqs_queue": "needs EventBridge to deliver events to a queue",
}
"""What the recordings' external actions did, in words (others get a generic reason)."""

_REPLAYABLE_EVENT_ENDINGS = ("Scheduled", "Started", "Submitted", "Succeeded", "Failed")


@dataclass(frozen=True, slots=True)
class Classification:
    category: str
    skip_reason: str | None = None


def classify(case: Case) -> Classification:
    """Self-contained and validation cases run as they are; mocked ones only when replayable."""
    if case.category != MOCKED:
        return Classification(case.category)
    reason = replay_obstacle(case)
    return Classification(MOCKED_NOT_REPLAYABLE, reason) if reason else Classification(MOCKED)


def replay_obstacle(case: Case) -> str | None:
    """Why mocks built from ``task_results`` cannot reproduce the recording (None when they can)."""
    if case.external_actions:
        actions = ", ".join(case.external_actions)
        need = _EXTERNAL_NEEDS.get(case.external_actions[0], "needs an external action during the execution")
        return f"{need} ({actions})"
    if case.unresolved:
        hidden = ", ".join(sorted({_unresolved_name(item) for item in case.unresolved}))
        return f"needs a value the recording hid ({hidden})"
    write = unreplayable_write(case.setup_calls)
    if write is not None:
        service, operation = write
        what = "S3 data" if service == "s3" else f"{service} data"
        return f"needs {what} put during setup that the runner cannot replay ({service}.{operation})"
    if _tasks_in_distributed_children(case.definition):
        return "needs task results from Distributed Map child executions (their histories were not recorded)"
    if not case.task_results and "history_event_types" not in case.expected:
        return "needs task results the recording lacks (it has no history)"
    for result in case.task_results:
        if result.get("state") is None:
            return "the recording does not say which state a task result belongs to"
        event = str(result.get("event", ""))
        if event.endswith("TimedOut"):
            return f"needs a task timeout ({event} in state {result.get('state')!r})"
        if not event.endswith(_REPLAYABLE_EVENT_ENDINGS):
            return f"needs real task behaviour ({event} in state {result.get('state')!r})"
        if event.endswith("Succeeded") and "output" not in result:
            return f"the recorded {event} of state {result.get('state')!r} has no output"
    return None


def _tasks_in_distributed_children(definition: Any) -> bool:
    """Task states inside a Distributed Map run in child executions, outside the recorded history."""

    def scan(scope: Any, distributed: bool) -> bool:
        states = scope.get("States") if isinstance(scope, dict) else None
        if not isinstance(states, dict):
            return False
        for state in states.values():
            if not isinstance(state, dict):
                continue
            if distributed and state.get("Type") == "Task":
                return True
            for branch in state.get("Branches") or []:
                if scan(branch, distributed):
                    return True
            processor = state.get("ItemProcessor") or state.get("Iterator")
            if isinstance(processor, dict):
                mode = (processor.get("ProcessorConfig") or {}).get("Mode")
                if scan(processor, distributed or mode == "DISTRIBUTED"):
                    return True
        return False

    return scan(definition, False)


def _unresolved_name(item: str) -> str:
    """``«op4759:fixture_create_lambda_function__[Create…]»`` -> ``fixture_create_lambda_function``."""
    text = item.strip("«»<>")
    text = text.split(":", 1)[1] if ":" in text else text
    return text.split("__", 1)[0] or item
