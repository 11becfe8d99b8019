"""Succeed: ends its scope (the execution, a branch or an iteration) successfully."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from asl_engine.runtime.states.base import StateNode, Transition

if TYPE_CHECKING:
    from asl_engine.runtime.frame import Frame


class SucceedState(StateNode):
    state_type = "Succeed"
    __slots__ = ()

    def run(self, frame: Frame, raw_input: Any) -> Transition:
        flow = self.flow
        output, _ = flow.finish(frame, raw_input, flow.selected_input(frame, raw_input))
        self.exit(frame, output, None)
        return output, None
