"""Watching one state's data flow, stage by stage, without slowing down any other state.

AWS's TestState answers with what a state's data looked like after each stage of its processing
(``afterInputPath``, ``afterParameters``, ``result``, ``afterResultSelector``, ``afterResultPath``
under JSONPath; ``afterArguments`` and ``result`` under JSONata) and how an error was handled
(``errorDetails``: the retrier that would retry it and its backoff, or the catcher that took it).

Nothing here touches the compiled states that executions run. The state under test is compiled
afresh with an ``InspectingCompileContext``, which gives it an *inspecting* data flow: a subclass of
the ordinary flow for its query language that performs the same steps, through the same compiled
pieces, and records each intermediate value in an ``Inspection``. Its Retry/Catch policy is replaced
by a ``ProbePolicy`` that decides as the real one would but never retries: a retriable error ends
the test as ``RETRIABLE``. The ordinary flows and policies, and so every execution, pay nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from asl_engine.errors import StatesError
from asl_engine.language.jsonata_expr import UNDEFINED
from asl_engine.runtime.compiler import CompileContext
from asl_engine.runtime.dataflow import DataFlow, JsonPathFlow
from asl_engine.runtime.failures import RUNTIME, error_matches
from asl_engine.runtime.jsonata_flow import JsonataFlow
from asl_engine.runtime.retry import Catcher, RetryPolicy

if TYPE_CHECKING:
    from asl_engine.runtime.frame import Frame
    from asl_engine.runtime.states.base import StateNode

STAGES = (
    "input",
    "afterInputPath",
    "afterArguments",
    "afterParameters",
    "afterItemsPath",
    "afterItemSelector",
    "result",
    "afterResultSelector",
    "afterResultPath",
    "variables",
    "maxConcurrency",
    "toleratedFailureCount",
    "toleratedFailurePercentage",
    "errorDetails",
)
"""Every stage an inspection may show, in the order they are reported."""


class Inspection:
    """The values one run of a state showed, by stage (the last value recorded for a stage wins)."""

    __slots__ = ("stages",)

    def __init__(self) -> None:
        self.stages: dict[str, Any] = {}

    def record(self, stage: str, value: Any) -> None:
        self.stages[stage] = value

    def ordered(self) -> dict[str, Any]:
        return {stage: self.stages[stage] for stage in STAGES if stage in self.stages}


class InspectingJsonPathFlow(JsonPathFlow):
    """A JSONPath flow that records InputPath, Parameters, the result, ResultSelector and ResultPath."""

    __slots__ = ("inspection",)

    def __init__(self, flow: JsonPathFlow, inspection: Inspection) -> None:
        for name in JsonPathFlow.__slots__:
            setattr(self, name, getattr(flow, name))
        self.inspection = inspection
        self.passes_input = False  # its effective input records each stage: never skipped

    def selected_input(self, frame: Frame, raw_input: Any) -> Any:
        value = super().selected_input(frame, raw_input)
        self.inspection.record("afterInputPath", value)
        return value

    def effective_input(self, frame: Frame, raw_input: Any) -> Any:
        value = self.apply_parameters(frame, self.selected_input(frame, raw_input))
        self.inspection.record("afterParameters", value)
        return value

    def finish(self, frame: Frame, raw_input: Any, result: Any) -> tuple[Any, dict[str, Any] | None]:
        record = self.inspection.record
        record("result", result)
        assigned = self.assign.evaluate(frame, result) if self.assign is not None else None
        selected = self.select_result(frame, result)
        record("afterResultSelector", selected)
        combined = self.apply_result_path(frame, raw_input, selected, self.result_path)
        record("afterResultPath", combined)
        return self.apply_output_path(frame, combined), assigned


class InspectingJsonataFlow(JsonataFlow):
    """A JSONata flow that records the value of Arguments and the result."""

    __slots__ = ("inspection",)

    def __init__(self, flow: JsonataFlow, inspection: Inspection) -> None:
        for name in JsonataFlow.__slots__:
            setattr(self, name, getattr(flow, name))
        self.inspection = inspection
        self.passes_input = False  # its effective input records the Arguments' value: never skipped

    def effective_input(self, frame: Frame, raw_input: Any) -> Any:
        value = super().effective_input(frame, raw_input)
        if self.arguments is not None:
            self.inspection.record("afterArguments", value)
        return value

    def finish(self, frame: Frame, raw_input: Any, result: Any) -> tuple[Any, dict[str, Any] | None]:
        if self.uses_result and result is not UNDEFINED:
            self.inspection.record("result", result)
        return super().finish(frame, raw_input, result)


class InspectingCompileContext(CompileContext):
    """Compiles the state under test with an inspecting data flow (the states nested in it, which a
    test never runs, keep ordinary ones)."""

    def __init__(self, query_language: str, machine_type: str, inspection: Inspection, pointer: str) -> None:
        super().__init__(query_language, machine_type)
        self.inspection = inspection
        self.pointer = pointer

    def dataflow_for(self, node: StateNode, spec: dict[str, Any]) -> DataFlow:
        flow = super().dataflow_for(node, spec)
        if node.pointer != self.pointer:
            return flow
        if isinstance(flow, JsonPathFlow):
            return InspectingJsonPathFlow(flow, self.inspection)
        if isinstance(flow, JsonataFlow):
            return InspectingJsonataFlow(flow, self.inspection)
        return flow


class ProbePolicy(RetryPolicy):
    """A state's Retry and Catch deciding as on AWS, for one attempt that is never retried.

    An error a retrier would retry (its ``MaxAttempts`` not used up by ``retry_count`` earlier
    retries) makes the test ``RETRIABLE``, with the retrier's index and the backoff it would wait;
    an error a catcher takes makes it ``CAUGHT_ERROR``, with the catcher's index. ``States.Runtime``
    is neither retried nor caught, as always.
    """

    __slots__ = ("caught", "error", "inspection", "policy", "retriable", "retry_count")

    def __init__(self, policy: RetryPolicy, inspection: Inspection, retry_count: int) -> None:
        super().__init__(policy.retriers, policy.catchers)
        self.policy = policy
        self.inspection = inspection
        self.retry_count = retry_count
        self.retriable = False
        self.caught = False
        self.error: StatesError | None = None

    def next_retry(self, error: StatesError, attempts: list[int], frame: Frame) -> tuple[int, float] | None:
        if error.error == RUNTIME:
            return None
        for index, retrier in enumerate(self.retriers):
            if error_matches(error, retrier.error_equals):
                if self.retry_count < retrier.max_attempts:
                    self.retriable = True
                    backoff = retrier.delay(self.retry_count + 1, frame.random if retrier.full_jitter else None)
                    self.inspection.record(
                        "errorDetails", {"retryBackoffIntervalSeconds": int(backoff), "retryIndex": index}
                    )
                break
        return None  # the test never retries: a retriable error ends it

    def catcher_for(self, error: StatesError) -> Catcher | None:
        if self.retriable:
            return None
        catcher = self.policy.catcher_for(error)
        if catcher is not None:
            self.caught = True
            self.error = error
            self.inspection.record("errorDetails", {"catchIndex": self.catchers.index(catcher)})
        return catcher


__all__ = [
    "STAGES",
    "InspectingCompileContext",
    "InspectingJsonPathFlow",
    "InspectingJsonataFlow",
    "Inspection",
    "ProbePolicy",
]
