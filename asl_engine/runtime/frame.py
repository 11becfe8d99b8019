"""Frames: the explicit state of one thread of control (the top level, a branch, an iteration).

A frame knows which state it is in, when that state was entered, its retry count, its variable
scope and the id of the last history event it produced (AWS links events per thread of control
through ``previousEventId``). Everything an expression may read besides its input is reached
through the frame, which implements ``EvaluationScope``; the ``$$`` object is built on demand
because most states never look at it.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final

from asl_engine.runtime.history import format_timestamp

if TYPE_CHECKING:
    from asl_engine.language.jsonata_budget import EvaluationBudget
    from asl_engine.runtime.payload_meter import LazyText
    from asl_engine.runtime.run import ExecutionRun


NO_OUTPUT: Final = object()
"""``Frame.last_output`` before the frame's first state has exited (no value is it)."""


_NONE: Final[Mapping[str, Any]] = MappingProxyType({})
"""The values and sizes of a scope nothing has assigned to yet: shared, read-only (an execution, a
branch or an iteration that assigns nothing makes no dicts for them; ``ExecutionRun.assign_variables``
gives the scope its own on the first Assign)."""


class VariableScope:
    """Workflow variables of one ``States`` block; inner scopes read outer ones, never write them."""

    __slots__ = ("parent", "sizes", "values")

    def __init__(self, parent: VariableScope | None = None, values: Mapping[str, Any] | None = None) -> None:
        self.parent = parent
        self.values: Mapping[str, Any] = _NONE if values is None else values
        self.sizes: Mapping[str, int] = _NONE
        """Serialized size of each value, for the execution's variable quota."""

    @property
    def stored_bytes(self) -> int:
        return sum(self.sizes.values())

    def lookup(self, name: str) -> Any:
        scope: VariableScope | None = self
        while scope is not None:
            values = scope.values
            if name in values:
                return values[name]
            scope = scope.parent
        raise KeyError(name)

    def visible(self) -> dict[str, Any]:
        """All variables visible here, inner names shadowing outer ones (for JSONata bindings)."""
        chain: list[Mapping[str, Any]] = []
        scope: VariableScope | None = self
        while scope is not None:
            chain.append(scope.values)
            scope = scope.parent
        merged: dict[str, Any] = {}
        for values in reversed(chain):
            merged.update(values)
        return merged

    def to_data(self) -> dict[str, Any]:
        return {"values": dict(self.values), "parent": self.parent.to_data() if self.parent else None}


class Frame:
    """The evaluation scope and bookkeeping of one thread of control."""

    __slots__ = (
        "entered_event_id",
        "entered_time",
        "last_event_id",
        "last_output",
        "last_output_text",
        "map_item",
        "parent",
        "retry_count",
        "run",
        "state_cause_id",
        "state_name",
        "task_token",
        "variables",
        "visit_random",
        "visit_random_id",
    )

    def __init__(
        self, run: ExecutionRun, variables: VariableScope, last_event_id: int, parent: Frame | None = None
    ) -> None:
        self.run = run
        self.variables = variables
        self.parent = parent
        self.last_event_id = last_event_id
        self.state_name = ""
        self.entered_time = 0.0
        self.entered_event_id = 0
        self.state_cause_id = 0
        self.retry_count: int | None = None
        self.map_item: dict[str, Any] | None = None
        self.task_token: str | None = None
        self.last_output: Any = NO_OUTPUT
        self.last_output_text: str | LazyText = ""
        """The last state's output and its JSON text (reused as the next state's input text)."""
        self.visit_random: random.Random | None = None
        self.visit_random_id = 0
        """A durable execution's random source for the current state visit (see ``ExecutionRun.random_for``)."""

    # -- EvaluationScope -------------------------------------------------------------------------------

    @property
    def random(self) -> random.Random:
        return self.run.random_for(self)

    def variable(self, name: str) -> Any:
        return self.variables.lookup(name)

    def now(self) -> float:
        """The execution's clock (JSONata ``$now()`` must follow virtual time)."""
        return self.run.clock.now()

    @property
    def jsonata_budget(self) -> EvaluationBudget:
        """What one JSONata evaluation may do here (the run's ``SafetyLimits`` and deadline)."""
        return self.run.jsonata_budget

    def context_object(self) -> dict[str, Any]:
        return self.context_at(self.entered_time, self.state_name, self.retry_count, self.task_token, self.map_item)

    def context_at(
        self,
        entered_time: float,
        state_name: str,
        retry_count: int | None,
        task_token: str | None,
        map_item: dict[str, Any] | None,
    ) -> dict[str, Any]:
        """``$$`` as it was when the frame held these values (a ``TaskRequest`` makes its context object
        only when a handler reads it, perhaps after the state moved on)."""
        state: dict[str, Any] = {"EnteredTime": format_timestamp(entered_time), "Name": state_name}
        if retry_count is not None:
            state["RetryCount"] = retry_count
        context: dict[str, Any] = {
            "Execution": self.run.execution_context,
            "State": state,
            "StateMachine": self.run.state_machine_context,
        }
        if task_token is not None:
            context["Task"] = {"Token": task_token}
        if map_item is not None:
            context["Map"] = {"Item": map_item}
        return context

    # -- history ---------------------------------------------------------------------------------------

    def record(self, event_type: str, details: dict[str, Any] | None = None) -> int:
        """Record an event caused by this frame's previous one and make it the new previous one."""
        run = self.run
        event_id = run.history.add(event_type, self.last_event_id, run.clock.now(), details, self.entered_event_id)
        self.last_event_id = event_id
        return event_id

    def record_aside(self, event_type: str, details: dict[str, Any] | None = None, cause: int | None = None) -> int:
        """Record an event that does not advance this frame's chain (AWS links siblings to one cause)."""
        run = self.run
        previous = self.last_event_id if cause is None else cause
        return run.history.add(event_type, previous, run.clock.now(), details, self.entered_event_id)

    def child(self, variables: VariableScope, last_event_id: int) -> Frame:
        return Frame(self.run, variables, last_event_id, self)
