"""Nothing runs forever: endless loops end at the transition limit, timeouts and stops land in loops
that never wait, a long JSONata evaluation stops at the execution's deadline, Ctrl-C exits 130."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from asl_engine import RealClock, SafetyLimits, StateMachine
from asl_engine.runtime.safety import CHECK_EVERY, DEFAULT_LIMITS

ROOT = Path(__file__).resolve().parents[2]


def _loop(**extra: Any) -> dict[str, Any]:
    """Choice -> Pass -> Choice, forever for input {"x": 1}."""
    return {
        "StartAt": "C",
        **extra,
        "States": {
            "C": {"Type": "Choice", "Choices": [{"Variable": "$.x", "NumericEquals": 1, "Next": "P"}], "Default": "E"},
            "P": {"Type": "Pass", "Next": "C"},
            "E": {"Type": "Succeed"},
        },
    }


@pytest.mark.parametrize("history", [True, False])
def test_an_express_loop_ends_at_the_transition_limit(history: bool) -> None:
    machine = StateMachine.from_json(_loop(), machine_type="EXPRESS")
    execution = machine.execute({"x": 1}, history=history, limits=SafetyLimits(max_transitions=3_000))
    assert (execution.status, execution.error) == ("FAILED", "States.Runtime")
    assert execution.cause == (
        "The execution entered 3,000 states, asl-engine's safety limit (SafetyLimits.max_transitions): a loop that "
        "never ends? Raise the limit with execute(..., limits=SafetyLimits(max_transitions=...)) or asl run "
        "--max-transitions N."
    )
    if history:
        entered = [event for event in execution.history if event["type"].endswith("StateEntered")]
        assert len(entered) == 3_000


def test_the_limit_counts_branches_and_is_never_caught() -> None:
    machine = StateMachine.from_json(
        {
            "StartAt": "Guard",
            "States": {
                "Guard": {
                    "Type": "Parallel",
                    "Branches": [_loop()],
                    "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}],
                    "End": True,
                },
                "Caught": {"Type": "Succeed"},
            },
        },
        machine_type="EXPRESS",
    )
    execution = machine.execute({"x": 1}, limits=SafetyLimits(max_transitions=2_500))
    assert (execution.status, execution.error) == ("FAILED", "States.Runtime")


def test_a_finite_run_under_the_limit_is_untouched() -> None:
    machine = StateMachine.from_json(_loop())
    assert machine.execute({"x": 0}, limits=SafetyLimits(max_transitions=2)).status == "SUCCEEDED"
    assert DEFAULT_LIMITS.max_transitions >= 100 * CHECK_EVERY


@pytest.mark.parametrize(
    "bad", [{"max_transitions": 0}, {"jsonata_steps": -1}, {"jsonata_seconds": 0}, {"jsonata_items": 1.5}]
)
def test_limits_must_be_positive(bad: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="must be a positive"):
        SafetyLimits(**bad)


def test_timeout_seconds_interrupts_a_loop_that_never_waits() -> None:
    machine = StateMachine.from_json(_loop(TimeoutSeconds=1), machine_type="EXPRESS")
    execution = machine.execute({"x": 1}, clock=RealClock(), history=False, limits=SafetyLimits(max_transitions=10**9))
    assert execution.status == "TIMED_OUT"


def test_stop_interrupts_a_loop_that_never_waits() -> None:
    machine = StateMachine.from_json(_loop(), machine_type="EXPRESS")
    handle = machine.start({"x": 1}, history=False, limits=SafetyLimits(max_transitions=10**9))
    handle.stop("Stopped", "by the test")
    execution = handle.wait(60)
    assert (execution.status, execution.error, execution.cause) == ("ABORTED", "Stopped", "by the test")


def test_a_long_evaluation_stops_at_the_executions_deadline() -> None:
    machine = StateMachine.from_json(
        {
            "QueryLanguage": "JSONata",
            "TimeoutSeconds": 1,
            "StartAt": "Spin",
            "States": {
                "Spin": {"Type": "Pass", "Output": "{% ($f := function($n){ $f($n+1) }; $f(0)) %}", "End": True}
            },
        }
    )
    limits = SafetyLimits(jsonata_steps=10**12, jsonata_seconds=3600)
    execution = machine.execute({}, clock=RealClock(), limits=limits)
    assert execution.status == "TIMED_OUT"


def test_ctrl_c_stops_an_express_loop_and_exits_130(tmp_path: Path) -> None:
    definition = tmp_path / "loop.json"
    definition.write_text(json.dumps(_loop()))
    command = [sys.executable, "-c", "from asl_engine.cli.main import main; main()", "run", str(definition)]
    command += ["--type", "EXPRESS", "--input-json", '{"x": 1}', "--max-transitions", "1000000000", "--trace"]
    child = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # a background job ignores SIGINT
    )
    assert child.stderr is not None
    for line in child.stderr:  # the trace shows the loop running: now press Ctrl-C once
        if '"PassStateEntered"' in line or "PassStateEntered" in line:
            break
    child.send_signal(signal.SIGINT)
    try:
        _, rest = child.communicate(timeout=60)
    finally:
        child.kill()
    assert child.returncode == 130
    assert "status: ABORTED (interrupted)" in rest
