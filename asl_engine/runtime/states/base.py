"""What every compiled state shares: identity, history event names, entering and exiting.

A compiled state is built once per definition and holds only immutable, precompiled pieces; the
mutable part of an execution lives in ``Frame`` and ``ExecutionRun``. So one compiled machine can
run many executions at once, in any thread, and an execution's state stays explicit data.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING, Any, ClassVar

from asl_engine.errors import StatesError
from asl_engine.language.errors import EvaluationError, PathNotFoundError
from asl_engine.runtime import failures
from asl_engine.runtime.history import HistoryLimitReached
from asl_engine.runtime.json_text import to_json_text
from asl_engine.runtime.limits import PAYLOAD_LIMIT_BYTES, QUICK_PAYLOAD_CHARS, data_limit_error, text_size
from asl_engine.runtime.payload_meter import LARGE_TEXT_CHARS, LazyText

if TYPE_CHECKING:
    from asl_engine.runtime.compiler import CompileContext
    from asl_engine.runtime.dataflow import DataFlow
    from asl_engine.runtime.decisions import Decision
    from asl_engine.runtime.frame import Frame
    from asl_engine.runtime.text_bounds import TextBound

Transition = tuple[Any, str | None]
"""A state's outcome: its output and the next state's name (``None`` when the state ends its scope)."""


class CompileError(Exception):
    """A definition problem found while compiling, located by a JSON pointer."""

    def __init__(self, pointer: str, message: str, code: str = "SCHEMA_VALIDATION_FAILED") -> None:
        self.pointer = pointer
        self.message = message
        self.code = code
        super().__init__(f"{message} at {pointer}")


class StateNode:
    """Base of the compiled states. Subclasses implement ``run`` (or ``run_async`` when they can block)."""

    state_type: ClassVar[str] = ""
    blocking: ClassVar[bool] = False
    """True for states that may suspend (Wait, Task, Parallel, Map): they implement ``run_async``."""
    retriable: ClassVar[bool] = False
    """True for states with Retry/Catch; only those show ``$$.State.RetryCount``."""
    aborted_type: ClassVar[str | None] = None
    """``<Type>StateAborted`` for the states that have one (Task, Wait, Map, Parallel): recorded when a
    branch or iteration is stopped while in the state, or fails in it (see docs/engine.md)."""

    __slots__ = (
        "entered_type",
        "exited_type",
        "flow",
        "is_end",
        "name",
        "next_state",
        "plain_choice",
        "plain_output",
        "plain_size",
        "plain_text",
        "pointer",
        "query_language",
    )

    def __init__(self, name: str, spec: dict[str, Any], pointer: str, context: CompileContext) -> None:
        self.name = name
        self.pointer = pointer
        self.query_language: str = context.query_language_of(spec)
        self.entered_type = f"{self.state_type}StateEntered"
        self.exited_type = f"{self.state_type}StateExited"
        self.next_state: str | None = spec.get("Next")
        self.is_end = bool(spec.get("End", False))
        self.flow: DataFlow = context.dataflow_for(self, spec)
        self.plain_output: Callable[[Any, Frame], Any] | None = None
        """A state whose whole work is this step (a plain Pass): ``(input, frame) -> output``, raising
        ``PathNotFoundError`` or ``EvaluationError`` (``evaluation_guard`` maps them). ``run_states``
        then enters, runs and exits the state itself (``run`` and ``exit``, written out)."""
        self.plain_choice: Callable[[Frame, Any], tuple[str, Decision]] | None = None
        """A Choice whose output is its input (a plain Choice): the next state and the decision,
        raising ``StatesError``; ``run_states`` exits it itself."""
        self.plain_text: Callable[[Any], str] = to_json_text
        """How ``run_states`` writes the text of what ``plain_output`` returns (see ``PassState``)."""
        self.plain_size: TextBound | None = None
        """A bound of the text of what ``plain_output`` returns, from its input's (``runtime/text_bounds.py``):
        with the history off, the direct iteration loop makes the text only when the bound could
        reach ``LARGE_TEXT_CHARS``. None: no bound known (the text is made)."""

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"

    def run(self, frame: Frame, raw_input: Any) -> Transition:
        raise NotImplementedError

    def run_async(self, frame: Frame, raw_input: Any) -> Awaitable[Transition]:
        raise NotImplementedError

    run_directly: Callable[[Frame, Any], Transition | Coroutine[Any, Any, Transition]] | None = None
    """A blocking state's ``run_async`` as plain calls (Task, Wait; ``runtime/direct.py``): its
    transition, or the coroutine that finishes it when it would suspend. None: the state loop hands the
    state over (Map, Parallel)."""

    # -- helpers shared by the state types ----------------------------------------------------------

    def exit(self, frame: Frame, output: Any, assigned: dict[str, Any] | None) -> None:
        """Check the output quota, commit variables and record ``<Type>StateExited``.

        The output's JSON text is made once here: it measures the quota, goes into the history, and
        serves as the next state's input text.
        """
        run = frame.run
        last_text = frame.last_output_text
        if output is frame.last_output:
            # A state that passes its input through (Choice, Wait, a Pass without fields) reuses the
            # text already made (and measured) for it; payloads are never mutated.
            text = last_text
        elif type(last_text) is str and len(last_text) < LARGE_TEXT_CHARS:
            text = to_json_text(output)
            if len(text) > QUICK_PAYLOAD_CHARS and text_size(text) > PAYLOAD_LIMIT_BYTES:
                raise data_limit_error(self.name)
        else:
            # A large document flowing on: measure what changed, encode only if history is read.
            if run.payload_meter.size(output) > PAYLOAD_LIMIT_BYTES:
                raise data_limit_error(self.name)
            text = LazyText(output)
        if assigned:
            run.assign_variables(frame.variables, assigned)
        history = run.history
        rows = history.state_rows
        if rows is not None:  # History.add_state, written out (the hottest path)
            event_id = history.last_id = history.last_id + 1
            previous = frame.last_event_id
            rows += (
                self.exited_type,
                None if previous == event_id - 1 else previous,
                run.clock.now(),
                self.name,
                text,
                assigned or None,
            )
            if event_id == history.limit:
                raise HistoryLimitReached(event_id)
            frame.last_event_id = event_id
        else:
            frame.last_event_id = history.add_state(
                self.exited_type,
                frame.last_event_id,
                run.clock.now(),
                self.name,
                "output",
                text,
                assigned or None,
                frame.entered_event_id,
            )
        frame.last_output = output
        frame.last_output_text = text


def evaluation_guard(frame: Frame, error: Exception) -> StatesError:
    """Map a language-layer failure to the Step Functions error AWS reports for it."""
    if isinstance(error, PathNotFoundError):
        return failures.from_path(frame, error)
    if isinstance(error, EvaluationError):
        return failures.from_evaluation(frame, error)
    raise error
