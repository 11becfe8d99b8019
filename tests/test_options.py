"""``ExecutionSettings.from_options``: the settings of whatever options are given.

With no option at all (``execute(input)``) ``from_options`` returns the defaults made once, not a
new named tuple. Whatever options are given, in whatever order, the result must equal what the
named tuple's constructor makes of them and be an ``ExecutionSettings``; an unknown option is the
``TypeError`` Python gives for a function's own parameters, naming the first unknown keyword.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from asl_engine.options import ExecutionSettings

FIELDS = ExecutionSettings._fields


class _Marker:
    """A value no default equals, so a field left at its default cannot pass for the option given."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"<{self.name}>"


@given(st.permutations(FIELDS).flatmap(lambda names: st.integers(0, len(names)).map(lambda n: names[:n])))
def test_the_settings_are_the_named_tuples_whatever_options_are_given(names: list[str]) -> None:
    options: dict[str, Any] = {name: _Marker(name) for name in names}
    settings = ExecutionSettings.from_options(options, "StateMachine.execute")
    assert type(settings) is ExecutionSettings
    assert settings == ExecutionSettings(**options)
    for name in FIELDS:
        expected = options[name] if name in options else ExecutionSettings._field_defaults[name]
        assert getattr(settings, name) is expected


def test_no_options_give_the_defaults() -> None:
    settings = ExecutionSettings.from_options({}, "StateMachine.execute")
    assert type(settings) is ExecutionSettings
    assert settings == ExecutionSettings()
    assert settings.history is True and settings.start_mode == "async" and settings.mocks is None


@pytest.mark.parametrize(
    ("options", "unknown"),
    [
        ({"sed": 1}, "sed"),
        ({"mocks": {}, "sed": 1}, "sed"),
        ({"histroy": False, "mocks": {}, "sed": 1}, "histroy"),
    ],
)
def test_an_unknown_option_is_the_first_unknown_keyword(options: dict[str, Any], unknown: str) -> None:
    with pytest.raises(TypeError, match=rf"^StateMachine.start\(\) got an unexpected keyword argument '{unknown}'$"):
        ExecutionSettings.from_options(options, "StateMachine.start")


def test_execute_refuses_a_start_mode_or_limits_it_does_not_know() -> None:
    """``_new_run`` checks the start mode and the limits inline, calling the checks only to raise."""
    from dataclasses import dataclass

    from asl_engine import StateMachine
    from asl_engine.errors import ConfigurationError
    from asl_engine.runtime.safety import SafetyLimits

    machine = StateMachine.from_json({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    with pytest.raises(ConfigurationError, match="start_mode must be 'async' or 'sync', got 'later'"):
        machine.execute({}, start_mode="later")
    with pytest.raises(ConfigurationError, match="limits must be a SafetyLimits, got dict"):
        machine.execute({}, limits={"max_transitions": 3})  # type: ignore[typeddict-item]

    @dataclass(frozen=True)
    class Tighter(SafetyLimits):
        pass

    assert machine.execute({}, limits=Tighter(), start_mode="sync").status == "SUCCEEDED"
