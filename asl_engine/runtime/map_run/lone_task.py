"""Children that are one plain Task answered at once: run as a few plain calls, no execution built.

The commonest Distributed Map child is a single Task state calling a function (a Lambda handler
that returns its answer) with no InputPath, Parameters, ResultSelector, ResultPath, OutputPath,
Assign, timeout, Retry or Catch. With its history off, nobody can see anything of such a child but
what the Map Run keeps of it (``ChildRecord``: status, input and output texts, error, cause, times)
and what its handler sees (its event and context, which the handler's ``lone_invoker`` makes as a
call would). Building the child's ``ExecutionRun``, frame, handler request and task environment,
stepping the state loop and the retry loop, recording events nobody keeps: that was most of a
trivial child's cost (docs/performance.md, "Seventh round").

``LoneTaskChildren.for_job`` decides once per Map Run whether its children qualify (the processor,
the handler, the parent's clock and history); ``run`` then makes one child's report, the one the
general path (``child.py``) would make, or None before doing anything when that child does not
qualify (an input too large for the quick measure), and the caller runs it the general way.
``tests/runtime/map_run/test_lone_task_children.py`` compares the two paths child for child.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from asl_engine.errors import StatesError
from asl_engine.runtime.dataflow import ABSENT, JsonPathFlow
from asl_engine.runtime.json_text import to_json_text
from asl_engine.runtime.limits import (
    PAYLOAD_LIMIT_BYTES,
    QUICK_PAYLOAD_CHARS,
    data_limit_error,
    exceeds_payload_limit,
    text_size,
)
from asl_engine.runtime.map_run.executor import ChildReport, ChildWork, MapJob
from asl_engine.runtime.map_run.packing import ChildRandom
from asl_engine.runtime.payload_meter import LARGE_TEXT_CHARS
from asl_engine.runtime.run import nested_too_deeply
from asl_engine.runtime.states.task import TaskState

if TYPE_CHECKING:
    from collections.abc import Callable

    from asl_engine.definition.arns import ResourceRef
    from asl_engine.runtime.clock import Clock
    from asl_engine.runtime.compiler import CompiledScope
    from asl_engine.runtime.handlers import LoneInvoke, TaskHandler
    from asl_engine.runtime.run import RunTemplate

SUCCEEDED_EVENTS = 7
"""ExecutionStarted, TaskStateEntered, the task's Scheduled, Started and Succeeded, TaskStateExited,
ExecutionSucceeded: what ``History.count`` says of a child that succeeded (history off or on)."""

FAILED_EVENTS = 5
"""ExecutionStarted, TaskStateEntered, the task's Scheduled and Started, then its Failed (or its
Succeeded, when the output is over the quota): a child's failure is no event of its own history
(``child_main``)."""


class LoneTaskChildren:
    """Runs the children of one Map Run whose processor is a lone Task a handler answers at once."""

    __slots__ = ("_invoke", "_now", "_random", "_state", "_subject")

    enabled = True
    """False runs every child the general way (the differential test compares the two)."""

    def __init__(self, node: TaskState, invoke: LoneInvoke, now: Any) -> None:
        self._state = node.name
        self._subject = node.data_limit_subject
        self._invoke = invoke
        self._now = now
        self._random = ChildRandom(0)
        """Reseeded for each child (``ChildRandom(seed)`` draws what a fresh one would)."""

    @classmethod
    def for_job(cls, job: MapJob, template: RunTemplate) -> LoneTaskChildren | None:
        """The lone-task path for the in-process children of ``job``, or None when they must run the
        general way."""
        parent = job.parent
        if parent.durable is not None or parent.visit_gates is not None or parent.activities is not None:
            return None
        identity = parent.identity
        return cls.for_processor(
            job.node.processor,
            record_history=template.record_history,
            history_limit=template.history_limit,
            find_handler=parent.find_handler,
            region=identity.region,
            account=identity.account,
            clock=parent.clock,
        )

    @classmethod
    def for_processor(
        cls,
        processor: CompiledScope,
        *,
        record_history: bool,
        history_limit: int | None,
        find_handler: Callable[[str, ResourceRef], TaskHandler | None],
        region: str,
        account: str,
        clock: Clock,
    ) -> LoneTaskChildren | None:
        """The lone-task path for children of ``processor`` answered by ``find_handler``'s handler on
        ``clock`` (the parent's, or a worker's: ``executors/job.py``), or None when they must run the
        general way."""
        if not cls.enabled or record_history or not clock.virtual or len(processor.states) != 1:
            return None
        node = processor.states.get(processor.start_at)
        if type(node) is not TaskState or not node.is_end or not node.untimed:
            return None
        if node.policy.retriers or node.policy.catchers or node.resource.pattern != "request-response":
            return None
        flow = node.flow
        if type(flow) is not JsonPathFlow or flow.input_path is not ABSENT or flow.parameters is not None:
            return None
        if not flow.result_is_output or (history_limit is not None and history_limit <= SUCCEEDED_EVENTS):
            return None
        handler = find_handler(node.name, node.resource)
        if handler is None or getattr(handler, "answer_for", None) is not None:
            return None
        if getattr(handler, "check_request", None) is not None or getattr(handler, "completes_callback", False):
            return None
        lone_invoker = getattr(handler, "lone_invoker", None)
        if lone_invoker is None:
            return None
        invoke = lone_invoker(node.resource, region, account, clock)
        if invoke is None:
            return None
        return cls(node, invoke, clock.now)

    def run(self, work: ChildWork) -> ChildReport | None:
        """``child_main`` of this child, as the report ``report_of`` makes of it; None (nothing done)
        when the child must run the general way."""
        value = work.input
        text = to_json_text(value)
        if len(text) >= LARGE_TEXT_CHARS:
            # The output is measured another way after such an input (``StateNode.exit``), and the
            # input itself may be over the quota (the Task fails before its call): both left to the
            # general path, so a shorter input, within the quota whatever its characters, is not
            # measured here.
            return None
        start = self._now()
        rng = self._random
        rng.seed(work.seed)
        try:
            result, within_quota = self._invoke(value, rng)
            if not within_quota and exceeds_payload_limit(result):
                raise data_limit_error(self._subject)
            output_text = to_json_text(result)
            if len(output_text) > QUICK_PAYLOAD_CHARS and text_size(output_text) > PAYLOAD_LIMIT_BYTES:
                raise data_limit_error(self._state)
        except StatesError as error:
            failure = error
        except RecursionError:  # an output nested too deeply to write
            failure = nested_too_deeply(SimpleNamespace(state_name=self._state))  # type: ignore[arg-type]
        else:
            return ChildReport(
                work.index, "SUCCEEDED", result, None, None, start, self._now(), text, output_text, None,
                SUCCEEDED_EVENTS,
            )  # fmt: skip
        return ChildReport(
            work.index, "FAILED", None, failure.error, failure.cause, start, self._now(), text, None, None,
            FAILED_EVENTS,
        )  # fmt: skip
