"""Choice: picks the next state from the first rule that matches, else ``Default``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from asl_engine.errors import StatesError
from asl_engine.runtime import failures
from asl_engine.runtime.decisions import Decision
from asl_engine.runtime.states.base import CompileError, StateNode, Transition

if TYPE_CHECKING:
    from asl_engine.runtime.choice_rules import ChoiceBranch
    from asl_engine.runtime.compiler import CompileContext
    from asl_engine.runtime.frame import Frame


class ChoiceState(StateNode):
    state_type = "Choice"
    __slots__ = ("branches", "default", "default_decision", "rule_decisions")

    def __init__(self, name: str, spec: dict[str, Any], pointer: str, context: CompileContext) -> None:
        super().__init__(name, spec, pointer, context)
        choices = spec.get("Choices")
        if not isinstance(choices, list) or not choices:
            raise CompileError(f"{pointer}/Choices", "'Choices' must be a non-empty array of Choice Rules")
        self.branches: tuple[ChoiceBranch, ...] = tuple(
            context.choice_branch(rule, f"{pointer}/Choices/{index}", self.query_language)
            for index, rule in enumerate(choices)
        )
        self.default: str | None = spec.get("Default")
        # Decisions are immutable: made once here, recorded by reference on every run.
        self.rule_decisions = tuple(Decision("choice", name, index) for index in range(len(self.branches)))
        self.default_decision = Decision("choice", name, None)

    def run(self, frame: Frame, raw_input: Any) -> Transition:
        data = self.flow.selected_input(frame, raw_input)
        for index, branch in enumerate(self.branches):
            if branch.matches(frame, raw_input, data):
                output, assigned = branch.finish(frame, raw_input, data, self.flow)
                self.exit(frame, output, assigned)
                frame.run.decisions.append(self.rule_decisions[index])
                return output, branch.next_state
        if self.default is None:
            # AWS's own text for this error.
            raise StatesError(failures.NO_CHOICE_MATCHED, "No Matches!")
        output, assigned = self.flow.finish(frame, raw_input, data)
        self.exit(frame, output, assigned)
        frame.run.decisions.append(self.default_decision)
        return output, self.default
