"""Mocked task results, per state, in Step Functions Local's MockedResponses shape.

``{"StateName": [{"Return": value}, {"Throw": {"Error": "...", "Cause": "..."}}]}``: the n-th
invocation of that state gets the n-th response. A dict keyed by invocation numbers and ranges
(``{"0": ..., "1-2": ...}``) is accepted too, as in a MockConfigFile. ``Return`` is the raw task
result, before ResultSelector.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from asl_engine.definition.arns import ResourceRef
from asl_engine.errors import ConfigurationError, StatesError
from asl_engine.runtime.handlers import TaskHandler, TaskRequest

_RANGE = re.compile(r"(\d+)(?:-(\d+))?\Z")


class MockResponse:
    __slots__ = ("error", "value")

    def __init__(self, value: Any = None, error: StatesError | None = None) -> None:
        self.value = value
        self.error = error

    @classmethod
    def parse(cls, spec: Any, where: str) -> MockResponse:
        usual = _usual(spec)
        if usual is not None:
            return usual
        if not isinstance(spec, Mapping) or len(spec) != 1 or not ({"Return", "Throw"} & set(spec)):
            raise ConfigurationError(
                f'{where}: a mocked response must be {{"Return": value}} or '
                f'{{"Throw": {{"Error": ..., "Cause": ...}}}}, got {spec!r}'
            )
        if "Return" in spec:
            return cls(value=spec["Return"])
        thrown = spec["Throw"]
        if not isinstance(thrown, Mapping):
            raise ConfigurationError(f"{where}: 'Throw' must be an object with 'Error' and 'Cause' strings")
        error, cause = thrown.get("Error"), thrown.get("Cause")
        # Both are optional: a callback may fail a task with neither (SendTaskFailure without fields).
        for field, value in (("Error", error), ("Cause", cause)):
            if value is not None and not isinstance(value, str):
                raise ConfigurationError(f"{where}: '{field}' must be a string")
        return cls(error=StatesError(error, cause))


def _usual(spec: Any) -> MockResponse | None:
    """The usual shapes (plain dicts), checked without ABC isinstance checks; None for anything else,
    which ``MockResponse.parse`` accepts or explains (mocks are parsed for every execution)."""
    if type(spec) is dict and len(spec) == 1:
        if "Return" in spec:
            return MockResponse(spec["Return"])
        thrown = spec.get("Throw")
        if type(thrown) is dict:
            error, cause = thrown.get("Error"), thrown.get("Cause")
            if (error is None or type(error) is str) and (cause is None or type(cause) is str):
                return MockResponse(None, StatesError(error, cause))
    return None


def _expand(state: str, responses: Any) -> list[MockResponse]:
    if isinstance(responses, list):
        expanded = []
        for index, item in enumerate(responses):
            response = _usual(item)
            if response is None:  # the message names the response only when there is something to say
                response = MockResponse.parse(item, f"mock for state {state!r}, response {index}")
            expanded.append(response)
        return expanded
    if isinstance(responses, Mapping):
        slots: dict[int, MockResponse] = {}
        for key, item in responses.items():
            match = _RANGE.match(str(key))
            if not match:
                raise ConfigurationError(f"mock for state {state!r}: invalid invocation key {key!r} (use '0' or '1-3')")
            first = int(match.group(1))
            last = int(match.group(2) or first)
            response = MockResponse.parse(item, f"mock for state {state!r}, responses {key}")
            for index in range(first, last + 1):
                slots[index] = response
        if sorted(slots) != list(range(len(slots))):
            raise ConfigurationError(f"mock for state {state!r}: invocation numbers must be contiguous from 0")
        return [slots[index] for index in range(len(slots))]
    raise ConfigurationError(f"mock for state {state!r} must be a list of responses or a dict of invocation numbers")


class MockedTask:
    """Answers one state's invocations from its list of responses."""

    __slots__ = ("responses", "state")

    completes_callback = True
    """A mocked response is the task's final result, even for ``.waitForTaskToken``/``.sync`` (as in
    Step Functions Local): the engine does not wait for a callback."""

    def __init__(self, state: str, responses: list[MockResponse]) -> None:
        self.state = state
        self.responses = responses
        """What ``answer_for`` answers, by invocation number (``AnswersAtOnce``: a mocked Task's attempts
        index it)."""

    def answer_for(self, invocation: int) -> MockResponse:
        """The response to the ``invocation``-th call, as data (``AnswersAtOnce``): what ``__call__``
        returns or raises."""
        if invocation >= len(self.responses):
            raise StatesError(
                "States.Runtime",
                f"The state '{self.state}' was invoked {invocation + 1} times but its mock defines only "
                f"{len(self.responses)} response(s). Add more responses to the mock.",
            )
        return self.responses[invocation]

    def __call__(self, request: TaskRequest) -> Any:
        response = self.answer_for(request.invocation)
        if response.error is not None:
            raise StatesError(response.error.error, response.error.cause)
        return response.value


class Mocks:
    """Mocked responses for several states; consulted before any registered handler."""

    mocks_task_states = True
    """Mocks answer Task states only, never a Map's ItemReader or ResultWriter (see ``HandlerSource``)."""
    executor_config = None
    """Mocks configure no executor (``Resources`` may): read on every execution, found here at once
    rather than missed (a missed ``getattr`` raises and catches an ``AttributeError`` in C)."""

    def __init__(self, spec: Mapping[str, Any] | None = None) -> None:
        self.spec: dict[str, Any] = dict(spec or {})
        """The responses as given: a durable execution's store keeps them to resume it."""
        self._tasks: dict[str, MockedTask] = {}
        for state, responses in (spec or {}).items():
            self._tasks[state] = MockedTask(state, _expand(state, responses))

    def __contains__(self, state: str) -> bool:
        return state in self._tasks

    def states(self) -> list[str]:
        return list(self._tasks)

    def handler_for(self, state_name: str, resource: ResourceRef) -> TaskHandler | None:
        return self._tasks.get(state_name)


MocksShape = dict[str, Any]


class _Same:
    """Stands for a ``Return`` value in a ``mocks_shape``: equal to that very object only (``==`` from
    either side: the value's own ``__eq__`` does not know this type, so Python asks this one)."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __eq__(self, other: object) -> bool:
        return other is self.value

    __hash__ = None  # type: ignore[assignment]


def mocks_shape(spec: Mapping[str, Any]) -> MocksShape | None:
    """Everything ``Mocks(spec)`` reads from ``spec``, as a value that ``spec ==`` compares with in C,
    for telling whether a parse can be reused: a copy of the dict and its lists and ``Throw`` objects
    (their texts compared by value), each ``Return`` value by its identity (a parse refers to that
    value, it never copies it; ``_Same``: ``True`` is not ``1`` there). Specs equal to the shape parse
    alike, provided every value it names by identity is still alive (the parse holds them). None for
    anything but plain dicts and lists of the usual responses (then parse again)."""
    if type(spec) is not dict:
        return None
    shape: dict[str, Any] = {}
    for state, responses in spec.items():
        if type(responses) is not list:
            return None
        copied: list[Any] = []
        add = copied.append
        for item in responses:
            if type(item) is dict and len(item) == 1:
                returned = item.get("Return", item)  # the item itself: no Return
                if returned is not item:
                    add({"Return": _Same(returned)})
                    continue
                thrown = item.get("Throw")
                if type(thrown) is dict:
                    error, cause = thrown.get("Error"), thrown.get("Cause")
                    if (error is None or type(error) is str) and (cause is None or type(cause) is str):
                        add({"Throw": dict(thrown)})
                        continue
            return None
        shape[state] = copied
    return shape
