"""``ExecutionRun.from_template`` (in-process Distributed Map children) against ``alongside``.

A child made from its parent's ``children_template`` must be the run ``alongside`` makes: the same
attributes with equal values, the shared ones the very same objects, and lists, dicts and the
history its own. The Map Runs themselves are compared, history for history, by
``test_direct_children.py`` and ``test_lambda_copies.py``.
"""

from __future__ import annotations

from typing import Any

import pytest

from asl_engine import StateMachine, VirtualClock
from asl_engine.runtime.clock import Clock
from asl_engine.runtime.history import History
from asl_engine.runtime.map_run.packing import child_random
from asl_engine.runtime.run import ExecutionRun, Identity
from asl_engine.runtime.safety import SafetyLimits
from asl_engine.runtime.scheduler import Scheduler

MACHINE = StateMachine.from_json(
    {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}, "TimeoutSeconds": 60}, name="Parent"
)


def _parent(clock: Clock, *, history: bool, limits: SafetyLimits) -> ExecutionRun:
    run = ExecutionRun(
        MACHINE.compiled,
        Identity("Parent", "p", region="eu-west-1", account="111122223333", role_arn="arn:aws:iam::1:role/r"),
        {"x": 1},
        clock=clock,
        scheduler=Scheduler(clock),
        handlers=[],
        rng=None,
        record_history=history,
        context_overrides={"Execution": {"Name": "custom"}},
        limits=limits,
    )
    run.state_machine = MACHINE
    run.map_executor = None
    return run


def _fields(run: ExecutionRun) -> dict[str, Any]:
    fields = dict(vars(run))
    history: History = fields.pop("history")
    fields["history"] = (type(history), history.record, history.limit, history.listeners, history.last_id)
    return fields


@pytest.mark.parametrize("history", [True, False])
@pytest.mark.parametrize("limits", [SafetyLimits(), SafetyLimits(max_transitions=10)])
def test_a_run_from_the_template_is_the_run_alongside_makes(history: bool, limits: SafetyLimits) -> None:
    clock = VirtualClock(1_700_000_000)
    parent = _parent(clock, history=history, limits=limits)
    template = parent.children_template()
    identity = parent.identity.sibling("Parent/Map", "child-7")
    clock.advance(5)  # a child starts when it is made, not when the template was
    general = ExecutionRun.alongside(
        parent, parent.machine, identity, {"item": 7}, rng=child_random(99), callbacks=parent.callbacks
    )
    general.state_machine = parent.state_machine
    templated = ExecutionRun.from_template(template, identity, {"item": 7}, child_random(99))
    assert _fields(templated).keys() == _fields(general).keys()
    for name, value in _fields(general).items():
        other = _fields(templated)[name]
        if name == "_random":
            assert other.getstate() == value.getstate()
        else:
            assert other == value, name
    assert templated.start_time == clock.now()
    for name in ("clock", "scheduler", "handlers", "starter", "limits", "_callbacks", "state_machine", "machine"):
        assert getattr(templated, name) is getattr(general, name), name
    # Lists, dicts (but the parent's handlers) and the history are each run's own.
    sibling = ExecutionRun.from_template(template, identity, {"item": 8}, child_random(100))
    own = {"invocations", "map_runs", "nested_runs", "decisions", "unanswered"}
    assert {name for name, _ in template.fresh} == own
    for name in (*own, "history"):
        assert vars(templated)[name] is not vars(sibling)[name], name
    assert templated.execution_context == general.execution_context  # made alike on first use


def test_a_template_refuses_a_run_whose_lists_start_filled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing a run fills from the start may be shared through a template by accident."""
    parent = _parent(VirtualClock(0), history=True, limits=SafetyLimits())
    original = ExecutionRun.__init__

    def filled(self: ExecutionRun, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        self.decisions.append("already")  # type: ignore[arg-type]

    monkeypatch.setattr(ExecutionRun, "__init__", filled)
    with pytest.raises(AssertionError, match="decisions"):
        parent.children_template()


@pytest.mark.parametrize("label", [None, "Label"])
def test_a_child_identity_is_the_parents_sibling(label: str | None) -> None:
    """``MapRun.child_identity`` builds the named tuple from cached parts: it is what ``sibling`` gives."""
    from types import SimpleNamespace

    from asl_engine.runtime.run import MapRun

    parent = _parent(VirtualClock(0), history=False, limits=SafetyLimits())
    map_run = MapRun(parent, SimpleNamespace(label=label, name="Fan"), "run-id")  # type: ignore[arg-type]
    for name in ("child-1", "child-2"):
        made = map_run.child_identity(name)
        expected = parent.identity.sibling(f"Parent/{label or 'Fan'}", name)
        assert type(made) is Identity
        assert made == expected
        assert made.execution_arn == expected.execution_arn
        assert made.effective_role_arn == "arn:aws:iam::1:role/r"
