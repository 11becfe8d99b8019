"""Recordings whose Parallel events went through localstack's snapshot normaliser.

The recorded cases come from localstack's snapshot files. For some tests (``test_parallel_state``,
``test_parallel_state_nested``, ``test_base_parallel_cases``, ``test_parallel_catch_error``...) the
history passed through its ``SfnNoneRecursiveParallelTransformer`` before it was stored. That
transformer collects the events after each ``ParallelStateStarted``, zeroes their ids and, on the
next ``ParallelStateSucceeded``/``Failed``/``Aborted``/``Exited``, writes them back sorted over the
range ``[first event after Started, this event)``. On the ``ParallelStateExited`` that follows a
``ParallelStateSucceeded`` (or ``Failed``) that range is one event longer than the list written
back, so the ``Succeeded``/``Failed`` event is deleted; nested Parallel states lose more. The ids
show it: in ``test_parallel_state[PARALLEL_STATE]`` event 18 is missing and ``ParallelStateExited``
(19) still links to 17 (``../shared/reference/evidence/observed_history_sequences.txt``), and the
branch events of those recordings come sorted by their JSON text, not in time order.

AWS itself records ``ParallelStateSucceeded`` (or ``ParallelStateFailed``) before every
``ParallelStateExited``, as the engine does (the recordings that were not normalised show it, e.g.
``test_sqs_failure_in_wait_for_task_tok_no_error_field[SQS_PARALLEL_WAIT_FOR_TASK_TOKEN]``). So a
recording with more ``ParallelStateExited`` events than ``Succeeded`` and ``Failed`` ones together
was normalised, and the engine's event types are compared with it after the same edit: equal only
when the engine's history, edited as the tool edits AWS's, gives what the tool stored.
"""

from __future__ import annotations

from collections.abc import Sequence

_STARTED = "ParallelStateStarted"
_CLOSERS = frozenset({"ParallelStateSucceeded", "ParallelStateFailed", "ParallelStateAborted", "ParallelStateExited"})


def normalised_by_snapshot_tool(recorded: Sequence[str]) -> bool:
    """Whether the recorded event types bear the normaliser's mark (a Parallel exit without its end)."""
    exits = sum(1 for kind in recorded if kind == "ParallelStateExited")
    ends = sum(1 for kind in recorded if kind in ("ParallelStateSucceeded", "ParallelStateFailed"))
    return exits > ends


def as_snapshot_tool_stores(event_types: Sequence[str]) -> list[str]:
    """``event_types`` edited as the normaliser edits a history (its list surgery reproduced step by
    step, including the events its in-place edits make it skip)."""
    events = list(event_types)
    collected: list[str] = []
    start = 0
    collecting = False
    index = 0
    while index < len(events):  # re-read each turn: the list shrinks under the walk, as in the tool
        kind = events[index]
        if kind in _CLOSERS:
            events[start:index] = sorted(collected)
            collecting = False
        elif kind == _STARTED:
            collecting = True
            collected = []
            start = index + 1
        elif collecting:
            collected.append(kind)
        index += 1
    return events
