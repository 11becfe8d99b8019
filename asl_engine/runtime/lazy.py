"""``lazy_attribute``: an attribute computed on first read, without ``functools.cached_property``'s lock.

Python 3.11's ``cached_property`` takes a lock (one ``RLock`` per property, shared by every instance)
on each first read: about 1.5 µs, where the computation of an execution's ARN or task environment
takes a fraction of that, and a Distributed Map child reads three such attributes. This descriptor
computes the value and stores it as the instance's attribute, which shadows the descriptor from
then on (it defines no ``__set__``), exactly as ``cached_property`` does, but without the lock: two
threads reading the attribute for the first time at once may both compute it, and the last to store
wins. Use it for values that are the same whoever computes them (a formatted ARN, a view of the run)
or that only the execution's own thread reads first.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, Self, TypeVar, overload

T = TypeVar("T")


class lazy_attribute(Generic[T]):
    """Decorates a method of one argument: its result becomes the instance's attribute on first read."""

    def __init__(self, function: Callable[[Any], T]) -> None:
        self.function = function
        self.name = function.__name__
        self.__doc__ = function.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> Self: ...

    @overload
    def __get__(self, instance: object, owner: type | None = None) -> T: ...

    def __get__(self, instance: object | None, owner: type | None = None) -> T | Self:
        if instance is None:
            return self
        value = self.function(instance)
        # Stored as an attribute, not through ``instance.__dict__``: asking for an object's ``__dict__``
        # makes CPython (3.11) move its attributes from the inline values its specialised attribute
        # reads use into a dict, and every later read of any of its attributes costs about four times
        # as much.
        setattr(instance, self.name, value)
        return value
