"""Choice: picks the next state from the first rule that matches, else ``Default``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from asl_engine.errors import StatesError
from asl_engine.language.errors import EvaluationError, PathNotFoundError
from asl_engine.runtime import failures
from asl_engine.runtime.choice_rules import JsonPathChoiceBranch
from asl_engine.runtime.dataflow import ABSENT, JsonPathFlow
from asl_engine.runtime.decisions import Decision
from asl_engine.runtime.states.base import CompileError, StateNode, Transition

if TYPE_CHECKING:
    from asl_engine.language.choice import Predicate
    from asl_engine.runtime.choice_rules import ChoiceBranch
    from asl_engine.runtime.compiler import CompileContext
    from asl_engine.runtime.frame import Frame


class ChoiceState(StateNode):
    state_type = "Choice"
    specialise: ClassVar[bool] = True
    """Compile the plain JSONPath Choice to its rules' predicates (``tests/runtime/test_state_fast_paths.py``
    turns this off to compare whole histories with the general path)."""

    __slots__ = ("branches", "default", "default_decision", "plain_rules", "rule_decisions")

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
        flow = self.flow
        # The common Choice (W2): JSONPath, no InputPath, OutputPath or Assign, on the state or its
        # rules: the output is the input whichever rule matches, so a rule is its predicate, its
        # next state and its decision, tried in order without the branch and data-flow calls.
        plain = (
            self.specialise
            and type(flow) is JsonPathFlow  # not a subclass watching each step (TestState)
            and flow.input_path is ABSENT
            and flow.result_is_output
            and all(type(branch) is JsonPathChoiceBranch and branch.assign is None for branch in self.branches)
        )
        self.plain_rules: tuple[tuple[Predicate, str, Decision], ...] | None = (
            tuple(
                (branch.predicate, branch.next_state, decision)  # type: ignore[attr-defined]
                for branch, decision in zip(self.branches, self.rule_decisions, strict=True)
            )
            if plain
            else None
        )
        if self.plain_rules is not None:
            self.plain_choice = self.choose

    def choose(self, frame: Frame, raw_input: Any) -> tuple[str, Decision]:
        """A plain Choice's next state and decision (its output is its input); ``run_states`` exits it."""
        for predicate, next_state, decision in self.plain_rules:  # type: ignore[union-attr]
            try:
                matched = predicate(raw_input, frame)
            except PathNotFoundError as error:
                raise failures.from_path(frame, error) from None
            except EvaluationError as error:
                raise failures.from_evaluation(frame, error) from None
            if matched:
                return next_state, decision
        if self.default is None:
            raise StatesError(failures.NO_CHOICE_MATCHED, "No Matches!")
        return self.default, self.default_decision

    def run(self, frame: Frame, raw_input: Any) -> Transition:
        if self.plain_rules is not None:
            next_state, decision = self.choose(frame, raw_input)
            self.exit(frame, raw_input, None)
            frame.run.decisions.append(decision)
            return raw_input, next_state
        data = self.flow.selected_input(frame, raw_input)
        for index, branch in enumerate(self.branches):
            if branch.matches(frame, raw_input, data):
                output, assigned = branch.finish(frame, raw_input, data, self.flow)
                self.exit(frame, output, assigned)
                frame.run.decisions.append(self.rule_decisions[index])
                return output, branch.next_state
        return self._default(frame, raw_input, data)

    def _default(self, frame: Frame, raw_input: Any, data: Any) -> Transition:
        if self.default is None:
            # AWS's own text for this error.
            raise StatesError(failures.NO_CHOICE_MATCHED, "No Matches!")
        output, assigned = self.flow.finish(frame, raw_input, data)
        self.exit(frame, output, assigned)
        frame.run.decisions.append(self.default_decision)
        return output, self.default
