"""``lazy_attribute``: computed on first read, then an ordinary attribute of the instance."""

from __future__ import annotations

from asl_engine.runtime.lazy import lazy_attribute


class _Counted:
    def __init__(self) -> None:
        self.calls = 0

    @lazy_attribute
    def value(self) -> list[int]:
        """The value's doc."""
        self.calls += 1
        return [self.calls]


def test_computed_once_and_stored_on_the_instance() -> None:
    first, second = _Counted(), _Counted()
    assert "value" not in vars(first)
    assert first.value == [1] and first.value is first.value and first.calls == 1
    assert vars(first)["value"] == [1]
    assert second.calls == 0  # one instance's value is its own


def test_an_assignment_replaces_it_and_the_class_shows_the_descriptor() -> None:
    counted = _Counted()
    counted.value = [42]
    assert counted.value == [42] and counted.calls == 0
    descriptor = _Counted.__dict__["value"]
    assert _Counted.value is descriptor and descriptor.__doc__ == "The value's doc."
