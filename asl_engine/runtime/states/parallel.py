"""Parallel: runs every branch on the same input; the result is the list of branch outputs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from asl_engine.runtime.children import BranchAbort, ChildFailure, ChildGroup
from asl_engine.runtime.failures import EvaluationFailure
from asl_engine.runtime.frame import VariableScope
from asl_engine.runtime.retry import RetryPolicy, compile_catchers, compile_retriers
from asl_engine.runtime.scheduler import Cancelled
from asl_engine.runtime.states.base import CompileError, StateNode, Transition
from asl_engine.runtime.states.retrying import StateFailure, run_with_policy

if TYPE_CHECKING:
    from asl_engine.runtime.compiler import CompileContext, CompiledScope
    from asl_engine.runtime.frame import Frame


class ParallelState(StateNode):
    state_type = "Parallel"
    aborted_type = "ParallelStateAborted"
    blocking = True
    retriable = True
    __slots__ = ("branches", "policy")

    def __init__(self, name: str, spec: dict[str, Any], pointer: str, context: CompileContext) -> None:
        super().__init__(name, spec, pointer, context)
        branches = spec.get("Branches")
        if not isinstance(branches, list) or not branches:
            raise CompileError(f"{pointer}/Branches", "Value cannot be empty")
        self.branches: tuple[CompiledScope, ...] = tuple(
            context.compile_scope(branch, f"{pointer}/Branches/{index}") for index, branch in enumerate(branches)
        )
        self.policy = RetryPolicy(
            compile_retriers(spec.get("Retry"), f"{pointer}/Retry"),
            compile_catchers(spec.get("Catch"), f"{pointer}/Catch", context, self.flow, self.query_language),
        )

    async def run_async(self, frame: Frame, raw_input: Any) -> Transition:
        return await run_with_policy(self, self.policy, frame, raw_input, self._attempt)

    async def _attempt(self, frame: Frame, raw_input: Any) -> list[Any]:
        from asl_engine.runtime.interpreter import run_child_scope

        run = frame.run
        try:
            branch_input = self.flow.effective_input(frame, raw_input)
        except EvaluationFailure as error:
            raise StateFailure(error, frame.last_event_id) from None
        started = frame.record("ParallelStateStarted")
        group = ChildGroup(run.scheduler)
        for index, branch in enumerate(self.branches):
            child = frame.child(VariableScope(frame.variables), started)
            group.spawn(index, run_child_scope(branch, child, branch_input), f"{self.name}[{index}]")
        results: list[Any] = [None] * len(self.branches)
        last_event = started
        try:
            for _ in self.branches:
                index, task = await group.next_finished()
                failure = task.done_future.exception()
                if failure is not None:
                    if not isinstance(failure, ChildFailure):
                        raise failure
                    await self._stop_branches(frame, group, failure.event_id)
                    failure.record_state_abort(frame, failure.event_id)
                    raise StateFailure(failure.error, failure.event_id)
                results[index], last_event = task.done_future.result()
        except Cancelled as cancelled:
            if isinstance(cancelled.reason, BranchAbort):
                await self._stop_branches(frame, group, cancelled.reason.cause_event_id)
            else:
                await group.abort_all(cancelled.reason)
            run.record_aborted(frame, self.aborted_type, cancelled)
            raise
        frame.last_event_id = last_event
        frame.record_aside("ParallelStateSucceeded")
        return results

    @staticmethod
    async def _stop_branches(frame: Frame, group: ChildGroup, cause_event_id: int) -> None:
        """Abort the running branches; those that failed unseen record the abort of their state."""
        for _, failure in await group.abort_all(BranchAbort(cause_event_id)):
            failure.record_state_abort(frame, cause_event_id)
