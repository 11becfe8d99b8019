"""Pass: passes its input (or a fixed ``Result``) to its output, transforming it on the way."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from asl_engine.runtime.states.base import StateNode, Transition

if TYPE_CHECKING:
    from asl_engine.runtime.compiler import CompileContext
    from asl_engine.runtime.frame import Frame


class PassState(StateNode):
    state_type = "Pass"
    __slots__ = ("has_result", "result")

    def __init__(self, name: str, spec: dict[str, Any], pointer: str, context: CompileContext) -> None:
        super().__init__(name, spec, pointer, context)
        self.has_result = "Result" in spec
        self.result = spec.get("Result")

    def run(self, frame: Frame, raw_input: Any) -> Transition:
        flow = self.flow
        result = self.result if self.has_result else flow.effective_input(frame, raw_input)
        output, assigned = flow.finish(frame, raw_input, result)
        self.exit(frame, output, assigned)
        return output, self.next_state
