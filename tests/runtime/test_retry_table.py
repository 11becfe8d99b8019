"""``RetryPolicy.next_retry`` finds a plain ``StatesError``'s Retrier in a table made with the policy
(by the error's name alone); it must choose what scanning the Retriers in order with
``error_matches`` chooses, for any Retriers and any error, the subclasses (timeouts) included."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from asl_engine.errors import StatesError
from asl_engine.runtime.failures import HeartbeatTimeoutError, TimeoutFailure, error_matches
from asl_engine.runtime.retry import Retrier, RetryPolicy

_NAMES = [
    "E",
    "F",
    "States.ALL",
    "States.TaskFailed",
    "States.Timeout",
    "States.HeartbeatTimeout",
    "States.Runtime",
    "States.DataLimitExceeded",
]


def _scanned(policy: RetryPolicy, error: StatesError, attempts: list[int]) -> tuple[int, float] | None:
    """The choice as the policy made it before its table: the first Retrier that covers the error."""
    if error.error == "States.Runtime":
        return None
    for index, retrier in enumerate(policy.retriers):
        if error_matches(error, retrier.error_equals):
            count = attempts[index]
            if count >= retrier.max_attempts:
                return None
            attempts[index] = count + 1
            return index, retrier.delay(count + 1, None)
    return None


_RETRIER = st.builds(
    lambda names, attempts, interval: Retrier(tuple(names), interval, attempts, 2.0),
    st.lists(st.sampled_from(_NAMES), min_size=1, max_size=3, unique=True),
    st.integers(0, 3),
    st.integers(1, 5),
)
_ERROR = st.one_of(
    st.builds(StatesError, st.sampled_from([*_NAMES, "G", None]), st.just("c")),
    st.builds(TimeoutFailure),
    st.builds(HeartbeatTimeoutError),
)


@settings(max_examples=400, deadline=None, derandomize=True)
@given(st.lists(_RETRIER, min_size=0, max_size=4), st.lists(_ERROR, min_size=1, max_size=8))
def test_the_table_chooses_as_the_scan_does(retriers: list[Retrier], errors: list[Any]) -> None:
    policy = RetryPolicy(tuple(retriers), ())
    tabled = [0] * len(retriers)
    scanned = [0] * len(retriers)
    for error in errors:
        assert policy.next_retry(error, tabled, None) == _scanned(policy, error, scanned)  # type: ignore[arg-type]
        assert tabled == scanned


def test_a_later_retrier_naming_the_error_does_not_win_over_an_earlier_catch_all() -> None:
    policy = RetryPolicy((Retrier(("States.ALL",), 1.0, 2), Retrier(("E",), 7.0, 2)), ())
    assert policy.next_retry(StatesError("E", None), [0, 0], None) == (0, 1.0)  # type: ignore[arg-type]
    timeout_only = RetryPolicy((Retrier(("States.TaskFailed",), 1.0, 2), Retrier(("States.Timeout",), 3.0, 2)), ())
    assert timeout_only.next_retry(StatesError("States.Timeout", None), [0, 0], None) == (1, 3.0)  # type: ignore[arg-type]
    assert timeout_only.next_retry(StatesError(None, None), [0, 0], None) == (0, 1.0)  # type: ignore[arg-type]
    # ``States.TaskFailed`` covers every name but ``States.Timeout``, listed by no Retrier here.
    unlisted = RetryPolicy((Retrier(("States.TaskFailed",), 1.0, 2), Retrier(("States.ALL",), 5.0, 2)), ())
    assert unlisted.next_retry(StatesError("States.Timeout", None), [0, 0], None) == (1, 5.0)  # type: ignore[arg-type]
    assert unlisted.next_retry(StatesError("G", None), [0, 0], None) == (0, 1.0)  # type: ignore[arg-type]


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(_RETRIER, min_size=0, max_size=4), st.lists(st.sampled_from([*_NAMES, "G"]), min_size=1, max_size=8))
def test_a_retry_decision_made_once_is_the_one_the_retry_would_make(retriers: list[Retrier], names: list[str]) -> None:
    """``RetryPolicy.retry_decisions``: for a plain error of a name it holds, the decision names the
    Retrier ``next_retry`` takes (whenever it takes one); a name it does not hold is made on the way."""
    policy = RetryPolicy(tuple(retriers), ())
    decisions = policy.retry_decisions("S")
    attempts = [0] * len(retriers)
    for name in names:
        retry = policy.next_retry(StatesError(name, "c"), attempts, None)  # type: ignore[arg-type]
        if retry is not None and name in decisions:
            assert tuple(decisions[name]) == ("retry", "S", retry[0], name)
    listed = {name for retrier in retriers for name in retrier.error_equals} - {"States.Runtime"}
    assert listed <= set(decisions)
