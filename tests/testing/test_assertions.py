"""Assertions: they pass when the execution did what is asked, and otherwise say what it did instead."""

from __future__ import annotations

from typing import Any

import pytest

from asl_engine import StateMachine
from asl_engine.execution import Execution
from asl_engine.testing import (
    AslEnvironment,
    assert_caught,
    assert_entered,
    assert_failed,
    assert_not_entered,
    assert_output,
    assert_path,
    assert_path_contains,
    assert_retried,
    assert_state_input,
    assert_state_output,
    assert_status,
    assert_succeeded,
    json_equal,
)
from tests.testing.machines import FAN_OUT, order_machine

GIFT = {"kind": "gift", "total": 5}


@pytest.fixture(scope="module")
def declined() -> Execution:
    """Validate → Route → Wrap → Charge (busy twice, then declined: caught) → Refund."""
    environment = AslEnvironment()
    environment.mocks.raises("Charge", "Card.Busy", times=2).raises("Charge", "Card.Declined", "nope")
    return environment.execute(order_machine(), GIFT)


def failure(check: Any, *args: Any, **kwargs: Any) -> str:
    with pytest.raises(AssertionError) as raised:
        check(*args, **kwargs)
    return str(raised.value)


LISTING = """what happened:
    Validate
    Route                        Choices[0] → Wrap
    Wrap
    Charge                       retried 2x (Card.Busy x2); caught Card.Declined → Refund
    Refund
    execution SUCCEEDED with output "refunded\""""


def test_everything_true_of_the_execution_passes(declined: Execution) -> None:
    assert_succeeded(declined, "refunded")
    assert_status(declined, "SUCCEEDED")
    assert_path(declined, ["Validate", "Route", "Wrap", "Charge", "Refund"])
    assert_path_contains(declined, ["Route", "Charge", "Refund"])
    assert_retried(declined, "Charge", 2)
    assert_retried(declined, "Wrap", 0)
    assert_caught(declined, "Charge")
    assert_caught(declined, "Charge", error="Card.Declined", by="Refund")
    assert_caught(declined, "Charge", error="Card.Declined", by=0)
    assert_state_input(declined, "Wrap", GIFT)
    assert_state_output(declined, "Wrap", {**GIFT, "wrapped": True})
    assert_entered(declined, "Charge", times=1)
    assert_not_entered(declined, "Ship")


def test_a_wrong_path_shows_both_paths_and_the_first_difference(declined: Execution) -> None:
    assert failure(assert_path, declined, ["Validate", "Route", "Charge", "Ship"]) == (
        "expected the execution to enter exactly: Validate → Route → Charge → Ship\n"
        "but it entered:                          Validate → Route → Wrap → Charge → Refund\n"
        "first difference at step 3: expected Charge, got Wrap\n" + LISTING
    )
    assert "it went on after step 2: Wrap → Charge → Refund" in failure(assert_path, declined, ["Validate", "Route"])


def test_a_missing_step_says_which(declined: Execution) -> None:
    message = failure(assert_path_contains, declined, ["Charge", "Ship"])
    assert message.startswith(
        "expected the execution to pass through, in order: Charge → Ship\n"
        "but Ship was never entered; it entered: Validate → Route → Wrap → Charge → Refund\n"
    )
    assert "Wrap was entered, but not after Charge" in failure(assert_path_contains, declined, ["Charge", "Wrap"])


def test_retry_counts_say_what_the_attempts_were(declined: Execution) -> None:
    assert failure(assert_retried, declined, "Charge", 1) == (
        "expected 'Charge' to be retried once, but it was retried twice "
        "(3 attempts, retried after Card.Busy, Card.Busy)\n" + LISTING
    )


def test_catches_name_the_error_and_the_catcher_that_took_it(declined: Execution) -> None:
    assert failure(assert_caught, declined, "Charge", error="Card.Declined", by="Alert").startswith(
        "expected state 'Charge' to catch Card.Declined (Catcher → Alert),\n"
        "but it caught Card.Declined with Catcher #0 → Refund\n"
    )
    assert "but 'Wrap' caught nothing: it succeeded and went on to Charge" in failure(
        assert_caught, declined, "Wrap", error="X"
    )


def test_state_data_mismatches_point_at_the_difference(declined: Execution) -> None:
    message = failure(assert_state_output, declined, "Wrap", {"kind": "gift"})
    assert message.startswith(
        'expected \'Wrap\' to output {"kind": "gift"},\n'
        'but it output          {"kind": "gift", "total": 5, "wrapped": true}\n'
        "(at /total: unexpected 5; at /wrapped: unexpected true)\n"
    )
    assert "(at /total: expected 6, got 5)" in failure(assert_state_input, declined, "Wrap", {**GIFT, "total": 6})


def test_unknown_states_get_a_did_you_mean(declined: Execution) -> None:
    assert failure(assert_state_input, declined, "Chrage", {}).startswith(
        "expected the execution to enter 'Chrage', but it never did "
        "(the definition has no state 'Chrage'; did you mean 'Charge'?)\n"
    )


def test_outcome_assertions(declined: Execution) -> None:
    assert failure(assert_failed, declined, "Order.Failed").startswith(
        "expected the execution to fail with Order.Failed, but it ended SUCCEEDED\n"
    )
    assert '(at /: expected {"x":1}, got "refunded")' in failure(assert_output, declined, {"x": 1})
    environment = AslEnvironment()
    environment.mocks.raises("Charge", "Boom", "it broke")
    failed = environment.execute(order_machine(), GIFT)
    assert_failed(failed, "Order.Failed", "the charge failed")
    assert failure(assert_succeeded, failed).endswith(
        "Charge                       caught Boom → Alert\n"
        "    Alert                        failed: Order.Failed\n"
        "    execution FAILED: Order.Failed: the charge failed"
    )
    assert "but the cause was 'the charge failed'" in failure(assert_failed, failed, "Order.Failed", "other")


def test_a_state_entered_several_times_needs_a_visit_number() -> None:
    environment = AslEnvironment()
    environment.mocks.returns("Work", "ok")
    fan = environment.execute(StateMachine.from_json(FAN_OUT), {"items": [{"wait": 1}, {"wait": 2}]})
    assert_state_input(fan, "Pause", {"wait": 2}, visit=1)
    assert_state_output(fan, "Work", "ok", visit=-1)
    message = failure(assert_state_input, fan, "Pause", {"wait": 1})
    assert "'Pause' was entered twice: say which entry to check with visit=N" in message
    assert 'visit=1: {"wait": 2}' in message
    assert "asked for visit=5 of 'Pause', but it was entered only twice" in failure(
        assert_state_input, fan, "Pause", {}, visit=5
    )


def test_json_equality_keeps_booleans_apart_from_numbers() -> None:
    assert json_equal({"a": [1, 2.0]}, {"a": [1.0, 2]})
    assert not json_equal(True, 1)
    assert not json_equal({"a": 0}, {"a": False})
    assert not json_equal([1], [1, 2])
