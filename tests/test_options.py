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


# -- one option given again with the very same object (``from_options``'s ``_last_one``) -------------


def test_one_option_given_again_with_the_same_object_gives_the_same_settings() -> None:
    """The usual test's ``execute(input, mocks=MOCKS)``: the second call's settings are the first's
    (no new named tuple), and still hold the very object given."""
    mocks = {"Call": [{"Return": 1}]}
    first = ExecutionSettings.from_options({"mocks": mocks}, "StateMachine.execute")
    again = ExecutionSettings.from_options({"mocks": mocks}, "StateMachine.execute")
    assert again is first
    assert again.mocks is mocks and again == ExecutionSettings(mocks=mocks)


@pytest.mark.parametrize(
    ("given", "then"),
    [
        ({"mocks": {"Call": []}}, {"mocks": {"Call": []}}),  # an equal object, not the same one
        ({"history": True}, {"history": 1}),  # equal values of another type: 1 is not True
        ({"name": "a"}, {"region": "a"}),  # the same object for another option
        ({"seed": 7}, {"seed": 7, "name": "n"}),  # the same option among others
    ],
)
def test_another_object_or_option_makes_its_own_settings(given: dict[str, Any], then: dict[str, Any]) -> None:
    first = ExecutionSettings.from_options(given, "StateMachine.execute")
    settings = ExecutionSettings.from_options(then, "StateMachine.execute")
    assert settings is not first
    assert settings == ExecutionSettings(**then)
    for name, value in then.items():
        assert getattr(settings, name) is value


def test_a_remembered_option_does_not_hide_an_unknown_one() -> None:
    mocks: dict[str, Any] = {}
    ExecutionSettings.from_options({"mocks": mocks}, "StateMachine.execute")
    with pytest.raises(TypeError, match="unexpected keyword argument 'mock'"):
        ExecutionSettings.from_options({"mock": mocks}, "StateMachine.execute")
    with pytest.raises(TypeError, match="unexpected keyword argument 'sed'"):
        ExecutionSettings.from_options({"mocks": mocks, "sed": 1}, "StateMachine.execute")


def test_a_store_is_never_remembered() -> None:
    """An open store is the caller's to close: the memo never keeps one alive."""
    import gc
    import weakref

    from asl_engine import options as options_module

    class Store:
        pass

    store = Store()
    kept = weakref.ref(store)
    settings = ExecutionSettings.from_options({"store": store}, "StateMachine.execute")
    assert settings.store is store
    assert options_module._last_one is None or options_module._last_one[1] is not store
    del settings, store
    gc.collect()
    assert kept() is None


def test_a_changed_mocks_dict_given_again_is_read_again() -> None:
    """The settings hold the caller's dict itself: a change to it between executions still shows (the
    machine's own mocks memo compares the dict's shape)."""
    from asl_engine import StateMachine

    machine = StateMachine.from_json(
        {
            "StartAt": "Call",
            "States": {"Call": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True}},
        }
    )
    mocks: dict[str, Any] = {"Call": [{"Return": {"n": 1}}]}
    assert machine.execute({}, mocks=mocks).output == {"n": 1}
    mocks["Call"] = [{"Return": {"n": 2}}]
    assert machine.execute({}, mocks=mocks).output == {"n": 2}
    mocks["Call"][0]["Return"] = True
    assert machine.execute({}, mocks=mocks).output is True
    mocks["Call"][0]["Return"] = 1
    assert machine.execute({}, mocks=mocks).output == 1 and machine.execute({}, mocks=mocks).output is not True
